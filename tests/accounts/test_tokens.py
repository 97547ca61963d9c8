"""Personal API tokens: made on a page, shown once, kept hashed, revoked by their holder or by an
administrator of their ICB."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from sqlalchemy import func, select

from psirf.accounts import tokens
from psirf.accounts.models import ApiToken, ApiTokenReveal, Role, User
from psirf.audit import AuditRecord
from psirf.extensions import db
from psirf.problems import InputError
from psirf.timeutil import utcnow
from tests.support.api import bearer, token_for
from tests.support.engagement import family_account, joined_person
from tests.support.factories import (
    AfterActionReviewFactory,
    IcbFactory,
    SafetyEventFactory,
    UserFactory,
)


def _form(name="Reporting script", scope="write", days=30) -> dict:
    last = utcnow().date() + timedelta(days=days)
    return {
        "name": name,
        "scope": scope,
        "expires_on[day]": str(last.day),
        "expires_on[month]": str(last.month),
        "expires_on[year]": str(last.year),
    }


def _secret(page: str) -> str:
    return re.search(r"psirf_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", page).group(0)


def test_a_new_token_is_shown_once_and_kept_only_as_a_keyed_hash(app, world, sign_in):
    client = sign_in(world.lead)

    made = client.post("/account/tokens", data=_form(), follow_redirects=True)

    assert made.status_code == 200 and made.request.path.endswith("/made")
    secret = _secret(made.get_data(as_text=True))
    token = db.session.scalars(select(ApiToken)).one()
    assert token.secret_hash == tokens.digest(secret, tokens.key_from(app.config))
    assert secret not in token.secret_hash and secret.startswith(f"psirf_{token.prefix}_")
    listed = client.get("/account/tokens").get_data(as_text=True)
    assert f"psirf_{token.prefix}" in listed and secret not in listed
    assert client.get("/api/v1/events", headers=bearer(secret)).status_code == 200
    audited = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "api_token:create")
    )
    assert secret not in str([a.changes for a in audited])


def test_the_new_tokens_page_is_a_redirect_shown_once_so_a_reload_makes_no_second_token(
    app, world, sign_in
):
    client = sign_in(world.lead)

    answer = client.post("/account/tokens", data=_form())
    token = db.session.scalars(select(ApiToken)).one()
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/account/tokens/{token.id}/made"
    assert "psirf_" not in answer.get_data(as_text=True)  # not in the redirect, nor its cookie
    shown = client.get(answer.headers["Location"])
    again = client.get(answer.headers["Location"], follow_redirects=True)

    assert shown.status_code == 200
    secret = _secret(shown.get_data(as_text=True))
    assert tokens.digest(secret, tokens.key_from(app.config)) == token.secret_hash
    assert again.request.path == "/account/tokens"  # reloaded: the list, the secret not again
    assert "was shown once" in again.get_data(as_text=True)
    assert secret not in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1
    assert db.session.scalar(select(func.count()).select_from(ApiTokenReveal)) == 0
    assert not any(secret in c.value for c in client._cookies.values())


def test_a_tokens_secret_is_not_shown_to_another_session_nor_after_its_time(app, world, sign_in):
    """The pad in the database alone is not the secret: another browser of the same person, or
    the page followed too late, shows the list instead (and the pad is gone either way)."""
    first = sign_in(world.lead)
    made = first.post("/account/tokens", data=_form()).headers["Location"]
    elsewhere = sign_in(world.lead)  # a second browser: the same person, another cookie
    assert elsewhere.get(made).status_code == 302
    assert first.get(made).status_code == 302  # its pad went with the other's attempt

    late = first.post("/account/tokens", data=_form(name="Late")).headers["Location"]
    token = db.session.scalars(select(ApiToken).where(ApiToken.name == "Late")).one()
    reveal = db.session.get(ApiTokenReveal, token.id)
    reveal.created_at -= tokens.REVEAL_FOR
    db.session.commit()
    assert first.get(late).status_code == 302


def test_a_token_asks_for_a_name_and_a_last_day_within_a_year(app, world, sign_in):
    client = sign_in(world.lead)

    unnamed = client.post("/account/tokens", data=_form(name=""))
    too_long = client.post("/account/tokens", data=_form(days=tokens.LONGEST_DAYS + 1))

    assert unnamed.status_code == 400 and "Enter a name for the token" in unnamed.get_data(True)
    assert too_long.status_code == 400
    assert f"{tokens.LONGEST_DAYS} days at most" in too_long.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken.id)) is None


def test_a_holder_revokes_their_token_and_it_stops_working(app, world, sign_in):
    secret = token_for(world.lead)
    token = db.session.scalars(select(ApiToken)).one()

    answer = sign_in(world.lead).post(f"/account/tokens/{token.id}/revoke")

    assert answer.status_code == 302
    assert app.test_client().get("/api/v1/events", headers=bearer(secret)).status_code == 401
    revoked = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "api_token:revoke")
    )
    assert [r.actor_id for r in revoked] == [world.lead.id]


def test_nobody_else_revokes_a_token_from_their_own_page(app, world, sign_in):
    token_for(world.lead)
    token = db.session.scalars(select(ApiToken)).one()

    assert sign_in(world.reporter).post(f"/account/tokens/{token.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_an_administrator_lists_and_revokes_tokens_in_their_icb(app, world, sign_in):
    secret = token_for(world.lead)
    token = db.session.scalars(select(ApiToken)).one()
    admin = sign_in(world.admin)

    assert world.lead.name in admin.get("/admin/tokens").get_data(as_text=True)
    assert admin.post(f"/admin/tokens/{token.id}/revoke").status_code == 302

    assert app.test_client().get("/api/v1/events", headers=bearer(secret)).status_code == 401
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_by_id == world.admin.id


def test_another_icbs_administrator_cannot_see_or_revoke_a_token(app, world, sign_in):
    token_for(world.lead)
    token = db.session.scalars(select(ApiToken)).one()
    outsider = UserFactory(role=(Role.ADMINISTRATOR, IcbFactory()))
    client = sign_in(outsider)

    assert world.lead.name not in client.get("/admin/tokens").get_data(as_text=True)
    assert client.post(f"/admin/tokens/{token.id}/revoke").status_code == 404
    assert sign_in(world.lead).post(f"/admin/tokens/{token.id}/revoke").status_code == 403
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_an_administrator_revokes_the_token_of_a_family_invited_in_their_icb(app, world, sign_in):
    # A family account holds no role: it is the ICB's through the review it was invited to.
    person = joined_person(AfterActionReviewFactory(organisation=world.practice))
    family = db.session.get(User, person.account_id)
    secret = token_for(family, scope="read")
    token = db.session.scalars(select(ApiToken)).one()
    outsider = sign_in(UserFactory(role=(Role.ADMINISTRATOR, IcbFactory())))
    admin = sign_in(world.admin)

    assert family.name not in outsider.get("/admin/tokens").get_data(as_text=True)
    assert outsider.post(f"/admin/tokens/{token.id}/revoke").status_code == 404
    assert family.name in admin.get("/admin/tokens").get_data(as_text=True)
    assert admin.post(f"/admin/tokens/{token.id}/revoke").status_code == 302
    api = app.test_client()
    assert api.get("/api/v1/engagement/people", headers=bearer(secret)).status_code == 401


def test_a_family_account_holds_read_only_tokens_and_reads_no_events(app, world, sign_in):
    family = family_account(name="Jo Bloggs")
    SafetyEventFactory(organisation=world.practice)
    client = sign_in(family)

    page = client.get("/account/tokens").get_data(as_text=True)
    refused = client.post("/account/tokens", data=_form(scope="write"))
    made = client.post("/account/tokens", data=_form(scope="read"), follow_redirects=True)

    assert "Read and write" not in page
    assert refused.status_code == 400 and "read-only tokens" in refused.get_data(as_text=True)
    assert made.status_code == 200
    api = app.test_client()
    headers = bearer(_secret(made.get_data(as_text=True)))
    assert api.get("/api/v1/events", headers=headers).get_json()["items"] == []
    assert api.post("/api/v1/events", json={}, headers=headers).status_code == 403


# ---- the service, with its clock given --------------------------------------------------------

NOON = datetime(2027, 3, 15, 12, 0)


def _made(user, **kwargs):
    values = {"name": "Script", "scope": "read", "expires_on": NOON.date(), "now": NOON}
    made = tokens.create(db.session, user, key=b"test key", **(values | kwargs))
    db.session.commit()
    return made


def test_a_token_works_through_its_last_day_and_not_the_day_after(app, world):
    made = _made(world.lead, expires_on=NOON.date() + timedelta(days=1))

    last_day = tokens.authenticate(db.session, made.secret, b"test key", NOON + timedelta(days=1))
    day_after = tokens.authenticate(db.session, made.secret, b"test key", NOON + timedelta(days=2))

    assert last_day is not None and last_day.id == made.token.id
    assert day_after is None


def test_a_token_is_known_only_under_its_own_key_and_whole(app, world):
    made = _made(world.lead)

    assert tokens.authenticate(db.session, made.secret, b"another key", NOON) is None
    other_last = "B" if made.secret.endswith("A") else "A"  # a different secret, whatever it was
    assert tokens.authenticate(db.session, made.secret[:-1] + other_last, b"test key", NOON) is None


def test_a_deactivated_persons_token_stops_working(app, world):
    made = _made(world.lead)
    world.lead.active = False
    db.session.commit()

    assert tokens.authenticate(db.session, made.secret, b"test key", NOON) is None


def test_its_last_use_is_written_at_most_once_a_minute(app, world):
    made = _made(world.lead)

    for seconds in (0, 30, 61):
        tokens.authenticate(db.session, made.secret, b"test key", NOON + timedelta(seconds=seconds))

    assert made.token.last_used_at == NOON + timedelta(seconds=61)
    tokens.authenticate(db.session, made.secret, b"test key", NOON + timedelta(seconds=90))
    assert made.token.last_used_at == NOON + timedelta(seconds=61)


def test_a_token_cannot_be_made_to_last_beyond_a_year_or_end_in_the_past(app, world):
    for expires_on in (NOON.date() + timedelta(days=366), NOON.date() - timedelta(days=1)):
        with pytest.raises(InputError) as refused:
            _made(world.lead, expires_on=expires_on)
        assert refused.value.field == "expires_on"
    db.session.rollback()
    assert db.session.scalar(select(ApiToken.id)) is None


def test_a_person_holds_at_most_ten_working_tokens(app, world):
    # Each token has its own request limit: many tokens would multiply it.
    made = [_made(world.lead, expires_on=NOON.date() + timedelta(days=1)) for _ in range(9)]
    _made(world.lead)  # its last day is today: it still works
    with pytest.raises(InputError) as refused:
        _made(world.lead)
    assert refused.value.field == "name"
    db.session.rollback()

    tokens.revoke(db.session, made[0].token, world.lead, NOON)
    db.session.commit()
    _made(world.lead)  # one revoked makes room
    later = NOON + timedelta(days=1)
    _made(world.lead, now=later, expires_on=later.date())  # today's has ended by tomorrow
    assert _made(world.admin).token.user_id == world.admin.id  # each person has their own
