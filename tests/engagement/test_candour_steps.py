"""When each duty of candour step is due and where it stands: the local targets in working days,
the results of enquiries' own target, regulation 20(5), and the SQL that lists what is overdue
agreeing with the page for every day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from psirf import config
from psirf.dashboards import lists
from psirf.engagement.candour_steps import (
    CandourTargets,
    add_working_days,
    latest_decided_on_with_target_by,
    steps_for,
)
from tests.support.engagement import candour_applies
from tests.support.factories import ResponseFactory

TODAY = date(2026, 3, 23)  # a Monday
TOLD = {
    "notified_on": date(2026, 3, 9),
    "notified_means": "in_person",
    "notified_by": "Dr Shah",
    "apology_given": True,
}


def statuses(record, today, targets: CandourTargets | None = None) -> dict[str, str]:
    return {s.name: s.status for s in steps_for(record, today, targets or CandourTargets())}


def test_working_days_skip_weekends():
    friday = date(2026, 3, 6)
    assert add_working_days(friday, 1) == date(2026, 3, 9)
    assert add_working_days(friday, 10) == date(2026, 3, 20)


@pytest.mark.parametrize("days", [1, 5, 10, 15])
def test_the_sql_cut_off_is_the_latest_decision_whose_target_falls_by_the_day(days):
    for offset in range(40):
        day = date(2026, 3, 1) + timedelta(days=offset)
        latest = max(
            day - timedelta(days=n)
            for n in range(40)
            if add_working_days(day - timedelta(days=n), days) <= day
        )
        assert latest_decided_on_with_target_by(day, days) == latest


def test_the_notification_steps_are_due_ten_working_days_from_the_decision(world, session):
    response = ResponseFactory(organisation=world.practice)
    record = candour_applies(response, date(2026, 3, 6), **TOLD)  # a Friday
    on_target_day = statuses(record, date(2026, 3, 20))
    assert on_target_day == {
        "notified_on": "done",
        "written_on": "due",
        "record_kept_on": "due",
        "support_offered_on": "due",
        "results_shared_on": "due",
    }
    after = statuses(record, TODAY)
    assert after == {
        "notified_on": "done",
        "written_on": "overdue",
        "record_kept_on": "overdue",
        "support_offered_on": "overdue",
        "results_shared_on": "due",  # not the ten days: when the response closes
    }
    [results] = [s for s in steps_for(record, TODAY, CandourTargets()) if s.target_on is None]
    assert results.basis == "when the response closes"
    assert {s.target_on for s in steps_for(record, TODAY, CandourTargets())} == {
        date(2026, 3, 20),
        None,
    }
    # A longer local target moves the flag.
    assert "overdue" not in statuses(record, TODAY, CandourTargets(notice_days=15)).values()


def test_the_results_of_enquiries_are_due_when_the_response_closes_or_by_their_own_days(
    world, session
):
    response = ResponseFactory(organisation=world.practice, state="closed")
    response.closed_at = datetime(2026, 4, 30, 16, 0)
    record = candour_applies(response, date(2026, 3, 6), **TOLD, written_on=date(2026, 3, 10))
    at_close = {s.name: s for s in steps_for(record, date(2026, 4, 30), CandourTargets())}
    results = at_close["results_shared_on"]
    assert (results.target_on, results.status) == (date(2026, 4, 30), "due")
    assert statuses(record, date(2026, 5, 1))["results_shared_on"] == "overdue"
    configured = CandourTargets(results_days=40)
    [results] = [s for s in steps_for(record, TODAY, configured) if s.name == "results_shared_on"]
    assert results.target_on == add_working_days(date(2026, 3, 6), 40) == date(2026, 5, 1)
    assert results.basis == "40 working days from the decision"


def test_after_they_could_not_be_reached_only_the_record_of_the_attempts_is_still_needed(
    world, session
):
    response = ResponseFactory(organisation=world.practice)
    record = candour_applies(
        response, date(2026, 3, 6), unreachable="declined", unreachable_on=date(2026, 3, 10)
    )
    assert statuses(record, TODAY) == {
        "notified_on": "done",
        "written_on": "not_needed",
        "record_kept_on": "overdue",
        "support_offered_on": "not_needed",
        "results_shared_on": "not_needed",
    }
    record.notified_on = date(2026, 3, 16)  # told after all: every step is needed again
    assert statuses(record, TODAY)["written_on"] == "overdue"


def test_the_configured_results_target_is_a_whole_number_of_days_or_unset(monkeypatch):
    monkeypatch.delenv("CANDOUR_RESULTS_TARGET_WORKING_DAYS", raising=False)
    assert config.candour_results_target() is None
    monkeypatch.setenv("CANDOUR_RESULTS_TARGET_WORKING_DAYS", "60")
    assert config.candour_results_target() == 60
    assert CandourTargets.from_config(
        {"CANDOUR_TARGET_WORKING_DAYS": 10, "CANDOUR_RESULTS_TARGET_WORKING_DAYS": 60}
    ) == CandourTargets(10, 60)
    for wrong in ("0", "ten", "-5"):
        monkeypatch.setenv("CANDOUR_RESULTS_TARGET_WORKING_DAYS", wrong)
        with pytest.raises(config.ConfigurationError, match="whole number of working days"):
            config.candour_results_target()


# ---- the ICB's list agrees with the page ---------------------------------------------------------


def _records(world) -> list:
    """A record in every shape that matters: nothing done, told, written, all notification steps
    done, unreachable with and without its record, and done on a closed response."""
    closed = ResponseFactory(organisation=world.practice, state="closed")
    closed.closed_at = datetime(2026, 3, 18, 9, 0)
    done = {
        **TOLD,
        "written_on": date(2026, 3, 10),
        "record_reference": "Note",
        "record_kept_by": "Practice manager",
        "record_kept_on": date(2026, 3, 10),
        "support_offered": "A named contact",
        "support_offered_on": date(2026, 3, 9),
    }
    shapes = [
        {},
        TOLD,
        {**TOLD, "written_on": date(2026, 3, 10)},
        done,
        {"unreachable": "not_reached", "unreachable_on": date(2026, 3, 9)},
        {
            "unreachable": "not_reached",
            "unreachable_on": date(2026, 3, 9),
            "record_reference": "Attempts",
            "record_kept_by": "Practice manager",
            "record_kept_on": date(2026, 3, 9),
        },
    ]
    records = [
        candour_applies(ResponseFactory(organisation=world.practice), date(2026, 3, 2), **shape)
        for shape in shapes
    ]
    records.append(candour_applies(closed, date(2026, 3, 2), **done))
    records.append(
        candour_applies(
            ResponseFactory(organisation=world.practice), date(2026, 3, 2), decision="ruled_out"
        )
    )
    return records


@pytest.mark.parametrize("targets", [CandourTargets(), CandourTargets(10, 20)])
def test_the_icb_list_and_the_page_agree_on_what_is_overdue_every_day(world, session, targets):
    records = _records(world)
    for offset in range(0, 45, 2):
        today = date(2026, 3, 2) + timedelta(days=offset)
        listed = {
            r.id for r, _ in lists.overdue_candour(session, world.icb_quality, today, targets)
        }
        overdue = {
            c.response_id
            for c in records
            if c.applies and any(s.overdue for s in steps_for(c, today, targets))
        }
        assert listed == overdue, today
    assert lists.overdue_candour(session, world.outsider_icb_quality, TODAY, targets) == []
