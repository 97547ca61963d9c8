"""A person's notifications, and the development outbox: a thin blueprint over the services.

Every signed-in person has notifications, family accounts included. The outbox shows the emails
the service has written when no SMTP server is configured; with one, real email is in use and the
page does not exist (404), so it never becomes a second inbox of other people's mail.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.db import unit_of_work
from psirf.notifications.delivery import email_text
from psirf.extensions import db
from psirf.notifications import services
from psirf.notifications.queue import unread_notifications
from psirf.web.inputs import record_id
from psirf.web.loading import found

bp = Blueprint("notifications", __name__)


def outbox_available() -> bool:
    return not current_app.config.get("MAIL_SERVER")


def _safe_link(link: str | None) -> str | None:
    # Links are paths inside the app; anything else would make this an open redirect.
    if link and link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return None


@bp.get("/notifications")
@login_required
def index():
    page = services.notifications_for(
        db.session, current_user.id, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    next_url = url_for("notifications.index", after=page.next_cursor) if page.next_cursor else None
    return render_template(
        "notifications/index.html",
        page=page,
        unread=unread_notifications(),
        next_url=next_url,
        show_outbox_link=outbox_available() and policy.may_see_outbox(current_user),
    )


@bp.post("/notifications/open")
@login_required
def open_one():
    """Mark one read, then go where it points (or back to the list)."""
    notification_id = request.form.get("notification_id", type=record_id)
    if notification_id is None:
        abort(400)
    with unit_of_work(db.session):
        # Someone else's notification, or none, is not found: nothing is marked.
        notification = found(services.mark_read(db.session, current_user.id, notification_id))
        link = _safe_link(notification.link)
    return redirect(link or url_for("notifications.index"))


@bp.post("/notifications/read-all")
@login_required
def read_all():
    with unit_of_work(db.session):
        count = services.mark_all_read(db.session, current_user.id)
    flash(
        "All your notifications are marked as read."
        if count
        else "You had no unread notifications.",
        "info",
    )
    return redirect(url_for("notifications.index"))


@bp.get("/outbox")
@login_required
def outbox():
    if not outbox_available():
        abort(404)
    policy.require_outbox_viewer(current_user)
    page = services.outbox_page(
        db.session, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    next_url = url_for("notifications.outbox", after=page.next_cursor) if page.next_cursor else None
    return render_template(
        "notifications/outbox.html",
        page=page,
        next_url=next_url,
        email_text=lambda m: email_text(m.body, m.link, current_app.config["PUBLIC_BASE_URL"]),
    )
