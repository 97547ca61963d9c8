"""Throttles that count an attempt before it is checked, so parallel requests cannot pass the limit.

Each attempt adds one to its counter in one atomic step (an increment in the limiter's storage: a
locked counter in memory, INCRBY in Redis when RATELIMIT_STORAGE_URI names it), and the request is
refused with 429 when the count it got back is beyond the limit. Thirty requests at once get counts
1 to 30, so only as many as the limit go on to check a password or a code.

A use that succeeds may give its attempt back (a sign-in that worked, an invitation that opened), so
a practice of thirty behind one address can all sign in, while failures still add up. Limits are
fixed windows, as flask-limiter's were: "5 per 15 minutes" allows five from the first attempt until
fifteen minutes later.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from flask import abort, current_app, request
from limits import RateLimitItem, parse

from psirf.extensions import limiter

# Tests that share a Redis name their own counters; it is not a setting to change.
NAMESPACE_SETTING = "THROTTLE_NAMESPACE"

# One call into the storage at a time in this process. The memory storage checks its expiry timer
# with Thread.is_alive on every call, which is not safe from two threads at once on Python 3.11
# (parallel sign-ins on a threaded server failed with "release unlocked lock"). Redis needs no
# lock; the calls are few and short, so one lock for both keeps this simple.
_STORAGE = threading.Lock()


def _incr(key: str, expiry: int, amount: int = 1) -> int:
    with _STORAGE:
        return limiter.storage.incr(key, expiry, amount=amount)


@dataclass(frozen=True)
class Counted:
    """One attempt, counted; `give_back` takes it off again."""

    key: str
    item: RateLimitItem

    def give_back(self) -> None:
        # If the window ended meanwhile this starts the next one at -1: one more attempt then, at most.
        _incr(self.key, self.item.get_expiry(), amount=-1)


def client_address() -> str:
    """The client's address: the peer's, or from X-Forwarded-For through TRUSTED_PROXIES (ProxyFix)."""
    return request.remote_addr or "unknown"


def count(name: str, setting: str, who: str) -> Counted:
    """Count one attempt at `name` by `who` against the limit in the setting named; 429 beyond it."""
    item = parse(current_app.config[setting])
    if len(who) > 64:  # what a person typed (an email address) keys some counters: keep keys short
        who = hashlib.sha256(who.encode()).hexdigest()
    key = item.key_for(current_app.config.get(NAMESPACE_SETTING, "psirf"), name, who)
    if _incr(key, item.get_expiry()) > item.amount:
        abort(429)
    return Counted(key, item)


def count_address(name: str, setting: str) -> Counted:
    return count(name, setting, client_address())
