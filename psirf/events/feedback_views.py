"""Pages for feedback to reporters: the lead's "what changed" on the response page, and the
public page where someone follows their report with its reference and private code.

The reporter's own inbox is on "My reports" (psirf/events/views.py).
"""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.events import feedback
from psirf.events.forms import FollowForm, WhatChangedForm
from psirf.extensions import db
from psirf.responses import services as responses
from psirf.responses.page import render_page
from psirf.web import parts, throttle
from psirf.web.changes import changing
from psirf.web.loading import loads
from psirf.problems import InputError

bp = Blueprint("reporter_feedback", __name__)
public_bp = Blueprint("events_follow", __name__, url_prefix="/follow")

# The form's key among the response page's forms; its fields' ids start with it.
PREFIX = "what_changed"
# One message for a wrong reference and a wrong code alike: which was wrong is not said.
NOT_FOUND = (
    "We could not find a report with that reference number and code. Check both and try again."
)


# ---- what changed, on the response page -----------------------------------------------------


@parts.of("response")
def what_changed_part(response) -> dict:
    """The context of templates/events/_what_changed.html."""
    view = feedback.view_for(db.session, current_user, response)
    view.form = WhatChangedForm(formdata=None, data={"version": response.version_id}, prefix=PREFIX)
    return {"what_changed_part": view}


def _response_page(response, status: int, form: WhatChangedForm, refused: str | None = None):
    # The failed form goes back into the response page, so the error summary leads to it and
    # what was typed is kept.
    return render_page(response, status, posted={PREFIX: form}, refused=refused)


@bp.post("/responses/<int:response_id>/what-changed")
@login_required
@loads("response_id", responses.get, policy.require_may_tell_reporters)
def what_changed(response):
    form = WhatChangedForm(prefix=PREFIX)
    if not form.validate_on_submit():
        return _response_page(response, 400, form)
    try:
        with changing(response, lambda message: _response_page(response, 409, form, message), form):
            written = feedback.write_what_changed(
                db.session, current_user, response, form.text.data, form.version.data
            )
    except InputError as error:
        response = responses.get(db.session, response.id)
        form.text.errors.append(str(error))
        return _response_page(response, 400, form)
    told = len(written)
    flash(
        f"What changed is now in the updates of {told} report{'s' if told != 1 else ''}.", "success"
    )
    return redirect(url_for("responses.show", response_id=response.id, _anchor="what-changed"))


# ---- following a report without an account -------------------------------------------------


def _private(page, status: int = 200):
    # A report's news is for the person holding the code: not kept by browsers or proxies.
    reply = make_response(page, status)
    reply.headers["Cache-Control"] = "no-store"
    return reply


@public_bp.route("", methods=["GET", "POST"])
def follow():
    """Enter the reference and code; the answer is shown directly, so the code is never in a URL."""
    if request.method == "POST":
        # Every try counts, before the code is looked at.
        throttle.count_address("follow", "PUBLIC_FOLLOW_LIMIT")
    form = FollowForm()
    if form.validate_on_submit():
        event = feedback.follow(db.session, form.reference.data, form.code.data)
        if event is not None:
            return _private(render_template("events/public/follow_updates.html", event=event))
        form.reference.errors.append(NOT_FOUND)
    status = 400 if form.is_submitted() else 200
    return _private(render_template("events/public/follow.html", form=form), status)
