"""The demo shows repeat presentation: diagnosis events flagged at triage, and the theme of its own
in the ICB's and North PCN's figures (issue 18, part 6)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from psirf.dashboards.services import event_themes, window_start
from psirf.events.lfpse import REPEAT_PRESENTATION
from psirf.events.models import EventStatus, SafetyEvent
from psirf.plans import insight
from psirf.timeutil import utcnow

ASKED = ("incident", "outcome")


def test_diagnosis_incidents_and_outcomes_answer_the_question_and_nothing_else_does(demo):
    session, _, _ = demo
    answers = Counter(
        session.execute(
            select(SafetyEvent.theme, SafetyEvent.record_type, SafetyEvent.repeat_presentation)
        ).all()
    )
    asked = {(theme, kind) for theme, kind, _ in answers if theme == "diagnosis" and kind in ASKED}
    assert {answer for (theme, kind, answer) in answers if (theme, kind) not in asked} == {None}
    incidents = {a: n for (t, k, a), n in answers.items() if (t, k) == ("diagnosis", "incident")}
    assert None not in incidents and 20 <= incidents["yes"] < incidents["no"]
    outcomes = {a for (t, k, a) in answers if (t, k) == ("diagnosis", "outcome")}
    assert outcomes <= {"not_known"}


def test_a_flagged_event_awaits_the_riverside_lead(demo):
    session, by_code, _ = demo
    waiting = session.scalars(
        select(SafetyEvent).where(
            SafetyEvent.organisation_id == by_code["D81001"].id,
            SafetyEvent.status == EventStatus.AWAITING_TRIAGE.value,
            SafetyEvent.repeat_presentation == "yes",
        )
    ).all()
    journey = [e for e in waiting if e.description.startswith("Fourth contact in three weeks")]
    assert len(journey) == 1 and journey[0].theme == "diagnosis"
    # The rest are the demo year's stories of repeated consultations.
    assert all(
        e.description.startswith("Repeated consultations") for e in waiting if e not in journey
    )


def test_repeat_presentation_is_a_theme_of_the_icb_and_north_pcn(demo):
    session, by_code, _ = demo
    today = utcnow().date()
    flagged = select(SafetyEvent.id).where(SafetyEvent.repeat_presentation == "yes")
    icb = {
        t.theme: t.count
        for t in event_themes(session, by_code["QDM"].id, window_start(today), own=False)
    }
    assert 0 < icb[REPEAT_PRESENTATION] < icb["diagnosis"]
    assert icb[REPEAT_PRESENTATION] <= len(session.scalars(flagged).all())
    profile = insight.profile(session, by_code["U00001"], 12, today)
    themes = {t["key"]: t for t in profile["events"]["by_theme"]}
    assert 0 < themes[REPEAT_PRESENTATION]["events"] < themes["diagnosis"]["events"]
