"""Writing a SMART safety action on a response page and agreeing it on its own page, as a lead does."""

from __future__ import annotations

from datetime import date


def fill_date(page, legend: str, d: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(d.day))
    group.get_by_label("Month").fill(str(d.month))
    group.get_by_label("Year").fill(str(d.year))


def add_agreed_action(
    visitor,
    response_url: str,
    *,
    description: str,
    owner: str,
    due: date,
    measure: str,
    strength: str = "Intermediate",
    measure_kind: str = "Process: is the change being done as planned?",
    organisation: str | None = None,
    owner_email: str | None = None,
) -> str:
    """Add the action on the response page, agree it on its own page, come back; returns the action's path."""
    page = visitor.page
    page.get_by_label("What will change?").fill(description)
    if organisation:
        page.get_by_label("Which organisation owns it?").select_option(label=organisation)
    page.get_by_label("Who owns this action?").fill(owner)
    if owner_email:
        page.get_by_label("If they have an account, their email address").fill(owner_email)
    fill_date(page, "When is it due?", due)
    page.get_by_label(measure_kind, exact=True).check()
    page.get_by_label("What will you measure, and how will you read it?").fill(measure)
    page.get_by_label(strength, exact=True).check()
    visitor.submit("Add the safety action")
    visitor.follow(description)
    path = "/" + page.url.split("/", 3)[3]
    visitor.submit("Agree the action")
    assert "Agreed and under way" in visitor.text
    visitor.goto(response_url)
    return path


def choose_service(visitor, search: str, service: str) -> None:
    """On the service page: search, then pick the service from the results."""
    visitor.page.get_by_label("Search by name or ODS code").fill(search)
    visitor.submit("Search")
    visitor.page.get_by_label(service).check()
    visitor.submit("Continue")
