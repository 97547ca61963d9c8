"""Timeliness against a workflow's target: labels, colours, the overdue condition in SQL, and a
target in hours (a SWARM huddle's 48) that falls due at its hour."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from psirf.responses import timeliness
from psirf.responses.models import LearningResponse
from psirf.workflow import deadlines, definitions
from tests.support.factories import PracticeFactory
from tests.support.responses import response_row

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 12, 0)
# A huddle called at 14:00 UTC (15:00 in England, in summer time) is due two days later to the minute.
CALLED = datetime(2026, 6, 1, 14, 0)
HUDDLE_DUE = CALLED + timedelta(hours=48)


def response(due_on=None, closed_on=None, created_on=date(2026, 5, 1), due_at=None, closed_at=None):
    return SimpleNamespace(
        due_on=due_on,
        due_at=due_at,
        closed_at=closed_at
        or (
            datetime.combine(closed_on, datetime.min.time()).replace(hour=14) if closed_on else None
        ),
        created_at=datetime.combine(created_on, datetime.min.time()).replace(hour=9),
        workflow_name="none",
        workflow_version=1,
    )


def huddle(**kwargs):
    return response(due_on=HUDDLE_DUE.date(), due_at=HUDDLE_DUE, created_on=CALLED.date(), **kwargs)


@pytest.mark.parametrize(
    "due_in, label, colour, overdue",
    [
        (30, "Due in 30 days", "green", False),
        (8, "Due in 8 days", "green", False),
        (7, "Due in 7 days", "yellow", False),
        (5, "Due in 5 days", "yellow", False),
        (1, "Due tomorrow", "yellow", False),
        (0, "Due today", "orange", False),
        (-1, "Overdue by 1 day", "red", True),
        (-3, "Overdue by 3 days", "red", True),
    ],
)
def test_an_open_response(due_in, label, colour, overdue):
    due = TODAY + timedelta(days=due_in)
    t = timeliness.status(response(due_on=due), now=NOW, target={})
    assert (t.due_on, t.label, t.colour, t.overdue) == (due, label, colour, overdue)
    assert t.tag_classes == f"nhsuk-tag--{colour}"


@pytest.mark.parametrize(
    "closed_days_before_due, label, colour",
    [
        (2, "Closed 2 days early", "green"),
        (1, "Closed 1 day early", "green"),
        (0, "Closed on time", "green"),
        (-1, "Closed 1 day late", "orange"),
        (-4, "Closed 4 days late", "orange"),
    ],
)
def test_a_closed_response(closed_days_before_due, label, colour):
    due = date(2026, 6, 1)
    t = timeliness.status(
        response(due_on=due, closed_on=due - timedelta(days=closed_days_before_due)),
        now=NOW,
        target={},
    )
    assert (t.label, t.colour, t.overdue) == (label, colour, False)


def test_a_closed_response_is_never_overdue_however_late_it_was():
    t = timeliness.status(
        response(due_on=date(2026, 1, 1), closed_on=date(2026, 3, 1)), now=NOW, target={}
    )
    assert not t.overdue and t.label == "Closed 59 days late"


def test_no_target():
    t = timeliness.status(response(), now=NOW, target={})
    assert (t.due_on, t.label, t.colour, t.overdue) == (None, "No target", "grey", False)
    assert timeliness.status(response(closed_on=TODAY), now=NOW, target={}).label == "Closed"


def test_an_upper_limit_is_shown_from_the_start_and_flagged_once_passed():
    target = {"close_within_days": 90, "at_most_days": 180}
    r = response(due_on=date(2026, 7, 30), created_on=date(2026, 5, 1))
    t = timeliness.status(r, now=NOW, target=target)
    assert t.limit_on == date(2026, 10, 28)
    assert t.limit_label == "At the latest by 28 October 2026"
    assert not t.beyond_limit
    # an agreed extension moved the due date past the limit, and the limit has passed too
    r.due_on = date(2026, 11, 30)
    late = timeliness.status(r, now=datetime(2026, 11, 1, 9), target=target)
    assert late.beyond_limit and not late.overdue and late.label == "Due in 29 days"
    assert timeliness.status(response(due_on=TODAY), now=NOW, target={}).limit_label is None


def test_the_target_is_read_from_the_responses_own_workflow_by_default(app):
    definition = definitions.get("after_action_review")
    r = response(due_on=TODAY)
    r.workflow_name, r.workflow_version = definition.name, definition.version
    t = timeliness.status(r, now=NOW)
    assert t.label == "Due today"
    expected = timeliness.limit_on_for(definition.target, date(2026, 5, 1))
    assert t.limit_on == expected


def test_now_defaults_to_the_clocks_utc_moment(monkeypatch):
    monkeypatch.setattr(timeliness, "utcnow", lambda: NOW)
    assert timeliness.status(response(due_on=TODAY), target={}).label == "Due today"
    assert timeliness.status(huddle(), target={}).label == "Overdue by 12 days"


@pytest.mark.parametrize(
    "target, started, due",
    [
        ({"close_within_days": 42}, datetime(2026, 6, 1, 9), deadlines.Deadline(date(2026, 7, 13))),
        (
            {"close_within_hours": 48},
            datetime(2026, 6, 1, 9),
            deadlines.Deadline(date(2026, 6, 3), datetime(2026, 6, 3, 9)),
        ),
        (
            {"close_within_hours": 48},
            datetime(2026, 6, 1, 23, 30),
            deadlines.Deadline(date(2026, 6, 3), datetime(2026, 6, 3, 23, 30)),
        ),
        (
            {"close_within_hours": 20},
            datetime(2026, 6, 1, 9),
            deadlines.Deadline(date(2026, 6, 2), datetime(2026, 6, 2, 5)),
        ),
        (
            {"close_within_days": 90, "at_most_days": 180},
            datetime(2026, 6, 1, 9),
            deadlines.Deadline(date(2026, 8, 30)),
        ),
        ({}, datetime(2026, 6, 1, 9), None),
    ],
)
def test_the_deadline_a_target_gives(target, started, due):
    assert deadlines.from_target(target, started) == due


# ---- a target in hours: due at its hour ------------------------------------------------------


@pytest.mark.parametrize(
    "after, label, colour, overdue",
    [
        (timedelta(hours=1), "Due in 47 hours", "yellow", False),
        (timedelta(hours=24), "Due in 24 hours", "orange", False),
        (timedelta(hours=47), "Due in 1 hour", "orange", False),
        (timedelta(hours=47, minutes=59), "Due in less than an hour", "orange", False),
        (timedelta(hours=48), "Overdue by less than an hour", "red", True),
        (timedelta(hours=50, minutes=30), "Overdue by 2 hours", "red", True),
        (timedelta(days=5), "Overdue by 3 days", "red", True),
    ],
)
def test_a_huddle_goes_overdue_at_its_hour_not_at_the_end_of_its_day(after, label, colour, overdue):
    t = timeliness.status(huddle(), now=CALLED + after, target={})
    assert (t.label, t.colour, t.overdue) == (label, colour, overdue)
    assert t.due_at == HUDDLE_DUE


def test_a_huddle_closed_before_or_after_its_hour():
    early = timeliness.status(huddle(closed_at=HUDDLE_DUE - timedelta(hours=5)), now=NOW, target={})
    late = timeliness.status(
        huddle(closed_at=HUDDLE_DUE + timedelta(minutes=1)), now=NOW, target={}
    )
    assert (early.label, early.colour) == ("Closed 5 hours early", "green")
    assert (late.label, late.colour) == ("Closed less than an hour late", "orange")


def test_a_huddles_due_time_is_written_as_the_clock_in_england_reads_it():
    summer = huddle()  # 14:00 UTC is 15:00 British Summer Time
    winter = response(due_on=date(2026, 12, 3), due_at=datetime(2026, 12, 3, 14, 0))
    assert timeliness.due_text(summer) == "3 June 2026 at 15:00"
    assert timeliness.due_text(summer, "short") == "3 Jun 2026 15:00"
    assert timeliness.due_text(winter) == "3 December 2026 at 14:00"
    assert timeliness.due_text(response(due_on=date(2026, 7, 13))) == "13 July 2026"
    assert timeliness.due_text(response()) == ""


# ---- SQL, on both databases ----------------------------------------------------------------


def test_overdue_clause_selects_open_responses_past_their_due_date(session):
    practice = PracticeFactory()
    overdue = response_row(session, practice, TODAY - timedelta(days=1))
    long_overdue = response_row(session, practice, TODAY - timedelta(days=100))
    response_row(session, practice, TODAY)  # due today: not yet overdue
    response_row(session, practice, TODAY + timedelta(days=3))
    response_row(session, practice, None)  # no target
    response_row(
        session, practice, TODAY - timedelta(days=5), closed_at=datetime(2026, 6, 1, 12)
    )  # closed late
    session.commit()
    found = session.scalars(
        select(LearningResponse)
        .where(timeliness.overdue_clause(NOW))
        .order_by(LearningResponse.due_on)
    ).all()
    assert [r.id for r in found] == [long_overdue.id, overdue.id]
    for r in session.scalars(select(LearningResponse)):
        assert timeliness.status(r, now=NOW, target={}).overdue == (r in found), r.reference


@pytest.mark.parametrize(
    "after, overdue", [(timedelta(hours=47, minutes=59), False), (timedelta(hours=48), True)]
)
def test_overdue_clause_counts_a_huddle_from_its_hour(session, after, overdue):
    row = response_row(session, PracticeFactory(), HUDDLE_DUE.date(), due_at=HUDDLE_DUE)
    session.commit()
    found = session.scalars(
        select(LearningResponse.id).where(timeliness.overdue_clause(CALLED + after))
    ).all()
    assert (row.id in found) is overdue
    assert timeliness.status(row, now=CALLED + after, target={}).overdue is overdue


def test_closed_on_time_clause_agrees_with_the_labels(session):
    practice = PracticeFactory()
    rows = [
        response_row(session, practice, TODAY, closed_at=datetime(2026, 6, 15, 23, 0)),
        response_row(session, practice, TODAY, closed_at=datetime(2026, 6, 16, 0, 1)),
        response_row(session, practice, HUDDLE_DUE.date(), due_at=HUDDLE_DUE, closed_at=HUDDLE_DUE),
        response_row(
            session,
            practice,
            HUDDLE_DUE.date(),
            due_at=HUDDLE_DUE,
            closed_at=HUDDLE_DUE - timedelta(minutes=1),
        ),
    ]
    session.commit()
    on_time = set(
        session.scalars(select(LearningResponse.id).where(timeliness.closed_on_time_clause())).all()
    )
    assert on_time == {rows[0].id, rows[3].id}
    for r in rows:
        label = timeliness.status(r, now=NOW, target={}).label
        assert (r.id in on_time) == (label == "Closed on time" or "early" in label), label


# ---- the template partial ------------------------------------------------------------------


def test_the_due_partial_renders_an_nhs_tag(app):
    from flask import render_template_string

    with app.test_request_context():
        overdue = response(due_on=TODAY - timedelta(days=3))
        html = render_template_string(
            '{% include "responses/_due.html" %}',
            response=overdue,
            timely=timeliness.status(overdue, now=NOW),
        )
        assert "nhsuk-tag--red" in html and "Overdue by 3 days" in html and "12 Jun 2026" in html
        rows = [response(due_on=TODAY), response()]
        for n, r in enumerate(rows):
            r.id = n
        looped = render_template_string(
            "{% for r in rows %}{% with response = r, timely = timely_by_id[r.id] %}"
            '{% include "responses/_due.html" %}{% endwith %}{% endfor %}',
            rows=rows,
            timely_by_id={r.id: timeliness.status(r, now=NOW) for r in rows},
        )
        assert "Due today" in looped and "No target" in looped
        psii = definitions.get("psii")
        r = response(due_on=TODAY + timedelta(days=20), created_on=TODAY - timedelta(days=70))
        r.workflow_name, r.workflow_version = psii.name, psii.version
        with_limit = render_template_string(
            '{% include "responses/_due.html" %}',
            response=r,
            timely=timeliness.status(r, now=NOW),
            show_limit=True,
        )
        assert "At the latest by" in with_limit
        assert 'style="' not in with_limit
        due_huddle = huddle()
        at_the_hour = render_template_string(
            '{% include "responses/_due.html" %}',
            response=due_huddle,
            timely=timeliness.status(due_huddle, now=CALLED + timedelta(hours=47)),
            due_style="day",
        )
        assert "Due in 1 hour" in at_the_hour and "3 June 2026 at 15:00" in at_the_hour


def test_the_huddles_page_shows_the_time_it_is_due(sign_in, world):
    from tests.support.factories import ResponseFactory

    called = ResponseFactory(
        organisation=world.practice,
        method="swarm_huddle",
        due_on=HUDDLE_DUE.date(),
        due_at=HUDDLE_DUE,
    )
    page = sign_in(world.lead).get(f"/responses/{called.id}").get_data(as_text=True)
    assert "3 June 2026 at 15:00" in page
