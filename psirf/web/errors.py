"""The error pages: every problem the service answers with, in the NHS.UK layout and plain English.

A page about a broken database must not need the database: it is drawn for a visitor who is not
signed in (the header then asks nothing of the person's account), and if even that fails, a short
page of its own says the same words.
"""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from psirf import policy
from psirf.extensions import db

PAGES = {
    400: ("There is a problem with what was sent", "Go back, check what you typed and try again."),
    403: ("You cannot do that", "You do not have permission to do that."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("That cannot be done here", "Go back and use the buttons on the page."),
    409: (
        "Someone else changed this first",
        "Someone else changed this at the same moment as you. Nothing you sent was saved. "
        "Go back, reload the page to see their change, then try again.",
    ),
    413: (
        "What you sent is too large",
        "Nothing was saved. Go back, make what you typed shorter, then try again.",
    ),
    429: ("Too many attempts", "You have tried too many times. Wait 15 minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    503: (
        "Sorry, the service is unavailable",
        "Nothing you sent was saved. Try again in a few minutes.",
    ),
}

# A database that does not answer (down, unreachable, out of connections), not a mistake in a query.
OUTAGE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def page(status: int, title: str | None = None, message: str | None = None):
    title, message = title or PAGES[status][0], message or PAGES[status][1]
    try:
        return render_template(
            "web/error.html", title=title, message=message, status=status
        ), status
    except Exception:  # the page's header reads the person's account, which may be what failed
        current_app.logger.exception(
            "The %s page could not be drawn for the signed-in person", status
        )
        return degraded_page(status, title, message)


def degraded_page(status: int, title: str | None = None, message: str | None = None):
    """The page as a visitor who is not signed in sees it: it reads nothing from the database."""
    title, message = title or PAGES[status][0], message or PAGES[status][1]
    g._login_user = current_app.login_manager.anonymous_user()
    try:
        return render_template(
            "web/error.html", title=title, message=message, status=status
        ), status
    except Exception:
        current_app.logger.exception("The %s page could not be drawn at all", status)
        html = (
            f"<!DOCTYPE html><html lang='en'><title>{escape(title)} - NHS</title>"
            f"<h1>{escape(title)}</h1><p>{escape(message)}</p></html>"
        )
        return html, status, {"Content-Type": "text/html; charset=utf-8"}


def _rolled_back() -> None:
    """Leave the session usable for the page (a failed flush leaves it needing a rollback)."""
    try:
        db.session.rollback()
    except Exception:  # the connection itself is gone; the page asks nothing of it
        pass


def database_unavailable(error):
    current_app.logger.error("The database did not answer: %s", type(error).__name__)
    _rolled_back()
    if request.endpoint == "web.healthz":
        return jsonify(status="unavailable", database="unavailable"), 503
    return degraded_page(503)


def server_error(_error):
    _rolled_back()
    return page(500)


def register_error_pages(app: Flask) -> None:
    for status in (400, 404, 405, 413, 429):
        app.register_error_handler(status, lambda _error, status=status: page(status))
    app.register_error_handler(500, server_error)
    app.register_error_handler(policy.NotVisible, lambda _error: page(404))
    for outage in OUTAGE:
        app.register_error_handler(outage, database_unavailable)

    @app.errorhandler(policy.NotPermitted)
    @app.errorhandler(403)
    def forbidden(error):
        return page(403, message=str(error) if isinstance(error, policy.NotPermitted) else None)

    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        return page(400, "Your form expired", "Go back, reload the page and try again.")
