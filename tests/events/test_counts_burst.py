"""Every rollup equals a raw count after a burst of recordings and corrections at once: real
threads, each with its own session and transaction, across ten services in two PCNs and a
federation, through the app's own services (psirf.events.services and .revisions)."""

from __future__ import annotations

import dataclasses
import random
from datetime import date

from sqlalchemy import func, select

from psirf.accounts.models import Role
from psirf.db import unit_of_work
from psirf.events import counts, revisions, services
from psirf.events.counts import ThemeRollup, counted_record_types
from psirf.events.lfpse import AgeBand, Ethnicity, Gender
from psirf.events.models import SafetyEvent
from psirf.extensions import db
from psirf.organisations.models import Organisation
from tests.support.bursts import run_at_once
from tests.support.factories import (
    IcbFactory,
    PcnFactory,
    PracticeFactory,
    UserFactory,
    one_commit,
)

TODAY = date(2026, 6, 15)
SERVICES = 10
RECORDINGS = 100
CORRECTIONS = 20
THREADS = 6
THEMES = ("medication", "diagnosis", "referral", "access")
RECORD_TYPES = ("incident", "incident", "outcome", "risk", "good_care")


def _patients(rng: random.Random) -> list[services.PatientDetails]:
    return [
        services.PatientDetails(
            physical_harm=rng.choice(("none", "low", "moderate", "severe")),
            psychological_harm=rng.choice(("none", "low", "moderate", None)),
            age_band=rng.choice([None, *(a.value for a in AgeBand)]),
            gender=rng.choice([None, *(g.value for g in Gender)]),
            ethnicity=rng.choice([None, *(e.value for e in Ethnicity)]),
        )
        for _ in range(rng.choice((0, 1, 1, 2, 3)))
    ]


def _record(rng: random.Random, organisation_id: int) -> SafetyEvent:
    return services.record_event(
        db.session,
        organisation=db.session.get(Organisation, organisation_id),
        record_type=rng.choice(RECORD_TYPES),
        occurred_on=date(2026, rng.choice((3, 4, 5, 6)), rng.randint(1, 14)),
        description="Recorded in a burst.",
        theme=rng.choice(THEMES),
        reporter_kind="patient",
        patients=_patients(rng),
        today=TODAY,
    )


def _correct(rng: random.Random, event_id: int, lead_id: int) -> None:
    from psirf.accounts.models import User

    event = db.session.get(SafetyEvent, event_id)
    details = dataclasses.replace(
        revisions.details_of(event),
        theme=rng.choice([t for t in THEMES if t != event.theme]),
        record_type=rng.choice(RECORD_TYPES),
        occurred_on=date(2026, rng.choice((3, 4, 5, 6)), rng.randint(1, 14)),
        patients=_patients(rng),
    )
    revisions.revise_event(
        db.session,
        event,
        db.session.get(User, lead_id),
        details,
        "Corrected in a burst.",
        event.version_id,
        today=TODAY,
    )


def _ten_services():
    """Ten practices in two PCNs, every other one in a federation too, each with its lead."""
    with one_commit():
        icb = IcbFactory()
        pcns = [PcnFactory(icb=icb), PcnFactory(icb=icb)]
        federation = PcnFactory(icb=icb, kind="federation")
        practices = [
            PracticeFactory(icb=icb, groups=[pcns[i % 2]] + ([federation] if i % 3 == 0 else []))
            for i in range(SERVICES)
        ]
        leads = [UserFactory(role=(Role.PATIENT_SAFETY_LEAD, p)) for p in practices]
    return icb, [p.id for p in practices], [u.id for u in leads]


def _run_at_once(app, jobs: list) -> list[BaseException]:
    return run_at_once(app, jobs, THREADS)


def test_every_rollup_equals_the_raw_count_after_concurrent_recordings_and_corrections(app):
    icb, practices, leads = _ten_services()
    rng = random.Random(16)
    corrected = []
    for i in range(CORRECTIONS):
        with unit_of_work(db.session):
            corrected.append((_record(rng, practices[i % SERVICES]).id, leads[i % SERVICES]))
    jobs = [
        (lambda seed=n, o=practices[n % SERVICES]: _record(random.Random(seed), o))
        for n in range(RECORDINGS)
    ] + [
        (lambda seed=1000 + n, e=e, lead=lead: _correct(random.Random(seed), e, lead))
        for n, (e, lead) in enumerate(corrected)
    ]
    random.Random(7).shuffle(jobs)

    assert _run_at_once(app, jobs) == []

    db.session.expire_all()
    assert counts.differences(db.session) == []
    raw = db.session.scalar(
        select(func.count())
        .select_from(SafetyEvent)
        .where(SafetyEvent.record_type.in_(counted_record_types()))
    )
    rolled = db.session.scalar(
        select(func.sum(ThemeRollup.count)).where(ThemeRollup.area_id == icb.id)
    )
    assert db.session.scalar(select(func.count()).select_from(SafetyEvent)) == 120
    assert rolled == raw > 0
