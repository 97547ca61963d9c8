"""Cross-organisational responses: contributing organisations, their input and their agreement."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import Session

from psirf import policy
from psirf.organisations import search
from psirf.organisations.models import Organisation
from psirf.responses.models import Contributor, LearningResponse
from psirf.responses.services import check_edit, finish_edit, state_of
from psirf.timeutil import utcnow
from psirf.problems import InputError


def add(
    session: Session,
    user,
    response: LearningResponse,
    organisation: Organisation | None,
    expected_version: int | None,
) -> Contributor:
    check_edit(user, response, "contributors", expected_version)
    if organisation is None:
        raise InputError("organisation_id", "Choose an organisation")
    if organisation.id == response.organisation_id:
        raise InputError(
            "organisation_id", "The lead organisation is not a contributor to its own response"
        )
    if organisation.icb_id != response.organisation.icb_id:
        raise InputError(
            "organisation_id", "Choose an organisation in the same integrated care board"
        )
    if organisation.kind_enum.is_group:
        raise InputError(
            "organisation_id",
            "Choose a service or partner: its PCN or federation reviews, not contributes",
        )
    if any(c.organisation_id == organisation.id for c in response.contributors):
        raise InputError("organisation_id", f"{organisation.name} is already contributing")
    contributor = Contributor(organisation_id=organisation.id)
    response.contributors.append(contributor)
    session.flush()
    finish_edit(
        session,
        user,
        response,
        "edit:contributor",
        {"contributor": {"before": None, "after": organisation.name}},
    )
    return contributor


def choosable(response: LearningResponse) -> ColumnElement[bool]:
    """The organisations a response may add as contributors: the services and partners in its ICB,
    not its own organisation, nor one contributing already."""
    taken = [c.organisation_id for c in response.contributors] + [response.organisation_id]
    return and_(
        search.in_icb(response.organisation.icb_id),
        Organisation.kind.not_in(search.GROUP_KINDS),
        Organisation.id.not_in(taken),
    )


def _own(user, response: LearningResponse) -> Contributor:
    mine = policy.contributing_organisations(user, response)
    contributor = next((c for c in response.contributors if c.organisation_id in mine), None)
    if contributor is None:
        raise policy.NotPermitted("Only a contributing organisation can do that.")
    return contributor


def contribute(
    session: Session, user, response: LearningResponse, text: str, expected_version: int | None
) -> None:
    check_edit(user, response, "contribution", expected_version)
    contributor = _own(user, response)
    if not (text or "").strip():
        raise InputError("contribution", "Write your organisation's contribution")
    before = contributor.contribution
    contributor.contribution = text.strip()
    contributor.contributed_by_id = user.id
    finish_edit(
        session,
        user,
        response,
        "edit:contribution",
        {
            "contribution": {
                "before": before,
                "after": contributor.contribution,
                "of": contributor.organisation.name,
            }
        },
    )


def agree(session: Session, user, response: LearningResponse, expected_version: int | None) -> None:
    """A contributor's agreement to the lead's sign-off, recorded with who and when."""
    check_edit(user, response, "contribution", expected_version)
    if not policy.may_agree_to_sign_off(user, response, state_of(response)):
        raise policy.NotPermitted("Agreement is recorded at sign-off.")
    contributor = _own(user, response)
    contributor.agreed_at = utcnow()
    contributor.agreed_by_id = user.id
    finish_edit(
        session,
        user,
        response,
        "edit:agreement",
        {"agreement": {"before": None, "after": "agreed", "of": contributor.organisation.name}},
    )
