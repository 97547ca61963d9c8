"""The Never Events list as data (seed/never_events.yaml): each type counts from the day it came into
force until the day it was withdrawn, an event is offered and accepted only the types in force on
the day it happened, and an event recorded before a withdrawal keeps its type."""

from datetime import date

import pytest
from sqlalchemy import select

from psirf.db import unit_of_work
from psirf.events import services as events
from psirf.events.models import SafetyEvent
from psirf.problems import InputError
from psirf.triage import never_events
from psirf.triage.never_events import NeverEventsError
from psirf.triage.recommend import recommend
from tests.support.events import counts, staff_form_data
from tests.support.factories import SafetyEventFactory

# Wrong tooth removal left the list from 1 April 2021 (NHS England's February 2021 revision).
WITHDRAWN = "wrong_tooth_extraction"
BEFORE_WITHDRAWAL, AFTER_WITHDRAWAL = date(2021, 3, 31), date(2021, 4, 1)


def test_the_list_holds_the_2018_types_with_wrong_tooth_removal_withdrawn_from_april_2021():
    listed = {t.key: t for t in never_events.types()}
    assert len(listed) == 16 and all(t.in_force_from == date(2018, 2, 1) for t in listed.values())
    assert [k for k, t in listed.items() if t.withdrawn_from] == [WITHDRAWN]
    assert listed[WITHDRAWN].withdrawn_from == AFTER_WITHDRAWAL
    assert listed["methotrexate_overdose"].lfpse_code == 7


def test_a_withdrawn_type_is_offered_for_an_event_before_its_withdrawal_and_not_after():
    assert WITHDRAWN in dict(never_events.choices_on(BEFORE_WITHDRAWAL))
    assert WITHDRAWN not in dict(never_events.choices_on(AFTER_WITHDRAWAL))
    assert "methotrexate_overdose" in dict(never_events.choices_on(AFTER_WITHDRAWAL))
    assert never_events.choices_on(date(2018, 1, 31)) == []


def test_a_type_added_from_a_date_counts_only_for_events_from_that_date():
    added = never_events.parse(
        {"types": [{"key": "new_type", "label": "A new type", "in_force_from": date(2027, 4, 1)}]},
        "a revised list",
    )[0]
    assert not added.in_force_on(date(2027, 3, 31)) and added.in_force_on(date(2027, 4, 1))
    assert added.not_in_force_because(date(2027, 3, 31)) == (
        "A new type is a Never Event only for events from 1 April 2027"
    )


@pytest.mark.parametrize(
    "types, message",
    [
        ([{"key": "a", "label": "A"}], "needs the date it is in force from"),
        (
            [
                {
                    "key": "a",
                    "label": "A",
                    "in_force_from": date(2021, 1, 1),
                    "withdrawn_from": date(2020, 1, 1),
                }
            ],
            "must be withdrawn after it came into force",
        ),
        (
            [{"key": "a", "label": "A", "in_force_from": date(2021, 1, 1)}] * 2,
            "a key is declared twice",
        ),
        ([{"key": "k" * 41, "label": "A", "in_force_from": date(2021, 1, 1)}], "longer than 40"),
    ],
)
def test_a_faulty_list_is_refused_saying_where(types, message):
    with pytest.raises(NeverEventsError, match=message):
        never_events.parse({"types": types}, "never_events.yaml")


def test_check_accepts_a_type_in_force_and_refuses_a_withdrawn_one_saying_why():
    assert never_events.check(WITHDRAWN, BEFORE_WITHDRAWAL) == WITHDRAWN
    assert never_events.check("", AFTER_WITHDRAWAL) is None
    with pytest.raises(InputError) as refused:
        never_events.check(WITHDRAWN, AFTER_WITHDRAWAL)
    assert refused.value.field == "never_event_type"
    assert refused.value.message == (
        "Wrong tooth removed (wrong site surgery in dentistry) was taken off the Never Events list "
        "from 1 April 2021: it is not a Never Event for an event on 1 April 2021"
    )
    with pytest.raises(InputError, match="Select a Never Event type from the list"):
        never_events.check("wrong_tooth", BEFORE_WITHDRAWAL)


# ---- recording an event -------------------------------------------------------------------------


def record(session, world, occurred_on):
    with unit_of_work(session):
        return events.record_event(
            session,
            organisation=world.practice,
            record_type="incident",
            occurred_on=occurred_on,
            description="The lower left six was removed instead of the seven.",
            theme="treatment",
            reporter_kind="staff",
            reporter_user=world.reporter,
            never_event_type=WITHDRAWN,
        )


def test_an_event_before_the_withdrawal_is_recorded_with_the_type(session, world):
    event = record(session, world, BEFORE_WITHDRAWAL)
    assert (event.never_event, event.never_event_type) == (True, WITHDRAWN)


def test_an_event_after_the_withdrawal_is_refused_the_type_and_nothing_is_written(session, world):
    with pytest.raises(InputError, match="taken off the Never Events list"):
        record(session, world, AFTER_WITHDRAWAL)
    assert counts(session) == (0, 0, 0)


def test_an_event_recorded_before_a_withdrawal_keeps_its_type_and_still_needs_a_psii(world):
    event = SafetyEventFactory(
        organisation=world.practice,
        occurred_on=BEFORE_WITHDRAWAL,
        never_event=True,
        never_event_type=WITHDRAWN,
    )
    rec = recommend(event, today=date(2026, 5, 20))
    assert rec.method == "psii" and rec.requirement == "never_event"
    assert (
        "Never Event (type Wrong tooth removed (wrong site surgery in dentistry))"
        in (rec.reasons[0])
    )
    assert (
        never_events.label_for(WITHDRAWN) == "Wrong tooth removed (wrong site surgery in dentistry)"
    )


# ---- the staff form -------------------------------------------------------------------------


def when(day: date) -> dict:
    return {
        "occurred_on[day]": str(day.day),
        "occurred_on[month]": str(day.month),
        "occurred_on[year]": str(day.year),
    }


def test_the_staff_form_offers_only_the_types_in_force_on_the_events_date(session, sign_in, world):
    reporter = sign_in(world.reporter)
    assert f'value="{WITHDRAWN}"' not in reporter.get("/events/new").get_data(as_text=True)
    refused = reporter.post(
        "/events/new",
        data=staff_form_data(world.practice, never_event_type=WITHDRAWN, **when(AFTER_WITHDRAWAL)),
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "There is a problem" in page
    assert "taken off the Never Events list from 1 April 2021" in page
    assert f'value="{WITHDRAWN}"' not in page
    assert counts(session) == (0, 0, 0)

    accepted = reporter.post(
        "/events/new",
        data=staff_form_data(world.practice, never_event_type=WITHDRAWN, **when(BEFORE_WITHDRAWAL)),
    )
    assert accepted.status_code == 302
    assert session.scalars(select(SafetyEvent.never_event_type)).one() == WITHDRAWN


def test_a_refused_form_for_an_earlier_date_offers_that_dates_list(sign_in, world):
    page = (
        sign_in(world.reporter)
        .post(
            "/events/new",
            data=staff_form_data(world.practice, description="", **when(BEFORE_WITHDRAWAL)),
        )
        .get_data(as_text=True)
    )
    assert f'value="{WITHDRAWN}"' in page
