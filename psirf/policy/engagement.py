"""Engagement with the people affected: who reads a response's engagement plan and candour record,
who changes them, and who shares a document with a patient or family.

The checks take `state`, the workflow state the response is in: whether it has ended is the
workflow file's to say."""

from __future__ import annotations

from psirf.accounts.models import Role
from psirf.policy.responses import (
    may_edit_response,
    may_see_engagement,
    require_response_visible,
    response_roles,
)
from psirf.policy.roles import NotPermitted


def may_edit_engagement(user, response, state) -> bool:
    """The lead organisation's patient safety lead, in any state but a final one."""
    if state.final:
        return False
    return may_see_engagement(user, response) and may_edit_response(
        user, response, Role.PATIENT_SAFETY_LEAD.value
    )


def require_may_edit_engagement(user, response, state) -> None:
    require_response_visible(user, response)
    if not may_edit_engagement(user, response, state):
        raise NotPermitted(
            "Only the lead organisation's patient safety lead can change the engagement plan."
        )


def may_record_candour(user, response) -> bool:
    """The lead organisation's patient safety lead, whatever the state: the duty of candour runs on
    after the response closes (the results of its enquiries are shared when they are known)."""
    return may_see_engagement(user, response) and Role.PATIENT_SAFETY_LEAD in response_roles(
        user, response
    )


def require_may_record_candour(user, response) -> None:
    require_response_visible(user, response)
    if not may_record_candour(user, response):
        raise NotPermitted(
            "Only the lead organisation's patient safety lead can record the duty of candour."
        )


def may_share_document(user, response, kind, state) -> bool:
    """The lead organisation's patient safety lead shares documents: a draft while the response is
    open; the final report also once it is closed, which is when it is final."""
    from psirf.engagement.models import DocumentKind

    if not may_see_engagement(user, response):
        return False
    if Role.PATIENT_SAFETY_LEAD not in response_roles(user, response):
        return False
    return kind is DocumentKind.FINAL or not state.final


def require_may_share_document(user, response, kind, state) -> None:
    require_response_visible(user, response)
    if not may_share_document(user, response, kind, state):
        raise NotPermitted("Only the lead organisation's patient safety lead can share documents.")
