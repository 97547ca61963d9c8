"""recommend(): national requirements first, then local priorities, serious harm, the plan's events
that need no further response, then learning potential; and where each recommendation came from.

Pure functions over an event's fields: no app, no database.
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from psirf.responses.models import ResponseMethod
from psirf.triage import national
from psirf.triage.recommend import (
    HARM_IS_AN_INPUT,
    LEARNING_POTENTIAL,
    LOCAL_PRIORITY,
    NO_FURTHER_RESPONSE,
    NO_RESPONSE_ROW,
    REFERRAL,
    SERIOUS_HARM,
    LocalFocusError,
    PlanRef,
    Source,
    load_local_focus,
    parse_local_focus,
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
            never_event_type="methotrexate_overdose",
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
        ({"physical_harm": "none"}, "swarm_huddle"),
        (
            {"physical_harm": "none", "occurred_on": TODAY - timedelta(days=30)},
            "after_action_review",
        ),
        ({"physical_harm": "low"}, "after_action_review"),
        ({"physical_harm": "none", "psychological_harm": "moderate"}, "after_action_review"),
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
    assert rec.source.kind == LEARNING_POTENTIAL


def test_the_files_are_read_once():
    assert load_local_focus() is load_local_focus()
    assert national.requirements() is national.requirements()


# ---- "no further response" only from a row the plan names -----------------------------------

NORTH_PLAN = PlanRef("North PCN's PSIRF plan, version 1.2", plan_id=7)


def plan_focus(no_further_response=(), priorities=()):
    """A plan's local focus as triage reads it, with the rows given."""
    return parse_local_focus(
        {"priorities": list(priorities), "no_further_response": list(no_further_response)},
        "a test plan",
        "from North PCN's PSIRF plan",
        NORTH_PLAN,
    )


ACCESS_HANDLED_ELSEWHERE = {
    "key": "booking_errors",
    "label": "Appointment booking errors",
    "match": {"theme": "access", "max_harm": "low"},
    "handled_by": "The practice's appointments review",
}


def test_a_low_harm_event_outside_every_priority_is_not_kept_with_no_further_response():
    for focus in (load_local_focus(), plan_focus()):
        rec = recommend(event(physical_harm="low"), today=TODAY, focus=focus)
        assert rec.method == ResponseMethod.AFTER_ACTION_REVIEW.value


def test_a_low_harm_event_a_plan_row_names_is_kept_with_no_further_response_naming_the_row():
    focus = plan_focus(
        no_further_response=[
            {
                "key": "other",
                "label": "Other",
                "match": {"theme": "premises"},
                "handled_by": "Estates",
            },
            ACCESS_HANDLED_ELSEWHERE,
        ]
    )
    rec = recommend(event(physical_harm="low"), today=TODAY, focus=focus)
    assert rec.method == NO_FURTHER_RESPONSE
    assert rec.reasons[0] == (
        "Events that need no further response (row 2 of North PCN's PSIRF plan, version 1.2): "
        "Appointment booking errors. Handled instead by: The practice's appointments review."
    )
    assert (rec.source.kind, rec.source.row, rec.source.key, rec.source.plan_id) == (
        NO_RESPONSE_ROW,
        2,
        "booking_errors",
        7,
    )
    assert rec.source.text == (
        "North PCN's PSIRF plan, version 1.2: events that need no further response, row 2: "
        "Appointment booking errors"
    )


def test_a_no_harm_event_reported_late_is_not_kept_with_no_further_response_for_its_age():
    late = event(physical_harm="none", occurred_on=TODAY - timedelta(days=30))
    rec = recommend(late, today=TODAY, focus=plan_focus())
    assert rec.method == ResponseMethod.AFTER_ACTION_REVIEW.value
    assert "only for events the plan lists" in rec.reasons[0]


def test_a_risk_is_kept_with_no_further_response_by_the_default_risk_register_row():
    risk = event(record_type="risk", physical_harm=None, psychological_harm=None)
    rec = recommend(risk, today=TODAY)
    assert rec.method == NO_FURTHER_RESPONSE and rec.source.key == "risks_on_register"
    assert rec.source.text == (
        "The default local focus (used until your organisation's PSIRF plan is approved): events "
        "that need no further response, row 1: Risks to patient safety, where nothing has happened yet"
    )


def test_a_risk_a_plan_does_not_list_gets_a_huddle_not_no_further_response():
    risk = event(record_type="risk", physical_harm=None, psychological_harm=None)
    rec = recommend(risk, today=TODAY, focus=plan_focus())
    assert rec.method == ResponseMethod.SWARM_HUDDLE.value
    assert "the plan names no other process for it" in rec.reasons[0]


@pytest.mark.parametrize("harm", ["severe", "fatal"])
def test_serious_harm_outside_every_priority_gets_an_mdt_review_with_the_reason_whatever_the_plan_lists(
    harm,
):
    focus = plan_focus(
        no_further_response=[{**ACCESS_HANDLED_ELSEWHERE, "match": {"theme": "access"}}]
    )
    rec = recommend(event(physical_harm=harm), today=TODAY, focus=focus)
    assert rec.method == ResponseMethod.MDT_REVIEW.value
    assert rec.reasons[0].startswith(
        "Severe harm or a death, with no national requirement flagged and outside every local "
        "priority of North PCN's PSIRF plan, version 1.2: serious harm usually spans"
    )
    assert "is not kept with no further response, whatever the plan lists" in rec.reasons[0]
    assert rec.source.kind == SERIOUS_HARM and rec.source.row is None
    assert rec.source.text == (
        "Severe harm or a death that no national requirement and no row of North PCN's PSIRF "
        "plan, version 1.2 covers"
    )
    psii_advice = any("a PSII is a national requirement" in reason for reason in rec.reasons)
    assert psii_advice is (harm == "fatal")


def test_serious_harm_in_a_priority_planned_as_a_thematic_review_gets_its_own_mdt_review():
    focus = plan_focus(
        priorities=[
            {
                "key": "access_pattern",
                "label": "Access: recurring events",
                "method": "thematic_review",
                "match": {"theme": "access"},
            }
        ]
    )
    kept = recommend(event(physical_harm="low"), today=TODAY, focus=focus)
    serious = recommend(event(physical_harm="severe"), today=TODAY, focus=focus)
    assert (kept.method, kept.planned_method) == (NO_FURTHER_RESPONSE, "thematic_review")
    assert (serious.method, serious.planned_method) == ("mdt_review", None)
    assert any("needs a response of its own" in reason for reason in serious.reasons)
    assert (serious.source.kind, serious.source.row) == (LOCAL_PRIORITY, 1)


def test_a_priority_comes_before_the_list_of_events_that_need_no_further_response():
    focus = plan_focus(
        priorities=[
            {
                "key": "access_harm",
                "label": "Access with harm",
                "method": "after_action_review",
                "match": {"theme": "access"},
            }
        ],
        no_further_response=[ACCESS_HANDLED_ELSEWHERE],
    )
    rec = recommend(event(physical_harm="low"), today=TODAY, focus=focus)
    assert rec.method == "after_action_review" and rec.local_priority == "access_harm"


@pytest.mark.parametrize(
    "row, message",
    [
        ({"key": "x", "label": "X", "match": {"theme": "access"}}, "must say what handles it"),
        ({"key": "x", "label": "X", "handled_by": "Y"}, "must match a theme or a record type"),
        (
            {"key": "x", "label": "X", "handled_by": "Y", "match": {"theme": "nonsense"}},
            "must match a known theme",
        ),
    ],
)
def test_a_row_of_events_that_need_no_further_response_must_be_specific(row, message):
    with pytest.raises(LocalFocusError, match=message):
        plan_focus(no_further_response=[row])


# ---- where each recommendation came from ----------------------------------------------------


def test_a_national_recommendation_names_its_row_of_the_national_requirements():
    rec = recommend(event(never_event=True, never_event_type="methotrexate_overdose"), today=TODAY)
    assert rec.source.text == "National requirements, row 1: Never Event"
    referral = recommend(event(national_flags=["child_death"]), today=TODAY)
    row = [r.key for r in national.requirements()].index("child_death") + 1
    assert referral.source.text == f"National requirements, row {row}: Child death"


def test_a_local_priority_names_the_plan_its_version_and_its_row():
    focus = plan_focus(
        priorities=[
            {
                "key": "a",
                "label": "Diagnosis",
                "method": "mdt_review",
                "match": {"theme": "diagnosis"},
            },
            {
                "key": "b",
                "label": "Booking",
                "method": "swarm_huddle",
                "match": {"theme": "access"},
            },
        ]
    )
    rec = recommend(event(), today=TODAY, focus=focus)
    assert rec.reasons[0].startswith(
        "Local priority (row 2 of North PCN's PSIRF plan, version 1.2): Booking."
    )
    assert (
        rec.source.text == "North PCN's PSIRF plan, version 1.2: local priorities, row 2: Booking"
    )
    assert rec.source.plan_id == 7


def test_learning_potential_names_the_plan_it_checked():
    rec = recommend(event(), today=TODAY, focus=plan_focus())
    assert rec.source.text == (
        "Learning potential: no national requirement and no row of North PCN's PSIRF plan, "
        "version 1.2 applies"
    )


def test_a_source_is_stored_and_read_back_unchanged():
    source = recommend(event(), today=TODAY, focus=plan_focus()).source
    assert Source.from_stored(source.stored()) == source
    assert Source.from_stored(None) is None
