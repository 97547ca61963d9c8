"""recommend(): national requirements first, then local priorities, then learning potential.

Pure functions over an event's fields: no app, no database.
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from psirf.events.lfpse import NeverEventType
from psirf.responses.models import ResponseMethod
from psirf.triage import national
from psirf.triage.recommend import (
    HARM_IS_AN_INPUT,
    NO_FURTHER_RESPONSE,
    REFERRAL,
    load_local_focus,
    recommend,
)

TODAY = date(2026, 5, 20)


def event(**overrides):
    fields = {
        "record_type": "incident",
        "theme": "access",
        "occurred_on": TODAY - timedelta(days=1),
        "description": "The appointment was booked for the wrong week.",
        "physical_harm": "low",
        "psychological_harm": "none",
        "never_event": False,
        "never_event_type": None,
        "national_flags": [],
    }
    fields.update(overrides)
    return SimpleNamespace(**fields)


def test_a_never_event_needs_a_psii_and_the_reason_names_the_requirement_and_type():
    rec = recommend(
        event(
            never_event=True,
            never_event_type=NeverEventType.METHOTREXATE_OVERDOSE.value,
            theme="medication",
            physical_harm="moderate",
        ),
        today=TODAY,
    )
    assert rec.method == ResponseMethod.PSII.value
    assert rec.requirement == "never_event" and rec.national
    assert rec.reasons[0] == (
        "National requirement: Never Event (type Methotrexate overdose for non-cancer treatment)"
        " - a patient safety incident investigation (PSII) is required."
    )
    assert rec.refer_to is None and rec.short_label == "PSII"


def test_a_never_event_without_a_type_still_needs_a_psii():
    rec = recommend(event(never_event=True), today=TODAY)
    assert rec.method == "psii" and "Never Event (type not recorded)" in rec.reasons[0]


def test_a_death_thought_due_to_problems_in_care_needs_a_psii():
    rec = recommend(event(physical_harm="fatal", national_flags=["death_due_to_care"]), today=TODAY)
    assert rec.method == "psii" and rec.requirement == "death_due_to_care"
    assert rec.reasons[0].startswith(
        "National requirement: Death thought more likely than not due to problems in care"
    )


REFERRALS = {
    "learning_disability_death": "LeDeR programme",
    "child_death": "Child Death Overview Panel",
    "safeguarding": "Local authority safeguarding team / designated safeguarding professionals",
    "screening": "Screening Quality Assurance Service",
    "maternity_newborn": "Maternity and Newborn Safety Investigations (MNSI)",
    "mental_health_homicide": "NHS England Regional Independent Investigation Team",
    "death_in_custody": "Prisons and Probation Ombudsman / coroner",
    "domestic_homicide": "Community Safety Partnership (Domestic Homicide Review)",
}


@pytest.mark.parametrize("flag, body", sorted(REFERRALS.items()))
def test_each_referral_flag_recommends_referring_to_its_body(flag, body):
    rec = recommend(event(national_flags=[flag]), today=TODAY)
    assert (rec.method, rec.requirement, rec.refer_to) == (REFERRAL, flag, body)
    assert f"refer to {body}" in rec.reasons[0]
    assert rec.label == f"Refer to {body}"


def test_every_referral_row_in_the_table_is_covered_above():
    referrals = {r.key for r in national.requirements() if r.response == national.REFER}
    assert referrals == set(REFERRALS)


def test_the_unconfirmed_rows_say_so_and_the_confirmed_ones_do_not():
    assert (
        "not yet confirmed"
        in recommend(event(national_flags=["screening"]), today=TODAY).reasons[0]
    )
    assert (
        "not yet confirmed"
        not in recommend(event(national_flags=["child_death"]), today=TODAY).reasons[0]
    )
    assert [r.key for r in national.requirements() if not r.confirmed] == [
        "learning_disability_death",
        "safeguarding",
        "screening",
        "death_in_custody",
        "domestic_homicide",
    ]


def test_a_local_response_may_run_alongside_a_child_death_referral_but_not_an_mnsi_one():
    assert (
        recommend(event(national_flags=["child_death"]), today=TODAY).local_response_allowed is True
    )
    assert (
        recommend(event(national_flags=["maternity_newborn"]), today=TODAY).local_response_allowed
        is False
    )


def test_a_psii_requirement_wins_over_a_referral_and_both_are_named():
    rec = recommend(
        event(physical_harm="fatal", national_flags=["child_death", "death_due_to_care"]),
        today=TODAY,
    )
    assert rec.method == "psii" and rec.requirement == "death_due_to_care"
    assert any("Child Death Overview Panel" in reason for reason in rec.reasons[1:])


def test_national_requirements_come_before_local_priorities():
    rec = recommend(event(theme="referral", national_flags=["safeguarding"]), today=TODAY)
    assert rec.method == REFERRAL and rec.local_priority is None


def test_a_local_priority_gives_its_planned_method_and_says_it_is_the_default_focus():
    rec = recommend(event(theme="referral", physical_harm="moderate"), today=TODAY)
    assert rec.method == ResponseMethod.AFTER_ACTION_REVIEW.value
    assert rec.local_priority == "delayed_referral" and not rec.national
    assert "Local priority" in rec.reasons[0] and "default local focus" in rec.reasons[0]
    assert HARM_IS_AN_INPUT in rec.reasons


def test_a_local_priority_can_need_a_minimum_harm():
    assert (
        recommend(event(theme="diagnosis", physical_harm="severe"), today=TODAY).method
        == "mdt_review"
    )
    assert (
        recommend(event(theme="diagnosis", physical_harm="low"), today=TODAY).local_priority is None
    )


def test_a_high_risk_medicine_is_recognised_in_what_happened():
    rec = recommend(
        event(theme="medication", description="Warfarin dose copied wrongly."), today=TODAY
    )
    assert rec.local_priority == "high_risk_medicines" and rec.method == "after_action_review"


def test_a_planned_thematic_review_keeps_the_event_for_insight_at_triage():
    rec = recommend(event(theme="medication", physical_harm="none"), today=TODAY)
    assert rec.local_priority == "medication_near_misses"
    assert (rec.method, rec.planned_method) == (NO_FURTHER_RESPONSE, "thematic_review")
    assert any("thematic review" in reason and "set of events" in reason for reason in rec.reasons)


def test_the_default_local_focus_parses_and_names_only_known_methods():
    focus = load_local_focus()
    assert focus.priorities and focus.swarm_within_days == 7
    assert {p.method for p in focus.priorities} <= {m.value for m in ResponseMethod}


@pytest.mark.parametrize(
    "overrides, method",
    [
        (
            {"record_type": "good_care", "physical_harm": None, "psychological_harm": None},
            "after_action_review",
        ),
        (
            {"record_type": "risk", "physical_harm": None, "psychological_harm": None},
            NO_FURTHER_RESPONSE,
        ),
        ({"physical_harm": "none"}, "swarm_huddle"),
        ({"physical_harm": "none", "occurred_on": TODAY - timedelta(days=30)}, NO_FURTHER_RESPONSE),
        ({"physical_harm": "low"}, "after_action_review"),
        ({"physical_harm": "none", "psychological_harm": "moderate"}, "after_action_review"),
        ({"physical_harm": "severe"}, "mdt_review"),
        (
            {"record_type": "outcome", "physical_harm": None, "psychological_harm": None},
            "after_action_review",
        ),
    ],
)
def test_learning_potential_decides_when_nothing_national_or_local_applies(overrides, method):
    rec = recommend(event(**overrides), today=TODAY)
    assert rec.method == method
    assert rec.reasons[0].startswith("Learning potential:")
    assert rec.reasons[-1] == HARM_IS_AN_INPUT
    assert rec.requirement is None and rec.local_priority is None


def test_a_death_with_nothing_flagged_suggests_checking_the_national_requirement():
    rec = recommend(event(physical_harm="fatal"), today=TODAY)
    assert rec.method == "mdt_review"
    assert any("a PSII is a national requirement" in reason for reason in rec.reasons)


def test_the_files_are_read_once():
    assert load_local_focus() is load_local_focus()
    assert national.requirements() is national.requirements()
