"""Good care is first-class learning: its lead shares it through the same strip, check and confirm."""

from sqlalchemy import func, select

from psirf.library.models import LibraryEntry
from tests.support.factories import SafetyEventFactory
from tests.support.library import NHS_NUMBER, field_value, good_care_event, share_form, textarea


def test_a_good_care_record_is_shared_with_its_description_stripped_of_identifiers(
    session, sign_in, world
):
    event = good_care_event(world.practice)
    lead = sign_in(world.lead)
    url = f"/library/share/events/{event.id}"

    page = lead.get(url).get_data(as_text=True)
    assert field_value(page, "title") == "Good care: Referral and follow-up"
    assert textarea(page, "summary") == event.description
    checked = lead.post(
        url,
        data=share_form(field_value(page, "title"), textarea(page, "summary"), ["icb"], "preview"),
    )
    text = checked.get_data(as_text=True)
    assert textarea(text, "summary").startswith(
        "[name] phoned [name] (NHS number [NHS number]) the same day"
    )
    assert "We removed 1 NHS number and 2 names." in text
    published = lead.post(
        url,
        data=share_form(
            field_value(text, "title"),
            textarea(text, "summary"),
            ["icb"],
            "publish",
            confirmed=True,
        ),
    )

    entry = session.scalars(select(LibraryEntry)).one()
    assert published.status_code == 302 and published.headers["Location"].endswith(
        f"/library/{entry.id}"
    )
    assert (entry.kind, entry.event_id, entry.method, entry.theme) == (
        "good_care",
        event.id,
        None,
        "referral",
    )
    assert (entry.learned_on, entry.audience_icb_id, entry.audience_group_id) == (
        event.occurred_on,
        world.icb.id,
        None,
    )
    assert (
        NHS_NUMBER not in entry.summary
        and "Okafor" not in entry.summary
        and "Jones" not in entry.summary
    )
    shown = sign_in(world.other_lead).get(f"/library/{entry.id}").get_data(as_text=True)
    assert "Learning from good care" in shown and "Safety actions and their outcomes" not in shown


def test_the_event_page_offers_sharing_good_care_to_its_lead_until_it_is_shared(
    session, sign_in, world
):
    event = good_care_event(world.practice)
    lead = sign_in(world.lead)

    assert "Share this good care in the learning library" in lead.get(
        f"/events/{event.id}"
    ).get_data(as_text=True)
    assert "Share this good care" not in sign_in(world.panel).get(f"/events/{event.id}").get_data(
        as_text=True
    )
    page = lead.get(f"/library/share/events/{event.id}").get_data(as_text=True)
    checked = lead.post(
        f"/library/share/events/{event.id}",
        data=share_form(
            field_value(page, "title"),
            textarea(page, "summary"),
            [f"group-{world.pcn.id}"],
            "preview",
        ),
    ).get_data(as_text=True)
    lead.post(
        f"/library/share/events/{event.id}",
        data=share_form(
            field_value(checked, "title"),
            textarea(checked, "summary"),
            [f"group-{world.pcn.id}"],
            "publish",
            confirmed=True,
        ),
    )
    entry = session.scalars(select(LibraryEntry)).one()

    after = lead.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Share this good care in the learning library" not in after
    assert f'href="/library/{entry.id}"' in after
    assert lead.get(f"/library/share/events/{event.id}").status_code == 302


def test_an_event_that_is_not_good_care_cannot_be_shared_this_way(session, sign_in, world):
    incident = SafetyEventFactory(organisation=world.practice, record_type="incident")
    lead = sign_in(world.lead)

    assert lead.get(f"/library/share/events/{incident.id}").status_code == 404
    assert (
        lead.post(
            f"/library/share/events/{incident.id}",
            data=share_form("t", "s", ["icb"], "publish", confirmed=True),
        ).status_code
        == 404
    )
    assert "Share this good care" not in lead.get(f"/events/{incident.id}").get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(LibraryEntry)) == 0


def test_only_the_organisations_patient_safety_lead_shares_its_good_care(sign_in, world):
    url = f"/library/share/events/{good_care_event(world.practice).id}"

    for person in (world.panel, world.icb_quality, world.icb_specialist):
        assert sign_in(person).get(url).status_code == 403
    for person in (
        world.other_lead,
        world.other_panel,
        world.outsider_icb_quality,
        world.reporter,
        world.admin,
    ):
        assert sign_in(person).get(url).status_code == 404
    assert sign_in(world.lead).get("/library/share/events/999999").status_code == 404
