"""Feedback to reporters, exercised through the services: acknowledgement, the response chosen
and why, what changed at closure, and following a public report with its private code."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.accounts.models import Role
from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.events import feedback, services
from psirf.events.models import ReporterUpdate, ReporterUpdateKind
from psirf.notifications.models import Notification, OutboxMessage
from psirf.responses.models import Contributor, ResponseMethod
from psirf.triage import services as triage
from psirf.triage.services import Referral, TriageChoice
from tests.support.events import WHAT_CHANGED
from tests.support.factories import ResponseFactory, SafetyEventFactory, UserFactory
from psirf.problems import InputError

# Words the lead writes for the casework: none may reach the reporter.
RATIONALE = "INTERNAL-RATIONALE: the locum was new and the rota was short"
DEVIATION = "INTERNAL-DEVIATION: discussed with the ICB quality lead"
REFERRAL_BODY = "Local safeguarding partnership"


def record(session, world, **overrides):
    values = dict(
        organisation=world.practice,
        record_type="incident",
        occurred_on=date.today() - timedelta(days=1),
        description="A repeat was issued at the wrong dose.",
        theme="medication",
        reporter_kind="staff",
        reporter_user=world.reporter,
    )
    values.update(overrides)
    with unit_of_work(session):
        return services.record_event(session, **values)


def updates_of(session, event, kind=None):
    stmt = (
        select(ReporterUpdate)
        .where(ReporterUpdate.event_id == event.id)
        .order_by(ReporterUpdate.id)
    )
    if kind:
        stmt = stmt.where(ReporterUpdate.kind == kind.value)
    return session.scalars(stmt).all()


def notifications_for(session, user):
    return session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


# ---- acknowledgement ----------------------------------------------------------------------------


def test_a_staff_report_is_acknowledged_in_the_same_transaction_and_the_reporter_notified(
    session, world
):
    event = record(session, world)
    [update] = updates_of(session, event)
    assert update.kind == ReporterUpdateKind.ACKNOWLEDGED.value
    assert event.reference in update.body and "what changed" in update.body
    [note] = notifications_for(session, world.reporter)
    assert note.kind == "report_update" and event.reference in note.title
    assert note.link == f"/events/mine/{event.id}"
    email = session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == world.reporter.id)
    ).one()
    assert email.to_address == world.reporter.email
    assert "wrong dose" not in email.body  # emails leave the system: no free text from the report


def test_a_refused_report_writes_no_acknowledgement(session, world):
    with pytest.raises(InputError):
        record(session, world, description="  ")
    session.rollback()
    assert session.scalars(select(ReporterUpdate)).all() == []
    assert session.scalars(select(Notification)).all() == []


def test_a_public_report_is_acknowledged_and_nobody_is_notified(session, world):
    event = record(session, world, reporter_kind="family", reporter_user=None)
    [update] = updates_of(session, event)
    assert update.body == feedback.words()["acknowledged"]["public"].format(
        reference=event.reference
    )
    assert session.scalars(select(Notification)).all() == []


def test_the_notification_link_is_the_reporters_own_report_page(app, session, world):
    from flask import url_for

    event = record(session, world)
    with app.test_request_context():
        assert feedback.my_report_path(event) == url_for("events.my_report", event_id=event.id)


# ---- the response chosen, and why -----------------------------------------------------------------


OUTCOME_OF = {
    TriageChoice.AFTER_ACTION_REVIEW: "after_action_review",
    TriageChoice.SWARM_HUDDLE: "swarm_huddle",
    TriageChoice.MDT_REVIEW: "mdt_review",
    TriageChoice.PSII: "psii",
    TriageChoice.CROSS_ORGANISATIONAL: "cross_organisational",
    TriageChoice.NO_FURTHER_RESPONSE: "no_further_response",
    TriageChoice.REFERRAL: "referral",
}


@pytest.mark.parametrize("choice", list(OUTCOME_OF), ids=lambda c: c.value)
def test_triage_tells_the_reporter_what_will_happen_in_plain_words_and_never_the_internal_reasons(
    session, world, choice
):
    event = record(session, world)
    referral = (
        Referral(REFERRAL_BODY, date.today(), "REF-1") if choice is TriageChoice.REFERRAL else None
    )
    with unit_of_work(session):
        triage.decide(
            session,
            event,
            world.lead,
            choice,
            RATIONALE,
            deviation_reason=DEVIATION,
            referral=referral,
        )
    [update] = updates_of(session, event, ReporterUpdateKind.RESPONSE_CHOSEN)
    assert update.body == feedback.choice_words(OUTCOME_OF[choice])
    assert update.created_by_id == world.lead.id
    for internal in ("INTERNAL", "locum", "rota", REFERRAL_BODY, "REF-1"):
        assert internal not in update.body
    titles = [n.title for n in notifications_for(session, world.reporter)]
    assert titles[-1] == f"News about your report {event.reference}"


def test_each_outcome_has_its_own_words_and_they_blame_nobody():
    texts = {outcome: feedback.choice_words(outcome) for outcome in feedback.OUTCOMES}
    assert len(set(texts.values())) == len(feedback.OUTCOMES)
    for outcome, text in texts.items():
        assert "We chose this because" in text, outcome
        assert not re.search(r"\b(fault|mistake by|to blame for|careless)\b", text, re.I), outcome


def test_a_referral_with_a_local_response_says_both(session, world):
    event = record(session, world)
    with unit_of_work(session):
        triage.decide(
            session,
            event,
            world.lead,
            TriageChoice.REFERRAL,
            RATIONALE,
            deviation_reason=DEVIATION,
            referral=Referral(REFERRAL_BODY, date.today()),
            local_method=ResponseMethod.AFTER_ACTION_REVIEW,
        )
    [update] = updates_of(session, event, ReporterUpdateKind.RESPONSE_CHOSEN)
    assert update.body.startswith(feedback.choice_words("referral"))
    assert "We will also learn from it here." in update.body
    assert feedback.choice_words("after_action_review") in update.body


def test_kept_for_insight_because_the_plan_reviews_such_events_together_says_a_thematic_review(
    session, world
):
    event = record(session, world)
    with unit_of_work(session):
        feedback.response_chosen(
            session, event, "no_further_response", world.lead, planned_method="thematic_review"
        )
    [update] = updates_of(session, event, ReporterUpdateKind.RESPONSE_CHOSEN)
    assert update.body == feedback.choice_words("thematic_review")


def test_an_outcome_without_words_is_refused_rather_than_sent_empty():
    with pytest.raises(ValueError):
        feedback.choice_words("a_method_nobody_wrote_words_for")


# ---- what changed, at closure -----------------------------------------------------------------------


@pytest.fixture
def closed(world):
    """A closed after action review over two events: one reported by staff, one by the public."""
    staff_event = SafetyEventFactory(
        organisation=world.practice, reporter_user_id=world.reporter.id, status="learning_response"
    )
    public_event = SafetyEventFactory(
        organisation=world.practice, reporter_kind="family", status="learning_response"
    )
    response = ResponseFactory(
        organisation=world.practice, state="closed", events=[staff_event, public_event]
    )
    return response, staff_event, public_event


def test_what_changed_goes_to_every_linked_event_and_notifies_each_identified_reporter(
    session, world, closed
):
    response, staff_event, public_event = closed
    with unit_of_work(session):
        written = feedback.write_what_changed(
            session, world.lead, response, f"  {WHAT_CHANGED}  ", response.version_id
        )
    assert len(written) == 2
    for event in (staff_event, public_event):
        [update] = updates_of(session, event, ReporterUpdateKind.WHAT_CHANGED)
        assert update.body == WHAT_CHANGED and update.created_by_id == world.lead.id
    [note] = notifications_for(session, world.reporter)
    assert note.title == f"What changed because of your report {staff_event.reference}"
    assert WHAT_CHANGED not in (note.body or "")  # the words are read after signing in
    audit = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "response:what_changed")
    ).one()
    assert (audit.subject_type, audit.subject_id, audit.actor_id) == (
        "learning_responses",
        response.id,
        world.lead.id,
    )
    assert audit.changes["what_changed"]["after"] == WHAT_CHANGED
    assert audit.changes["reports_told"]["after"] == 2


def test_what_changed_is_written_only_once_per_response(session, world, closed):
    response = closed[0]
    with unit_of_work(session):
        feedback.write_what_changed(session, world.lead, response, WHAT_CHANGED)
    with pytest.raises(InputError, match="already been told"):
        with unit_of_work(session):
            feedback.write_what_changed(session, world.lead, response, "Something else")
    assert (
        len(
            session.scalars(
                select(ReporterUpdate).where(ReporterUpdate.kind == "what_changed")
            ).all()
        )
        == 2
    )


@pytest.mark.parametrize("state", ["planning", "in_review", "panel_review"])
def test_what_changed_waits_until_the_response_has_ended(session, world, state):
    event = SafetyEventFactory(organisation=world.practice, reporter_user_id=world.reporter.id)
    response = ResponseFactory(organisation=world.practice, state=state, events=[event])
    with pytest.raises(InputError, match="once the response has ended"):
        feedback.write_what_changed(session, world.lead, response, WHAT_CHANGED)
    session.rollback()
    assert updates_of(session, event, ReporterUpdateKind.WHAT_CHANGED) == []
    assert feedback.view_for(session, world.lead, response).show_form is False


def test_a_response_that_handed_its_events_on_has_no_one_to_tell(session, world):
    escalated = ResponseFactory(organisation=world.practice, state="escalated")
    with pytest.raises(InputError, match="No reports are linked"):
        feedback.write_what_changed(session, world.lead, escalated, WHAT_CHANGED)
    assert feedback.view_for(session, world.lead, escalated).due is False


@pytest.mark.parametrize(
    "text, message", [("   ", "Write what changed"), ("x" * 1001, "1,000 characters or fewer")]
)
def test_what_changed_must_be_given_and_short(session, world, closed, text, message):
    with pytest.raises(InputError, match=message):
        feedback.write_what_changed(session, world.lead, closed[0], text)


@pytest.mark.parametrize(
    "who, refusal",
    [
        ("panel", policy.NotPermitted),
        ("icb_specialist", policy.NotPermitted),
        ("icb_quality", policy.NotPermitted),
        ("other_lead", policy.NotVisible),
        ("reporter", policy.NotVisible),
        ("admin", policy.NotVisible),
    ],
)
def test_only_the_lead_organisations_patient_safety_lead_writes_what_changed(
    session, world, closed, who, refusal
):
    with pytest.raises(refusal):
        feedback.write_what_changed(session, getattr(world, who), closed[0], WHAT_CHANGED)
    session.rollback()
    assert (
        session.scalars(select(ReporterUpdate).where(ReporterUpdate.kind == "what_changed")).all()
        == []
    )


def test_a_contributing_organisations_lead_does_not_write_what_changed(session, world):
    event = SafetyEventFactory(organisation=world.practice)
    response = ResponseFactory(
        organisation=world.practice,
        method="cross_organisational",
        state="closed",
        events=[event],
        contributors=[Contributor(organisation_id=world.other_practice.id)],
    )
    with pytest.raises(policy.NotPermitted):
        feedback.write_what_changed(session, world.other_lead, response, WHAT_CHANGED)
    assert policy.may_tell_reporters(world.lead, response)


def test_a_stale_page_is_refused_and_the_second_lead_sees_why(session, world, closed):
    response = closed[0]
    seen = response.version_id
    second_lead = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, world.practice))
    with unit_of_work(session):
        feedback.write_what_changed(session, world.lead, response, WHAT_CHANGED, seen)
    with pytest.raises(InputError):
        with unit_of_work(session):
            feedback.write_what_changed(session, second_lead, response, "Other words", seen)
    assert session.get(type(response), response.id).version_id == seen + 1


def test_the_response_page_reminds_the_lead_until_what_changed_is_written(session, world, closed):
    response = closed[0]
    view = feedback.view_for(session, world.lead, response)
    assert view.due and view.show_form and view.event_count == 2
    assert not feedback.view_for(
        session, world.panel, response
    ).show_form  # the panel reads, the lead writes
    with unit_of_work(session):
        feedback.write_what_changed(session, world.lead, response, WHAT_CHANGED)
    view = feedback.view_for(session, world.lead, response)
    assert not view.due and view.written.body == WHAT_CHANGED


# ---- the reporter's own reports ----------------------------------------------------------------------


def test_a_reporter_reads_their_own_report_even_with_identity_protected_and_nobody_elses(
    session, world
):
    mine = record(session, world, identity_protected=True)
    assert feedback.own_report(session, world.reporter, mine.id) is mine
    for other in (world.lead, world.panel, UserFactory(role=(Role.REPORTER, world.practice))):
        with pytest.raises(policy.NotVisible):
            feedback.own_report(session, other, mine.id)
    with pytest.raises(policy.NotVisible):
        feedback.own_report(session, world.reporter, mine.id + 999)


# ---- following with a private code ----------------------------------------------------------------


def test_a_follow_code_is_readable_unambiguous_and_kept_only_as_its_hash(session, world):
    event = record(session, world, reporter_kind="patient", reporter_user=None)
    with unit_of_work(session):
        code = feedback.issue_follow_code(session, event)
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    assert not set(code) & set("01OILS5")
    assert event.follow_code_hash == feedback.hash_code(code) and len(event.follow_code_hash) == 64
    assert code.replace("-", "") not in event.follow_code_hash
    assert len({feedback.new_follow_code() for _ in range(200)}) == 200


def test_the_right_reference_and_code_find_the_report_however_the_code_is_typed(session, world):
    event = record(session, world, reporter_kind="patient", reporter_user=None)
    with unit_of_work(session):
        code = feedback.issue_follow_code(session, event)
    assert feedback.follow(session, event.reference, code) is event
    assert (
        feedback.follow(session, f" {event.reference.lower()} ", code.lower().replace("-", " "))
        is event
    )


def test_a_wrong_code_or_reference_finds_nothing(session, world):
    event = record(session, world, reporter_kind="patient", reporter_user=None)
    staff_event = record(session, world)
    with unit_of_work(session):
        code = feedback.issue_follow_code(session, event)
    wrong = "AAAAA-AAAAA" if code != "AAAAA-AAAAA" else "BBBBB-BBBBB"
    assert feedback.follow(session, event.reference, wrong) is None
    assert feedback.follow(session, "PSE-2026-999999", code) is None
    assert feedback.follow(session, event.reference, "") is None
    assert (
        feedback.follow(session, staff_event.reference, code) is None
    )  # a staff report has no code


def test_codes_are_compared_in_constant_time(session, world, monkeypatch):
    event = record(session, world, reporter_kind="patient", reporter_user=None)
    with unit_of_work(session):
        code = feedback.issue_follow_code(session, event)
    compared = []
    real = feedback.hmac.compare_digest
    monkeypatch.setattr(
        feedback.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b)
    )
    feedback.follow(session, event.reference, code)
    feedback.follow(session, "PSE-2026-999999", code)  # an unknown reference is compared too
    assert len(compared) == 2
