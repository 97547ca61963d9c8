"""The learning responses' state names that code relies on, checked against the workflow files
when they load (a renamed state fails `flask workflows check`, naming the constant here)."""

from __future__ import annotations

from psirf.responses.models import ResponseMethod
from psirf.workflow.states import StateNames


class ResponseState(StateNames, workflows=[method.value for method in ResponseMethod]):
    """States every response workflow has."""

    CLOSED = "closed"


class AfterActionReviewState(StateNames, workflows=[ResponseMethod.AFTER_ACTION_REVIEW.value]):
    """The steps the list of responses offers as filters, besides closed."""

    PLANNING = "planning"
    IN_REVIEW = "in_review"
    PANEL_REVIEW = "panel_review"
    RETURNED = "returned"


class CrossOrganisationalState(StateNames, workflows=[ResponseMethod.CROSS_ORGANISATIONAL.value]):
    SIGN_OFF = "sign_off"
