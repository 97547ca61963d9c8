from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.accounts.models import Role
from psirf.db import unit_of_work
from psirf.events.models import SafetyEvent
from psirf.extensions import db
from psirf.triage import services
from psirf.triage.forms import QueueFilterForm, TriageDecisionForm

bp = Blueprint("triage", __name__, url_prefix="/triage")


@bp.get("")
@login_required
def queue():
    if not policy.has_role(current_user, Role.PATIENT_SAFETY_LEAD):
        raise policy.NotPermitted("Only patient safety leads have a triage queue.")
    # A search changes nothing, so an unknown choice is simply not applied.
    form = QueueFilterForm(request.args or None)
    filters = services.QueueFilters(
        status=form.status.data if form.status.data in dict(form.status.choices) else None,
        record_type=form.record_type.data or None,
        harm=form.harm.data or None,
        theme=form.theme.data or None,
    )
    dates = (form.occurred_from, form.occurred_to)
    if all(field.validate(form) for field in dates):
        filters.occurred_from, filters.occurred_to = (field.data for field in dates)
    page = services.queue(db.session, current_user, filters, request.args.get("after"), current_app.config["PAGE_SIZE"])
    args = {k: v for k, v in request.args.items() if k != "after"}
    next_url = url_for("triage.queue", **args, after=page.next_cursor) if page.next_cursor else None
    return render_template(
        "triage/queue.html", filter_form=form, page=page, next_url=next_url, first_url=url_for("triage.queue", **args)
    )


def _event_or_404(event_id: int) -> SafetyEvent:
    event = db.session.get(SafetyEvent, event_id)
    if event is None:
        raise policy.NotVisible("Page not found")
    return event


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@login_required
def decide(event_id: int):
    event = _event_or_404(event_id)
    policy.require_can_triage(current_user, event)
    if event.status != "awaiting_triage":
        flash(f"{event.reference} has already been triaged.", "info")
        return redirect(url_for("events.show", event_id=event.id))
    form = TriageDecisionForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                response = services.decide(
                    db.session, event, current_user, services.TriageChoice(form.choice.data), form.rationale.data
                )
        except services.TriageError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            if response is not None:
                flash(f"After action review {response.reference} has started. Plan the review next.", "success")
                return redirect(url_for("responses.show", response_id=response.id))
            flash(f"{event.reference} is kept for insight with no further response.", "success")
            return redirect(url_for("triage.queue"))
    return render_template("triage/decide.html", form=form, event=event)
