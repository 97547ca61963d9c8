"""Password hashing with Argon2id, at the cost the app's PASSWORD_HASH_COST setting names.

Production keeps Argon2's recommended cost (psirf/config.py); the test suite asks for the lowest,
as every sign-in there would otherwise pay the full cost. Outside an app (a script) the cost comes
from the environment as the app's setting would.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from psirf import config as settings

MIN_LENGTH = 12


@lru_cache(maxsize=4)
def _hashing(time_cost: int, memory_cost: int, parallelism: int) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    # Verifying against this when no account matches keeps the timing the same either way.
    return hasher, hasher.hash("not-a-real-password")


def _current() -> tuple[PasswordHasher, str]:
    cost = current_app.config.get("PASSWORD_HASH_COST") if has_app_context() else None
    return _hashing(**(cost or settings.password_hash_cost()))


def hash_password(password: str) -> str:
    return _current()[0].hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    hasher, dummy = _current()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _current()[0].check_needs_rehash(password_hash)
