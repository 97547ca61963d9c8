from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.responses import services
from psirf.responses.forms import PlanForm, ReviewForm, SafetyActionForm, TransitionForm
from psirf.workflow import runner
from psirf.workflow.runner import ChangedBySomeoneElse, TransitionRefused

bp = Blueprint("responses", __name__, url_prefix="/responses")


def _response_or_404(response_id: int):
    response = services.get(db.session, response_id)
    if response is None:
        raise policy.NotVisible("Page not found")
    policy.require_response_visible(current_user, response)
    return response


@bp.get("")
@login_required
def index():
    if not policy.has_role(current_user, *policy.CASEWORK_ROLES):
        raise policy.NotPermitted("Your role does not include learning responses.")
    state = request.args.get("state") or None
    page = services.listing(db.session, current_user, state, request.args.get("after"), current_app.config["PAGE_SIZE"])
    next_url = url_for("responses.index", state=state, after=page.next_cursor) if page.next_cursor else None
    return render_template(
        "responses/index.html",
        page=page,
        next_url=next_url,
        state=state,
        step_label=lambda r: runner.definition_of(r).state(r.state).label,
    )


def _render(response, status=200, forms=None, problems=None, refused=None):
    definition = runner.definition_of(response)
    editable = services.editable_parts(current_user, response)
    aar = response.after_action_review
    version = {"version": response.version_id}
    forms = forms or {}
    forms.setdefault("plan", PlanForm(formdata=None, obj=aar, data=version))
    forms.setdefault("review", ReviewForm(formdata=None, obj=aar, data=version))
    forms.setdefault("action", SafetyActionForm(formdata=None, data=version))
    triggers = [t for t in definition.available_from(response.state) if policy.may_fire(current_user, response, t.trigger)]
    forms.setdefault("transition", TransitionForm(formdata=None, data=version))
    return (
        render_template(
            "responses/show.html",
            response=response,
            definition=definition,
            editable=editable,
            forms=forms,
            triggers=triggers,
            problems=problems or [],
            refused=refused,
            timeline=services.timeline(db.session, current_user, response),
        ),
        status,
    )


@bp.get("/<int:response_id>")
@login_required
def show(response_id: int):
    return _render(_response_or_404(response_id))


def _save(response, part: str, form, apply):
    """Validate, apply inside one transaction, and re-show the page with what went wrong."""
    services.require_edit(current_user, response, "actions" if part == "action" else part, None)
    if not form.validate_on_submit():
        return _render(response, 400, forms={part: form})
    try:
        with unit_of_work(db.session):
            apply()
    except ChangedBySomeoneElse as error:
        db.session.expire_all()
        return _render(services.get(db.session, response.id), 409, refused=str(error))
    except services.ResponseError as error:
        getattr(form, error.field).errors.append(str(error))
        return _render(response, 400, forms={part: form})
    flash("Your changes have been saved.", "success")
    return redirect(url_for("responses.show", response_id=response.id, _anchor=part))


@bp.post("/<int:response_id>/plan")
@login_required
def save_plan(response_id: int):
    response = _response_or_404(response_id)
    form = PlanForm()
    values = {"conductor": form.conductor.data, "participants": form.participants.data, "review_on": form.review_on.data}
    return _save(response, "plan", form, lambda: services.update_plan(db.session, current_user, response, values, form.version.data))


@bp.post("/<int:response_id>/review")
@login_required
def save_review(response_id: int):
    response = _response_or_404(response_id)
    form = ReviewForm()
    values = {name: getattr(form, name).data for name in services.REVIEW_FIELDS}
    return _save(response, "review", form, lambda: services.record_review(db.session, current_user, response, values, form.version.data))


@bp.post("/<int:response_id>/safety-actions")
@login_required
def add_action(response_id: int):
    response = _response_or_404(response_id)
    form = SafetyActionForm()
    return _save(
        response,
        "action",
        form,
        lambda: services.add_safety_action(
            db.session,
            current_user,
            response,
            description=form.description.data,
            owner=form.owner.data,
            due_on=form.due_on.data,
            expected_version=form.version.data,
        ),
    )


@bp.post("/<int:response_id>/transitions/<trigger>")
@login_required
def fire(response_id: int, trigger: str):
    response = _response_or_404(response_id)
    policy.require_can_fire(current_user, response, trigger)
    form = TransitionForm()
    if not form.validate_on_submit():
        return _render(response, 400, refused="The form was incomplete. Try again.")
    try:
        with unit_of_work(db.session):
            outcome = runner.fire(db.session, response, trigger, current_user, form.version.data, form.comment.data)
    except ChangedBySomeoneElse as error:
        db.session.expire_all()
        return _render(services.get(db.session, response.id), 409, refused=str(error))
    except TransitionRefused as error:
        db.session.expire_all()
        return _render(services.get(db.session, response.id), 422, problems=error.problems, refused=str(error))
    label = runner.definition_of(response).state(outcome.after).label
    flash(f"{response.reference} is now: {label}.", "success")
    return redirect(url_for("responses.show", response_id=response.id))
