"""The duty of candour through its services: which of regulation 20's tests applies, the lead's
decision under it, and the steps recorded complete and in order, each audited."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.engagement import candour, notifiable, page, services
from psirf.engagement.candour_steps import CandourTargets
from psirf.problems import InputError
from psirf.responses import services as responses
from tests.support import engagement as support
from tests.support.engagement import response_with_harm, trust_led_response
from tests.support.factories import ResponseFactory

TODAY = date(2026, 3, 23)  # a Monday
TARGETS = CandourTargets()


def decide(session, user, response, **kwargs):
    return support.decide(session, user, response, TODAY, **kwargs)


def record_steps(session, user, response, today=TODAY, **values):
    with unit_of_work(session):
        candour.record_candour_steps(session, user, response, values, None, today=today)


def attempt(session, user, response, on: date):
    with unit_of_work(session):
        services.add_attempt(
            session,
            user,
            response,
            purpose="candour",
            person_id=None,
            attempted_on=on,
            means="phone",
            outcome="No answer; left a message",
            expected_version=None,
            today=TODAY,
        )


TOLD = {
    "notified_on": date(2026, 3, 9),
    "notified_means": "in_person",
    "notified_by": "Dr Shah",
    "apology_given": True,
}


# ---- which test applies ----------------------------------------------------------------------------


def test_the_two_tests_and_their_criteria_are_data_from_the_seed_file():
    tests = {t.key: t for t in notifiable.all_tests()}
    assert [c.key for c in tests["health_service_body"].criteria] == [
        "death",
        "severe_harm",
        "moderate_harm",
        "prolonged_psychological_harm",
    ]
    assert [c.key for c in tests["registered_person"].criteria] == [
        "death",
        "impairment",
        "body_structure",
        "prolonged_pain",
        "prolonged_psychological_harm",
        "shortened_life_expectancy",
        "treatment_to_prevent",
    ]
    assert tests["health_service_body"].organisation_kinds == {"trust"}
    assert tests["registered_person"].default


def test_a_trust_leading_a_cross_organisational_response_applies_the_health_service_body_test(
    world, session
):
    response, trust_lead = trust_led_response(world)
    applied = notifiable.applied_to(response)
    assert applied.test.key == "health_service_body"
    assert applied.why == (
        "Demo Hospitals NHS Trust leads this cross-organisational response and applies its own "
        "test. Regulation 20 treats an NHS trust as a health service body."
    )
    with pytest.raises(InputError) as refused:  # the other test's criteria are not this one's
        decide(session, trust_lead, response, criteria=["prolonged_pain"])
    assert refused.value.field == "criteria"
    record = decide(session, trust_lead, response, criteria=["moderate_harm", "prolonged_pain"])
    assert record.test == "health_service_body" and record.criteria == ["moderate_harm"]


@pytest.mark.parametrize("kind", ["practice", "pharmacy", "dental", "optometry"])
def test_a_primary_care_provider_applies_the_test_for_other_registered_persons(
    world, session, kind
):
    world.practice.kind = kind
    response = response_with_harm(world, "moderate")
    applied = notifiable.applied_to(response)
    assert applied.test.key == "registered_person"
    assert applied.why.startswith("Riverside leads this response. Regulation 20 treats a")
    assert applied.why.endswith("as a registered provider that is not a health service body.")
    assert decide(session, world.lead, response).test == "registered_person"


@pytest.mark.parametrize(
    ("physical", "psychological", "prompted"),
    [
        ("none", None, False),
        ("low", "low", False),
        ("moderate", None, True),
        ("severe", None, True),
        ("fatal", None, True),
        ("low", "moderate", True),
        ("none", "severe", True),
    ],
)
def test_the_harm_recorded_prompts_the_test(world, session, physical, psychological, prompted):
    response = response_with_harm(world, physical, psychological)
    assert candour.candour_suggested(response) is prompted
    view = page.view_for(session, world.lead, response, TODAY, TARGETS)
    assert view.candour_prompted is prompted


def test_the_test_can_be_opened_by_hand_whatever_the_harm_recorded(world, session):
    for response in (
        response_with_harm(world, "none"),
        ResponseFactory(organisation=world.practice),
    ):
        assert not candour.candour_suggested(response)
        record = decide(session, world.lead, response, criteria=["treatment_to_prevent"])
        assert record.applies
        view = page.view_for(session, world.lead, response, TODAY, TARGETS)
        assert view.candour is not None and len(view.candour_steps) == 5


def test_ruling_candour_out_needs_a_reason_and_confirming_it_needs_the_criteria(world, session):
    response = response_with_harm(world, "moderate")
    with pytest.raises(InputError) as error:
        decide(session, world.lead, response, decision="ruled_out", criteria=[], reason="  ")
    assert error.value.field == "reason"
    with pytest.raises(InputError) as error:
        decide(session, world.lead, response, criteria=["not-a-criterion"])
    assert error.value.field == "criteria"
    assert candour.candour_of(session, response) is None  # nothing written
    record = decide(
        session, world.lead, response, decision="ruled_out", reason="Harm resolved within a week"
    )
    assert (record.decision, record.reason, record.criteria) == (
        "ruled_out",
        "Harm resolved within a week",
        [],
    )
    record = decide(
        session, world.lead, response, criteria=["prolonged_pain", "treatment_to_prevent"]
    )
    assert record.applies and record.criteria == ["prolonged_pain", "treatment_to_prevent"]


# ---- the steps, complete and in order ----------------------------------------------------------------


def test_the_notification_in_person_needs_who_told_them_and_whether_they_apologised(world, session):
    response = response_with_harm(world, "moderate")
    with pytest.raises(policy.NotPermitted):
        record_steps(session, world.lead, response, written_on=TODAY)
    decide(session, world.lead, response)
    with pytest.raises(InputError) as error:
        record_steps(
            session,
            world.lead,
            response,
            notified_on=TODAY,
            notified_means="phone",
            notified_by="Dr Shah",
        )
    assert error.value.field == "apology_given"


def test_a_written_notification_needs_a_notification_or_an_attempt_before_it(world, session):
    response = response_with_harm(world, "moderate")
    decide(session, world.lead, response)
    with pytest.raises(InputError, match="before the written notification") as refused:
        record_steps(session, world.lead, response, written_on=TODAY)
    assert refused.value.field == "written_on"
    assert candour.candour_of(session, response).written_on is None

    # An attempt after the letter does not stand before it; one on or before it does.
    attempt(session, world.lead, response, TODAY - timedelta(days=2))
    with pytest.raises(InputError, match="before the written notification"):
        record_steps(session, world.lead, response, written_on=TODAY - timedelta(days=3))
    record_steps(session, world.lead, response, written_on=TODAY - timedelta(days=1))
    assert candour.candour_of(session, response).written_on == TODAY - timedelta(days=1)


WRITTEN = {**TOLD, "written_on": date(2026, 3, 11)}
RECORD = {
    "record_reference": "Meeting note and letter, document 4471 in the patient's record",
    "record_kept_by": "Practice manager",
    "record_kept_on": date(2026, 3, 12),
}
SUPPORT = {
    "support_offered": "A named contact and the bereavement service",
    "support_offered_on": date(2026, 3, 9),
}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({**TOLD, "written_on": date(2026, 3, 6)}, "written_on", "follows the one in person"),
        ({**TOLD, **RECORD}, "record_kept_on", "before the secure record: it keeps both"),
        (RECORD, "record_kept_on", "Record the notification in person"),
        (
            {**WRITTEN, **RECORD, "record_kept_on": date(2026, 3, 10)},
            "record_kept_on",
            "enter 11 March 2026 or later",
        ),
        ({**WRITTEN, **RECORD, "record_kept_by": ""}, "record_kept_by", "who confirmed"),
        (SUPPORT, "support_offered_on", "before the support offered"),
        (
            {**TOLD, **SUPPORT, "support_offered_on": date(2026, 3, 8)},
            "support_offered_on",
            "enter 9 March 2026 or later",
        ),
        ({**TOLD, "support_offered_on": date(2026, 3, 9)}, "support_offered", "what support"),
        ({**TOLD, "results_shared_on": date(2026, 3, 20)}, "results_shared_on", "written"),
        (
            {**WRITTEN, "results_shared_on": date(2026, 3, 10)},
            "results_shared_on",
            "enter 11 March 2026 or later",
        ),
        (
            {"unreachable": "declined", "unreachable_on": date(2026, 3, 9)},
            "unreachable",
            "Record the attempts",
        ),
        ({"unreachable": "declined"}, "unreachable_on", "Enter the date"),
    ],
)
def test_a_step_before_the_one_it_follows_is_refused_and_nothing_is_written(
    world, session, values, field, message
):
    response = response_with_harm(world, "moderate")
    decide(session, world.lead, response, decided_on=date(2026, 3, 6))
    version = responses.get(session, response.id).version_id
    with pytest.raises(InputError, match=message) as refused:
        record_steps(session, world.lead, response, **values)
    assert refused.value.field == field
    session.expire_all()
    record = candour.candour_of(session, response)
    assert (record.notified_on, record.written_on, record.record_kept_on) == (None, None, None)
    assert responses.get(session, response.id).version_id == version


def test_each_step_recorded_in_order_is_audited_on_its_own_without_the_words_typed(world, session):
    response = response_with_harm(world, "moderate")
    decide(session, world.lead, response, decided_on=date(2026, 3, 6))
    record_steps(session, world.lead, response, **TOLD, **SUPPORT)
    record_steps(session, world.lead, response, **SUPPORT, **WRITTEN, **RECORD)
    record_steps(
        session,
        world.lead,
        response,
        **SUPPORT,
        **WRITTEN,
        **RECORD,
        results_shared_on=date(2026, 3, 20),
    )
    audits = session.scalars(
        select(AuditRecord)
        .where(AuditRecord.action.startswith("candour:"))
        .order_by(AuditRecord.id)
    ).all()
    assert [a.action for a in audits] == [
        "candour:decided",
        "candour:notified",
        "candour:support_offered",
        "candour:written",
        "candour:record_kept",
        "candour:results_shared",
    ]
    assert audits[3].changes == {"written_on": {"before": None, "after": "2026-03-11"}}
    assert audits[4].changes["record_reference"] == {"before": None, "after": "recorded"}
    assert audits[4].changes["record_kept_by"]["after"] == "Practice manager"
    timeline = responses.timeline(session, world.lead, response)
    assert "Duty of candour: the secure written record recorded" in [e.action for e in timeline]
    text = repr([a.changes for a in audits])
    assert "4471" not in text and "bereavement" not in text
    record = candour.candour_of(session, response)
    assert record.record_reference.startswith("Meeting note") and record.support_offered


def test_after_the_attempts_they_could_not_be_reached_or_declined_and_the_record_keeps_them(
    world, session
):
    response = response_with_harm(world, "moderate")
    decide(session, world.lead, response, decided_on=date(2026, 3, 6))
    attempt(session, world.lead, response, date(2026, 3, 9))
    record_steps(
        session,
        world.lead,
        response,
        unreachable="not_reached",
        unreachable_on=date(2026, 3, 10),
        record_reference="Attempts logged in the patient's record",
        record_kept_by="Practice manager",
        record_kept_on=date(2026, 3, 10),
    )
    record = candour.candour_of(session, response)
    assert (record.unreachable, record.unreachable_on) == ("not_reached", date(2026, 3, 10))
    # Told after all: the notification follows the day they could not be reached.
    with pytest.raises(InputError, match="told on an earlier day"):
        record_steps(
            session,
            world.lead,
            response,
            **TOLD,
            unreachable="not_reached",
            unreachable_on=date(2026, 3, 10),
        )


def test_the_lead_records_candour_after_the_response_closes_and_no_one_else_does(world, session):
    response = response_with_harm(world, "moderate", state="closed")
    response.closed_at = datetime(2026, 3, 20, 15, 0)
    session.commit()
    decide(session, world.lead, response, decided_on=date(2026, 3, 6))
    record_steps(session, world.lead, response, **WRITTEN, results_shared_on=date(2026, 3, 20))
    assert candour.candour_of(session, response).results_shared_on == date(2026, 3, 20)
    assert policy.may_record_candour(world.lead, response)
    assert not policy.may_edit_engagement(world.lead, response, responses.state_of(response))
    for reader in (world.panel, world.icb_quality, world.icb_specialist):
        assert not policy.may_record_candour(reader, response)
        with pytest.raises(policy.NotPermitted):
            record_steps(session, reader, response, **WRITTEN)
    with pytest.raises(policy.NotVisible):
        record_steps(session, world.other_lead, response, **WRITTEN)
