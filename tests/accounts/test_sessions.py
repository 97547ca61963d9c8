"""Sign-ins that end: on sign-out, when idle, at their lifetime, by an administrator, on a password change."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import func, select

from psirf.accounts import passwords, sessions
from psirf.accounts import views as account_views
from psirf.accounts.models import User, UserSession
from psirf.audit import AuditRecord
from psirf.extensions import limiter
from tests.support.engagement import family_account
from tests.support.factories import TEST_PASSWORD, UserFactory

# A fixed moment: what these tests prove does not depend on the day they run.
START = datetime(2027, 1, 31, 9, 0)
LIMITS = sessions.Limits(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))
NEW_PASSWORD = "a different long password"


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """The clock the sign-in pages read, from START."""
    clock = Clock(START)
    monkeypatch.setattr(account_views, "utcnow", clock)
    return clock


@pytest.fixture(autouse=True)
def fresh_limits(app):
    limiter.reset()


def signed_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def copy_of(client, app):
    """Another browser holding a copy of `client`'s session cookie."""
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    return copy


def key_of(client) -> str:
    with client.session_transaction() as cookie:
        return cookie["_user_id"]


def record_of(session, client) -> UserSession:
    session.expire_all()
    return session.scalars(select(UserSession).order_by(UserSession.id.desc())).first()


# ---- sign-out ----------------------------------------------------------------------------------


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, sign_in, world):
    browser = sign_in(world.lead)
    stolen = copy_of(browser, app)
    assert stolen.get("/triage").status_code == 200
    browser.post("/sign-out")
    assert stolen.get("/triage").status_code == 302  # to the sign-in page
    refused = stolen.post(
        "/account/password",
        data={"current": TEST_PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert refused.status_code == 302 and "/sign-in" in refused.location


def test_the_cookie_names_the_sign_in_and_only_its_hash_is_stored(session, sign_in, world):
    browser = sign_in(world.lead)
    key = key_of(browser)
    assert str(world.lead.id) != key and len(key) >= 40
    stored = session.scalars(select(UserSession.key_hash)).one()
    assert key not in stored and stored != key


def test_a_remember_me_cookie_cannot_bring_back_an_ended_sign_in(app, sign_in, world):
    browser = sign_in(world.lead)
    key = key_of(browser)
    browser.post("/sign-out")
    forged = app.test_client()
    with app.test_request_context():
        forged.set_cookie("remember_token", encode_cookie(key), domain="localhost")
    assert forged.get("/triage").status_code == 302


def test_signing_in_and_out_is_logged_by_account_number_only(sign_in, world, caplog):
    caplog.set_level("INFO", logger="psirf.accounts.services")
    sign_in(world.lead).post("/sign-out")
    assert [r.getMessage() for r in caplog.records if r.name == "psirf.accounts.services"] == [
        f"user {world.lead.id} signed in",
        f"user {world.lead.id} signed out",
    ]


# ---- timeouts ----------------------------------------------------------------------------------


def test_a_sign_in_ends_after_thirty_minutes_without_a_request(session, clock, sign_in, world):
    browser = sign_in(world.lead)
    clock.advance(minutes=29)
    assert signed_in(browser)
    clock.advance(minutes=29)  # 29 minutes since the last request
    assert signed_in(browser)
    clock.advance(minutes=30)
    assert not signed_in(browser)
    assert record_of(session, browser).end_reason == sessions.IDLE


def test_a_sign_in_ends_twelve_hours_after_it_began_however_busy(session, clock, sign_in, world):
    browser = sign_in(world.lead)
    for _ in range(35):  # a request every 20 minutes, to 11 hours 40 minutes
        clock.advance(minutes=20)
        assert signed_in(browser)
    clock.advance(minutes=20)
    assert not signed_in(browser)
    assert record_of(session, browser).end_reason == sessions.EXPIRED


def test_the_timeouts_are_settings(app, session, clock, sign_in, world):
    app.config["SESSION_IDLE_MINUTES"] = 5
    browser = sign_in(world.lead)
    clock.advance(minutes=5)
    assert not signed_in(browser)


def test_last_seen_is_written_at_most_once_a_minute(session, world):
    key = sessions.start(session, world.lead, START)
    session.commit()
    assert sessions.resume(session, key, START + timedelta(seconds=59), LIMITS).id == world.lead.id
    assert not session.dirty  # nothing to write
    sessions.resume(session, key, START + timedelta(seconds=61), LIMITS)
    assert session.scalars(select(UserSession)).one().last_seen_at == START + timedelta(seconds=61)


def test_a_sign_in_of_a_deactivated_account_loads_nobody(session, world):
    key = sessions.start(session, world.lead, START)
    world.lead.active = False
    session.commit()
    assert sessions.resume(session, key, START + timedelta(minutes=1), LIMITS) is None


def test_deactivating_an_account_ends_its_sign_ins_for_that_reason(session, world):
    from psirf.accounts import services

    sessions.start(session, world.lead, START)
    services.set_active(session, world.lead, False, world.admin.id, START)
    session.commit()
    assert session.scalars(select(UserSession.end_reason)).all() == [sessions.DEACTIVATED]


def test_the_purge_deletes_only_sign_ins_that_can_no_longer_be_used(session, world):
    live = sessions.start(session, world.lead, START)
    sessions.start(session, world.lead, START - timedelta(minutes=31))  # idle
    sessions.start(session, world.reporter, START - timedelta(hours=13))  # past its lifetime
    sessions.end(session, sessions.start(session, world.reporter, START), START)  # signed out
    session.commit()
    assert sessions.purge(session, START, LIMITS) == 3
    session.commit()
    assert sessions.resume(session, live, START, LIMITS).id == world.lead.id


# ---- an administrator ends them -------------------------------------------------------------------


def test_an_administrator_signs_a_person_out_everywhere(session, sign_in, world):
    office, home = sign_in(world.lead), sign_in(world.lead)
    admin = sign_in(world.admin)
    assert "In 2 places" in admin.get("/admin/accounts").get_data(as_text=True)
    ended = admin.post(f"/admin/accounts/{world.lead.id}/sessions/end")
    assert ended.status_code == 302
    assert not signed_in(office) and not signed_in(home)
    assert signed_in(admin)
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "account:end_sessions")
    ).one()
    assert record.actor_id == world.admin.id and record.subject_id == world.lead.id
    assert record.changes == {"open_sign_ins": {"before": 2, "after": 0}}


def test_an_administrator_of_another_icb_cannot_see_or_end_them(sign_in, world):
    from psirf.accounts.models import Role
    from tests.support.factories import IcbFactory

    outsider = UserFactory(role=(Role.ADMINISTRATOR, IcbFactory(name="Far ICB", ods_code="QCC")))
    browser = sign_in(world.lead)
    assert (
        sign_in(outsider).post(f"/admin/accounts/{world.lead.id}/sessions/end").status_code == 404
    )
    assert signed_in(browser)


# ---- changing a password ----------------------------------------------------------------------------


def _change(client, current=TEST_PASSWORD, new=NEW_PASSWORD, confirm=NEW_PASSWORD):
    return client.post(
        "/account/password", data={"current": current, "new": new, "confirm": confirm}
    )


def test_changing_a_password_keeps_this_sign_in_and_ends_every_other(
    client, session, sign_in, world
):
    here, elsewhere = sign_in(world.lead), sign_in(world.lead)
    changed = _change(here)
    assert changed.status_code == 302
    assert signed_in(here) and not signed_in(elsewhere)
    assert (
        client.post(
            "/sign-in", data={"email": world.lead.email, "password": TEST_PASSWORD}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/sign-in", data={"email": world.lead.email, "password": NEW_PASSWORD}
        ).status_code
        == 302
    )
    session.expire_all()
    assert session.get(User, world.lead.id).password_hash.startswith("$argon2id$")
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "account:password_change")
    ).one()
    assert record.actor_id == world.lead.id
    assert TEST_PASSWORD not in str(record.changes) and NEW_PASSWORD not in str(record.changes)


def test_a_family_member_changes_their_own_password(session, sign_in):
    family = family_account(email="jo@example.org")
    browser = sign_in(family)
    assert "Change password" in browser.get("/account/password").get_data(as_text=True)
    assert _change(browser).status_code == 302
    session.expire_all()
    assert passwords.verify(session.get(User, family.id).password_hash, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"current": "not my password"}, "current", "Your current password is not right"),
        ({"new": "short", "confirm": "short"}, "new", "at least 12 characters"),
        (
            {"confirm": "something else entirely"},
            "confirm",
            "The two new passwords are not the same",
        ),
        ({"new": TEST_PASSWORD, "confirm": TEST_PASSWORD}, "new", "must be different"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    session, sign_in, world, typed, field, message
):
    here, elsewhere = sign_in(world.lead), sign_in(world.lead)
    before = session.scalar(select(User.password_hash).where(User.id == world.lead.id))
    page = _change(here, **typed)
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "There is a problem" in html and message in html
    assert f'href="#{field}"' in html
    session.expire_all()
    assert session.scalar(select(User.password_hash).where(User.id == world.lead.id)) == before
    assert signed_in(elsewhere)
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.action == "account:password_change")
        )
        == 0
    )


def test_guesses_at_the_current_password_are_throttled_like_sign_ins(sign_in, world):
    browser = sign_in(world.lead)
    statuses = [_change(browser, current=f"guess {n}").status_code for n in range(6)]
    assert statuses == [400] * 5 + [429]
