"""Who is asking: the bearer token, never the session cookie.

The hook runs before every other request hook of the app (install puts it first), so for an API
request the signed-in person from a cookie is never loaded: `current_user` is the token's holder or
nobody. A request with a cookie and no token is refused like any other, which is also why the API
needs no CSRF token: a browser cannot be tricked into sending a bearer token.

Then, in order: a path that names no operation (404, 405), the token (401 with WWW-Authenticate;
429 once an address has sent API_TOKEN_LIMIT_PER_ADDRESS tokens that were not good, so tokens
cannot be guessed at speed: the attempt is counted before the token is checked, and given back
when it was good), its scope (a write with a read-only token, 403) and its rate (429, counted per
token).
"""

from __future__ import annotations

from flask import current_app, g, request
from limits import parse
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from psirf.accounts import tokens
from psirf.api import problems, registry
from psirf.extensions import db, login_manager
from psirf.timeutil import utcnow
from psirf.web import throttle

PREFIX = "/api/"
CHALLENGE = 'Bearer realm="psirf"'


def in_api() -> bool:
    return request.path.startswith(PREFIX)


def unauthenticated(detail: str, error: str | None = None):
    challenge = CHALLENGE + (f', error="{error}"' if error else "")
    return problems.problem(
        401, detail, kind="unauthenticated", headers={"WWW-Authenticate": challenge}
    )


def _presented() -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


def authenticate():
    """The app's first before-request hook; does nothing outside /api/."""
    if not in_api():
        return None
    # Nobody, until a token says otherwise: flask-login then never reads the cookie.
    g._login_user = login_manager.anonymous_user()
    if request.routing_exception is not None and not isinstance(
        request.routing_exception, RequestRedirect
    ):
        return problems.from_http(request.routing_exception)
    operation = registry.find(request.endpoint or "")
    if operation is None or operation.public:
        return None
    presented = _presented()
    if not presented:
        return unauthenticated("Send your API token: Authorization: Bearer <token>.")
    try:
        attempt = throttle.count_address("api-token", "API_TOKEN_LIMIT_PER_ADDRESS")
    except HTTPException:
        return _too_many(
            "API_TOKEN_LIMIT_PER_ADDRESS", "Too many tokens from this address were not good."
        )
    token = tokens.authenticate(
        db.session, presented, tokens.key_from(current_app.config), utcnow()
    )
    if db.session.dirty:  # its last use, at most once a minute
        db.session.commit()
    if token is None:
        return unauthenticated(
            "The token is not known, has expired or has been revoked.", "invalid_token"
        )
    attempt.give_back()  # a good token: only failures add up
    if operation.writes and not token.may_write:
        return problems.problem(
            403,
            "This token may only read. Make a token that may write.",
            kind="insufficient-scope",
            headers={"WWW-Authenticate": CHALLENGE + ', error="insufficient_scope"'},
        )
    try:
        throttle.count("api", "API_RATE_LIMIT", str(token.id))
    except HTTPException:
        return _too_many("API_RATE_LIMIT", "This token has made too many requests.")
    g._login_user = token.user
    g.api_token = token
    return None


def _too_many(setting: str, detail: str):
    # The window's length: the latest the count can start again (it may be sooner).
    window = parse(current_app.config[setting]).get_expiry()
    return problems.problem(
        429, f"{detail} Try again within {window} seconds.", headers={"Retry-After": str(window)}
    )
