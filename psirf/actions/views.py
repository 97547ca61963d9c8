"""Safety actions: each action's own page, and the boards that list them.

Thin views: the forms validate, `psirf.actions.services` does the work inside a unit of work,
`psirf.policy` decides who may see and do what (404 outside one's organisations, 403 for a lesser
role), and a refused change re-shows the page with what the person typed.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.actions import boards, services
from psirf.actions.forms import (
    DetailsForm,
    EffectForm,
    EvidenceForm,
    TransitionForm,
    details_of,
    set_detail_choices,
)
from psirf.actions.history import history
from psirf.actions.models import STRENGTH_EXAMPLES, SafetyAction
from psirf.extensions import db
from psirf.organisations import services as organisations
from psirf.organisations.forms import finding
from psirf.timeutil import utcnow
from psirf.web.loading import loads
from psirf.web.steps import take_step
from psirf.web.changes import changing
from psirf.workflow import runner
from psirf.problems import InputError
from psirf.web.forms import show_on_form

bp = Blueprint("actions", __name__, url_prefix="/actions")

# The action partial (templates/actions/_due.html) and the strength guidance beside each choice,
# wherever an action is shown or written (the response page too).
bp.add_app_template_global(boards.timeliness_of, "action_timeliness")
bp.add_app_template_global(
    {s.value: text for s, text in STRENGTH_EXAMPLES.items()}, "strength_examples"
)


def _today() -> date:
    return utcnow().date()


# ---- the action's own page ----------------------------------------------------------------------


def _details_data(action: SafetyAction) -> dict:
    return {
        "description": action.description,
        "finding_id": str(action.finding_id) if action.finding_id else "",
        "owner_organisation_id": str(action.owner_organisation_id)
        if action.owner_organisation_id
        else "",
        "owner": action.owner,
        "owner_email": action.owner_user.email if action.owner_user else None,
        "due_on": action.due_on,
        "measure_kind": action.measure_kind,
        "measure": action.measure,
        "strength": action.strength,
        "review_on": action.review_on,
    }


def _forms_for(action: SafetyAction, editable, posted: dict | None = None) -> dict:
    version = {"version": action.version_id}
    forms = {
        "details": DetailsForm(
            formdata=None, data={**_details_data(action), **version}, prefix="details"
        ),
        "evidence": EvidenceForm(
            formdata=None, data={"evidence": action.evidence, **version}, prefix="evidence"
        ),
        "effect": EffectForm(
            formdata=None,
            data={"effect": action.effect, "effect_notes": action.effect_notes, **version},
            prefix="effect",
        ),
    }
    forms.update(posted or {})
    if "details" in editable:
        set_detail_choices(forms["details"], db.session, action.response)
    return forms


def _render(
    action: SafetyAction,
    status: int = 200,
    posted: dict | None = None,
    problems=None,
    refused=None,
    kept_comments=None,
):
    definition = runner.definition_of(action)
    editable = services.editable_parts(current_user, action)
    triggers = [
        t
        for t in definition.available_from(action.state)
        if policy.may_fire(current_user, action, t.trigger)
    ]
    return (
        render_template(
            "actions/show.html",
            action=action,
            definition=definition,
            current=definition.state(action.state),
            may_see_response=policy.may_see_response(current_user, action.response),
            editable=editable,
            forms=_forms_for(action, editable, posted),
            transition_form=TransitionForm(formdata=None, data={"version": action.version_id}),
            triggers=triggers,
            problems=problems or [],
            refused=refused,
            kept_comments=kept_comments,
            history=history(db.session, action),
        ),
        status,
    )


@bp.get("/<int:action_id>")
@login_required
@loads("action_id", services.get, policy.require_action_visible)
def show(action):
    return _render(action)


def _save(action: SafetyAction, key: str, form, apply, anchor: str | None = None):
    """Validate, apply in one transaction, and re-show what went wrong with what was typed."""
    if finding(request.form):  # a search for an organisation: the form comes back, nothing saved
        return _render(action, posted={key: form})
    if not form.validate_on_submit():
        return _render(action, 400, posted={key: form})
    try:
        with changing(
            action, lambda message: _render(action, 409, posted={key: form}, refused=message), form
        ):
            apply()
    except InputError as error:
        db.session.expire_all()
        show_on_form(form, error)
        return _render(services.get(db.session, action.id), 400, posted={key: form})
    flash("Your changes have been saved.", "success")
    return redirect(url_for("actions.show", action_id=action.id, _anchor=anchor or key))


@bp.post("/<int:action_id>/details")
@login_required
@loads("action_id", services.get, policy.require_action_visible)
def save_details(action):
    services.check_part(current_user, action, "details", None)
    form = DetailsForm(prefix="details")
    set_detail_choices(form, db.session, action.response)
    return _save(
        action,
        "details",
        form,
        lambda: services.update_details(
            db.session, current_user, action, details_of(form), form.version.data
        ),
    )


@bp.post("/<int:action_id>/evidence")
@login_required
@loads("action_id", services.get, policy.require_action_visible)
def save_evidence(action):
    services.check_part(current_user, action, "evidence", None)
    form = EvidenceForm(prefix="evidence")
    return _save(
        action,
        "evidence",
        form,
        lambda: services.record_evidence(
            db.session, current_user, action, form.evidence.data, form.version.data
        ),
    )


@bp.post("/<int:action_id>/effect")
@login_required
@loads("action_id", services.get, policy.require_action_visible)
def save_effect(action):
    services.check_part(current_user, action, "effect", None)
    form = EffectForm(prefix="effect")
    return _save(
        action,
        "effect",
        form,
        lambda: services.record_effect(
            db.session,
            current_user,
            action,
            form.effect.data,
            form.effect_notes.data,
            form.version.data,
        ),
    )


@bp.post("/<int:action_id>/transitions/<trigger>")
@login_required
@loads("action_id", services.get, policy.require_action_visible)
def fire(action, trigger: str):
    outcome, refused = take_step(
        action,
        trigger,
        fire=lambda form: services.fire(
            db.session, current_user, action, trigger, form.version.data, form.comment.data
        ),
        reload=lambda: services.get(db.session, action.id),
        render=_render,
    )
    if refused:
        return refused
    label = runner.definition_of(action).state(outcome.after).label
    flash(f"The safety action is now: {label}.", "success")
    return redirect(url_for("actions.show", action_id=action.id))


# ---- the boards -----------------------------------------------------------------------------------


def _board(template: str, endpoint: str, board: boards.Board, status: str, today: date, **context):
    args = dict(request.view_args or {})
    next_url = (
        url_for(endpoint, **args, status=status, after=board.next_cursor)
        if board.next_cursor
        else None
    )
    return render_template(
        template,
        board=board,
        status=status,
        statuses=boards.STATUSES,
        empty=boards.EMPTY[status],
        status_url=lambda s: url_for(endpoint, **args, status=s),
        newest_url=url_for(endpoint, **args, status=status),
        next_url=next_url,
        today=today,
        state_label=lambda a: runner.definition_of(a).state(a.state).label,
        **context,
    )


@bp.get("")
@login_required
def index():
    policy.require_staff(current_user, "Safety actions are for staff.")
    return render_template(
        "actions/index.html",
        organisations=boards.boards_for(db.session, current_user),
        icb=policy.may_see_icb_oversight(current_user),
    )


@bp.get("/mine")
@login_required
def mine():
    policy.require_staff(current_user, "Safety actions are for staff.")
    today, status = _today(), boards.known_status(request.args.get("status"))
    board = boards.mine(
        db.session,
        current_user,
        status,
        today,
        request.args.get("after"),
        current_app.config["PAGE_SIZE"],
    )
    return _board(
        "actions/board.html",
        "actions.mine",
        board,
        status,
        today,
        title="My actions",
        caption="Safety actions you own, or your organisation owns",
    )


@bp.get("/organisations/<int:org_id>")
@login_required
@loads("org_id", organisations.get, policy.require_casework_visible, into="organisation")
def organisation_board(organisation):
    today, status = _today(), boards.known_status(request.args.get("status"))
    board = boards.organisation_board(
        db.session,
        current_user,
        organisation,
        status,
        today,
        request.args.get("after"),
        current_app.config["PAGE_SIZE"],
    )
    members = " and its member organisations" if organisation.kind_enum.is_group else ""
    return _board(
        "actions/board.html",
        "actions.organisation_board",
        board,
        status,
        today,
        title=f"Safety actions: {organisation.name}",
        organisation=organisation,
        caption=f"Safety actions arising in or owned by {organisation.name}{members}",
    )


@bp.get("/icb")
@login_required
def icb_board():
    policy.require_icb_oversight(current_user)
    today, status = _today(), boards.known_status(request.args.get("status"), "overdue")
    board = boards.icb_list(
        db.session,
        current_user,
        status,
        today,
        request.args.get("after"),
        current_app.config["PAGE_SIZE"],
    )
    summary = boards.icb_summary(
        db.session,
        current_user,
        today,
        request.args.get("organisations_after"),
        current_app.config["PAGE_SIZE"],
    )
    return _board(
        "actions/icb.html",
        "actions.icb_board",
        board,
        status,
        today,
        summary=summary,
        first_organisations_url=url_for(
            "actions.icb_board", status=status, _anchor="by-organisation"
        ),
        more_organisations_url=url_for(
            "actions.icb_board",
            status=status,
            organisations_after=summary.next_cursor,
            _anchor="by-organisation",
        )
        if summary.next_cursor
        else None,
        soon_days=boards.DUE_SOON_DAYS,
    )
