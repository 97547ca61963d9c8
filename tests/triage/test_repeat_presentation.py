"""Repeat presentation at triage (issue 18 part 6): a clear flag on the queue and the triage page,
a reason added to the recommendation (its method unchanged), and a plan's local priority that
covers repeat presentation matching on the answer, not on the theme."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from psirf.responses.models import ResponseMethod
from psirf.triage.recommend import (
    REPEAT_PRESENTATION_REASON,
    PlanRef,
    parse_local_focus,
    recommend,
)
from tests.support.factories import SafetyEventFactory

TODAY = date(2026, 5, 20)
TAG = '<strong class="nhsuk-tag nhsuk-tag--orange">Repeat presentation</strong>'


def event(**overrides):
    fields = {
        "record_type": "incident",
        "theme": "diagnosis",
        "occurred_on": TODAY - timedelta(days=1),
        "description": "Fourth visit in three weeks with the same abdominal pain.",
        "physical_harm": "low",
        "psychological_harm": "none",
        "never_event": False,
        "never_event_type": None,
        "national_flags": [],
        "repeat_presentation": "yes",
    }
    return SimpleNamespace(**(fields | overrides))


def focus(*priorities):
    return parse_local_focus(
        {"priorities": list(priorities)},
        "a test plan",
        "from North PCN's PSIRF plan",
        PlanRef("North PCN's PSIRF plan, version 1.0", plan_id=3),
    )


REPEATS_PRIORITY = {
    "key": "repeat_presentation",
    "label": "Repeat presentation: three strikes and we rethink",
    "method": "mdt_review",
    "match": {"theme": "repeat_presentation", "record_types": ["incident", "outcome"]},
}


def test_a_flagged_event_keeps_its_recommended_method_and_is_told_why_to_look_again():
    flagged = recommend(event(), today=TODAY, focus=focus())
    plain = recommend(event(repeat_presentation="no"), today=TODAY, focus=focus())
    assert flagged.method == plain.method == ResponseMethod.AFTER_ACTION_REVIEW.value
    assert flagged.reasons == [*plain.reasons, REPEAT_PRESENTATION_REASON]
    assert "Jess's Rule" in REPEAT_PRESENTATION_REASON


def test_a_local_priority_for_repeat_presentation_matches_flagged_diagnosis_events_only():
    plan = focus(REPEATS_PRIORITY)
    chosen = recommend(event(), today=TODAY, focus=plan)
    assert chosen.method == ResponseMethod.MDT_REVIEW.value
    assert chosen.local_priority == "repeat_presentation"
    assert chosen.source.row == 1
    for answer in ("no", "not_known", None):
        other = recommend(event(repeat_presentation=answer), today=TODAY, focus=plan)
        assert other.local_priority is None
    # A diagnosis priority still matches a flagged event, by its theme.
    diagnosis = dict(REPEATS_PRIORITY, key="diagnosis", match={"theme": "diagnosis"})
    assert recommend(event(), today=TODAY, focus=focus(diagnosis)).local_priority == "diagnosis"


def test_the_queue_flags_repeat_presentations(sign_in, world):
    for reference, answer in (("PSE-2026-920001", "yes"), ("PSE-2026-920002", "no")):
        SafetyEventFactory(
            organisation=world.practice,
            status="awaiting_triage",
            theme="diagnosis",
            repeat_presentation=answer,
            reference=reference,
        )
    page = sign_in(world.lead).get("/triage").get_data(as_text=True)
    rows = {
        ref: row
        for row in page.split('<tr class="nhsuk-table__row">')[1:]
        for ref in ("PSE-2026-920001", "PSE-2026-920002")
        if ref in row
    }
    assert TAG in rows["PSE-2026-920001"] and "Repeat presentation" not in rows["PSE-2026-920002"]


def test_the_triage_page_flags_it_shows_the_answer_and_the_reason(sign_in, world):
    flagged = SafetyEventFactory(
        organisation=world.practice,
        status="awaiting_triage",
        theme="diagnosis",
        repeat_presentation="yes",
    )
    client = sign_in(world.lead)
    page = client.get(f"/triage/events/{flagged.id}").get_data(as_text=True)
    assert TAG in page
    assert "3 or more consultations for the same symptoms" in page
    assert "three strikes and we rethink" in page  # the reason, among the recommendation's

    plain = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    page = client.get(f"/triage/events/{plain.id}").get_data(as_text=True)
    assert "Repeat presentation" not in page and "3 or more consultations" not in page
