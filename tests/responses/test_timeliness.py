"""Timeliness against a workflow's target: labels, colours, and the overdue condition in SQL."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from psirf.responses import timeliness
from psirf.responses.models import LearningResponse
from psirf.workflow import definitions
from tests.support.factories import PracticeFactory
from tests.support.responses import response_row

TODAY = date(2026, 6, 15)


def response(due_on=None, closed_on=None, created_on=date(2026, 5, 1)):
    return SimpleNamespace(
        due_on=due_on,
        closed_at=datetime.combine(closed_on, datetime.min.time()).replace(hour=14)
        if closed_on
        else None,
        created_at=datetime.combine(created_on, datetime.min.time()).replace(hour=9),
        workflow_name="none",
        workflow_version=1,
    )


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
    t = timeliness.status(response(due_on=due), today=TODAY, target={})
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
        today=TODAY,
        target={},
    )
    assert (t.label, t.colour, t.overdue) == (label, colour, False)


def test_a_closed_response_is_never_overdue_however_late_it_was():
    t = timeliness.status(
        response(due_on=date(2026, 1, 1), closed_on=date(2026, 3, 1)), today=TODAY, target={}
    )
    assert not t.overdue and t.label == "Closed 59 days late"


def test_no_target():
    t = timeliness.status(response(), today=TODAY, target={})
    assert (t.due_on, t.label, t.colour, t.overdue) == (None, "No target", "grey", False)
    assert timeliness.status(response(closed_on=TODAY), today=TODAY, target={}).label == "Closed"


def test_an_upper_limit_is_shown_from_the_start_and_flagged_once_passed():
    target = {"close_within_days": 90, "at_most_days": 180}
    r = response(due_on=date(2026, 7, 30), created_on=date(2026, 5, 1))
    t = timeliness.status(r, today=TODAY, target=target)
    assert t.limit_on == date(2026, 10, 28)
    assert t.limit_label == "At the latest by 28 October 2026"
    assert not t.beyond_limit
    # an agreed extension moved the due date past the limit, and the limit has passed too
    r.due_on = date(2026, 11, 30)
    late = timeliness.status(r, today=date(2026, 11, 1), target=target)
    assert late.beyond_limit and not late.overdue and late.label == "Due in 29 days"
    assert timeliness.status(response(due_on=TODAY), today=TODAY, target={}).limit_label is None


def test_the_target_is_read_from_the_responses_own_workflow_by_default():
    definition = definitions.get("after_action_review")
    r = response(due_on=TODAY)
    r.workflow_name, r.workflow_version = definition.name, definition.version
    t = timeliness.status(r, today=TODAY)
    assert t.label == "Due today"
    expected = timeliness.limit_on_for(definition.target, date(2026, 5, 1))
    assert t.limit_on == expected


def test_today_defaults_to_the_utc_date_the_due_date_was_set_in():
    from psirf.timeutil import utcnow

    assert timeliness.status(response(due_on=utcnow().date()), target={}).label == "Due today"


@pytest.mark.parametrize(
    "target, started, due",
    [
        ({"close_within_days": 42}, datetime(2026, 6, 1, 9), date(2026, 7, 13)),
        ({"close_within_hours": 48}, datetime(2026, 6, 1, 9), date(2026, 6, 3)),
        ({"close_within_hours": 48}, datetime(2026, 6, 1, 23, 30), date(2026, 6, 3)),
        ({"close_within_hours": 20}, datetime(2026, 6, 1, 9), date(2026, 6, 2)),
        (
            {"close_within_days": 90, "at_most_days": 180},
            datetime(2026, 6, 1, 9),
            date(2026, 8, 30),
        ),
        ({}, datetime(2026, 6, 1, 9), None),
    ],
)
def test_the_due_date_a_target_gives(target, started, due):
    assert timeliness.due_on_for(target, started) == due


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
        .where(timeliness.overdue_clause(TODAY))
        .order_by(LearningResponse.due_on)
    ).all()
    assert [r.id for r in found] == [long_overdue.id, overdue.id]
    for r in session.scalars(select(LearningResponse)):
        assert timeliness.status(r, today=TODAY, target={}).overdue == (r in found), r.reference


# ---- the template partial ------------------------------------------------------------------


def test_the_due_partial_renders_an_nhs_tag(app):
    from flask import render_template_string

    with app.test_request_context():
        overdue = response(due_on=TODAY - timedelta(days=3))
        html = render_template_string(
            '{% include "responses/_due.html" %}',
            response=overdue,
            timely=timeliness.status(overdue, today=TODAY),
        )
        assert "nhsuk-tag--red" in html and "Overdue by 3 days" in html and "12 Jun 2026" in html
        rows = [response(due_on=TODAY), response()]
        for n, r in enumerate(rows):
            r.id = n
        looped = render_template_string(
            "{% for r in rows %}{% with response = r, timely = timely_by_id[r.id] %}"
            '{% include "responses/_due.html" %}{% endwith %}{% endfor %}',
            rows=rows,
            timely_by_id={r.id: timeliness.status(r, today=TODAY) for r in rows},
        )
        assert "Due today" in looped and "No target" in looped
        psii = definitions.get("psii")
        r = response(due_on=TODAY + timedelta(days=20), created_on=TODAY - timedelta(days=70))
        r.workflow_name, r.workflow_version = psii.name, psii.version
        with_limit = render_template_string(
            '{% include "responses/_due.html" %}',
            response=r,
            timely=timeliness.status(r, today=TODAY),
            show_limit=True,
        )
        assert "At the latest by" in with_limit
        assert 'style="' not in with_limit
