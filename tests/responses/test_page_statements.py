"""The response page and the administrators' pages send a fixed number of SQL statements, however
many contributors, actions, findings, links, people to engage and organisations there are."""

from __future__ import annotations

from psirf.accounts.models import Role
from psirf.extensions import db
from psirf.learning.models import ContributoryFactor, Finding
from psirf.responses.models import Contributor, ResponseLink
from tests.support.engagement import affected_person
from tests.support.factories import (
    OrganisationFactory,
    PracticeFactory,
    ResponseFactory,
    SafetyActionFactory,
    UserFactory,
    one_commit,
)
from tests.support.queries import queries_for


def _more_of_everything(world, response, n: int) -> None:
    """`n` more of each thing the response page shows, and `n` more organisations in its ICB."""
    with one_commit():
        for i in range(n):
            partner = OrganisationFactory(icb=world.icb)
            PracticeFactory(icb=world.icb, groups=[world.pcn])
            db.session.add(Contributor(response=response, organisation_id=partner.id))
            finding = Finding(response_id=response.id, kind="area_for_improvement", text=f"F {i}")
            finding.factors.append(ContributoryFactor(factor="tasks", description="factor"))
            db.session.add(finding)
            SafetyActionFactory(response=response, owner_organisation_id=partner.id)
            other = ResponseFactory(organisation=world.practice)
            db.session.add(ResponseLink(from_id=response.id, to_id=other.id, kind="related"))
    for i in range(n):
        affected_person(response, name=f"Person {i}")


def test_the_response_page_sends_as_many_statements_for_many_parts_as_for_one(sign_in, world):
    response = ResponseFactory(
        organisation=world.practice, method="cross_organisational", state="sign_off"
    )
    client = sign_in(world.lead)
    url = f"/responses/{response.id}"
    _more_of_everything(world, response, 1)
    few = queries_for(client, url)
    _more_of_everything(world, response, 12)
    assert queries_for(client, url) == few


def test_the_accounts_page_sends_as_many_statements_for_many_people_as_for_two(app, sign_in, world):
    app.config["PAGE_SIZE"] = 50
    client = sign_in(world.admin)
    few = queries_for(client, "/admin/accounts")
    with one_commit():
        for _ in range(20):
            organisation = PracticeFactory(icb=world.icb)
            UserFactory(role=(Role.PATIENT_SAFETY_LEAD, organisation))
    assert queries_for(client, "/admin/accounts") == few


def test_every_form_the_page_draws_was_built_at_every_step(sign_in, world):
    """The page builds only the forms the viewer can use (issue 16): none it draws is missing,
    which would show as a box with no name."""
    from psirf.workflow import definitions

    client = sign_in(world.lead)
    for method in ("cross_organisational", "after_action_review"):
        definition = definitions.for_method(method)
        for state in definition.states:
            response = ResponseFactory(organisation=world.practice, method=method, state=state)
            page = client.get(f"/responses/{response.id}")
            assert page.status_code == 200, (method, state)
            assert 'name=""' not in page.get_data(as_text=True), (method, state)
