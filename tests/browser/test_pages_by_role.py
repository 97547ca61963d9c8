"""Every page each role's navigation offers renders and passes axe, with its forms' error states."""

import re
from datetime import date

import pytest

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"PSE-\d{4}-\d{6}")
MEDICATION = "Medication (prescribing, dispensing, monitoring)"


def fill_date(page, legend: str, d: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(d.day))
    group.get_by_label("Month").fill(str(d.month))
    group.get_by_label("Year").fill(str(d.year))


def navigation(page) -> list[str]:
    links = page.locator("nav.nhsuk-header__navigation a")
    return [text.strip() for text in links.all_inner_texts()]


def open_from_navigation(visitor, item: str) -> None:
    """Click an item in the header's navigation, then check the page it leads to."""
    nav = visitor.page.locator("nav.nhsuk-header__navigation")
    link = nav.get_by_role("link", name=item, exact=True)
    if not link.is_visible():  # the header folds what does not fit into its "More" menu
        nav.locator("button.nhsuk-header__menu-toggle").click()
    with visitor.page.expect_navigation():
        link.click()
    visitor.check()


def table_row(page, containing: str) -> str:
    row = page.locator("main tbody tr").filter(has_text=containing)
    assert row.count() == 1, f"expected one row with {containing!r} on {page.url}"
    return row.inner_text()


def reference_in_panel(page) -> str:
    match = REFERENCE.search(page.locator(".nhsuk-panel").inner_text())
    assert match, "no reference in the confirmation panel"
    return match.group()


# ---- signed out ---------------------------------------------------------------------------


def test_signed_out_pages_show_accessibility_a_wrong_password_and_not_found(visitor):
    page = visitor.page
    visitor.goto("/")  # sends a signed-out visitor to the sign-in page
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    assert navigation(page) == []

    visitor.follow("Accessibility statement")
    assert page.get_by_role("heading", level=1).inner_text() == "Accessibility statement"

    visitor.sign_in("lead@demo-icb.example.org", password="not-the-password", status=400)
    assert "There is a problem" in visitor.text
    assert "Enter a correct email address and password" in visitor.text
    assert page.title().startswith("Error: ")
    assert page.get_by_label("Email address").input_value() == "lead@demo-icb.example.org"
    assert page.get_by_label("Password", exact=True).input_value() == ""  # never sent back

    visitor.goto("/no-such-page", status=404)
    assert "Page not found" in visitor.text


# ---- staff at a service -------------------------------------------------------------------


def test_lead_reports_an_event_and_finds_it_in_my_reports_and_the_filtered_triage_queue(visitor):
    page = visitor.page
    visitor.sign_in("lead@demo-icb.example.org")
    assert page.get_by_role("heading", level=1).inner_text() == "Triage queue"
    assert navigation(page) == [
        "Report an event",
        "My reports",
        "Triage",
        "Learning responses",
        "Safety actions",
        "Improvement plans",
        "PSIRF plans",
        "Learning library",
        "Learning bulletins",
        "Safety alerts",
    ]

    open_from_navigation(visitor, "Report an event")
    assert page.get_by_role("heading", level=1).inner_text() == "Report a patient safety event"
    page.get_by_label("Patient safety incident (including near misses)").check()
    fill_date(page, "When did it happen?", date.today())
    page.get_by_label("What happened?").fill(
        "Amoxicillin was dispensed to a patient with a recorded penicillin allergy."
    )
    page.get_by_label(MEDICATION).check()
    page.get_by_label("Moderate physical harm").check()
    page.get_by_label("Low psychological harm").check()
    visitor.submit("Submit report")
    assert "Report submitted" in visitor.text
    reference = reference_in_panel(page)

    open_from_navigation(visitor, "My reports")
    assert "Awaiting triage" in table_row(page, reference)

    open_from_navigation(visitor, "Triage")
    page.get_by_text("Filter the events").click()
    filters = page.locator("form.psirf-filters")
    assert filters.is_visible()
    visitor.check()  # the filters, expanded
    filters.get_by_label("Theme", exact=True).select_option(label=MEDICATION)
    filters.get_by_label("Physical harm", exact=True).select_option(label="Moderate physical harm")
    visitor.submit("Apply filters")
    assert "theme=medication" in page.url
    assert filters.is_visible()  # the filters stay open once applied
    assert filters.get_by_label("Theme", exact=True).input_value() == "medication"
    assert "Moderate physical harm" in table_row(page, reference)

    filters.get_by_label("Theme", exact=True).select_option(label="Safeguarding")
    visitor.submit("Apply filters")
    assert "No events match." in visitor.text

    open_from_navigation(visitor, "Learning responses")
    assert page.get_by_role("heading", level=1).inner_text() == "Learning responses"


def test_reporter_reports_good_care_and_sees_its_status_in_my_reports(visitor):
    page = visitor.page
    visitor.sign_in("reporter@demo-icb.example.org")
    assert page.get_by_role("heading", level=1).inner_text() == "My reports"
    assert navigation(page) == [
        "Report an event",
        "My reports",
        "Safety actions",
        "Learning library",
        "Learning bulletins",
    ]

    open_from_navigation(visitor, "Report an event")
    page.get_by_label("Good care", exact=True).check()
    fill_date(page, "When did it happen?", date.today())
    page.get_by_label("What happened?").fill(
        "The duty doctor spotted sepsis risk on a phone call and arranged a same-day review."
    )
    page.get_by_label("Diagnosis and assessment").check()
    visitor.submit("Submit report")
    assert "Report submitted" in visitor.text
    reference = reference_in_panel(page)

    open_from_navigation(visitor, "My reports")
    row = table_row(page, reference)
    assert "Diagnosis and assessment" in row
    assert "Awaiting triage" in row


# ---- oversight: the review panel and the ICB -----------------------------------------------


def test_review_panel_and_icb_roles_see_the_learning_responses_list(visitor):
    page = visitor.page
    for email in [
        "panel@demo-icb.example.org",
        "icb.quality@demo-icb.example.org",
        "icb.pss@demo-icb.example.org",
    ]:
        visitor.sign_in(email)
        icb = email.startswith("icb.")
        assert navigation(page) == ["Learning responses"] + (
            ["Overdue responses"] if icb else []
        ) + [
            "Dashboards",
            "Safety actions",
            "Improvement plans",
            "PSIRF plans",
            "Learning library",
            "Learning bulletins",
            "Safety alerts",
        ], email
        if icb:
            open_from_navigation(visitor, "Overdue responses")
            assert page.get_by_role("heading", level=1).inner_text() == "Overdue learning responses"
        open_from_navigation(visitor, "Dashboards")
        assert "dashboard" in page.get_by_role("heading", level=1).inner_text()
        open_from_navigation(visitor, "PSIRF plans")
        assert page.get_by_role("heading", level=1).inner_text() == "PSIRF plans"
        open_from_navigation(visitor, "Learning responses")
        assert page.get_by_role("heading", level=1).inner_text() == "Learning responses"
        visitor.follow("Closed")  # a step filter: the list, or its empty message, still renders
        assert "state=closed" in page.url
        visitor.sign_out()
        assert "You have signed out." in visitor.text


# ---- administrators ------------------------------------------------------------------------


def test_admin_adds_an_organisation_after_correcting_a_bad_ods_code(visitor):
    page = visitor.page
    visitor.sign_in("admin@demo-icb.example.org")
    assert page.get_by_role("heading", level=1).inner_text() == "Organisations"
    assert navigation(page) == [
        "Learning bulletins",
        "Organisations",
        "Accounts",
        "Safety alerts",
    ]

    visitor.follow("Add an organisation")
    page.get_by_label("Name", exact=True).fill("New Practice")
    page.get_by_label("Kind of organisation").select_option(label="General practice")
    page.get_by_label("ODS code").fill("89999")
    # Its groups are found by searching (a form sent as it is: it works without JavaScript).
    page.get_by_label("Search for an organisation").fill("north")
    visitor.submit("Search", status=200)
    assert page.get_by_label("Name", exact=True).input_value() == "New Practice"
    page.get_by_label("North PCN", exact=True).check()
    visitor.submit("Add organisation", status=400)
    assert "There is a problem" in visitor.text
    assert "Enter the ODS code of a general practice as a letter followed by 5" in visitor.text
    assert page.get_by_label("Name", exact=True).input_value() == "New Practice"
    assert page.get_by_label("North PCN", exact=True).is_checked()

    page.get_by_label("ODS code").fill("D89999")
    visitor.submit("Add organisation")
    assert "New Practice has been added." in visitor.text
    row = table_row(page, "D89999")
    assert "New Practice" in row
    assert "General practice" in row
    assert "North PCN" in row


def test_admin_sees_accounts_and_an_account_without_an_email_shows_the_error_summary(visitor):
    page = visitor.page
    visitor.sign_in("admin@demo-icb.example.org")
    open_from_navigation(visitor, "Accounts")
    assert "Reporter, Riverside Surgery" in table_row(page, "reporter@demo-icb.example.org")

    visitor.follow("Create an account")
    page.get_by_label("Full name").fill("Morgan Newcomer")
    page.get_by_label("Temporary password").fill("a-long-temporary-password")
    page.get_by_label("Role").select_option(label="Reporter")
    visitor.submit("Create account", status=400)
    assert "There is a problem" in visitor.text
    page.get_by_role("link", name="Enter an email address").click()  # moves focus to the field
    assert page.evaluate("document.activeElement.name") == "email"
    assert page.get_by_label("Full name").input_value() == "Morgan Newcomer"
    assert page.get_by_label("Role").input_value() == "reporter"
    page.get_by_role("link", name="Choose an organisation").click()  # lands on the search box
    assert page.evaluate("document.activeElement.name") == "organisation_query"

    page.get_by_label("Email address").fill("morgan@demo-icb.example.org")
    page.get_by_label("Temporary password").fill("a-long-temporary-password")
    page.get_by_label("Search for an organisation").fill("RIVERSIDE")
    visitor.submit("Search", status=200)
    assert page.get_by_label("Temporary password").input_value() == "a-long-temporary-password"
    page.get_by_label("Riverside Surgery (D81001)", exact=True).check()
    visitor.submit("Create account")
    assert "Account created for Morgan Newcomer." in visitor.text
