"""Calling the JSON API in tests: a token for a person, made through the real service, and the
header that carries it."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from psirf.accounts import tokens
from psirf.accounts.models import TokenScope
from psirf.extensions import db
from psirf.timeutil import utcnow


def new_token(
    user, scope: str = TokenScope.WRITE.value, expires_on: date | None = None, now=None
) -> tokens.NewToken:
    """A new token of `user`'s, committed, in the running app."""
    now = now or utcnow()
    made = tokens.create(
        db.session,
        user,
        name="Test program",
        scope=scope,
        expires_on=expires_on or now.date() + timedelta(days=30),
        key=tokens.key_from(current_app.config),
        now=now,
    )
    db.session.commit()
    return made


def token_for(user, scope: str = TokenScope.WRITE.value, **kwargs) -> str:
    """The secret of a new token of `user`'s."""
    return new_token(user, scope, **kwargs).secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}
