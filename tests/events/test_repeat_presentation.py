"""Repeat presentation ("three strikes and we rethink", issue 18 part 6) on the event: asked of
diagnosis events only, kept on the event, shown on its page, revised like any field, and counted
exactly in the rollups on record and revise."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.events import counts, revision_history, revisions, services
from psirf.events.models import EventRevision, SafetyEvent
from psirf.events.rollups import EventCount, ThemeRollup
from psirf.problems import InputError
from tests.support.events import staff_form_data
from tests.support.factories import SafetyEventFactory

TODAY = date(2026, 6, 15)
MAY = date(2026, 5, 12)
QUESTION = "Did the patient have 3 or more consultations for the same symptoms"


def _checked(page: str, name: str) -> list[str]:
    """The values of the `name` radios the page shows as chosen."""
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
    return [re.search(r'value="([^"]*)"', i).group(1) for i in inputs if " checked" in i]


# ---- the staff form -------------------------------------------------------------------------------


def test_the_form_asks_the_question_under_the_theme_to_be_revealed_for_diagnosis(sign_in, world):
    page = sign_in(world.reporter).get("/events/new").get_data(as_text=True)
    theme, question = page.index('name="theme"'), page.index(QUESTION)
    assert theme < question < page.index('id="patients"')
    # The reveal is CSS's (psirf.css): the question sits in the block the diagnosis radio opens.
    assert 'class="psirf-reveal psirf-reveal--diagnosis"' in page
    assert _checked(page, "repeat_presentation") == []
    assert {"yes", "no", "not_known"} <= set(
        re.findall(r'name="repeat_presentation"[^>]*value="(\w+)"', page)
    )


def test_a_diagnosis_event_needs_the_answer_and_a_failed_form_keeps_every_answer(
    sign_in, world, session
):
    client = sign_in(world.reporter)
    data = staff_form_data(world.practice, theme="diagnosis", description="")
    answer = client.post("/events/new", data=data)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Select whether the patient had 3 or more consultations for the same symptoms" in page
    assert 'href="#repeat_presentation' in page  # in the error summary, linked to the question

    answer = client.post("/events/new", data=data | {"repeat_presentation": "yes"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Describe what happened" in page
    assert _checked(page, "theme") == ["diagnosis"]
    assert _checked(page, "repeat_presentation") == ["yes"]
    assert session.scalar(select(func.count()).select_from(SafetyEvent)) == 0


def test_a_diagnosis_event_keeps_its_answer_and_its_audit_record_says_so(sign_in, world, session):
    client = sign_in(world.reporter)
    data = staff_form_data(world.practice, theme="diagnosis", repeat_presentation="yes")
    assert client.post("/events/new", data=data).status_code == 302
    event = session.scalars(select(SafetyEvent)).one()
    assert (event.theme, event.repeat_presentation) == ("diagnosis", "yes")
    audit = session.scalars(select(AuditRecord).where(AuditRecord.action == "event:create")).one()
    assert audit.changes["repeat_presentation"] == {"before": None, "after": "yes"}


def test_other_themes_are_not_asked_and_an_answer_left_from_diagnosis_is_dropped(
    sign_in, world, session
):
    client = sign_in(world.reporter)
    unanswered = staff_form_data(world.practice, theme="medication")
    assert client.post("/events/new", data=unanswered).status_code == 302
    # Answered under diagnosis, then the theme changed: without JavaScript the answer is still sent.
    left = staff_form_data(world.practice, theme="referral", repeat_presentation="yes")
    assert client.post("/events/new", data=left).status_code == 302
    assert set(session.scalars(select(SafetyEvent.repeat_presentation))) == {None}


def test_risks_and_good_care_about_diagnosis_are_not_asked(sign_in, world, session):
    client = sign_in(world.reporter)
    for record_type in ("good_care", "risk"):
        data = staff_form_data(world.practice, record_type=record_type, theme="diagnosis")
        assert client.post("/events/new", data=data).status_code == 302
        answered = data | {"repeat_presentation": "yes"}
        assert client.post("/events/new", data=answered).status_code == 302
    assert set(session.scalars(select(SafetyEvent.repeat_presentation))) == {None}
    assert services.asks_repeat_presentation("outcome", "diagnosis")
    assert not services.asks_repeat_presentation("good_care", "diagnosis")


def test_the_service_refuses_an_unknown_answer(session, world):
    with pytest.raises(InputError) as refused:
        services.checked_details(
            services.EventDetails(
                "incident", MAY, "Seen four times.", "diagnosis", repeat_presentation="maybe"
            ),
            TODAY,
        )
    assert refused.value.field == "repeat_presentation"


# ---- the event page and its revisions --------------------------------------------------------------


def _diagnosis_event(world, answer="no", **overrides) -> SafetyEvent:
    return SafetyEventFactory(
        **{
            "organisation": world.practice,
            "theme": "diagnosis",
            "occurred_on": MAY,
            "repeat_presentation": answer,
            "physical_harm": "moderate",
        }
        | overrides
    )


def _revise(session, event, actor, **changes) -> EventRevision:
    details = dataclasses.replace(revisions.details_of(event), **changes)
    with unit_of_work(session):
        return revisions.revise_event(
            session, event, actor, details, "The notes showed more visits.", event.version_id, TODAY
        )


def test_the_event_page_shows_the_answer_for_diagnosis_events_only(sign_in, world):
    flagged = _diagnosis_event(world, "yes")
    other = SafetyEventFactory(organisation=world.practice, theme="medication")
    client = sign_in(world.lead)
    page = client.get(f"/events/{flagged.id}").get_data(as_text=True)
    assert "3 or more consultations for the same symptoms" in page
    assert "Yes: a repeat presentation, flagged at triage" in page
    page = client.get(f"/events/{other.id}").get_data(as_text=True)
    assert "3 or more consultations" not in page


def test_a_revision_changes_the_answer_and_the_history_says_it_in_words(sign_in, session, world):
    event = _diagnosis_event(world, "no")
    revision = _revise(session, event, world.lead, repeat_presentation="yes")
    assert revision.changes["repeat_presentation"] == {"before": "no", "after": "yes"}
    record = session.scalars(select(AuditRecord).where(AuditRecord.action == "event:revise")).one()
    assert record.changes["repeat_presentation"] == {"before": "no", "after": "yes"}

    lines = revision_history.change_lines(revision.changes)
    assert ("3 or more consultations for the same symptoms", "No", "Yes") in [
        (line.label, line.before, line.after) for line in lines
    ]
    page = sign_in(world.lead).get(f"/events/{event.id}").get_data(as_text=True)
    assert "What changed in revision 2" in page and "3 or more consultations" in page

    # Once the theme is no longer diagnosis the answer goes, and the history says it was not asked.
    revision = _revise(session, event, world.lead, theme="medication")
    line = next(line for line in revision_history.change_lines(revision.changes)
                if line.label.startswith("3 or more"))  # fmt: skip
    assert (line.before, line.after) == ("Yes", "Not asked (not about diagnosis)")


def test_the_correction_form_starts_from_the_answer(sign_in, world):
    event = _diagnosis_event(world, "not_known", status="awaiting_triage")
    page = sign_in(world.lead).get(f"/events/{event.id}/correct").get_data(as_text=True)
    assert _checked(page, "repeat_presentation") == ["not_known"]


# ---- the rollups --------------------------------------------------------------------------------


def _repeats(session) -> dict:
    """Repeat presentations in each rollup: the service's, and each area's (shards summed)."""
    service = session.scalar(select(func.sum(EventCount.repeat_presentations)))
    areas = dict(
        session.execute(
            select(ThemeRollup.area_id, func.sum(ThemeRollup.repeat_presentations)).group_by(
                ThemeRollup.area_id
            )
        ).all()
    )
    return {"service": int(service or 0), **{k: int(v) for k, v in areas.items()}}


def test_the_rollups_count_repeat_presentations_exactly_on_record(session, world):
    with unit_of_work(session):  # one new event: its rows from its own values
        services.record_event(
            session,
            organisation=world.practice,
            record_type="incident",
            occurred_on=MAY,
            description="Fourth visit with the same cough.",
            theme="diagnosis",
            repeat_presentation="yes",
            reporter_kind="staff",
            reporter_user=world.reporter,
            today=TODAY,
        )
    with unit_of_work(session):  # several in one flush
        session.add_all(
            [
                SafetyEventFactory.build(organisation=world.practice, theme="diagnosis",
                                         occurred_on=MAY, repeat_presentation=answer)
                for answer in ("yes", "no", None)
            ]
        )  # fmt: skip
    assert _repeats(session) == {"service": 2, world.icb.id: 2, world.pcn.id: 2}
    assert counts.differences(session) == []


def test_the_rollups_follow_a_revision_of_the_answer_and_of_the_theme(session, world):
    event = _diagnosis_event(world, "no")
    assert _repeats(session)["service"] == 0

    _revise(session, event, world.lead, repeat_presentation="yes")
    assert _repeats(session) == {"service": 1, world.icb.id: 1, world.pcn.id: 1}
    assert counts.differences(session) == []

    # No longer about diagnosis: the question no longer applies, and the answer goes with it.
    _revise(session, event, world.lead, theme="medication")
    session.expire_all()
    assert session.get(SafetyEvent, event.id).repeat_presentation is None
    assert _repeats(session) == {"service": 0, world.icb.id: 0, world.pcn.id: 0}
    assert counts.differences(session) == []


def test_the_check_finds_a_repeat_presentation_count_gone_wrong(session, world):
    _diagnosis_event(world, "yes")
    session.execute(EventCount.__table__.update().values(repeat_presentations=0))
    [difference] = counts.differences(session)
    assert (difference.table, difference.stored, difference.expected) == (
        "event_counts",
        (1, 0),
        (1, 1),
    )
    counts.repair(session)
    assert counts.differences(session) == []
