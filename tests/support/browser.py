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
    page.get_by_label("Who owns this action?").fill(owner)
    if organisation:
        search_organisation(visitor, "What will change?", organisation.split()[0], organisation)
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


def search_organisation(visitor, field_in_form: str, search: str, organisation: str) -> None:
    """In the form holding `field_in_form`: search for an organisation, then choose it from the
    matches (the page comes back with the rest of the form as it was typed)."""
    page = visitor.page

    def form():
        return page.locator("form").filter(has=page.get_by_label(field_in_form, exact=True))

    form().get_by_label("Search for an organisation").fill(search)
    with page.expect_navigation():
        form().get_by_role("button", name="Search", exact=True).click()
    visitor.check()
    form().get_by_label(organisation, exact=True).check()


def choose_service(visitor, search: str, service: str) -> None:
    """On the service page: search, then pick the service from the results."""
    visitor.page.get_by_label("Search by name or ODS code").fill(search)
    visitor.submit("Search")
    visitor.page.get_by_label(service).check()
    visitor.submit("Continue")
