"""National patient safety alerts: the list, recording a draft, its page (its actions while a
draft; its progress across the services once issued), a service's answers and confirming one
action, the overdue list and the CSV download.

Thin views: the forms validate, `psirf.alerts.services` does the work in one unit of work, and
the policy refuses (404 outside the person's view, 403 beyond their role).
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import stream_with_context
from flask_login import current_user, login_required

from psirf import policy
from psirf.alerts import services
from psirf.web.spreadsheets import stream_csv
from psirf.alerts.forms import ActionForm, AlertForm, ConfirmForm, EditForm
from psirf.alerts.models import ConfirmationStatus
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.problems import InputError
from psirf.timeutil import utcnow
from psirf.web.changes import changing
from psirf.web.forms import VersionedForm, chosen_id, offer_organisations, show_on_form
from psirf.web.loading import fetch, loads

bp = Blueprint("alerts", __name__, url_prefix="/alerts")


def _today() -> date:
    return utcnow().date()


@bp.get("")
@login_required
def index():
    policy.require_alerts_user(current_user)
    page = services.listing(
        db.session, current_user, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    next_url = url_for("alerts.index", after=page.next_cursor) if page.next_cursor else None
    return render_template(
        "alerts/index.html",
        page=page,
        tallies=services.tallies_by_alert(
            db.session, current_user, [a.id for a in page.items], _today()
        ),
        empty=services.Tally(),
        next_url=next_url,
        may_record=policy.may_record_alerts(current_user),
    )


@bp.get("/overdue")
@login_required
def overdue():
    policy.require_alerts_user(current_user)
    page = services.overdue(
        db.session,
        current_user,
        _today(),
        request.args.get("after"),
        current_app.config["PAGE_SIZE"],
    )
    next_url = url_for("alerts.overdue", after=page.next_cursor) if page.next_cursor else None
    return render_template("alerts/overdue.html", page=page, next_url=next_url, today=_today())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    policy.require_may_record_alerts(current_user)
    organisations = services.issuing_organisations(db.session, current_user)
    form = AlertForm()
    offer_organisations(form.organisation_id, organisations, request.method)
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                alert = services.create(
                    db.session,
                    current_user,
                    chosen_id(form.organisation_id),
                    *_details(form),
                )
        except InputError as error:
            show_on_form(form, error)
        else:
            flash("The alert has been saved as a draft. Add its actions, then issue it.", "success")
            return redirect(url_for("alerts.show", alert_id=alert.id))
    return render_template("alerts/new.html", form=form), 400 if form.errors else 200


def _details(form) -> tuple:
    return (
        form.reference.data,
        form.title.data,
        form.issued_on.data,
        form.link.data,
        form.service_kinds.data,
    )


# ---- the alert's page ----------------------------------------------------------------------------


def _render(alert, status: int = 200, action_form=None, refused: str | None = None):
    today = _today()
    manage = policy.may_manage_alert(current_user, alert)
    only_overdue = request.args.get("show") == "overdue"
    matrix = tallies = None
    if alert.is_issued:
        tallies = services.tallies_by_action(db.session, current_user, alert, today)
        matrix = services.progress_matrix(
            db.session,
            current_user,
            alert,
            today,
            request.args.get("after"),
            current_app.config["PAGE_SIZE"],
            only_overdue,
        )
    if action_form is None:
        action_form = ActionForm(formdata=None, data={"version": alert.version_id})
    return (
        render_template(
            "alerts/show.html",
            alert=alert,
            manage=manage,
            action_form=action_form,
            refused=refused,
            tallies=tallies,
            empty=services.Tally(),
            matrix=matrix,
            yours=_yours(matrix),
            only_overdue=only_overdue,
            today=today,
            kind_labels=dict(services.SERVICE_KIND_CHOICES),
        ),
        status,
    )


def _yours(matrix) -> list:
    """The services on the page whose actions the signed-in person confirms: their lead is told
    where to do it, not left to find their service's name in the table."""
    if matrix is None:
        return []
    organisations = [row.organisation for row in matrix.rows]
    return [o for o in organisations if policy.may_confirm_alert_actions(current_user, o)]


@bp.get("/<int:alert_id>")
@login_required
@loads("alert_id", services.get_visible, scoped=True)
def show(alert):
    return _render(alert)


@bp.post("/<int:alert_id>/actions")
@login_required
@loads("alert_id", services.get_visible, scoped=True)
def add_action(alert):
    policy.require_may_manage_alert(current_user, alert)
    form = ActionForm()
    if not form.validate_on_submit():
        return _render(alert, 400, action_form=form)
    try:
        with changing(alert, lambda message: _render(alert, 409, form, message), form):
            services.add_action(
                db.session, current_user, alert, form.description.data, form.deadline.data,
                form.version.data,
            )  # fmt: skip
    except InputError as error:
        alert = services.get_visible(db.session, current_user, alert.id)
        if not show_on_form(form, error):
            return _render(alert, 400, form, refused=error.message)
        return _render(alert, 400, action_form=form)
    flash("The action has been added.", "success")
    return redirect(url_for("alerts.show", alert_id=alert.id, _anchor="actions"))


@bp.post("/<int:alert_id>/actions/<int:action_id>/remove")
@login_required
@loads("alert_id", services.get_visible, scoped=True)
def remove_action(alert, action_id: int):
    policy.require_may_manage_alert(current_user, alert)
    form = VersionedForm()
    if not form.validate_on_submit():
        return _render(alert, 400, refused="The form was incomplete. Try again.")
    try:
        with changing(alert, lambda message: _render(alert, 409, refused=message)):
            services.remove_action(db.session, current_user, alert, action_id, form.version.data)
    except InputError as error:
        alert = services.get_visible(db.session, current_user, alert.id)
        return _render(alert, 400, refused=error.message)
    flash("The action has been removed.", "success")
    return redirect(url_for("alerts.show", alert_id=alert.id, _anchor="actions"))


@bp.post("/<int:alert_id>/issue")
@login_required
@loads("alert_id", services.get_visible, scoped=True)
def issue(alert):
    policy.require_may_manage_alert(current_user, alert)
    form = VersionedForm()
    if not form.validate_on_submit():
        return _render(alert, 400, refused="The form was incomplete. Try again.")
    try:
        with changing(alert, lambda message: _render(alert, 409, refused=message)):
            sent = services.issue(db.session, current_user, alert, form.version.data)
    except InputError as error:
        alert = services.get_visible(db.session, current_user, alert.id)
        return _render(alert, 400, refused=error.message)
    flash(
        f"The alert has been issued to {sent} {'service' if sent == 1 else 'services'}.", "success"
    )
    return redirect(url_for("alerts.show", alert_id=alert.id))


def _draft_page(template: str, alert, form, status: int = 200, refused: str | None = None):
    return render_template(template, alert=alert, form=form, refused=refused), status


@bp.route("/<int:alert_id>/edit", methods=["GET", "POST"])
@login_required
@loads("alert_id", services.get_visible, scoped=True)
def edit(alert):
    """A draft's details (its actions are changed on its page)."""
    policy.require_may_manage_alert(current_user, alert)
    if request.method == "GET":
        data = {
            "version": alert.version_id,
            "reference": alert.reference,
            "title": alert.title,
            "issued_on": alert.issued_on,
            "link": alert.link,
            "service_kinds": alert.kinds,
        }
        return _draft_page("alerts/edit.html", alert, EditForm(formdata=None, data=data))
    form = EditForm()
    if not form.validate_on_submit():
        return _draft_page("alerts/edit.html", alert, form, 400)
    try:
        with changing(
            alert, lambda message: _draft_page("alerts/edit.html", alert, form, 409, message), form
        ):
            services.edit(db.session, current_user, alert, *_details(form), form.version.data)
    except InputError as error:
        alert = services.get_visible(db.session, current_user, alert.id)
        if not show_on_form(form, error):
            return _draft_page("alerts/edit.html", alert, form, 400, error.message)
        return _draft_page("alerts/edit.html", alert, form, 400)
    flash("The alert's details have been saved.", "success")
    return redirect(url_for("alerts.show", alert_id=alert.id))


@bp.route("/<int:alert_id>/delete", methods=["GET", "POST"])
@login_required
@loads("alert_id", services.get_visible, scoped=True)
def delete(alert):
    """Asks first; deletes a draft only (an issued alert stays, with its confirmations)."""
    policy.require_may_manage_alert(current_user, alert)
    if request.method == "GET":
        form = VersionedForm(formdata=None, data={"version": alert.version_id})
        return _draft_page("alerts/delete.html", alert, form)
    form = VersionedForm()
    if not form.validate_on_submit():
        return _draft_page("alerts/delete.html", alert, form, 400, "The form was incomplete.")
    try:
        with changing(
            alert,
            lambda message: _draft_page("alerts/delete.html", alert, form, 409, message),
            form,
        ):
            services.delete_draft(db.session, current_user, alert, form.version.data)
    except InputError as error:
        alert = services.get_visible(db.session, current_user, alert.id)
        return _draft_page("alerts/delete.html", alert, form, 400, error.message)
    flash(f"The draft alert {alert.reference} has been deleted.", "success")
    return redirect(url_for("alerts.index"))


@bp.get("/<int:alert_id>/progress.csv")
@login_required
@loads("alert_id", services.get_visible, scoped=True)
def progress_csv(alert):
    rows = services.csv_rows(db.session, current_user, alert, _today())
    return Response(
        stream_with_context(stream_csv(services.CSV_HEADER, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=alert-{alert.id}-progress.csv"},
    )


# ---- a service's answers -------------------------------------------------------------------------


def _recipient(alert, organisation_id: int):
    organisation = services.get_recipient(db.session, alert, organisation_id)
    if organisation is None:
        raise policy.NotVisible("Page not found")
    policy.require_alert_progress_visible(current_user, organisation)
    return organisation


@bp.get("/<int:alert_id>/organisations/<int:organisation_id>")
@login_required
@loads("alert_id", services.get_visible, scoped=True)
def organisation(alert, organisation_id: int):
    organisation = _recipient(alert, organisation_id)
    confirmations = services.confirmations_of(db.session, alert, organisation)
    return render_template(
        "alerts/organisation.html",
        alert=alert,
        organisation=organisation,
        confirmations=confirmations,
        history=services.history_of(db.session, [c.id for c in confirmations]),
        may_confirm=policy.may_confirm_alert_actions(current_user, organisation),
        today=_today(),
    )


def _confirm_page(alert, organisation, confirmation, form, status=200, refused=None):
    return (
        render_template(
            "alerts/confirm.html",
            alert=alert,
            organisation=organisation,
            confirmation=confirmation,
            form=form,
            refused=refused,
            today=_today(),
        ),
        status,
    )


def _form_data(confirmation) -> dict:
    status = confirmation.status
    return {
        "version": confirmation.version_id,
        "status": status if status != ConfirmationStatus.AWAITING.value else None,
        "done_on": confirmation.done_on,
        "reason": confirmation.reason,
        "expected_on": confirmation.expected_on,
        "note": confirmation.note,
    }


@bp.route(
    "/<int:alert_id>/organisations/<int:organisation_id>/actions/<int:action_id>",
    methods=["GET", "POST"],
)
@login_required
@loads("alert_id", services.get_visible, scoped=True)
def confirm(alert, organisation_id: int, action_id: int):
    organisation = _recipient(alert, organisation_id)
    policy.require_may_confirm_alert_actions(current_user, organisation)
    confirmation = fetch(
        lambda session, key: services.get_confirmation(session, alert, organisation, key),
        action_id,
    )
    if request.method == "GET":
        form = ConfirmForm(formdata=None, data=_form_data(confirmation))
        return _confirm_page(alert, organisation, confirmation, form)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _confirm_page(alert, organisation, confirmation, form, 400)
    answer = services.Answer(
        form.status.data, form.note.data, form.reason.data, form.expected_on.data, form.done_on.data
    )
    try:
        with changing(
            confirmation,
            lambda message: _confirm_page(alert, organisation, confirmation, form, 409, message),
            form,
        ):
            services.confirm(
                db.session, current_user, confirmation, answer, form.version.data, _today()
            )
    except InputError as error:
        show_on_form(form, error)
        return _confirm_page(alert, organisation, confirmation, form, 400)
    flash("Your confirmation has been saved.", "success")
    return redirect(
        url_for("alerts.organisation", alert_id=alert.id, organisation_id=organisation.id)
    )
