"""The pharmacy near-miss log's pages: the bench form with the log under it, the summaries by month
and by medicine, and one near miss with its promotion to a safety event.

Thin views: the form validates, `psirf.nearmiss.services` does the work in one unit of work, and
the policy refuses (403 for anyone not on a pharmacy's staff; 404 for another pharmacy's near miss).
"""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.nearmiss import services
from psirf.nearmiss.forms import NearMissForm, PromoteForm
from psirf.nearmiss.models import Stage
from psirf.problems import InputError
from psirf.timeutil import utcnow
from psirf.web.changes import changing
from psirf.web.forms import show_on_form
from psirf.web.loading import loads

bp = Blueprint("nearmiss", __name__, url_prefix="/near-misses")

MONTH = re.compile(r"(\d{4})-(\d{2})")


def _user():
    return current_user._get_current_object()


def _bench(form: NearMissForm | None = None, status: int = 200):
    pharmacies = services.loggable_pharmacies(db.session, _user())
    if form is None:
        form = NearMissForm(formdata=None)
        form.organisation_id.data = str(pharmacies[0].id)
        form.stage.data = Stage.ACCURACY_CHECK.value  # where most are caught
        form.occurred_on.process(None, utcnow().date())
    page = services.listing(
        db.session, _user(), request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    next_url = url_for("nearmiss.index", after=page.next_cursor) if page.next_cursor else None
    return (
        render_template(
            "nearmiss/index.html",
            form=form,
            pharmacies=pharmacies,
            pharmacy_choices=[(str(p.id), p.name, None) for p in pharmacies],
            page=page,
            next_url=next_url,
        ),
        status,
    )


@bp.get("")
@login_required
def index():
    policy.require_near_miss_log(_user())
    return _bench()


@bp.post("")
@login_required
def record():
    policy.require_near_miss_log(_user())
    form = NearMissForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                services.log_near_miss(
                    db.session,
                    _user(),
                    services.NearMissDetails(
                        organisation_id=int(form.organisation_id.data),
                        error_type=form.error_type.data,
                        stage=form.stage.data,
                        medicine=form.medicine.data,
                        cause=form.cause.data,
                        occurred_on=form.occurred_on.data,
                        dmd_code=form.dmd_code.data,
                        note=form.note.data,
                    ),
                )
        except InputError as error:
            show_on_form(form, error)
        else:
            flash(
                f"Near miss logged: {form.medicine.data}. The form is ready for the next one.",
                "success",
            )
            return redirect(url_for("nearmiss.index"))
    return _bench(form, 400)


def _month_asked() -> date:
    match = MONTH.fullmatch(request.args.get("month", ""))
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1900 <= year <= 2199 and 1 <= month <= 12:
            return date(year, month, 1)
    return utcnow().date().replace(day=1)


@bp.get("/summary")
@login_required
def summary():
    policy.require_near_miss_log(_user())
    result = services.summary(db.session, _user(), _month_asked())
    return render_template(
        "nearmiss/summary.html",
        summary=result,
        pharmacies=services.loggable_pharmacies(db.session, _user()),
    )


def _show(near_miss, status: int = 200, refused: str | None = None):
    form = PromoteForm(formdata=None, data={"version": near_miss.version_id})
    return (
        render_template(
            "nearmiss/show.html",
            near_miss=near_miss,
            form=form,
            refused=refused,
            may_promote=policy.may_promote_near_miss(_user(), near_miss),
            may_see_event=near_miss.event is not None
            and bool(policy.roles_covering(_user(), near_miss.organisation)),
        ),
        status,
    )


@bp.get("/<int:near_miss_id>")
@login_required
@loads("near_miss_id", services.get_visible, scoped=True)
def show(near_miss):
    return _show(near_miss)


@bp.post("/<int:near_miss_id>/promote")
@login_required
@loads("near_miss_id", services.get_visible, scoped=True)
def promote(near_miss):
    policy.require_may_promote_near_miss(_user(), near_miss)
    form = PromoteForm()
    if not form.validate_on_submit():
        return _show(near_miss, 400, "The form was incomplete. Try again.")
    with changing(
        near_miss,
        lambda message: _show(
            services.get_visible(db.session, _user(), near_miss.id), 409, message
        ),
    ):
        event = services.promote(db.session, _user(), near_miss, form.version.data)
        event_id, reference = event.id, event.reference
    flash(f"The near miss is now safety event {reference}.", "success")
    return redirect(url_for("events.show", event_id=event_id))
