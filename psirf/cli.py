"""Flask commands: `flask --app app workflows check|show`, `counts check`, `reminders send`,
`users create-admin`, `seed`, `import events`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from psirf import features
from psirf.workflow import definitions
from psirf.workflow.diagram import mermaid

workflows_cli = AppGroup("workflows", help="Check and show the workflow definitions.")


@workflows_cli.command("check")
def workflows_check():
    """Parse every file in workflows/ and report any fault."""
    features.load()
    try:
        found = definitions.read_directory()
    except definitions.WorkflowError as error:
        raise click.ClickException(str(error)) from None
    changed = definitions.changed_without_new_version(found)
    if changed:
        raise click.ClickException(
            "changed without a new version: "
            + ", ".join(changed)
            + ". Keep the old file in workflows/versions/ and raise the version in the new one."
        )
    unrecorded = set(f"{n}@{v}" for n, v in found) - set(definitions.recorded_fingerprints())
    for (name, version), d in sorted(found.items()):
        note = (
            "  (new: run `flask workflows fingerprint` to record it)"
            if f"{name}@{version}" in unrecorded
            else ""
        )
        click.echo(
            f"ok  {name} v{version}: {len(d.states)} states, {len(d.transitions)} transitions{note}"
        )


@workflows_cli.command("fingerprint")
def workflows_fingerprint():
    """Record the meaning of each new workflow version, so a later edit without a new version fails."""
    features.load()
    added = definitions.record_fingerprints(definitions.read_directory())
    click.echo("recorded: " + (", ".join(added) if added else "nothing new"))


@workflows_cli.command("show")
@click.argument("name")
@click.option("--version", type=int, default=None, help="A version other than the newest.")
def workflows_show(name: str, version: int | None):
    """Print a workflow's states, transitions and its Mermaid diagram."""
    features.load()
    try:
        d = definitions.get(name, version)
    except definitions.WorkflowError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{d.label} ({d.name} v{d.version})\n\nStates:")
    for s in d.ordered_states():
        who = f" [acts: {s.acts}]" if s.acts else ""
        click.echo(
            f"  {s.name}: {s.label}{who}{' (final)' if s.final else ''}{' (initial)' if s.name == d.initial else ''}"
        )
    click.echo("\nTransitions:")
    for t in d.transitions:
        extra = []
        if t.guards:
            extra.append("guards: " + ", ".join(str(g) for g in t.guards))
        if t.actions:
            extra.append("actions: " + ", ".join(t.actions))
        if t.needs:
            extra.append("needs: " + ", ".join(t.needs))
        click.echo(
            f"  {t.trigger}: {', '.join(t.sources)} -> {t.dest}"
            + (f"  ({'; '.join(extra)})" if extra else "")
        )
    click.echo("\nMermaid:\n")
    click.echo(mermaid(d))


counts_cli = AppGroup(
    "counts", help="Check the rollups (event counts) the dashboards and plans read."
)
SHOWN_DIFFERENCES = 50


@counts_cli.command("check")
@click.option("--repair", is_flag=True, help="Rewrite every rollup from the events.")
def counts_check(repair: bool):
    """Compare every rollup with the events, in SQL, and report the rows that differ (streamed:
    memory stays flat however many events there are)."""
    from psirf.db import unit_of_work
    from psirf.events import counts
    from psirf.extensions import db

    if repair:
        with unit_of_work(db.session):
            fixed = counts.repair(db.session)
        click.echo(f"repaired: {fixed} count(s) differed")
        return
    found = 0
    for difference in counts.iter_differences(db.session):
        found += 1
        if found <= SHOWN_DIFFERENCES:
            table, key, stored, expected = difference
            click.echo(f"differs  {table} {key}: stored {stored}, events say {expected}")
    if found:
        raise click.ClickException(f"{found} count(s) differ from the events; run with --repair")
    click.echo("ok  every rollup matches the events")


reminders_cli = AppGroup("reminders", help="Remind people of what is due and overdue.")


@reminders_cli.command("send")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Act as if it were this day (YYYY-MM-DD).",
)
def reminders_send(today):
    """Notify owners of responses, actions, candour steps and plan reviews due or overdue. Meant for a
    daily scheduler; each reminder is sent once, so running it twice sends nothing new."""
    from flask import current_app

    from psirf.db import unit_of_work
    from psirf.extensions import db
    from psirf.notifications.reminders import send_reminders
    from psirf.timeutil import utcnow

    with unit_of_work(db.session):
        made = send_reminders(
            db.session,
            today=today.date() if today else utcnow().date(),
            candour_working_days=int(current_app.config.get("CANDOUR_TARGET_WORKING_DAYS", 10)),
            candour_results_days=current_app.config.get("CANDOUR_RESULTS_TARGET_WORKING_DAYS"),
        )
    click.echo(f"{made} reminder(s) sent" if made else "Nothing new to remind anyone of.")


def register(app: Flask) -> None:
    app.cli.add_command(workflows_cli)
    app.cli.add_command(counts_cli)
    app.cli.add_command(reminders_cli)
    from psirf.accounts.cli import users_cli

    app.cli.add_command(users_cli)
    from psirf.demo.cli import seed_cli

    app.cli.add_command(seed_cli)
    from psirf.lfpse.cli import lfpse_cli

    app.cli.add_command(lfpse_cli)
    from psirf.imports.cli import import_cli

    app.cli.add_command(import_cli)
