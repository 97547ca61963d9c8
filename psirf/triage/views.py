from __future__ import annotations

from typing import NamedTuple

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.db import unit_of_work
from psirf.events.lfpse import PhysicalHarm, RecordType, Theme, is_repeat_presentation
from psirf.events.models import EventStatus, SafetyEvent
from psirf.extensions import db
from psirf.responses.models import ResponseMethod
from psirf.triage import never_events, services
from psirf.triage.forms import QueueFilterForm, TriageDecisionForm
from psirf.web import dates
from psirf.web.links import by_id as links_by_id
from psirf.web.loading import loads
from psirf.problems import InputError
from psirf.web.forms import show_on_form

bp = Blueprint("triage", __name__, url_prefix="/triage")


@bp.context_processor
def helpers() -> dict:
    return {
        "national_flags_label": services.national_flags_label,
        "never_event_type_label": never_events.label_for,
    }


@bp.get("")
@login_required
def queue():
    policy.require_triage_queue(current_user)
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
    page = services.queue(
        db.session,
        current_user,
        filters,
        request.args.get("after"),
        current_app.config["PAGE_SIZE"],
    )
    args = {k: v for k, v in request.args.items() if k != "after"}
    next_url = url_for("triage.queue", **args, after=page.next_cursor) if page.next_cursor else None
    # Computed from each event's own fields and its organisations' plans, read in one statement.
    recommendations = services.recommendations_for(db.session, page.items)
    links = (links_by_id("triage.decide", "event_id"), links_by_id("events.show", "event_id"))
    return render_template(
        "triage/queue.html",
        filter_form=form,
        page=page,
        rows=[_queue_row(event, recommendations[event.id], links) for event in page.items],
        next_url=next_url,
        first_url=url_for("triage.queue", **args),
    )


class QueueRow(NamedTuple):
    """A queue row's cells as shown: worked out here, so the template only writes them out."""

    href: str
    reference: str
    never_event: bool
    repeat_presentation: bool  # 3 or more consultations for the same symptoms: flagged
    reported: str
    record_type: str
    theme: str
    harm: str
    recommended: str
    national: bool
    status: str


def _queue_row(event, recommendation, links) -> QueueRow:
    """`links`: the links to triage an event and to see it, as functions of its id."""
    waiting = event.status == EventStatus.AWAITING_TRIAGE.value
    return QueueRow(
        href=links[0 if waiting else 1](event.id),
        reference=event.reference,
        never_event=event.never_event,
        repeat_presentation=is_repeat_presentation(event),
        reported=dates.short_day(event.created_at),
        record_type=RecordType.label_for(event.record_type),
        theme=Theme.label_for(event.theme),
        harm=PhysicalHarm.label_for(event.physical_harm) or "Not recorded",
        recommended=recommendation.short_label,
        national=recommendation.national,
        status=EventStatus.label_for(event.status),
    )


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@login_required
@loads("event_id", SafetyEvent, policy.require_can_triage)
def decide(event):
    if event.status != "awaiting_triage":
        flash(f"{event.reference} has already been triaged.", "info")
        return redirect(url_for("events.show", event_id=event.id))
    recommendation = services.recommendation_for(db.session, event)
    form = TriageDecisionForm(recommendation=recommendation)
    if form.validate_on_submit():
        choice = services.TriageChoice(form.choice.data)
        referral = None
        if choice is services.TriageChoice.REFERRAL:
            referral = services.Referral(
                form.referral_body.data, form.referred_on.data, form.referral_reference.data
            )
        local_method = form.chosen_local_method if referral else None
        try:
            with unit_of_work(db.session):
                response = services.decide(
                    db.session,
                    event,
                    current_user,
                    choice,
                    form.rationale.data,
                    deviation_reason=form.deviation_reason.data,
                    referral=referral,
                    local_method=ResponseMethod(local_method) if local_method else None,
                )
        except InputError as error:
            show_on_form(form, error)
        else:
            if referral is not None:
                message = f"{event.reference} is recorded as referred to {referral.body}."
                if response is not None:
                    message += (
                        f" {response.method_label} {response.reference} has started alongside."
                    )
                flash(message, "success")
            elif response is not None:
                flash(f"{response.method_label} {response.reference} has started.", "success")
            else:
                flash(f"{event.reference} is kept for insight with no further response.", "success")
            if response is not None:
                return redirect(url_for("responses.show", response_id=response.id))
            return redirect(url_for("triage.queue"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "triage/decide.html", form=form, event=event, recommendation=recommendation
    ), status
