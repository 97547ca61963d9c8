"""The engagement panel on the response page, its forms, and the ICB's candour list."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import event, select

from psirf.engagement.models import AffectedPerson, CandourRecord
from psirf.extensions import db
from psirf.responses.models import Contributor
from tests.support.engagement import affected_person_with_question
from tests.support.factories import ResponseFactory, SafetyEventFactory


def _harmed_response(world, harm="moderate", **kwargs):
    response = ResponseFactory(organisation=world.practice, **kwargs)
    SafetyEventFactory(
        organisation=world.practice,
        physical_harm=harm,
        learning_response_id=response.id,
        status="learning_response",
    )
    return response


def _ids(html: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


def test_the_lead_is_prompted_for_candour_and_every_id_on_the_page_is_unique(world, sign_in):
    response = _harmed_response(world)
    affected_person_with_question(response)
    html = sign_in(world.lead).get(f"/responses/{response.id}").get_data(as_text=True)
    assert "Consider the duty of candour" in html
    assert "Changes to the structure of their body" in html
    assert "Questions from those affected" in html and "Why was the dose not checked?" in html
    assert (
        'id="form-eng_person"' in html
        and 'id="form-eng_step"' in html
        and 'id="form-candour"' in html
    )
    duplicates = {i: n for i, n in _ids(html).items() if n > 1}
    assert duplicates == {}


def test_no_prompt_where_the_harm_does_not_suggest_it_but_the_lead_can_open_the_test(
    world, sign_in
):
    response = _harmed_response(world, harm="low")
    html = sign_in(world.lead).get(f"/responses/{response.id}").get_data(as_text=True)
    assert "Engagement with those affected" in html
    assert "Consider the duty of candour" not in html
    assert "does not suggest a notifiable safety incident" in html
    assert "Open the duty of candour test" in html and 'id="form-candour"' in html


def test_a_form_with_a_problem_keeps_what_was_typed_and_writes_nothing(world, sign_in, session):
    response = ResponseFactory(organisation=world.practice)
    client = sign_in(world.lead)
    page = client.post(
        f"/responses/{response.id}/engagement/people",
        data={
            "eng_person-version": response.version_id,
            "eng_person-name": "Jo Bloggs",
            "eng_person-involvement": "fully",
            "eng_person-interpreter_needed": "no",
        },
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert (
        "There is a problem" in html
        and 'href="#eng_person-kind"' in html
        and "Choose who they are" in html
    )
    assert 'value="Jo Bloggs"' in html
    assert session.scalars(select(AffectedPerson)).all() == []
    done = client.post(
        f"/responses/{response.id}/engagement/people",
        data={
            "eng_person-version": response.version_id,
            "eng_person-kind": "family_member",
            "eng_person-name": "Jo Bloggs",
            "eng_person-relationship_to_patient": "Daughter",
            "eng_person-contact_by": ["phone", "letter"],
            "eng_person-language": "Polish",
            "eng_person-interpreter_needed": "yes",
            "eng_person-involvement": "fully",
            "eng_person-engagement_lead_id": str(world.lead.id),
        },
    )
    assert done.status_code == 302
    html = client.get(f"/responses/{response.id}").get_data(as_text=True)
    assert (
        "Jo Bloggs" in html
        and "Phone, Letter" in html
        and "an interpreter is needed" in html
        and "Lee Lead" in html
    )


def test_a_stale_tab_is_refused(world, sign_in):
    response = ResponseFactory(organisation=world.practice)
    page = sign_in(world.lead).post(
        f"/responses/{response.id}/engagement/people",
        data={
            "eng_person-version": response.version_id + 5,
            "eng_person-kind": "patient",
            "eng_person-name": "A Patient",
            "eng_person-involvement": "fully",
            "eng_person-interpreter_needed": "no",
        },
    )
    assert page.status_code == 409


def test_the_lead_changes_preferences_on_a_page_of_their_own(world, sign_in, session):
    response = ResponseFactory(organisation=world.practice)
    person, _ = affected_person_with_question(response)
    client = sign_in(world.lead)
    assert 'value="Jo Bloggs"' in client.get(
        f"/responses/{response.id}/engagement/people/{person.id}"
    ).get_data(as_text=True)
    page = client.post(
        f"/responses/{response.id}/engagement/people/{person.id}",
        data={"eng_person-version": response.version_id},
    )
    assert page.status_code == 400 and "Choose who they are" in page.get_data(as_text=True)
    version = session.get(type(response), response.id).version_id
    page = client.post(
        f"/responses/{response.id}/engagement/people/{person.id}",
        data={
            "eng_person-version": version,
            "eng_person-kind": "family_member",
            "eng_person-name": "Jo Bloggs",
            "eng_person-involvement": "kept_informed",
            "eng_person-interpreter_needed": "no",
        },
    )
    assert page.status_code == 302
    session.expire_all()
    assert session.get(AffectedPerson, person.id).involvement == "kept_informed"


def test_readers_see_the_plan_without_any_form(world, sign_in):
    response = _harmed_response(world)
    affected_person_with_question(response)
    for reader in (world.icb_quality, world.panel):
        html = sign_in(reader).get(f"/responses/{response.id}").get_data(as_text=True)
        assert "Jo Bloggs" in html and "Why was the dose not checked?" in html
        assert (
            "form-eng_" not in html
            and "form-candour" not in html
            and "Change preferences" not in html
        )


def test_contributors_see_nothing_of_the_people_affected(world, sign_in):
    response = ResponseFactory(
        organisation=world.practice,
        method="cross_organisational",
        state="contributions",
        contributors=[Contributor(organisation_id=world.other_practice.id)],
    )
    SafetyEventFactory(
        organisation=world.practice, physical_harm="severe", learning_response_id=response.id
    )
    person, question = affected_person_with_question(response)
    client = sign_in(world.other_lead)
    html = client.get(f"/responses/{response.id}").get_data(as_text=True)
    assert "Jo Bloggs" not in html and "Why was the dose not checked?" not in html
    assert "Engagement with those affected" not in html and "duty of candour" not in html.lower()
    assert client.get(f"/responses/{response.id}/engagement/people/{person.id}").status_code == 403
    assert client.post(f"/responses/{response.id}/engagement/steps", data={}).status_code == 403


def _overdue(world, n: int, organisation=None):
    for _ in range(n):
        response = _harmed_response(world)
        db.session.add(
            CandourRecord(
                response_id=response.id,
                decision="applies",
                criteria=["prolonged_pain"],
                decided_on=date.today() - timedelta(days=40),
            )
        )
    db.session.commit()


def _statements(app, client, url):
    counted = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: counted.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return page, len(counted)


def test_the_icb_candour_list_has_no_n_plus_one(world, sign_in, app):
    client = sign_in(world.icb_quality)
    _overdue(world, 2)
    page, few = _statements(app, client, "/oversight/candour")
    # Nothing done 40 days on: every notification step of each is past its target.
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("Past the local target") == 2 * 4
    assert page.get_data(as_text=True).count("Written notification") == 2
    _overdue(world, 6)
    page, many = _statements(app, client, "/oversight/candour")
    assert page.get_data(as_text=True).count("Written notification") == 8
    assert many == few


def test_the_icb_candour_list_shows_only_its_own_icb_and_only_what_is_overdue(world, sign_in):
    _overdue(world, 1)
    recent = _harmed_response(world)
    db.session.add(
        CandourRecord(
            response_id=recent.id, decision="applies", criteria=["death"], decided_on=date.today()
        )
    )
    db.session.commit()
    html = sign_in(world.icb_specialist).get("/oversight/candour").get_data(as_text=True)
    assert "1 response." in html and recent.reference not in html
    assert "local target, not a legal deadline" in html
    assert "No duty of candour steps" in sign_in(world.outsider_icb_quality).get(
        "/oversight/candour"
    ).get_data(as_text=True)
