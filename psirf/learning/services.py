"""Findings and SEIPS contributory factors, recorded on any learning response."""

from __future__ import annotations

from sqlalchemy.orm import Session

from psirf.learning.models import ContributoryFactor, Finding, FindingKind, SeipsFactor
from psirf.responses.services import check_edit, finish_edit
from psirf.problems import InputError


def add_finding(
    session: Session,
    user,
    response,
    text: str,
    expected_version: int | None,
    kind: FindingKind | str = FindingKind.FINDING,
) -> Finding:
    """A finding, an area for improvement (which safety actions answer) or something that went well."""
    check_edit(user, response, "factors", expected_version)
    try:
        kind = FindingKind(kind)
    except ValueError:
        raise InputError("kind", "Choose what kind of finding this is") from None
    if not (text or "").strip():
        raise InputError("text", "Write the finding")
    finding = Finding(text=text.strip(), kind=kind.value)
    response.findings.append(finding)
    session.flush()
    finish_edit(
        session,
        user,
        response,
        "edit:finding",
        {kind.value: {"before": None, "after": finding.text}},
    )
    return finding


def add_factor(
    session: Session,
    user,
    response,
    *,
    finding_id: int,
    factor: str,
    description: str,
    expected_version: int | None,
) -> ContributoryFactor:
    check_edit(user, response, "factors", expected_version)
    finding = next((f for f in response.findings if f.id == finding_id), None)
    if finding is None:
        raise InputError("finding_id", "Choose the finding this factor contributed to")
    try:
        factor = SeipsFactor(factor).value
    except ValueError:
        raise InputError("factor", "Choose a part of the work system") from None
    if not (description or "").strip():
        raise InputError("description", "Describe how it contributed")
    item = ContributoryFactor(factor=factor, description=description.strip())
    finding.factors.append(item)
    session.flush()
    finish_edit(
        session,
        user,
        response,
        "edit:factor",
        {
            "contributory_factor": {
                "before": None,
                "after": f"{SeipsFactor.label_for(factor)}: {item.description}",
            }
        },
    )
    return item
