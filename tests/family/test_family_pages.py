"""The family portal through its pages: inviting, joining, the family's own page, and everything
a family account must be refused."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.accounts.models import User
from psirf.engagement.models import EngagementStep, Invitation
from psirf.extensions import limiter
from psirf.notifications.models import OutboxMessage
from tests.support.engagement import affected_person, joined_person, shared_document, words_of
from tests.support.factories import ResponseFactory, SafetyEventFactory
from tests.support.routes import ROUTES, request_case

PASSWORD = "a long new password"


@pytest.fixture(autouse=True)
def _fresh_limits():
    # The join pages are throttled per address; every test starts with a clean count.
    limiter.reset()


@pytest.fixture
def psii(world):
    response = ResponseFactory(organisation=world.practice, method="psii")
    person = affected_person(response, name="Jo Bloggs", engagement_lead_id=world.lead.id)
    return response, person


def _invite(client, response, person, **data):
    key = f"eng_invite{person.id}"
    return client.post(
        f"/responses/{response.id}/engagement/people/{person.id}/invitations",
        data={f"{key}-version": response.version_id, **{f"{key}-{k}": v for k, v in data.items()}},
    )


def _link_from_outbox(session) -> str:
    return session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first().link


def _join_with_link(client, link: str):
    path = "/join/" + link.rsplit("/join/", 1)[1]
    opened = client.get(path)
    assert opened.status_code == 302 and opened.location.endswith("/join/set-password")
    return client.post("/join/set-password", data={"password": PASSWORD, "confirm": PASSWORD})


def test_the_lead_invites_by_email_and_the_family_member_joins_once(
    world, sign_in, client, session, psii
):
    response, person = psii
    lead = sign_in(world.lead)
    assert _invite(lead, response, person, means="email", email="jo@example.org").status_code == 302
    link = _link_from_outbox(session)
    assert link.startswith(
        "/join/"
    )  # the worker sends it on the service's address (tests/notifications)
    panel = lead.get(f"/responses/{response.id}").get_data(as_text=True)
    assert "Invited, not yet joined." in panel and "waiting to be used" in panel

    joined = _join_with_link(client, link)
    assert joined.status_code == 302 and joined.location.endswith("/your-response")
    page = client.get(f"/your-response/{person.id}")
    assert page.status_code == 200 and "Our review of what happened" in page.get_data(as_text=True)
    account = session.scalars(select(User).where(User.email == "jo@example.org")).one()
    assert account.kind == "family"

    # The same link again, in a fresh browser: one plain page that does not say why.
    again = client.application.test_client().get("/join/" + link.rsplit("/join/", 1)[1])
    assert again.status_code == 404 and "This link or code cannot be used" in again.get_data(
        as_text=True
    )
    assert "has joined" in lead.get(f"/responses/{response.id}").get_data(as_text=True)


def _main(html: str) -> str:
    return re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)


def test_unknown_used_expired_and_withdrawn_links_get_the_same_page(world, client, session, psii):
    from datetime import timedelta

    from psirf.db import unit_of_work
    from psirf.engagement import invitations
    from psirf.timeutil import utcnow

    response, person = psii

    def token(now):
        with unit_of_work(session):
            invited = invitations.invite(
                session,
                world.lead,
                response,
                person.id,
                means="email",
                email="jo@example.org",
                expected_version=None,
                now=now,
                link_days=7,
                letter_days=28,
            )
        return invited.link.rsplit("/", 1)[1]

    expired = token(utcnow() - timedelta(days=8))
    withdrawn = token(utcnow())
    used = token(utcnow())  # withdraws the one before
    assert _join_with_link(client, "/join/" + used).status_code == 302
    fresh = client.application.test_client()
    pages = [fresh.get(f"/join/{t}") for t in ("not-a-real-token", expired, withdrawn, used)]
    assert {p.status_code for p in pages} == {404}
    texts = {_main(p.get_data(as_text=True)) for p in pages}
    assert len(texts) == 1 and "This link or code cannot be used" in texts.pop()
    assert fresh.get("/join/set-password").status_code == 404


def test_a_letter_is_shown_once_and_its_code_joins_with_an_email_address(
    world, sign_in, client, session, psii
):
    response, person = psii
    lead = sign_in(world.lead)
    letter = _invite(lead, response, person, means="letter")
    html = letter.get_data(as_text=True)
    assert letter.status_code == 200 and letter.headers["Cache-Control"] == "no-store"
    code = re.search(r'class="psirf-code">([A-Z0-9-]+)<', html).group(1)
    assert "http://127.0.0.1:5000/join" in html and "Lee Lead" in html and "Dear Jo Bloggs" in html
    assert code.replace("-", "") not in str(session.scalars(select(Invitation.secret_hash)).all())

    wrong = client.post("/join", data={"code": "AAAA-AAAA-AAAA"})
    assert wrong.status_code == 400 and "This code cannot be used" in wrong.get_data(as_text=True)
    assert client.post("/join", data={"code": code.lower()}).status_code == 302
    missing = client.post("/join/set-password", data={})
    assert missing.status_code == 400 and "Enter your email address" in missing.get_data(
        as_text=True
    )
    sent = client.post("/join/set-password", data={"email": "jo@example.org"})
    assert sent.status_code == 200 and "Check your email" in sent.get_data(as_text=True)
    # The link goes to that address; whoever reads it joins.
    done = _join_with_link(client.application.test_client(), _link_from_outbox(session))
    assert done.status_code == 302
    session.expire_all()
    assert session.get(User, person.account_id).email == "jo@example.org"


def test_a_failed_join_keeps_the_email_typed(world, sign_in, client, psii):
    response, person = psii
    html = _invite(sign_in(world.lead), response, person, means="letter").get_data(as_text=True)
    code = re.search(r'class="psirf-code">([A-Z0-9-]+)<', html).group(1)
    client.post("/join", data={"code": code})
    page = client.post("/join/set-password", data={"email": "jo@example"})
    html = page.get_data(as_text=True)
    assert (
        page.status_code == 400 and "There is a problem" in html and "like name@example.org" in html
    )
    assert 'value="jo@example"' in html


def test_the_family_page_shows_only_what_is_shared_with_them(world, sign_in, session, psii):
    response, person = psii
    account_person = joined_person(response, name="Jo's Son", engagement_lead_id=world.lead.id)
    other = affected_person(response, name="Unrelated Carer")
    today = person.created_at.date()
    words_of(account_person, "We said sorry.", "being_open", today, created_by_id=world.reporter.id)
    words_of(
        account_person,
        "SECRET internal note",
        "first_contact",
        today,
        shared=False,
        created_by_id=world.lead.id,
    )
    words_of(
        account_person,
        "Why was it missed?",
        "question",
        today,
        answer="The check was skipped.",
        answered_on=today,
    )
    words_of(other, "OTHER PERSON's question", "question", today)
    account = session.get(User, account_person.account_id)
    html = sign_in(account).get(f"/your-response/{account_person.id}").get_data(as_text=True)
    assert "We talked with you openly about what happened." in html and "We said sorry." in html
    assert "Why was it missed?" in html and "Our answer: The check was skipped." in html
    assert "Your contact is Lee Lead" in html
    for hidden in (
        "SECRET internal note",
        "OTHER PERSON",
        "Unrelated Carer",
        "Jo Bloggs",
        "Robin Reporter",
        response.reference,
    ):
        assert hidden not in html
    # No comment form before a draft is shared.
    assert 'id="form-comments"' not in html


def test_a_family_member_asks_comments_and_downloads_the_shared_report(
    world, sign_in, session, psii
):
    response, _ = psii
    person = joined_person(response, engagement_lead_id=world.lead.id)
    family = sign_in(session.get(User, person.account_id))
    empty = family.post(f"/your-response/{person.id}/questions", data={"question": "  "})
    assert empty.status_code == 400 and "Write your question" in empty.get_data(as_text=True)
    assert (
        family.post(
            f"/your-response/{person.id}/comments", data={"comments": "Too early"}
        ).status_code
        == 403
    )
    assert (
        family.post(
            f"/your-response/{person.id}/questions", data={"question": "Who checks the dose?"}
        ).status_code
        == 302
    )

    document = shared_document(person, "draft", content=b"%PDF-1.4 the draft")
    assert (
        family.post(
            f"/your-response/{person.id}/comments", data={"comments": "The time is wrong."}
        ).status_code
        == 302
    )
    html = family.get(f"/your-response/{person.id}").get_data(as_text=True)
    assert (
        "Who checks the dose?" in html and "You sent us your comments on the draft report." in html
    )
    download = family.get(f"/your-response/{person.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 the draft"
    assert (
        download.headers["Content-Disposition"].startswith("attachment;")
        and download.mimetype == "application/pdf"
    )
    # In the response's terms of reference, for the lead.
    staff = sign_in(world.lead).get(f"/responses/{response.id}").get_data(as_text=True)
    assert "Who checks the dose?" in staff and "The time is wrong." in staff


def test_a_failed_preferences_form_keeps_what_was_typed(world, sign_in, session, psii):
    response, _ = psii
    person = joined_person(response)
    family = sign_in(session.get(User, person.account_id))
    page = family.post(
        f"/your-response/{person.id}/preferences",
        data={"language": "Welsh", "involvement": "everything"},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "There is a problem" in html and 'value="Welsh"' in html
    done = family.post(
        f"/your-response/{person.id}/preferences",
        data={
            "language": "Welsh",
            "involvement": "kept_informed",
            "interpreter_needed": "yes",
            "contact_by": ["email"],
        },
    )
    assert done.status_code == 302
    session.expire_all()
    assert (
        person.language == "Welsh" and person.interpreter_needed and person.contact_by == ["email"]
    )


def test_the_lead_shares_the_draft_as_it_is_and_the_family_is_told(world, sign_in, session, psii):
    response, _ = psii
    person = joined_person(response)
    lead = sign_in(world.lead)
    key = f"eng_share{person.id}"
    shared = lead.post(
        f"/responses/{response.id}/engagement/people/{person.id}/documents",
        data={f"{key}-version": response.version_id, f"{key}-kind": "draft"},
    )
    assert shared.status_code == 302
    family = sign_in(session.get(User, person.account_id))
    html = family.get(f"/your-response/{person.id}").get_data(as_text=True)
    assert "Download the draft report" in html and "We shared the draft report with you." in html
    href = re.search(r'href="(/your-response/\d+/documents/\d+)"', html).group(1)
    assert family.get(href).data.startswith(b"%PDF")


def test_a_family_account_sees_one_menu_item_and_home_is_its_page(world, sign_in, session, psii):
    response, _ = psii
    person = joined_person(response)
    family = sign_in(session.get(User, person.account_id))
    home = family.get("/")
    assert home.status_code == 302 and home.location.endswith("/your-response")
    assert family.get("/your-response").location.endswith(f"/your-response/{person.id}")
    html = family.get(f"/your-response/{person.id}").get_data(as_text=True)
    nav = re.findall(r'class="nhsuk-header__navigation-link"[^>]*>\s*([^<]+?)\s*<', html)
    assert nav == ["Your response"]


def test_a_family_account_is_refused_on_every_other_route(objects, sign_in):  # noqa: F811  (the fixture)
    family = sign_in(objects["people"]["family"])
    refused = {}
    for endpoint, case in ROUTES.items():
        if policy.family_may_reach(endpoint):
            continue  # its own pages and its notifications: allowed by design, tested on their own
        got = request_case(family, case, objects).status_code
        if got not in (403, 404):
            refused[endpoint] = got
    assert refused == {}, f"a family account reached these: {refused}"


def test_a_family_account_cannot_reach_other_people_events_or_responses_by_number(
    world, sign_in, session, psii
):
    response, other_person = psii
    person = joined_person(response)
    others_document = shared_document(joined_person(ResponseFactory(organisation=world.practice)))
    event = SafetyEventFactory(organisation=world.practice, learning_response_id=response.id)
    family = sign_in(session.get(User, person.account_id))
    for path in (
        f"/your-response/{other_person.id}",
        f"/your-response/{others_document.person_id}",
        f"/your-response/{others_document.person_id}/documents/{others_document.id}",
        f"/your-response/{person.id}/documents/{others_document.id}",
        f"/responses/{response.id}",
        f"/responses/{response.id}/report.pdf",
        f"/events/{event.id}",
        f"/triage/events/{event.id}",
    ):
        assert family.get(path).status_code == 404, path
    for path in ("/triage", "/responses", "/events/new", "/admin/accounts"):
        assert family.get(path).status_code == 403, path
    # Signing in through the staff form with somewhere else to go still ends at a refusal.
    fresh = family.application.test_client()
    signed = fresh.post(
        f"/sign-in?next=/responses/{response.id}",
        data={
            "email": session.get(User, person.account_id).email,
            "password": "correct-horse-battery",
        },
    )
    assert fresh.get(signed.location).status_code == 404


def test_staff_never_see_a_family_page(world, sign_in, session, psii):
    response, _ = psii
    person = joined_person(response)
    lead = sign_in(world.lead)
    assert lead.get("/your-response").status_code == 403
    assert lead.get(f"/your-response/{person.id}").status_code == 404


def test_a_failed_invitation_comes_back_once_with_what_was_typed(world, sign_in, session, psii):
    response, person = psii
    page = _invite(sign_in(world.lead), response, person, means="email", email="jo at example")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and html.count("There is a problem") == 1
    assert (
        f'href="#eng_invite{person.id}-email"' in html
        and 'value="jo at example"' in html
        and "For Jo Bloggs" in html
    )
    assert (
        session.scalars(select(Invitation)).all() == []
        and session.scalars(select(OutboxMessage)).all() == []
    )


def test_the_lead_withdraws_a_waiting_invitation_from_the_panel(
    world, sign_in, client, session, psii
):
    response, person = psii
    lead = sign_in(world.lead)
    _invite(lead, response, person, means="email", email="jo@example.org")
    link = _link_from_outbox(session)
    invitation = session.scalars(select(Invitation)).one()
    joined_person(response, name="Kim Joined")  # a second person, with a share form of their own
    panel = lead.get(f"/responses/{response.id}").get_data(as_text=True)
    assert (
        f'id="form-eng_withdraw{invitation.id}"' in panel
        and "Share a report with Kim Joined" in panel
    )
    ids = Counter(re.findall(r'\sid="([^"]+)"', panel))
    assert {i: n for i, n in ids.items() if n > 1} == {}
    session.expire_all()
    version = session.get(type(response), response.id).version_id
    key = f"eng_withdraw{invitation.id}"
    done = lead.post(
        f"/responses/{response.id}/engagement/invitations/{invitation.id}/withdraw",
        data={f"{key}-version": version},
    )
    assert done.status_code == 302
    assert client.get("/join/" + link.rsplit("/join/", 1)[1]).status_code == 404
    assert "withdrawn" in lead.get(f"/responses/{response.id}").get_data(as_text=True)


def test_family_changes_are_on_the_response_timeline_in_words_without_content(
    world, sign_in, session, psii
):
    response, _ = psii
    person = joined_person(response, engagement_lead_id=world.lead.id)
    sign_in(session.get(User, person.account_id)).post(
        f"/your-response/{person.id}/questions", data={"question": "A private worry about Dad"}
    )
    html = sign_in(world.icb_quality).get(f"/responses/{response.id}").get_data(as_text=True)
    assert "Question asked through the family portal" in html
    # The question is in the engagement panel the ICB reads, never in the timeline's audit words.
    timeline = html.split("Question asked through the family portal", 1)[1][:400]
    assert "private worry" not in timeline


def test_the_lead_is_asked_to_name_an_engagement_lead_before_any_invitation(
    world, sign_in, session
):
    response = ResponseFactory(organisation=world.practice, method="psii")
    person = affected_person(response, name="Jo Bloggs")
    lead = sign_in(world.lead)
    page = lead.get(f"/responses/{response.id}").get_data(as_text=True)
    assert "Name their engagement lead to invite Jo Bloggs to the family portal" in page
    assert f'id="form-eng_invite{person.id}"' not in page
    refused = _invite(lead, response, person, means="letter")
    assert refused.status_code == 400 and "Name their engagement lead before you invite them" in (
        refused.get_data(as_text=True)
    )
    assert session.scalar(select(Invitation).where(Invitation.person_id == person.id)) is None


def test_a_person_who_joined_before_leads_were_required_is_told_whom_to_contact(
    world, sign_in, session
):
    response = ResponseFactory(organisation=world.practice, method="psii")
    person = joined_person(response)  # no engagement lead: joined before the rule
    account = session.get(User, person.account_id)
    html = sign_in(account).get(f"/your-response/{person.id}").get_data(as_text=True)
    assert "Contact the patient safety team at Riverside" in html
    assert "soon" not in html


def test_a_family_member_chooses_which_of_their_words_the_report_quotes(
    world, sign_in, session, psii
):
    response, _ = psii
    person = joined_person(response, engagement_lead_id=world.lead.id)
    family = sign_in(session.get(User, person.account_id))
    html = family.get(f"/your-response/{person.id}").get_data(as_text=True)
    assert "Your words in our report" in html
    assert "You have not told us anything we could put in the report yet." in html

    sent = family.post(
        f"/your-response/{person.id}/questions",
        data={"question": "Who checks the dose?", "in_report": "y"},
    )
    assert sent.status_code == 302
    step = session.scalars(
        select(EngagementStep).where(EngagementStep.person_id == person.id)
    ).one()
    assert step.in_report
    html = family.get(f"/your-response/{person.id}").get_data(as_text=True)
    assert "This is in our report." in html and "Take it out of the report" in html

    path = f"/your-response/{person.id}/words/{step.id}"
    assert family.post(path, data={"in_report": "maybe"}).status_code == 400
    taken_out = family.post(path, data={"in_report": "no"})
    assert taken_out.status_code == 302 and taken_out.location.endswith("#your-words")
    session.refresh(step)
    assert not step.in_report
    html = family.get(f"/your-response/{person.id}").get_data(as_text=True)
    assert "This is not in our report." in html and "Put it in the report" in html
