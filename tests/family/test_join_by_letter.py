"""A letter's code and an email address: the same answer whoever the address belongs to, and the
link to join goes to that address, so holding a letter reveals nobody's account."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from psirf.accounts import passwords
from psirf.db import unit_of_work
from psirf.engagement import invitations
from psirf.extensions import limiter
from psirf.notifications.models import OutboxMessage
from psirf.timeutil import utcnow
from tests.support.engagement import affected_person, family_account
from tests.support.factories import TEST_PASSWORD, ResponseFactory, UserFactory

PASSWORD = "a long new password"


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()


@pytest.fixture
def code(world, session):
    """The code printed in a letter to Jo Bloggs."""
    response = ResponseFactory(organisation=world.practice, method="psii")
    person = affected_person(response, name="Jo Bloggs", engagement_lead_id=world.lead.id)
    with unit_of_work(session):
        return invitations.invite(
            session,
            world.lead,
            response,
            person.id,
            means="letter",
            email=None,
            expected_version=None,
            now=utcnow(),
            link_days=7,
            letter_days=28,
        ).code


def _give_address(app, code: str, address: str):
    visitor = app.test_client()
    assert visitor.post("/join", data={"code": code}).status_code == 302
    return visitor, visitor.post("/join/set-password", data={"email": address})


def _main(html: str, address: str) -> str:
    return re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1).replace(address, "ADDRESS")


def _emails_to(session, address: str) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address)))


class Calls:
    def __init__(self, function):
        self.function, self.count = function, 0

    def __call__(self, *args, **kwargs):
        self.count += 1
        return self.function(*args, **kwargs)


def test_the_answer_is_the_same_whoever_the_address_belongs_to_and_so_is_the_work(
    app, session, world, code, monkeypatch
):
    addresses = {
        "nobody's": "new.person@example.org",
        "a family account's": family_account(email="kim@example.org").email,
        "a staff account's": world.reporter.email,
        "a closed account's": UserFactory(
            kind="family", email="closed@example.org", active=False
        ).email,
    }
    checked, hashed = Calls(passwords.verify), Calls(passwords.hash_password)
    monkeypatch.setattr(passwords, "verify", checked)
    monkeypatch.setattr(passwords, "hash_password", hashed)
    answers = {}
    for whose, address in addresses.items():
        _, page = _give_address(app, code, address)
        answers[whose] = (page.status_code, _main(page.get_data(as_text=True), address))
        assert len(_emails_to(session, address)) == 1, whose  # one email each, whatever it says
    assert len(set(answers.values())) == 1, answers
    status, text = answers["nobody's"]
    assert status == 200 and "Check your email" in text and "ADDRESS" in text
    # No password is hashed or checked at this step, for any address: nothing to time.
    assert (checked.count, hashed.count) == (0, 0)


def test_only_who_reads_the_mailbox_gets_a_link_and_a_staff_address_gets_none(
    app, session, world, code
):
    _give_address(app, code, world.reporter.email)
    [to_staff] = _emails_to(session, world.reporter.email)
    assert to_staff.link is None and "cannot be used" in to_staff.body
    _give_address(app, code, "jo@example.org")
    [to_jo] = _emails_to(session, "jo@example.org")
    assert (
        to_jo.link.startswith("/join/")
        and to_jo.subject == "Your invitation to follow a review of your care"
    )


def test_an_existing_family_account_joins_through_the_link_with_its_own_password(
    app, session, code
):
    existing = family_account(email="kim@example.org")
    _give_address(app, code, existing.email)
    [email] = _emails_to(session, existing.email)
    reader = app.test_client()
    assert reader.get(email.link).status_code == 302
    wrong = reader.post("/join/set-password", data={"password": "not the right password"})
    assert wrong.status_code == 400 and "Enter its password" in wrong.get_data(as_text=True)
    assert reader.post("/join/set-password", data={"password": TEST_PASSWORD}).status_code == 302


def test_a_mistyped_address_is_put_right_and_joining_withdraws_the_letter_and_the_earlier_link(
    app, session, code
):
    visitor, _ = _give_address(app, code, "jo@exmaple.org")
    visitor.post("/join/set-password", data={"email": "jo@example.org"})
    [mistyped] = _emails_to(session, "jo@exmaple.org")
    [right] = _emails_to(session, "jo@example.org")
    assert app.test_client().get(mistyped.link).status_code == 404  # withdrawn by the second
    reader = app.test_client()
    reader.get(right.link)
    assert (
        reader.post(
            "/join/set-password", data={"password": PASSWORD, "confirm": PASSWORD}
        ).status_code
        == 302
    )
    again = app.test_client().post("/join", data={"code": code})
    assert again.status_code == 400 and "This code cannot be used" in again.get_data(as_text=True)


def test_one_letter_sends_only_so_many_emails_from_any_number_of_addresses(app, session, code):
    app.config["JOIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    statuses = []
    for n in range(4):
        visitor = app.test_client()
        address = {"REMOTE_ADDR": f"10.0.0.{n}"}
        visitor.post("/join", data={"code": code}, environ_base=address)
        statuses.append(
            visitor.post(
                "/join/set-password",
                data={"email": f"someone{n}@example.org"},
                environ_base=address,
            ).status_code
        )
    assert statuses == [200, 200, 200, 429]
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
