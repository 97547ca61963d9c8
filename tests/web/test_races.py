"""Many people (or many clicks) changing one record at the same moment: exactly one change lands,
with one audit record, and every other request gets the page again as a 409 saying someone
else changed it first. Real races: each request has its own client and database session, and
all of them are held inside the change until every one has read the record, so none can see
another's commit before it writes."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from psirf.audit import AuditRecord
from psirf.extensions import db
from psirf.plans import services as plans
from psirf.plans.models import PlanRevision, PsirfPlan
from psirf.responses.models import LearningResponse, MethodStage, ResponseLink
from psirf.workflow.registry import ACTIONS
from tests.support.factories import AfterActionReviewFactory, ResponseFactory, SafetyEventFactory
from tests.support.plan_factories import PlanFactory

CLICKS = 10
CHANGED = "changed by someone else"


def _hold_until_all_arrive(monkeypatch, target, name: str, people: int) -> None:
    """Every request waits inside `target.name` (the step's action, or the service) until all have
    reached it: all read the record's version before any writes."""
    barrier = threading.Barrier(people, timeout=30)
    original = target[name] if isinstance(target, dict) else getattr(target, name)

    def held(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    if isinstance(target, dict):
        monkeypatch.setitem(target, name, held)
    else:
        monkeypatch.setattr(target, name, held)


def _all_at_once(clients, url: str, forms: list[dict]) -> list[tuple[int, str]]:
    answers: list = [None] * len(clients)

    def send(i):
        answer = clients[i].post(url, data=forms[i])
        answers[i] = (answer.status_code, answer.get_data(as_text=True))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _audited(action: str) -> int:
    return _count(AuditRecord, AuditRecord.action == action)


def _one_won(answers, won: int = 302) -> list[str]:
    """The pages of those who lost, after checking exactly one won."""
    statuses = sorted(status for status, _ in answers)
    assert statuses == [won] + [409] * (len(answers) - 1), statuses
    lost = [body for status, body in answers if status == 409]
    assert all(CHANGED in body and "nhsuk-error-summary" in body for body in lost)
    return lost


def test_ten_clicks_on_escalating_open_one_investigation(app, world, sign_in, monkeypatch):
    review = AfterActionReviewFactory(organisation=world.practice, state="in_review")
    SafetyEventFactory(organisation=world.practice, learning_response_id=review.id)
    clients = [sign_in(world.lead) for _ in range(CLICKS)]
    _hold_until_all_arrive(monkeypatch, ACTIONS, "escalate_to_psii", CLICKS)

    form = {"version": review.version_id, "comment": "The harm was greater than first thought."}
    answers = _all_at_once(clients, f"/responses/{review.id}/transitions/escalate", [form] * CLICKS)

    lost = _one_won(answers)
    assert all("Escalated" in body for body in lost)  # the page as it now is
    # The step is gone from the page, so the comment each person typed is shown back, not lost.
    assert all(
        "Your comment was not saved" in body and "The harm was greater than first thought." in body
        for body in lost
    )
    assert _count(LearningResponse, LearningResponse.method == "psii") == 1
    assert _count(ResponseLink, ResponseLink.kind == "escalated_to") == 1
    assert _audited("transition:escalate") == 1
    assert _audited("response:continued") == 1


@pytest.mark.parametrize(
    "method, state, trigger, action, becomes",
    [
        (
            "swarm_huddle",
            "huddle",
            "continue_as_aar",
            "continue_as_after_action_review",
            "after_action_review",
        ),
        (
            "after_action_review",
            "in_review",
            "widen",
            "widen_to_cross_organisational",
            "cross_organisational",
        ),
    ],
)
def test_ten_clicks_on_going_on_as_another_method_change_it_once(
    app, world, sign_in, monkeypatch, method, state, trigger, action, becomes
):
    response = ResponseFactory(organisation=world.practice, method=method, state=state)
    clients = [sign_in(world.lead) for _ in range(CLICKS)]
    _hold_until_all_arrive(monkeypatch, ACTIONS, action, CLICKS)

    form = {"version": response.version_id, "comment": "More to learn than this method can find."}
    _one_won(
        _all_at_once(clients, f"/responses/{response.id}/transitions/{trigger}", [form] * CLICKS)
    )
    assert _count(LearningResponse) == 1  # the same response, not a new one
    assert _count(LearningResponse, LearningResponse.method == becomes) == 1
    assert _count(MethodStage, MethodStage.response_id == response.id) == 1
    assert _audited(f"transition:{trigger}") == 1
    assert _audited("response:method_changed") == 1


def test_ten_clicks_on_submitting_a_plan_keep_one_revision(app, world, sign_in, monkeypatch):
    plan = PlanFactory(organisation=world.pcn, created_by=world.panel)
    clients = [sign_in(world.panel) for _ in range(CLICKS)]
    _hold_until_all_arrive(monkeypatch, ACTIONS, "keep_revision", CLICKS)

    _one_won(
        _all_at_once(
            clients, f"/plans/{plan.id}/transitions/submit", [{"version": plan.version_id}] * CLICKS
        )
    )
    assert _count(PlanRevision, PlanRevision.plan_id == plan.id) == 1
    assert _audited("transition:submit") == 1


def test_ten_clicks_on_publishing_a_plan_publish_it_once(app, world, sign_in, monkeypatch):
    from datetime import date

    earlier = PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        state="published",
        revision=1,
        effective_from=date(2026, 1, 1),
    )
    plan = PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        state="approved",
        revision=1,
        decided_on=date(2026, 11, 2),
        minute_reference="QC/26/114",
        supersedes_id=earlier.id,
    )
    clients = [sign_in(world.panel) for _ in range(CLICKS)]
    _hold_until_all_arrive(monkeypatch, ACTIONS, "put_plan_in_force", CLICKS)

    _one_won(
        _all_at_once(
            clients,
            f"/plans/{plan.id}/transitions/publish",
            [{"version": plan.version_id}] * CLICKS,
        )
    )
    assert _audited("transition:publish") == 1
    assert _audited("transition:supersede") == 1  # the plan it replaces, superseded once
    assert _count(PsirfPlan, PsirfPlan.state == "published") == 1


def test_two_panel_members_saving_one_section_at_once_one_saves_and_the_other_keeps_their_text(
    app, world, sign_in, monkeypatch
):
    from psirf.accounts.models import Role
    from tests.support.factories import UserFactory

    plan = PlanFactory(organisation=world.pcn, created_by=world.panel)
    before = plan.content["introduction"]
    colleague = UserFactory(name="Pip Panel", role=(Role.REVIEW_PANEL_MEMBER, world.pcn))
    clients = [sign_in(world.panel), sign_in(colleague)]
    _hold_until_all_arrive(monkeypatch, plans, "save_text", 2)

    texts = ["Our plan, as the panel wrote it.", "Our plan, as Pip wrote it."]
    forms = [{"introduction-text": t, "introduction-version": plan.version_id} for t in texts]
    answers = _all_at_once(clients, f"/plans/{plan.id}/sections/introduction", forms)

    lost = _one_won(answers)
    db.session.expire_all()
    saved = db.session.get(PsirfPlan, plan.id).content["introduction"]
    assert saved in texts
    assert (
        next(t for t in texts if t != saved) in lost[0]
    )  # the loser's words are on their page again
    records = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "plan:edit:introduction")
    ).all()
    assert [r.changes for r in records] == [{"introduction": {"before": before, "after": saved}}]


def test_two_people_joining_with_one_invitation_link_at_once_make_one_account(
    app, world, sign_in, monkeypatch
):
    from psirf.accounts.models import User
    from psirf.engagement import invitations
    from psirf.family import joining
    from psirf.timeutil import utcnow
    from tests.support.engagement import affected_person

    review = AfterActionReviewFactory(organisation=world.practice)
    person = affected_person(review, name="Jo Family", engagement_lead_id=world.lead.id)
    invited = invitations.invite(
        db.session,
        world.lead,
        review,
        person.id,
        means="email",
        email="jo@example.org",
        expected_version=None,
        now=utcnow(),
        link_days=7,
        letter_days=28,
    )
    db.session.commit()
    visitors = [app.test_client() for _ in range(2)]
    for visitor in visitors:
        assert visitor.get(invited.link).status_code == 302  # each has the invitation open
    _hold_until_all_arrive(monkeypatch, joining, "accept", 2)

    password = {"password": "a long family password", "confirm": "a long family password"}
    answers = _all_at_once(visitors, "/join/set-password", [password, password])

    # The one who loses either collides with the new account (409) or, if the winner has already
    # committed when it looks the address up, finds the invitation used (404, "cannot be used"):
    # which happens depends on timing alone, and both are right.
    won, lost = sorted(status for status, _ in answers)
    assert won == 302 and lost in (404, 409)
    assert _count(User, User.email == "jo@example.org") == 1
    assert _audited("family:joined") == 1


def test_a_step_from_a_page_someone_else_changed_is_refused_with_the_comment_kept(
    app, world, sign_in
):
    from psirf.db import unit_of_work

    review = AfterActionReviewFactory(organisation=world.practice, state="in_review")
    seen = review.version_id
    with unit_of_work(db.session):
        review.extension_reason = "Changed by a colleague"  # any change moves the version on
    answer = sign_in(world.lead).post(
        f"/responses/{review.id}/transitions/escalate",
        data={"version": seen, "comment": "Serious harm: a PSII is needed."},
    )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 409 and CHANGED in body
    assert ">Serious harm: a PSII is needed.</textarea>" in body
    assert _count(LearningResponse, LearningResponse.method == "psii") == 0


def test_ten_leads_correcting_an_event_at_once_make_one_revision(app, world, sign_in, monkeypatch):
    from psirf.events import revisions
    from psirf.events.models import EventPatient, EventRevision
    from tests.support.page_forms import as_shown, forms_on

    event = SafetyEventFactory(
        organisation=world.practice,
        patients=[EventPatient(sequence=1, physical_harm="low", psychological_harm="none")],
    )
    clients = [sign_in(world.lead) for _ in range(CLICKS)]
    url = f"/events/{event.id}/correct"
    [form] = [
        f for f in forms_on(url, clients[0].get(url).get_data(as_text=True)) if f.action == url
    ]
    forms = [
        as_shown(form)
        | {"action": "save", "patients-0-physical_harm": "severe", "reason": f"Letter {i}."}
        for i in range(CLICKS)
    ]
    _hold_until_all_arrive(monkeypatch, revisions, "revise_event", CLICKS)

    lost = _one_won(_all_at_once(clients, url, forms))
    assert all("Letter" in body for body in lost)  # each reason typed is shown back
    assert _count(EventRevision) == 1
    assert _audited("event:revise") == 1


def test_ten_clicks_on_recording_the_candour_notification_record_it_once(
    app, world, sign_in, monkeypatch
):
    from datetime import date

    from psirf.engagement import candour
    from tests.support.engagement import candour_applies
    from tests.support.page_forms import as_shown, forms_on

    response = AfterActionReviewFactory(organisation=world.practice)
    candour_applies(response, date(2026, 1, 5))
    clients = [sign_in(world.lead) for _ in range(CLICKS)]
    page, url = f"/responses/{response.id}", f"/responses/{response.id}/candour/steps"
    [form] = [
        f for f in forms_on(page, clients[0].get(page).get_data(as_text=True)) if f.action == url
    ]
    told = {
        "candour_steps-notified_on[day]": "6",
        "candour_steps-notified_on[month]": "1",
        "candour_steps-notified_on[year]": "2026",
        "candour_steps-notified_means": "in_person",
        "candour_steps-apology_given": "yes",
    }
    forms = [
        as_shown(form) | told | {"candour_steps-notified_by": f"Dr {i}"} for i in range(CLICKS)
    ]
    _hold_until_all_arrive(monkeypatch, candour, "record_candour_steps", CLICKS)

    _one_won(_all_at_once(clients, url, forms))
    assert _audited("candour:notified") == 1


def test_ten_clicks_on_resetting_a_due_date_reset_it_once(app, world, sign_in, monkeypatch):
    from psirf.responses import course
    from tests.support.factories import MethodStageFactory

    response = MethodStageFactory(
        response=AfterActionReviewFactory(organisation=world.practice)
    ).response
    clients = [sign_in(world.lead) for _ in range(CLICKS)]
    form = {"due_reset-version": response.version_id, "due_reset-reason": "The team changed."}
    _hold_until_all_arrive(monkeypatch, course, "reset_due_date", CLICKS)

    _one_won(_all_at_once(clients, f"/responses/{response.id}/due-date/reset", [form] * CLICKS))
    assert _audited("response:due_reset") == 1


def test_a_holder_and_an_administrator_revoking_one_token_at_once_revoke_it_once(
    app, world, sign_in, monkeypatch
):
    from psirf.accounts import tokens
    from tests.support.api import new_token

    token = new_token(world.lead).token
    holder, administrator = sign_in(world.lead), sign_in(world.admin)
    _hold_until_all_arrive(monkeypatch, tokens, "revoke", 2)

    answers = [None, None]

    def click(i, client, url):
        answers[i] = client.post(url).status_code

    threads = [
        threading.Thread(target=click, args=(0, holder, f"/account/tokens/{token.id}/revoke")),
        threading.Thread(target=click, args=(1, administrator, f"/admin/tokens/{token.id}/revoke")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == [302, 302]  # both see it revoked
    assert _audited("api_token:revoke") == 1
