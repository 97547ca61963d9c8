"""Staff pages: report an event, see your own reports, and the event page for casework."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.db import unit_of_work
from psirf.events import feedback, forms, lfpse, revision_history, revisions, services
from psirf.events.forms import StaffEventForm
from psirf.events.lfpse import ReporterKind
from psirf.events.models import EventStatus
from psirf.lfpse import exports as lfpse_exports
from psirf.extensions import db
from psirf.triage import never_events
from psirf.triage import services as triage
from psirf.web import parts
from psirf.web.changes import changing
from psirf.web.loading import loads
from psirf.problems import InputError
from psirf.web.forms import show_on_form

bp = Blueprint("events", __name__, url_prefix="/events")


LABELS = {
    "record_type_label": lfpse.RecordType.label_for,
    "theme_label": lfpse.Theme.label_for,
    "service_area_label": lfpse.ServiceArea.label_for,
    "location_label": lfpse.Location.label_for,
    "agents_label": lambda values: ", ".join(lfpse.Agent.label_for(v) for v in values or ()),
    "processes_label": lambda values: ", ".join(
        lfpse.HealthcareProcess.label_for(v) for v in values or ()
    ),
    "physical_harm_label": lfpse.PhysicalHarm.label_for,
    "psychological_harm_label": lfpse.PsychologicalHarm.label_for,
    "age_band_label": lfpse.AgeBand.label_for,
    "gender_label": lfpse.Gender.label_for,
    "ethnicity_label": lfpse.Ethnicity.label_for,
    "reporter_kind_label": lfpse.ReporterKind.label_for,
    "status_label": EventStatus.label_for,
    "never_event_type_label": never_events.label_for,
    "national_flags_label": triage.national_flags_label,
    "response_method_label": triage.method_label,
    "recommendation_source_text": triage.recommendation_source_text,
    "nhs_number_spaced": services.nhs_number_spaced,
    "asks_repeat_presentation": services.asks_repeat_presentation,
    "repeat_presentation_label": lambda value: (
        "Yes: a repeat presentation, flagged at triage"
        if value == lfpse.RepeatPresentation.YES.value
        else lfpse.RepeatPresentation.label_for(value) or "Not answered"
    ),
}


@bp.context_processor
def labels() -> dict:
    return LABELS


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    user = current_user._get_current_object()
    organisations = services.reportable_organisations(user)
    if not organisations:
        raise policy.NotPermitted(
            "You can report an event once you hold a role at a practice, pharmacy, dental or optometry service."
        )
    form = StaffEventForm(organisations=organisations)
    if form.change_patients(request.form.get("action")):
        return render_template("events/new.html", form=form)
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                event = services.record_event(
                    db.session,
                    organisation=form.organisation,
                    **vars(form.details()),
                    reporter_kind=ReporterKind.STAFF.value,
                    reporter_user=user,
                    identity_protected=form.identity_protected.data,
                )
                # Read before the commit expires it, which would cost a query to read it again.
                event_id = event.id
        except InputError as error:
            show_on_form(form, error, "description")
        else:
            return redirect(url_for("events.recorded", event_id=event_id))
    return render_template("events/new.html", form=form), 400 if form.errors else 200


@bp.get("/<int:event_id>/recorded")
@login_required
@loads("event_id", feedback.own_report, scoped=True)
def recorded(event):
    return render_template("events/recorded.html", event=event)


@bp.get("/mine")
@login_required
def my_reports():
    page = services.reported_by(
        db.session, current_user, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    next_url = url_for("events.my_reports", after=page.next_cursor) if page.next_cursor else None
    return render_template("events/my_reports.html", page=page, next_url=next_url)


@bp.get("/mine/<int:event_id>")
@login_required
@loads("event_id", feedback.own_report, scoped=True)
def my_report(event):
    """One of your own reports with all its news: yours whether or not you protected your identity."""
    user = current_user._get_current_object()
    return render_template(
        "events/my_report.html",
        event=event,
        history=revision_history.history(db.session, user, event)
        if policy.may_see_revisions(user, event)
        else None,
        may_correct=policy.may_correct(user, event),
    )


@bp.get("/<int:event_id>")
@login_required
@loads("event_id", services.get, policy.require_event_visible)
def show(event):
    user = current_user._get_current_object()
    see_reporter = policy.can_see_reporter(user, event)
    awaiting_triage = event.status == EventStatus.AWAITING_TRIAGE.value
    history = revision_history.history(db.session, user, event)
    may_correct = policy.may_correct(user, event)
    return render_template(
        "events/show.html",
        event=event,
        see_reporter=see_reporter,
        reporter_name=services.reporter_name_of(db.session, event) if see_reporter else None,
        awaiting_triage=awaiting_triage,
        referred=event.status == EventStatus.REFERRED.value,
        may_triage=awaiting_triage and policy.may_triage(user, event),
        may_correct=may_correct,
        history=history,
        triage_after_correction=triage.recommendation_after_correction(db.session, event)
        if may_correct and history.revised_since_triage
        else None,
        recommended_at_triage=triage.recommended_at_triage(event),
        lfpse_export=lfpse_exports.summary(db.session, event)
        if policy.may_see_export_state(user, event)
        else None,
        **parts.context_for("event", event),
    )


# ---- correcting an event ---------------------------------------------------------------------------


def _event_page(event, anchor: str | None = None) -> str:
    """Where the corrector reads the event: its casework page, or (its reporter) their own report."""
    endpoint = (
        "events.show"
        if policy.roles_covering(current_user, event.organisation)
        else "events.my_report"
    )
    return url_for(endpoint, event_id=event.id, _anchor=anchor)


def _correction_page(event, form, status: int = 200, refused: str | None = None):
    return (
        render_template(
            "events/correct.html",
            event=event,
            form=form,
            refused=refused,
            back_url=_event_page(event),
        ),
        status,
    )


@bp.route("/<int:event_id>/correct", methods=["GET", "POST"])
@login_required
@loads("event_id", services.get, policy.require_can_correct)
def correct(event):
    form = forms.correction_form(event)
    if request.method == "GET" or form.change_patients(request.form.get("action")):
        return _correction_page(event, form)
    if not form.validate():
        return _correction_page(event, form, 400)
    try:
        with changing(
            event, lambda message: _correction_page(event, form, 409, refused=message), form
        ):
            revision = revisions.revise_event(
                db.session,
                event,
                current_user._get_current_object(),
                form.details(),
                form.reason.data,
                form.version.data,
            )
    except InputError as error:
        db.session.expire_all()
        show_on_form(form, error, "reason")
        return _correction_page(services.get(db.session, event.id), form, 400)
    flash(f"Revision {revision.number} of {event.reference} saved.", "success")
    return redirect(_event_page(event, "revisions"))
