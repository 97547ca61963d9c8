"""The notifications page, the header's unread count, and the development outbox."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import g
from flask_login import login_user
from sqlalchemy import select

from psirf.accounts.models import AccountKind
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.notifications.models import Notification, NotificationKind, OutboxMessage
from psirf.notifications.queue import unread_notifications
from psirf.notifications.services import notify, send_email
from tests.support.factories import UserFactory
from tests.support.queries import counting_queries

START = datetime(2026, 3, 23, 9, 0)


def note(user, title, minutes=0, read=False, link=None, body=None) -> Notification:
    notification = Notification(
        user_id=user.id,
        kind=NotificationKind.STEP_DUE.value,
        title=title,
        body=body,
        link=link,
        created_at=START + timedelta(minutes=minutes),
        read_at=START if read else None,
    )
    db.session.add(notification)
    db.session.commit()
    return notification


def read_at(notification_id):
    db.session.expire_all()
    return db.session.get(Notification, notification_id).read_at


def test_the_list_shows_ones_own_notifications_newest_first_with_the_unread_marked(world, sign_in):
    note(
        world.lead,
        "LR-2026-000001 is due on 30 March 2026",
        minutes=1,
        read=True,
        body="This after action review is due soon.",
    )
    note(world.lead, "LR-2026-000002 is overdue", minutes=2)
    note(world.lead, "LR-2026-000003 is overdue", minutes=3)
    note(world.other_lead, "Someone else's reminder", minutes=4)
    page = sign_in(world.lead).get("/notifications").get_data(as_text=True)
    assert (
        page.index("LR-2026-000003") < page.index("LR-2026-000002") < page.index("LR-2026-000001")
    )
    assert "Someone else" not in page
    assert len(re.findall(r">\s*Unread\s*<", page)) == 2
    assert "This after action review is due soon." in page
    assert "You have 2 unread notifications." in page
    assert "Notifications (2 unread)" in page  # the header, on every page


def test_the_header_shows_no_count_when_everything_is_read(world, sign_in):
    note(world.lead, "LR-2026-000001 is due", read=True)
    page = sign_in(world.lead).get("/notifications").get_data(as_text=True)
    assert ">Notifications<" in page and "unread)" not in page


def test_the_list_is_paged(app, world, sign_in):
    app.config["PAGE_SIZE"] = 2
    for n in range(5):
        note(world.lead, f"Reminder number {n}", minutes=n)
    client = sign_in(world.lead)
    first = client.get("/notifications").get_data(as_text=True)
    assert (
        "Reminder number 4" in first
        and "Reminder number 3" in first
        and "Reminder number 2" not in first
    )
    next_url = re.search(
        r'<a href="(/notifications\?after=[^"]+)">Older notifications</a>', first
    ).group(1)
    second = client.get(next_url.replace("&amp;", "&")).get_data(as_text=True)
    assert (
        "Reminder number 2" in second
        and "Reminder number 1" in second
        and "Reminder number 4" not in second
    )
    assert "Newest notifications" in second


def test_opening_a_notification_marks_it_read_and_goes_where_it_points(world, sign_in):
    opened = note(world.lead, "LR-2026-000001 is overdue", link="/responses/1#candour")
    other = note(world.lead, "LR-2026-000002 is overdue")
    response = sign_in(world.lead).post("/notifications/open", data={"notification_id": opened.id})
    assert response.status_code == 302 and response.headers["Location"] == "/responses/1#candour"
    assert read_at(opened.id) is not None and read_at(other.id) is None


def test_marking_one_without_a_link_read_returns_to_the_list(world, sign_in):
    plain = note(world.lead, "A notice")
    response = sign_in(world.lead).post("/notifications/open", data={"notification_id": plain.id})
    assert response.headers["Location"] == "/notifications" and read_at(plain.id) is not None


def test_someone_elses_notification_cannot_be_opened(world, sign_in):
    theirs = note(world.other_lead, "LR-2026-000001 is overdue", link="/responses/1")
    assert (
        sign_in(world.lead)
        .post("/notifications/open", data={"notification_id": theirs.id})
        .status_code
        == 404
    )
    assert read_at(theirs.id) is None


def test_opening_never_redirects_off_the_site(world, sign_in):
    odd = note(world.lead, "A notice", link="//evil.example/phish")
    response = sign_in(world.lead).post("/notifications/open", data={"notification_id": odd.id})
    assert response.headers["Location"] == "/notifications"


def test_a_form_without_a_notification_is_a_bad_request(world, sign_in):
    assert sign_in(world.lead).post("/notifications/open", data={}).status_code == 400


def test_marking_all_read_marks_only_ones_own(world, sign_in):
    mine = [note(world.lead, f"Mine {n}") for n in range(3)]
    theirs = note(world.other_lead, "Theirs")
    client = sign_in(world.lead)
    response = client.post("/notifications/read-all")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    assert all(read_at(n.id) is not None for n in mine) and read_at(theirs.id) is None
    page = client.get("/notifications").get_data(as_text=True)
    assert "All your notifications are marked as read." in page and "unread)" not in page


def test_the_forms_need_the_csrf_token(app, world, sign_in):
    mine = note(world.lead, "Mine")
    client = sign_in(world.lead)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/notifications/open", data={"notification_id": mine.id}).status_code == 400
    assert client.post("/notifications/read-all").status_code == 400
    assert read_at(mine.id) is None


def test_a_family_account_has_notifications_too(world, sign_in, session):
    family = UserFactory(kind=AccountKind.FAMILY.value, email="jo@example.org")
    with unit_of_work(session):
        notify(
            session,
            family,
            NotificationKind.ANSWER,
            "Your question has been answered",
            link="/notifications",
        )
    page = sign_in(family).get("/notifications").get_data(as_text=True)
    assert "Your question has been answered" in page and "Notifications (1 unread)" in page


# ---- the development outbox ---------------------------------------------------------------------


def test_an_administrator_sees_the_emails_written_newest_first(world, sign_in, session):
    with unit_of_work(session):
        send_email(
            session,
            to_address="first@example.org",
            subject="First email",
            body="Hello.\n\nThe first.",
            kind=NotificationKind.INVITATION,
        )
        send_email(
            session,
            to_address="second@example.org",
            subject="Second email",
            body="The second.",
            kind=NotificationKind.INVITATION,
        )
    message = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    message.status, message.last_error, message.attempts = (
        "failed",
        "Interrupted while sending: it may have been sent.",
        2,
    )
    session.commit()
    page = sign_in(world.admin).get("/outbox").get_data(as_text=True)
    assert page.index("Second email") < page.index("First email")
    for text in (
        "second@example.org",
        "<p>Hello.</p><p>The first.</p>",
        "Waiting to be sent",
        "Failed",
        "Interrupted while sending",
        "2 attempts",
    ):
        assert text in page


def test_the_outbox_is_for_administrators_only(world, sign_in):
    for person in (world.lead, world.reporter, world.icb_quality):
        assert sign_in(person).get("/outbox").status_code == 403


def test_with_an_email_server_the_outbox_does_not_exist(app, world, sign_in):
    app.config["MAIL_SERVER"] = "smtp.example.org"
    assert sign_in(world.admin).get("/outbox").status_code == 404


def test_the_notifications_page_points_administrators_to_the_outbox_in_development(
    app, world, sign_in
):
    assert "development outbox" in sign_in(world.admin).get("/notifications").get_data(as_text=True)
    assert "development outbox" not in sign_in(world.lead).get("/notifications").get_data(
        as_text=True
    )
    app.config["MAIL_SERVER"] = "smtp.example.org"
    assert "development outbox" not in sign_in(world.admin).get("/notifications").get_data(
        as_text=True
    )


def test_the_header_count_is_read_in_the_request_not_by_the_template(app, world):
    """Pages get a number to show; no template global is left that queries when called."""
    note(world.lead, "One to read")
    with app.test_request_context():
        signed_out: dict = {}
        app.update_template_context(signed_out)
        login_user(world.lead)
        signed_in: dict = {}
        app.update_template_context(signed_in)
    assert signed_out["unread_notifications"] is None
    assert signed_in["unread_notifications"] == 1
    assert "unread_notifications" not in app.jinja_env.globals


def test_the_header_count_is_read_with_the_sign_in_in_one_statement(world, sign_in):
    """Every page reads the person, their roles and the count at once (issue 16)."""
    note(world.lead, "One to read")
    client = sign_in(world.lead)
    with counting_queries() as statements:
        page = client.get("/account/password").get_data(as_text=True)
    assert "Notifications (1 unread)" in page
    counted = [s for s in statements if "FROM notifications" in s]
    assert counted == [statements[0]] and "FROM user_sessions" in statements[0]


def test_a_commit_later_in_the_request_forgets_the_count_read_with_the_sign_in(app, world):
    """The request's own change may have changed the count: the header reads it again."""
    note(world.lead, "One to read")
    with app.test_request_context():
        login_user(world.lead)
        g.unread_notifications = 7  # as read with the sign-in
        assert unread_notifications() == 7
        note(world.lead, "Another")  # commits
        assert "unread_notifications" not in g
        assert unread_notifications() == 2
