"""A closed response's learning is shared with identifiers stripped, the lead confirming exactly what
is published, and read only by the audience it was published to."""

import re
from html import unescape

from sqlalchemy import func, select

from psirf.audit import AuditRecord
from psirf.library.models import LibraryEntry
from tests.support.factories import SafetyActionFactory
from tests.support.library import NHS_NUMBER, PATIENT, closed_aar, field_value, share_form, textarea


def preview(client, response, audiences, title=None, summary=None):
    page = client.get(f"/library/share/responses/{response.id}").get_data(as_text=True)
    return client.post(
        f"/library/share/responses/{response.id}",
        data=share_form(
            title or field_value(page, "title"),
            summary or textarea(page, "summary"),
            audiences,
            "preview",
        ),
    )


def publish_via_preview(client, response, audiences):
    checked = preview(client, response, audiences).get_data(as_text=True)
    return client.post(
        f"/library/share/responses/{response.id}",
        data=share_form(
            field_value(checked, "title"),
            textarea(checked, "summary"),
            audiences,
            "publish",
            confirmed=True,
        ),
    )


def test_the_share_page_starts_from_the_responses_learning_summary_and_offers_its_audiences(
    sign_in, world
):
    aar = closed_aar(world.practice)

    page = sign_in(world.lead).get(f"/library/share/responses/{aar.id}")

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        field_value(text, "title")
        == "After action review: Medication (prescribing, dispensing, monitoring)"
    )
    assert NHS_NUMBER in textarea(text, "summary")  # not yet stripped: the lead writes first
    assert "Our PCN or federation: North PCN" in text and "Everyone in Test ICB" in text
    assert "South PCN" not in text


def test_the_preview_replaces_the_nhs_number_and_the_patients_name_and_says_only_what_kinds_were_removed(
    sign_in, world
):
    aar = closed_aar(world.practice)

    checked = preview(sign_in(world.lead), aar, [f"group-{world.pcn.id}"])

    page = checked.get_data(as_text=True)
    summary = textarea(page, "summary")
    assert checked.status_code == 200
    assert "[NHS number]" in summary and "[name]" in summary
    assert NHS_NUMBER not in page and "Blackwood" not in page and "Edith" not in summary
    assert "We removed 1 NHS number and 2 names." in page
    assert "I have read the summary and it identifies nobody" in page


def test_the_done_when_published_to_north_pcn_without_identifiers_hidden_from_the_other_pcn_until_shared_with_the_icb(
    session, sign_in, world
):
    aar = closed_aar(world.practice)
    lead = sign_in(world.lead)

    published = publish_via_preview(lead, aar, [f"group-{world.pcn.id}"])

    entry = session.scalars(select(LibraryEntry)).one()
    assert published.status_code == 302 and published.headers["Location"].endswith(
        f"/library/{entry.id}"
    )
    assert "[NHS number]" in entry.summary and "[name]" in entry.summary
    for identifier in (NHS_NUMBER, NHS_NUMBER.replace(" ", ""), "Blackwood", "Edith"):
        assert identifier not in entry.summary and identifier not in entry.title
    assert (entry.audience_group_id, entry.audience_icb_id) == (world.pcn.id, None)
    assert (entry.kind, entry.method, entry.theme, entry.service_kind) == (
        "response",
        "after_action_review",
        "medication",
        "practice",
    )
    assert entry.learned_on == aar.events[0].occurred_on
    audit = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "library:publish")
    ).one()
    assert (audit.subject_type, audit.subject_id, audit.actor_id) == (
        "library_entries",
        entry.id,
        world.lead.id,
    )
    assert NHS_NUMBER not in str(audit.changes) and PATIENT not in str(audit.changes)

    assert sign_in(world.panel).get(f"/library/{entry.id}").status_code == 200
    other_lead = sign_in(world.other_lead)
    assert other_lead.get(f"/library/{entry.id}").status_code == 404
    assert entry.title not in other_lead.get("/library").get_data(as_text=True)


def test_published_to_the_icb_too_the_other_pcns_practice_reads_it(session, sign_in, world):
    aar = closed_aar(world.practice)

    publish_via_preview(sign_in(world.lead), aar, [f"group-{world.pcn.id}", "icb"])

    entry = session.scalars(select(LibraryEntry)).one()
    assert (entry.audience_group_id, entry.audience_icb_id) == (world.pcn.id, world.icb.id)
    other_lead = sign_in(world.other_lead)
    assert other_lead.get(f"/library/{entry.id}").status_code == 200
    assert entry.title in unescape(other_lead.get("/library").get_data(as_text=True))
    assert sign_in(world.outsider_icb_quality).get(f"/library/{entry.id}").status_code == 404


def test_publishing_without_the_confirmation_keeps_what_was_typed_and_stores_nothing(
    session, sign_in, world
):
    aar = closed_aar(world.practice)

    response = sign_in(world.lead).post(
        f"/library/share/responses/{aar.id}",
        data=share_form(
            "Checking doses",
            "Protect the time to check repeat doses",
            [f"group-{world.pcn.id}"],
            "publish",
        ),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and "<title>Error: " in page
    assert 'href="#confirmed"' in page
    assert "Protect the time to check repeat doses" in page and 'value="Checking doses"' in page
    assert re.search(rf'value="group-{world.pcn.id}"\s+checked', page)
    assert session.scalar(select(func.count()).select_from(LibraryEntry)) == 0


def test_publishing_without_an_audience_shows_the_error_on_the_audience(session, sign_in, world):
    aar = closed_aar(world.practice)

    response = sign_in(world.lead).post(
        f"/library/share/responses/{aar.id}",
        data=share_form(
            "Checking doses",
            "Protect the time to check repeat doses",
            [],
            "publish",
            confirmed=True,
        ),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose who can read it" in page and 'href="#audiences"' in page
    assert "Protect the time to check repeat doses" in page
    assert session.scalar(select(func.count()).select_from(LibraryEntry)) == 0


def test_an_identifier_typed_in_after_the_preview_is_stripped_and_shown_again_not_published(
    session, sign_in, world
):
    aar = closed_aar(world.practice)

    response = sign_in(world.lead).post(
        f"/library/share/responses/{aar.id}",
        data=share_form(
            "Checking doses",
            f"Ring {PATIENT} on 07700 900123 to apologise",
            [f"group-{world.pcn.id}"],
            "publish",
            confirmed=True,
        ),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert textarea(page, "summary") == "Ring [name] on [phone number] to apologise"
    assert "We removed identifiers from your changes" in page
    assert not re.search(r'name="confirmed"[^>]*checked', page)
    assert session.scalar(select(func.count()).select_from(LibraryEntry)) == 0


def test_a_response_is_shared_once(session, sign_in, world):
    aar = closed_aar(world.practice)
    lead = sign_in(world.lead)
    publish_via_preview(lead, aar, ["icb"])
    entry = session.scalars(select(LibraryEntry)).one()

    again = lead.get(f"/library/share/responses/{aar.id}")
    posted = lead.post(
        f"/library/share/responses/{aar.id}",
        data=share_form("Again", "Protect the time", ["icb"], "publish", confirmed=True),
    )

    assert again.status_code == 302 and again.headers["Location"].endswith(f"/library/{entry.id}")
    assert posted.status_code == 302
    assert session.scalar(select(func.count()).select_from(LibraryEntry)) == 1


def test_only_a_response_closed_as_itself_can_be_shared_and_an_open_one_is_refused_with_403(
    sign_in, world
):
    lead = sign_in(world.lead)
    open_one = closed_aar(world.practice, state="in_review")
    escalated = closed_aar(
        world.practice, state="escalated"
    )  # final, closed_at set, but went on as a PSII

    for response in (open_one, escalated):
        refused = lead.get(f"/library/share/responses/{response.id}")
        assert refused.status_code == 403
        assert "once the response is approved and closed" in refused.get_data(as_text=True)


def test_only_the_practices_patient_safety_lead_may_share_its_learning(sign_in, world):
    aar = closed_aar(world.practice)
    url = f"/library/share/responses/{aar.id}"

    for person in (world.panel, world.icb_quality, world.icb_specialist):
        assert sign_in(person).get(url).status_code == 403
        assert (
            sign_in(person)
            .post(url, data=share_form("t", "s", ["icb"], "publish", confirmed=True))
            .status_code
            == 403
        )
    for person in (
        world.other_lead,
        world.other_panel,
        world.outsider_icb_quality,
        world.reporter,
        world.admin,
    ):
        assert sign_in(person).get(url).status_code == 404
    assert sign_in(world.lead).get("/library/share/responses/999999").status_code == 404


def test_a_pcns_thematic_review_is_shared_by_its_panel_with_the_pcn_itself(session, sign_in, world):
    from tests.support.factories import ResponseFactory
    from psirf.timeutil import utcnow

    review = ResponseFactory(
        organisation=world.pcn,
        method="thematic_review",
        state="closed",
        closed_at=utcnow(),
        record={
            "selection": {"theme": "referral"},
            "synthesis": {"themes": "x", "learning_summary": "Track every urgent referral"},
        },
    )

    page = sign_in(world.panel).get(f"/library/share/responses/{review.id}").get_data(as_text=True)

    assert field_value(page, "title") == "Thematic review: Referral and follow-up"
    assert textarea(page, "summary") == "Track every urgent referral"
    assert "Our PCN or federation: North PCN" in page
    assert sign_in(world.lead).get(f"/library/share/responses/{review.id}").status_code == 404


def test_the_share_part_offers_sharing_to_the_lead_then_links_to_the_entry(
    app, session, sign_in, world
):
    from flask import render_template_string
    from flask_login import login_user

    from psirf.library.views import response_links

    aar = closed_aar(world.practice)
    part = '{% include "library/_share_part.html" %}'

    def rendered(user):
        with app.test_request_context():
            login_user(user)
            return render_template_string(part, response=aar, **response_links(aar))

    assert f'href="/library/share/responses/{aar.id}"' in rendered(world.lead)
    assert "Share what was learned" in rendered(world.lead)
    assert rendered(world.panel).strip() == ""  # may not share, nothing shared yet
    publish_via_preview(sign_in(world.lead), aar, [f"group-{world.pcn.id}"])
    entry = session.scalars(select(LibraryEntry)).one()
    for user in (world.lead, world.panel):
        html = rendered(user)
        assert "Shared in the learning library" in html and f'href="/library/{entry.id}"' in html
        assert "/library/share/" not in html
    assert rendered(world.other_lead).strip() == ""


def test_an_action_owner_is_no_known_name_but_its_owners_account_name_is(session, world):
    from psirf.library.sharing import response_known_names
    from tests.support.factories import UserFactory

    aar = closed_aar(world.practice, lead_id=world.lead.id)
    owner = UserFactory(name="Dana Whitfield")
    SafetyActionFactory(response=aar, owner="Practice manager", owner_user_id=owner.id)

    names = response_known_names(session, aar)

    assert set(names) == {PATIENT, "Lee Lead", "Dana Whitfield"}


def test_two_publishes_racing_end_with_one_entry_and_the_second_sent_to_it(
    monkeypatch, session, sign_in, world
):
    from psirf.library import sharing

    aar = closed_aar(world.practice)
    lead = sign_in(world.lead)
    publish_via_preview(lead, aar, ["icb"])
    entry = session.scalars(select(LibraryEntry)).one()
    real, calls = sharing.entry_for_response, []

    def not_seen_yet(session, response_id):  # both checks ran before the first publish committed
        calls.append(response_id)
        return None if len(calls) <= 2 else real(session, response_id)

    monkeypatch.setattr(sharing, "entry_for_response", not_seen_yet)
    posted = lead.post(
        f"/library/share/responses/{aar.id}",
        data=share_form("Again", "Protect the time", ["icb"], "publish", confirmed=True),
    )

    assert posted.status_code == 302 and posted.headers["Location"].endswith(f"/library/{entry.id}")
    assert session.scalar(select(func.count()).select_from(LibraryEntry)) == 1


def test_the_closed_response_page_offers_its_lead_the_share_and_then_links_to_the_entry(
    session, sign_in, world
):
    from tests.support.library import entry as library_entry

    response = closed_aar(world.practice)
    page = sign_in(world.lead).get(f"/responses/{response.id}").get_data(as_text=True)
    assert "Share in the learning library" in page
    assert "Share in the learning library" not in sign_in(world.panel).get(
        f"/responses/{response.id}"
    ).get_data(as_text=True)
    library_entry(world.practice, world.lead, response_id=response.id)
    page = sign_in(world.lead).get(f"/responses/{response.id}").get_data(as_text=True)
    assert "Share in the learning library" not in page and "Read the shared learning" in page
