"""The library: only what was shared with you, searched and filtered, each entry with its safety
actions and whether they worked, their texts stripped of identifiers as they are shown."""

from datetime import date, timedelta
from html import unescape

import pytest

from psirf.accounts.models import Role
from tests.support.engagement import family_account
from tests.support.factories import SafetyActionFactory, UserFactory
from tests.support.library import NHS_NUMBER, PATIENT, closed_aar, entry
from tests.support.queries import queries_for


def titles(client, **args) -> str:
    response = client.get("/library", query_string=args)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def shelf(world):
    """Four entries from Riverside, shared with North PCN, differing in one way each."""
    today = date.today()
    return {
        "warfarin": entry(
            world.practice,
            world.lead,
            title="Warfarin doses after discharge",
            theme="medication",
            learned_on=today - timedelta(days=20),
        ),
        "referral": entry(
            world.practice,
            world.lead,
            title="Urgent referrals rejected",
            theme="referral",
            method="psii",
            summary="The REFERRAL form changed without notice",
            learned_on=today - timedelta(days=300),
        ),
        "good_care": entry(
            world.practice,
            world.lead,
            kind="good_care",
            method=None,
            title="Good care: a same-day call back",
            theme="access",
            learned_on=today - timedelta(days=100),
        ),
        "pharmacy": entry(
            world.practice,
            world.lead,
            title="Look-alike inhalers",
            service_kind="pharmacy",
            learned_on=today - timedelta(days=500),
        ),
    }


def shown(page: str, shelf: dict) -> set[str]:
    return {key for key, e in shelf.items() if e.title in page}


@pytest.mark.parametrize(
    "args, expected",
    [
        ({}, {"warfarin", "referral", "good_care", "pharmacy"}),
        ({"theme": "referral"}, {"referral"}),
        ({"method": "psii"}, {"referral"}),
        ({"method": "good_care"}, {"good_care"}),
        ({"service": "pharmacy"}, {"pharmacy"}),
        ({"period": "6"}, {"warfarin", "good_care"}),
        ({"period": "12"}, {"warfarin", "good_care", "referral"}),
        ({"q": "referral form"}, {"referral"}),  # the summary, whatever its case
        ({"q": "WARFARIN"}, {"warfarin"}),
        ({"q": "100%"}, set()),  # a LIKE wildcard typed in is searched for, not obeyed
        ({"theme": "not-a-theme"}, {"warfarin", "referral", "good_care", "pharmacy"}),
    ],
)
def test_the_filters_narrow_the_library(sign_in, world, shelf, args, expected):
    assert shown(titles(sign_in(world.panel), **args), shelf) == expected


def test_the_filters_keep_their_values(sign_in, world, shelf):
    page = titles(
        sign_in(world.lead),
        q="inhalers",
        theme="medication",
        method="after_action_review",
        service="pharmacy",
        period="24",
    )

    assert 'value="inhalers"' in page
    for value in ("medication", "after_action_review", "pharmacy", "24"):
        assert f'<option value="{value}" selected' in page
    assert "Clear filters" in page


def test_the_library_is_newest_first_a_page_at_a_time_and_the_pages_keep_the_filters(
    app, sign_in, world
):
    app.config["PAGE_SIZE"] = 2
    for n in range(5):
        entry(world.practice, world.lead, title=f"Lesson {n}")
    entry(world.practice, world.lead, title="About referral", theme="referral")
    client = sign_in(world.lead)

    first = titles(client, theme="medication")
    assert (
        "Lesson 4" in first
        and "Lesson 3" in first
        and "Lesson 2" not in first
        and "About referral" not in first
    )
    next_url = [line for line in first.split('"') if "after=" in line][0]
    assert "theme=medication" in next_url
    second = unescape(client.get(next_url).get_data(as_text=True))
    assert (
        "Lesson 2" in second
        and "Lesson 1" in second
        and "Lesson 4" not in second
        and "About referral" not in second
    )
    assert "Newest shared learning" in second


def test_a_list_row_shows_kind_method_theme_service_month_and_audience(sign_in, world, shelf):
    page = titles(sign_in(world.lead))

    assert "Good care" in page and "Learning response" in page
    assert "Patient safety incident investigation" in page and "Referral and follow-up" in page
    assert "Community pharmacy" in page and "General practice" in page
    assert shelf["warfarin"].learned_on.strftime("%B %Y") in page
    assert "North PCN" in page


def test_people_outside_the_audience_see_nothing_of_it(sign_in, world, shelf):
    warfarin = shelf["warfarin"]
    for person in (
        world.other_lead,
        world.other_panel,
        world.outsider_icb_quality,
        world.icb_quality,
    ):
        client = sign_in(person)
        assert shown(titles(client), shelf) == set()
        assert client.get(f"/library/{warfarin.id}").status_code == 404
    # Riverside's reporter reads its own organisation's shared learning.
    assert sign_in(world.reporter).get(f"/library/{warfarin.id}").status_code == 200


def test_shared_with_the_icb_everyone_in_it_reads_it_but_not_the_other_icb(sign_in, world):
    shared = entry(
        world.practice,
        world.lead,
        title="For the whole ICB",
        audience_group_id=None,
        audience_icb_id=world.icb.id,
    )

    for person in (world.other_lead, world.other_panel, world.icb_quality, world.panel):
        assert shared.title in titles(sign_in(person))
        assert sign_in(person).get(f"/library/{shared.id}").status_code == 200
    assert "Everyone in Test ICB" in titles(sign_in(world.other_lead))
    outsider = sign_in(world.outsider_icb_quality)
    assert (
        shared.title not in titles(outsider)
        and outsider.get(f"/library/{shared.id}").status_code == 404
    )


def test_family_accounts_never_reach_the_library(sign_in, world, shelf):
    family = sign_in(family_account())

    assert family.get("/library").status_code == 403
    assert family.get(f"/library/{shelf['warfarin'].id}").status_code == 404


def test_the_list_costs_the_same_queries_for_twenty_entries_as_for_two(sign_in, world):
    other = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, world.other_practice))
    client = sign_in(world.other_lead)

    def share_two():
        entry(
            world.practice, world.lead, audience_group_id=world.pcn.id, audience_icb_id=world.icb.id
        )
        entry(world.other_practice, other)

    share_two()
    few = queries_for(client, "/library")
    for _ in range(9):
        share_two()
    assert queries_for(client, "/library") == few


def test_an_entry_shows_its_actions_and_outcomes_with_identifiers_stripped_and_no_owner_names(
    session, sign_in, world
):
    aar = closed_aar(world.practice)
    owner = UserFactory(name="Dana Whitfield", role=(Role.REPORTER, world.practice))
    SafetyActionFactory(
        response=aar,
        description=f"Phone {PATIENT} on 07700 900123 when a warfarin dose changes",
        owner="Dana Whitfield",
        owner_user_id=owner.id,
        strength="stronger",
        measure_kind="outcome",
        measure=f"Doses changed without a call, checked monthly (first: NHS number {NHS_NUMBER})",
        state="reviewed",
        evidence="Call log kept by Dana since June",
        effect="worked",
        effect_notes="No missed calls in three months",
    )
    shared = entry(world.practice, world.lead, response_id=aar.id, title="Warfarin dose changes")

    page = unescape(sign_in(world.panel).get(f"/library/{shared.id}").get_data(as_text=True))

    assert "Phone [name] on [phone number] when a warfarin dose changes" in page
    assert (
        "(first: NHS number [NHS number])" in page and "Call log kept by [name] since June" in page
    )
    for identifier in (PATIENT, "Blackwood", NHS_NUMBER, "07700 900123", "Dana", "Whitfield"):
        assert identifier not in page
    assert "Stronger" in page and "Outcome" in page and "Reviewed" in page
    assert "It worked" in page and "No missed calls in three months" in page
    assert "Owned by" in page and "Riverside" in page


def test_an_entry_links_to_its_response_only_for_those_who_may_open_it(sign_in, world):
    aar = closed_aar(world.practice)
    shared = entry(world.practice, world.lead, response_id=aar.id, audience_icb_id=world.icb.id)
    link = f'href="/responses/{aar.id}"'

    assert link in sign_in(world.lead).get(f"/library/{shared.id}").get_data(as_text=True)
    assert link in sign_in(world.panel).get(f"/library/{shared.id}").get_data(as_text=True)
    other_page = sign_in(world.other_lead).get(f"/library/{shared.id}").get_data(as_text=True)
    assert link not in other_page and "Safety actions and their outcomes" in other_page


def test_learning_shared_with_one_pcn_is_later_shared_with_the_whole_icb_by_its_lead(
    session, sign_in, world
):
    from tests.support.library import entry as library_entry

    entry = library_entry(world.practice, world.lead)
    assert sign_in(world.other_lead).get(f"/library/{entry.id}").status_code == 404
    assert "Also share with everyone in the ICB" not in sign_in(world.panel).get(
        f"/library/{entry.id}"
    ).get_data(as_text=True)
    lead = sign_in(world.lead)
    assert "Also share with everyone in the ICB" in lead.get(f"/library/{entry.id}").get_data(
        as_text=True
    )
    assert lead.post(f"/library/{entry.id}/icb").status_code == 302

    assert sign_in(world.other_lead).get(f"/library/{entry.id}").status_code == 200
    assert "Also share with everyone in the ICB" not in lead.get(f"/library/{entry.id}").get_data(
        as_text=True
    )
    assert (
        lead.post(f"/library/{entry.id}/icb").status_code == 403
    )  # already there: nothing to widen
