"""`flask --app app seed demo`: load the demo data once, then print the demo sign-ins."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from psirf.accounts.models import Role
from psirf.db import unit_of_work
from psirf.demo.alerts import load_alerts
from psirf.demo.course import load_changed_course
from psirf.demo.events import load_events
from psirf.demo.feedback import load_feedback
from psirf.demo.family import family_spec, load_family
from psirf.demo.learning import load_learning
from psirf.demo.lfpse import load_exports
from psirf.demo.nearmiss import load_near_misses
from psirf.demo.organisations import load_accounts, load_organisations
from psirf.demo.trust_response import load_trust_response
from psirf.demo.revisions import load_revisions
from psirf.demo.readiness import load_readiness
from psirf.extensions import db

seed_cli = AppGroup("seed", help="Load demo and reference data.")


@seed_cli.command("demo")
def seed_demo():
    """Load the NHS Demo ICB, its accounts and a year of events. Safe to run again."""
    with unit_of_work(db.session):
        by_code = load_organisations(db.session)
        accounts = load_accounts(db.session, by_code)
        loaded = load_events(db.session, by_code)
        load_family(
            db.session
        )  # the family portal's demo investigation, before the reporters' news about it
        load_trust_response(db.session)  # a cross-organisational response the trust leads
        load_feedback(db.session)  # the reporters' news, once, over whatever events there are
        load_changed_course(db.session)  # a huddle continued as a review, with its own news
        load_learning(db.session)  # the shared library and an improvement plan, once
        load_near_misses(db.session)  # North Street Pharmacy's near-miss log, once
        load_exports(db.session)  # the LFPSE queue as if it had run all year (before corrections)
        corrected = load_revisions(db.session)  # through the services: after the reporters' news
        load_alerts(db.session)  # a national patient safety alert issued to the pharmacies, once
        load_readiness(db.session)  # the strategy's commitments: the ICB's readiness map, once
    click.echo("\nDemo data is loaded. Sign in at http://127.0.0.1:5000 with any of these:\n")
    for spec in accounts:
        organisation = by_code[spec["organisation"]]
        click.echo(f"  {spec['email']:<38} {Role(spec['role']).label}, {organisation.name}")
    family = family_spec()
    click.echo(
        f"  {family['email']:<38} Family member in the family portal (a PSII at Riverside Surgery)"
    )
    click.echo(f"\n  Every demo account's password is: {accounts[0]['password']}\n")
    if loaded:
        click.echo(f"  Loaded {loaded:,} demo safety events from the last 12 months.\n")
    if corrected:
        click.echo(
            "  Corrected after triage, with its revisions: "
            f"{corrected[0]}; two patients, one severely harmed: {corrected[-1]}.\n"
        )
    else:
        click.echo("  Demo safety events were already present; none added.\n")
