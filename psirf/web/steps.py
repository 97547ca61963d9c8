"""Taking a workflow step from a page: the same for a response, a safety action and a plan.

The step's form is checked, the step is taken in one unit of work, and what went wrong is shown
again on the subject's page: 400 for an incomplete form, 409 when someone else changed it first
(psirf/web/changes.py), 422 when the workflow says what must be done before it.
"""

from __future__ import annotations

from typing import Callable

from flask_login import current_user

from psirf import policy
from psirf.extensions import db
from psirf.web.changes import changing
from psirf.web.forms import TransitionForm
from psirf.workflow.runner import Outcome, TransitionRefused


def take_step(subject, trigger: str, *, fire: Callable, reload: Callable, render: Callable):
    """(outcome, None) when the step was taken; (None, the page to send back) when it was not.

    `fire(form)` takes the step; `reload()` reads the subject again after a failure; `render(subject,
    status, problems=..., refused=..., kept_comments=...)` draws its page, the comment typed for
    the step back in its box.
    """
    policy.require_can_fire(current_user, subject, trigger)
    form = TransitionForm()
    kept = {trigger: form.comment.data or ""}
    if not form.validate_on_submit():
        return None, render(
            subject, 400, refused="The form was incomplete. Try again.", kept_comments=kept
        )
    try:
        with changing(
            subject,
            lambda message: render(reload(), 409, refused=message, kept_comments=kept),
            form,
        ):
            outcome: Outcome = fire(form)
    except TransitionRefused as error:
        db.session.expire_all()
        return None, render(
            reload(), 422, problems=error.problems, refused=str(error), kept_comments=kept
        )
    return outcome, None
