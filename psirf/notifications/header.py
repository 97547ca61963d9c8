"""The header's unread count, read with the sign-in: every page shows it, so it costs no
statement of its own (issue 16). psirf.notifications.queue.unread_notifications gives it to pages.

Apart from the queue module, so the user loader (psirf.accounts.views) imports no notifications
page along with it.
"""

from __future__ import annotations

from flask import g, has_app_context

from psirf.notifications import services


def count_with_sign_in(user_id) -> list:
    """What the sign-in's own statement reads for the header (the user loader passes these to
    psirf.accounts.sessions.resume_statement): the unread count."""
    return [services.unread_count_of(user_id)]


def counted_with_sign_in(values: tuple) -> None:
    """Keep the count read with the sign-in for this request's header. A commit later in the
    request may have changed it, so each commit forgets it (`recount_after_commit`)."""
    if values:
        g.unread_notifications = values[0]


def recount_after_commit(session) -> None:
    """After a commit the header reads the count again (the session's after_commit listener)."""
    if has_app_context():
        g.pop("unread_notifications", None)
