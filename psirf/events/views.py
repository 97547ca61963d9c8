"""Staff pages: report an event, see your own reports, and the event page for casework."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.db import unit_of_work
from psirf.events import feedback, lfpse, services
from psirf.events.forms import StaffEventForm
from psirf.events.lfpse import ReporterKind
from psirf.events.models import EventStatus
from psirf.extensions import db
from psirf.triage import never_events
from psirf.triage import services as triage
from psirf.web import parts
from psirf.web.loading import loads
from psirf.problems import InputError
from psirf.web.forms import show_on_form

bp = Blueprint("events", __name__, url_prefix="/events")


def nhs_number_spaced(value: str | None) -> str:
    return f"{value[:3]} {value[3:6]} {value[6:]}" if value else ""


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
    "nhs_number_spaced": nhs_number_spaced,
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
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                event = services.record_event(
                    db.session,
                    organisation=form.organisation,
                    record_type=form.record_type.data,
                    occurred_on=form.occurred_on.data,
                    description=form.description.data,
                    theme=form.theme.data,
                    service_area=form.service_area.data or None,
                    location=form.location.data or None,
                    immediate_actions=form.immediate_actions.data or None,
                    agents=form.agents.data or [],
                    processes=form.processes.data or [],
                    patients=[form.patient()],
                    reporter_kind=ReporterKind.STAFF.value,
                    reporter_user=user,
                    identity_protected=form.identity_protected.data,
                    never_event_type=form.never_event_type.data or None,
                    national_flags=form.national_flags.data or [],
                )
        except InputError as error:
            show_on_form(form, error, "description")
        else:
            return redirect(url_for("events.recorded", event_id=event.id))
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
    return render_template("events/my_report.html", event=event)


@bp.get("/<int:event_id>")
@login_required
@loads("event_id", services.get, policy.require_event_visible)
def show(event):
    see_reporter = policy.can_see_reporter(current_user, event)
    awaiting_triage = event.status == EventStatus.AWAITING_TRIAGE.value
    return render_template(
        "events/show.html",
        event=event,
        see_reporter=see_reporter,
        reporter=services.reporter_of(db.session, event) if see_reporter else None,
        awaiting_triage=awaiting_triage,
        referred=event.status == EventStatus.REFERRED.value,
        may_triage=awaiting_triage and policy.may_triage(current_user, event),
        **parts.context_for("event", event),
    )
