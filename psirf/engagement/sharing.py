"""Sharing a report with a person affected who has joined the family portal: engagement's work,
done by the lead from the response page. The portal (psirf.family) reads what this records.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.accounts.models import User
from psirf.db import check_version
from psirf.engagement.models import (
    AffectedPerson,
    DocumentKind,
    EngagementStep,
    SharedDocument,
    StepKind,
)
from psirf.engagement.services import _done, family_page, get_person
from psirf.notifications.models import NotificationKind
from psirf.notifications.services import notify
from psirf.responses.models import LearningResponse
from psirf.problems import InputError
from psirf.workflow import runner


def documents_of(session: Session, person: AffectedPerson) -> list[SharedDocument]:
    return list(
        session.scalars(
            select(SharedDocument)
            .where(SharedDocument.person_id == person.id)
            .order_by(SharedDocument.created_at, SharedDocument.id)
        )
    )


def share_document(
    session: Session,
    user,
    response: LearningResponse,
    person_id: int,
    kind: str,
    *,
    expected_version: int | None,
    today: date,
    build_pdf,
) -> SharedDocument:
    """Share the response's report, as it is now, with a person who has joined the portal.

    `build_pdf(response)` gives the bytes (psirf/responses/reports.py); they are kept, so later
    edits to the response never change what the family was given.
    """
    try:
        kind_enum = DocumentKind(kind)
    except ValueError:
        raise InputError("kind", "Choose the draft report or the final report") from None
    policy.require_may_share_document(
        user, response, kind_enum, runner.definition_of(response).state(response.state)
    )
    check_version(response, expected_version)
    person = get_person(session, response, int(person_id))
    if person.account_id is None:
        raise InputError(
            "kind", "They need to join the family portal before documents can be shared with them"
        )
    step_kind = StepKind.DRAFT_SHARED if kind_enum is DocumentKind.DRAFT else StepKind.FINAL_SHARED
    step = EngagementStep(
        response_id=response.id,
        person_id=person.id,
        kind=step_kind.value,
        occurred_on=today,
        shared=True,
        created_by_id=user.id,
    )
    session.add(step)
    session.flush()
    reference = response.reference or f"response-{response.id}"
    document = SharedDocument(
        response_id=response.id,
        person_id=person.id,
        step_id=step.id,
        kind=kind_enum.value,
        title=f"{kind_enum.label}, {today.strftime('%-d %B %Y')}",
        filename=f"{reference}-{kind_enum.value}-{today.isoformat()}.pdf",
        media_type="application/pdf",
        content=build_pdf(response),
        created_by_id=user.id,
    )
    session.add(document)
    session.flush()
    _done(
        session,
        user,
        response,
        "engagement:document_shared",
        {
            "document": {
                "before": None,
                "after": f"with a {person.kind_label.lower()}, {today.isoformat()}",
                "of": kind_enum.label,
            }
        },
    )
    account = session.get(User, person.account_id)
    notify(
        session,
        account,
        NotificationKind.DOCUMENT_SHARED,
        f"We have shared the {kind_enum.label.lower()} with you",
        body="You can read it and download it on your page.",
        link=family_page(person.id),
    )
    return document
