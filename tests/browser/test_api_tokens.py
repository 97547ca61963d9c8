"""Personal API tokens in the browser: a lead makes one, copies it from the one page that shows it,
finds it listed and revokes it; an administrator revokes someone else's; a lead reads the API's
documentation page."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from psirf.accounts import tokens
from psirf.accounts.models import User
from psirf.db import unit_of_work
from psirf.timeutil import utcnow
from tests.support.screens import assert_fits_the_screen, on_a_phone

pytestmark = pytest.mark.browser

LEAD = "lead@demo-icb.example.org"


def api_status(base_url: str, secret: str) -> int:
    """What the API answers a program that sends the token (and no cookie)."""
    request = urllib.request.Request(
        f"{base_url}/api/v1/events", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def token_row(page, name: str):
    return page.locator("main tbody tr").filter(has_text=name)


def test_a_lead_makes_a_token_copies_it_once_sees_it_listed_and_revokes_it(visitor):
    page = visitor.page
    name = f"Practice dashboard {uuid.uuid4().hex[:6]}"
    on_a_phone(page)
    visitor.sign_in(LEAD)
    visitor.follow("Change password")
    visitor.follow("manage your API tokens")
    assert page.get_by_role("heading", level=1).inner_text() == "API tokens"

    # A token with no name is refused: the error summary takes the focus and links to the field.
    page.get_by_label("Read and write", exact=True).check()
    visitor.submit("Make the token", status=400)
    assert page.get_by_label("Read and write", exact=True).is_checked()  # kept as chosen
    summary = page.locator(".nhsuk-error-summary")
    assert "Enter a name for the token" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('nhsuk-error-summary')")
    summary.get_by_role("link", name="Enter a name for the token").click()
    assert page.evaluate("document.activeElement.id") == "name"

    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Read only", exact=True).check()
    visitor.submit("Make the token", status=200)  # after the redirect: Post/Redirect/Get
    assert page.get_by_role("heading", level=1).inner_text() == "Your new API token"
    secret = page.locator("#token").inner_text().strip()
    assert secret.startswith("psirf_") and name in visitor.text
    assert_fits_the_screen(page)  # the token breaks across lines rather than run off the screen
    assert api_status(visitor.base_url, secret) == 200

    # Reloaded, the page makes no second token and shows the secret no more: the list, saying so.
    page.reload()
    visitor.check()
    assert page.get_by_role("heading", level=1).inner_text() == "API tokens"
    assert "was shown once" in visitor.text and secret not in page.content()
    row = token_row(page, name)
    assert row.count() == 1
    assert secret[:14] in row.inner_text() and "Read only" in row.inner_text()
    assert_fits_the_screen(page)
    assert secret not in page.content()  # shown once, on the page that made it, and never again

    visitor.submit(f"Revoke the token {name}")
    assert "The token is revoked: it no longer works." in visitor.text
    assert "Revoked on" in token_row(page, name).inner_text()
    assert token_row(page, name).get_by_role("button").count() == 0
    assert api_status(visitor.base_url, secret) == 401


def test_an_administrator_revokes_a_token_held_by_someone_in_their_icb(visitor, live_db, live_app):
    name = f"Southfields reports {uuid.uuid4().hex[:6]}"
    with live_db() as session:
        with unit_of_work(session):
            holder = session.scalar(select(User).where(User.email == "lead2@demo-icb.example.org"))
            secret = tokens.create(
                session,
                holder,
                name=name,
                scope="read",
                expires_on=utcnow().date() + timedelta(days=30),
                key=tokens.key_from(live_app.config),
                now=utcnow(),
            ).secret
    page = visitor.page

    visitor.sign_in("admin@demo-icb.example.org")
    visitor.follow("Accounts")
    visitor.follow("API tokens held in your integrated care board")
    row = token_row(page, name)
    assert "Lou Lead" in row.inner_text() and "Works until" in row.inner_text()
    on_a_phone(page)
    assert_fits_the_screen(page)

    visitor.submit(f"Revoke the token {name}")
    assert f"Lou Lead's token {secret[6:14]} is revoked." in visitor.text
    assert "Revoked on" in token_row(page, name).inner_text()
    assert api_status(visitor.base_url, secret) == 401


def test_a_lead_reads_the_api_documentation_from_their_tokens_page(visitor):
    page = visitor.page
    on_a_phone(page)
    visitor.sign_in(LEAD)
    visitor.goto("/account/tokens")
    visitor.follow("JSON API")
    assert page.url.endswith("/developers/api")
    assert_fits_the_screen(page)
    operations = page.locator("main ul.nhsuk-list a")
    assert operations.count() > 0
    # Each operation listed links to its own card on the page, headed with the same words.
    first = operations.first
    card = page.locator(first.get_attribute("href"))
    assert card.locator("h3").inner_text().strip() == first.inner_text().split(":")[0]
    document = page.get_by_role("link", name=re.compile(r"^OpenAPI [\d.]+ document$"))
    assert document.get_attribute("href").endswith(".json")
