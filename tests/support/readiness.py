"""Readiness records for tests: staff, their training and named people, made through the
services as a lead would, each in its own unit of work."""

from __future__ import annotations

from datetime import date

from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.readiness import services, training


def named(lead, organisation, key: str, *names: str) -> None:
    for name in names:
        with unit_of_work(db.session):
            services.add_named(db.session, lead, organisation, key, name, None)


def staff(lead, organisation, *people: tuple[str, str], level_1: int = 0) -> list:
    """Lists (name, email) people; the first `level_1` of them completed level 1."""
    members = []
    for name, email in people:
        with unit_of_work(db.session):
            members.append(training.add_staff(db.session, lead, organisation, name, email))
    for member in members[:level_1]:
        with unit_of_work(db.session):
            training.record_completion(db.session, lead, member, 1, date(2026, 1, 5))
    return members


def record(lead, organisation, key: str, status: str = "met", version: int = 0, **evidence):
    with unit_of_work(db.session):
        return services.record_evidence(
            db.session,
            lead,
            organisation,
            key,
            status=status,
            route=evidence.get("route"),
            note=evidence.get("note"),
            evidence_on=evidence.get("evidence_on"),
            evidence_url=evidence.get("evidence_url"),
            expected_version=version,
        )
