"""The one way a view loads what its address names: absent or unseen is 404, seen but beyond the
person's role is 403, and otherwise the view is handed the object, checked.

The routes here are the test's own, declared with `loads` as the app's views are, over real rows
and the real policy; the pages they refuse with are the app's error pages.
"""

from __future__ import annotations

import pytest
from flask_login import login_required
from sqlalchemy import event as sa_event
from sqlalchemy.orm import selectinload

from psirf import policy
from psirf.engagement.models import AffectedPerson
from psirf.events import services as events
from psirf.events.models import SafetyEvent
from psirf.extensions import db
from psirf.responses import services as responses
from psirf.responses.models import LearningResponse
from psirf.web.loading import fetch, found, loads
from tests.support.factories import ResponseFactory, SafetyEventFactory, one_commit

MISSING = 987_654


def _triage_page(event):
    return f"event {event.id} {type(event).__name__}"


def _person_page(response, person):
    return f"person {person.id} of response {response.id}"


def _own_page(event):
    return f"own {event.id}"


def _events_at(db_session, user, event_id):
    """A getter reading through the person's scope, as the library's and improvement's do."""
    return db_session.scalar(
        db.select(SafetyEvent).where(
            SafetyEvent.id == event_id, policy.casework_scope(user, SafetyEvent.organisation_id)
        )
    )


@pytest.fixture
def app(own_app):
    """These tests add routes: an app of their own, not the session's (every fixture here reads it)."""
    return own_app


@pytest.fixture
def routes(app):
    """The test's routes, added before the first request (an app takes no route after it)."""
    app.add_url_rule(
        "/try/events/<int:event_id>/triage",
        "try_triage",
        login_required(loads("event_id", SafetyEvent, policy.require_can_triage)(_triage_page)),
    )
    app.add_url_rule(
        "/try/responses/<int:response_id>/people/<int:person_id>",
        "try_person",
        login_required(
            loads("response_id", responses.get, policy.require_response_visible)(
                loads("person_id", AffectedPerson, of="response")(_person_page)
            )
        ),
    )
    app.add_url_rule(
        "/try/scoped/<int:event_id>",
        "try_scoped",
        login_required(loads("event_id", _events_at, scoped=True)(_own_page)),
    )
    app.add_url_rule(
        "/try/admin/events/<int:event_id>",
        "try_before",
        login_required(
            loads("event_id", events.get, before=policy.require_administrator)(_own_page)
        ),
    )
    return app


@pytest.fixture
def event(world):
    with one_commit():
        return SafetyEventFactory(organisation=world.practice)


def test_a_visible_object_is_handed_to_the_view(routes, world, event, sign_in):
    answer = sign_in(world.lead).get(f"/try/events/{event.id}/triage")
    assert answer.status_code == 200
    assert answer.get_data(as_text=True) == f"event {event.id} SafetyEvent"


def test_an_absent_object_is_not_found(routes, world, sign_in):
    answer = sign_in(world.lead).get(f"/try/events/{MISSING}/triage")
    assert answer.status_code == 404
    assert "Page not found" in answer.get_data(as_text=True)


def test_an_object_outside_the_persons_organisations_is_not_found(routes, world, event, sign_in):
    answer = sign_in(world.other_lead).get(f"/try/events/{event.id}/triage")
    assert answer.status_code == 404
    assert "Page not found" in answer.get_data(as_text=True)


def test_an_object_beyond_the_persons_role_is_forbidden_with_the_policys_reason(
    routes, world, event, sign_in
):
    answer = sign_in(world.panel).get(f"/try/events/{event.id}/triage")
    assert answer.status_code == 403
    assert "Only the organisation&#39;s patient safety lead can triage this event." in (
        answer.get_data(as_text=True)
    )


def test_nothing_is_looked_up_before_the_person_signs_in(routes, event, client):
    answer = client.get(f"/try/events/{event.id}/triage")
    assert answer.status_code == 302
    assert "/sign-in" in answer.headers["Location"]


def test_a_child_of_another_parent_is_not_found(routes, world, sign_in):
    with one_commit():
        response = ResponseFactory(organisation=world.practice)
        other = ResponseFactory(organisation=world.practice)
    mine = AffectedPerson(response_id=response.id, kind="patient", name="Ann Example")
    theirs = AffectedPerson(response_id=other.id, kind="patient", name="Bob Example")
    db.session.add_all([mine, theirs])
    db.session.commit()
    lead = sign_in(world.lead)
    answer = lead.get(f"/try/responses/{response.id}/people/{mine.id}")
    assert answer.status_code == 200
    assert answer.get_data(as_text=True) == f"person {mine.id} of response {response.id}"
    assert lead.get(f"/try/responses/{response.id}/people/{theirs.id}").status_code == 404
    assert lead.get(f"/try/responses/{response.id}/people/{MISSING}").status_code == 404
    # The parent is checked first: outside the person's organisations, the child is never read.
    assert (
        sign_in(world.other_lead).get(f"/try/responses/{response.id}/people/{mine.id}").status_code
        == 404
    )


def test_a_scoped_getter_reads_through_the_persons_scope(routes, world, event, sign_in):
    assert sign_in(world.panel).get(f"/try/scoped/{event.id}").status_code == 200
    assert sign_in(world.other_lead).get(f"/try/scoped/{event.id}").status_code == 404


def test_a_check_of_the_person_alone_comes_before_the_lookup(routes, world, event, sign_in):
    # Not an administrator: 403 whether or not the number names anything.
    lead = sign_in(world.lead)
    assert lead.get(f"/try/admin/events/{event.id}").status_code == 403
    assert lead.get(f"/try/admin/events/{MISSING}").status_code == 403
    admin = sign_in(world.admin)
    assert admin.get(f"/try/admin/events/{event.id}").status_code == 200
    assert admin.get(f"/try/admin/events/{MISSING}").status_code == 404


def test_fetch_applies_loader_options_and_visible_if(app, world, event):
    with one_commit():
        response = ResponseFactory(organisation=world.practice)
    response_id, event_id = response.id, event.id
    db.session.expunge_all()  # read afresh, so what the options loaded shows
    with app.test_request_context():
        loaded = fetch(
            LearningResponse, response_id, options=[selectinload(LearningResponse.findings)]
        )
        assert "findings" in loaded.__dict__  # loaded with it, not on first use
        assert "events" not in loaded.__dict__
        with pytest.raises(policy.NotVisible):
            fetch(SafetyEvent, event_id, visible_if=lambda _user, e: e.id != event_id)


def test_a_lock_reads_the_row_for_update(app, event):
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event_engine = db.engine
    sa_event.listen(event_engine, "before_cursor_execute", record)
    try:
        with app.test_request_context():
            assert fetch(SafetyEvent, event.id, lock=True).id == event.id
    finally:
        sa_event.remove(event_engine, "before_cursor_execute", record)
    # SQLite has no row locks and SQLAlchemy leaves the clause out there; PostgreSQL takes one.
    if db.engine.dialect.name == "postgresql":
        assert any("FOR UPDATE" in s for s in statements)
    assert any("FROM safety_events" in s for s in statements)


def test_a_getter_chooses_its_own_query(app):
    with app.test_request_context(), pytest.raises(TypeError):
        fetch(events.get, 1, lock=True)


def test_found_turns_nothing_into_not_found():
    assert found("x") == "x"
    with pytest.raises(policy.NotVisible):
        found(None)
