"""A lead reads and opens their notifications; an administrator reads the development outbox."""

import re
import uuid

import pytest
from sqlalchemy import select

from psirf.accounts.models import User
from psirf.db import unit_of_work
from psirf.notifications.models import NotificationKind
from psirf.notifications.services import notify

pytestmark = pytest.mark.browser


def notify_lead(live_db, title: str, link: str | None = None) -> None:
    with live_db() as session:
        with unit_of_work(session):
            lead = session.scalar(select(User).where(User.email == "lead@demo-icb.example.org"))
            notify(
                session,
                lead,
                NotificationKind.STEP_OVERDUE,
                title,
                body="Close it, or agree an extension.",
                link=link,
            )


def test_a_lead_opens_a_notification_and_marks_the_rest_read(visitor, live_db):
    tag = uuid.uuid4().hex[:6]
    opened, other = f"LR-{tag}-1 is overdue", f"LR-{tag}-2 is overdue"
    notify_lead(live_db, opened, link="/events/mine")
    notify_lead(live_db, other)

    visitor.sign_in("lead@demo-icb.example.org")
    header = visitor.page.locator("header").inner_text()
    assert re.search(r"Notifications \(\d+ unread\)", header)
    visitor.follow("Notifications")
    assert visitor.page.url.endswith("/notifications")
    assert visitor.text.index(other) < visitor.text.index(opened)  # newest first

    visitor.submit(f"Open: {opened}")
    assert visitor.page.url.endswith("/events/mine")

    visitor.goto("/notifications")
    card = visitor.page.locator(".nhsuk-card", has_text=opened)
    assert "Unread" not in card.inner_text()
    assert "Unread" in visitor.page.locator(".nhsuk-card", has_text=other).inner_text()

    visitor.submit("Mark all as read")
    assert "All your notifications are marked as read." in visitor.text
    assert "Unread" not in visitor.text
    assert not re.search(r"\(\d+ unread\)", visitor.page.locator("header").inner_text())

    # The outbox is not the lead's to read.
    visitor.goto("/outbox", status=403)


def test_an_administrator_reads_the_emails_kept_in_the_development_outbox(visitor, live_db):
    subject = f"LR-{uuid.uuid4().hex[:6]} is overdue"
    notify_lead(live_db, subject, link="/responses/1")

    visitor.sign_in("admin@demo-icb.example.org")
    visitor.goto("/notifications")
    visitor.follow("development outbox")
    assert visitor.page.url.endswith("/outbox")
    row = visitor.page.locator("tr", has_text=subject)
    assert "lead@demo-icb.example.org" in row.inner_text()
    row.locator("summary").click()  # the email opens in place
    assert "Close it, or agree an extension." in row.inner_text()
    visitor.check()
