"""Readiness pages: the map (with its gaps and CSV), an organisation's commitments, recording one
with its evidence, naming leads and partners, staff and their syllabus training (by hand or from a
CSV file), and a person's own training.

Thin views: the forms validate, the services do the work in one unit of work, the policy refuses
(404 outside the person's organisations, 403 for a role that reads but may not change).
"""

from __future__ import annotations

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
from flask_login import current_user, login_required

from psirf import policy
from psirf.web.spreadsheets import to_csv
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.problems import InputError
from psirf.readiness import commitments, history, importing, overview, services, training
from psirf.readiness.forms import (
    ConfirmForm,
    EvidenceForm,
    ImportForm,
    LeftForm,
    NamedForm,
    OwnTrainingForm,
    StaffForm,
    TrainingForm,
)
from psirf.readiness.models import StaffMember
from psirf.web.changes import changing, renew_version
from psirf.web.forms import PsirfForm, show_on_form
from psirf.web.inputs import record_id
from psirf.web.loading import found, loads

bp = Blueprint("readiness", __name__, url_prefix="/readiness")


def _user():
    return current_user._get_current_object()


def _level(value) -> int:
    # Anything but a level's number is a level no one has, which the service refuses.
    return int(value) if value in ("1", "2") else 0


# ---- the map ------------------------------------------------------------------------------------


def _filters():
    policy.require_readiness_map(_user())
    groups = overview.visible_groups(db.session, _user())
    return groups, overview.filters_from(request.args, groups)


@bp.get("")
@login_required
def index():
    groups, filters = _filters()
    size = current_app.config["PAGE_SIZE"]
    table = overview.page(db.session, _user(), filters, request.args.get("after"), size)
    count, totals = overview.totals(db.session, _user(), filters)
    next_url = (
        url_for("readiness.index", after=table.next_cursor, **filters.args())
        if table.next_cursor
        else None
    )
    return render_template(
        "readiness/index.html",
        groups=groups,
        filters=filters,
        kinds=overview.MAP_KINDS,
        table=table,
        count=count,
        totals=totals,
        commitments=commitments.all_commitments(),
        next_url=next_url,
        first_url=url_for("readiness.index", **filters.args()),
    )


@bp.get("/map.csv")
@login_required
def map_csv():
    _, filters = _filters()
    rows = [overview.csv_line(row) for row in overview.all_rows(db.session, _user(), filters)]
    totals = overview.csv_totals_line(*overview.totals(db.session, _user(), filters))
    # The dashboards' CSV: UTF-8 with its byte order mark, no cell read as a formula.
    body = to_csv(overview.csv_header(), rows + [totals])
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=readiness.csv"},
    )


@bp.get("/gaps/<key>")
@login_required
def gaps(key: str):
    groups, filters = _filters()
    commitment = found(commitments.by_key(key))
    size = current_app.config["PAGE_SIZE"]
    table = overview.gaps(db.session, _user(), filters, commitment, request.args.get("after"), size)
    position = commitments.all_commitments().index(commitment)
    next_url = (
        url_for("readiness.gaps", key=key, after=table.next_cursor, **filters.args())
        if table.next_cursor
        else None
    )
    return render_template(
        "readiness/gaps.html",
        commitment=commitment,
        rows=[(row.organisation, row.cells[position]) for row in table.rows],
        table=table,
        filters=filters,
        groups={g.id: g for g in groups},
        next_url=next_url,
        first_url=url_for("readiness.gaps", key=key, **filters.args()),
    )


# ---- an organisation's readiness ----------------------------------------------------------------


def _organisation(session, organisation_id):
    return services.get_organisation(session, organisation_id)


def _organisation_page(organisation, status: int = 200, refused: str | None = None):
    return (
        render_template(
            "readiness/organisation.html",
            organisation=organisation,
            standings=services.standings(db.session, organisation),
            people=services.named_people(db.session, organisation),
            staff_count=len(training.staff(db.session, organisation)),
            history=history.history(db.session, organisation),
            may_record=policy.may_record_readiness(_user(), organisation),
            may_confirm=policy.may_confirm_readiness(_user(), organisation),
            refused=refused,
        ),
        status,
    )


@bp.get("/organisations/<int:organisation_id>")
@login_required
@loads("organisation_id", _organisation, policy.require_readiness_visible)
def organisation(organisation):
    return _organisation_page(organisation)


def _standing(organisation, key):
    for standing in services.standings(db.session, organisation):
        if standing.commitment.key == key:
            return standing
    raise policy.NotVisible("Page not found")


def _commitment_page(organisation, standing, form, named_form, status=200, refused=None):
    form.route.choices = [(o.key, o.label) for o in standing.commitment.options]
    people = services.named_people(db.session, organisation).get(standing.commitment.key, [])
    return (
        render_template(
            "readiness/commitment.html",
            organisation=organisation,
            standing=standing,
            commitment=standing.commitment,
            form=form,
            named_form=named_form,
            people=people,
            refused=refused,
            may_record=policy.may_record_readiness(_user(), organisation),
        ),
        status,
    )


def _evidence_form(standing, formdata=None):
    record = standing.record
    data = {"version": standing.version}
    if record is not None:
        data |= {
            "status": record.status,
            "route": record.route,
            "note": record.note,
            "evidence_on": record.evidence_on,
            "evidence_url": record.evidence_url,
        }
    return EvidenceForm(formdata=formdata, data=data)


@bp.route("/organisations/<int:organisation_id>/commitments/<key>", methods=["GET", "POST"])
@login_required
@loads("organisation_id", _organisation, policy.require_readiness_visible)
def commitment(organisation, key: str):
    standing = _standing(organisation, key)
    if request.method == "GET":
        return _commitment_page(
            organisation, standing, _evidence_form(standing), NamedForm(formdata=None)
        )
    policy.require_may_record_readiness(_user(), organisation)
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _commitment_page(organisation, standing, form, NamedForm(formdata=None), 400)

    def retry(message):
        fresh = _standing(organisation, key)
        renew_version(form, fresh.version)
        return _commitment_page(organisation, fresh, form, NamedForm(formdata=None), 409, message)

    try:
        with changing(standing.record, retry):
            services.record_evidence(
                db.session,
                _user(),
                organisation,
                key,
                status=form.status.data,
                route=form.route.data,
                note=form.note.data,
                evidence_on=form.evidence_on.data,
                evidence_url=form.evidence_url.data,
                expected_version=form.version.data,
            )
    except InputError as error:
        show_on_form(form, error)
        return _commitment_page(organisation, standing, form, NamedForm(formdata=None), 400)
    flash(f"{standing.commitment.label}: saved.", "success")
    return redirect(url_for("readiness.organisation", organisation_id=organisation.id))


@bp.post("/organisations/<int:organisation_id>/commitments/<key>/confirm")
@login_required
@loads("organisation_id", _organisation, policy.require_readiness_visible)
def confirm(organisation, key: str):
    policy.require_may_confirm_readiness(_user(), organisation)
    standing = _standing(organisation, key)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _organisation_page(organisation, 400, "The form was incomplete. Try again.")
    try:
        with changing(
            standing.record, lambda message: _organisation_page(organisation, 409, message)
        ):
            services.confirm(db.session, _user(), organisation, key, form.version.data)
    except InputError as error:
        return _organisation_page(organisation, 400, str(error))
    flash(f"{standing.commitment.label}: confirmed.", "success")
    return redirect(url_for("readiness.organisation", organisation_id=organisation.id))


@bp.post("/organisations/<int:organisation_id>/commitments/<key>/named")
@login_required
@loads("organisation_id", _organisation, policy.require_readiness_visible)
def add_named(organisation, key: str):
    policy.require_may_record_readiness(_user(), organisation)
    standing = _standing(organisation, key)
    form = NamedForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                services.add_named(
                    db.session, _user(), organisation, key, form.name.data, form.since.data
                )
        except InputError as error:
            show_on_form(form, error)
        else:
            flash(f"{form.name.data} is named.", "success")
            return redirect(
                url_for("readiness.commitment", organisation_id=organisation.id, key=key)
            )
    standing = _standing(organisation, key)
    return _commitment_page(organisation, standing, _evidence_form(standing), form, 400)


@bp.post("/organisations/<int:organisation_id>/commitments/<key>/named/<int:person_id>/remove")
@login_required
@loads("organisation_id", _organisation, policy.require_readiness_visible)
def remove_named(organisation, key: str, person_id: int):
    policy.require_may_record_readiness(_user(), organisation)
    form = PsirfForm()
    if not form.validate_on_submit():
        return redirect(url_for("readiness.organisation", organisation_id=organisation.id)), 400
    with unit_of_work(db.session):
        services.remove_named(db.session, _user(), organisation, key, person_id)
    flash("The person is no longer named.", "success")
    return redirect(url_for("readiness.commitment", organisation_id=organisation.id, key=key))


# ---- staff and their training -------------------------------------------------------------------


def _staff_page(organisation, staff_form=None, training_form=None, left_form=None, status=200):
    members = training.staff(db.session, organisation)
    choices = [("", "Choose a member of staff")] + [
        (str(m.id), f"{m.name} ({m.email})") for m in members
    ]
    training_form = training_form or TrainingForm(formdata=None)
    left_form = left_form or LeftForm(formdata=None)
    training_form.member_id.choices = left_form.leaver_id.choices = choices
    return (
        render_template(
            "readiness/staff.html",
            organisation=organisation,
            members=members,
            former=training.former_staff(db.session, organisation),
            levels=[c.level for c in commitments.syllabus()],
            staff_form=staff_form or StaffForm(formdata=None),
            training_form=training_form,
            left_form=left_form,
            may_record=policy.may_record_readiness(_user(), organisation),
        ),
        status,
    )


def _member(organisation, chosen: str) -> StaffMember:
    """The member of staff a form chose, of this organisation."""
    member = training.member_of(db.session, organisation, record_id(chosen))
    if member is None:
        raise InputError("member_id", "Choose a member of staff from the list")
    return member


@bp.get("/organisations/<int:organisation_id>/staff")
@login_required
@loads("organisation_id", _organisation, policy.require_readiness_visible)
def staff(organisation):
    return _staff_page(organisation)


def _staff_change(organisation, form, slot: str, change, default: str | None = None):
    """A form of the staff page: `change` (which returns what to tell the person) in one unit of
    work, then back to the list; refused, the page again with the form as it was typed."""
    policy.require_may_record_readiness(_user(), organisation)
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                message = change()
        except InputError as error:
            show_on_form(form, error, default)
        else:
            flash(message, "success")
            return redirect(url_for("readiness.staff", organisation_id=organisation.id))
    return _staff_page(organisation, status=400, **{slot: form})


@bp.post("/organisations/<int:organisation_id>/staff/add")
@login_required
@loads("organisation_id", _organisation, policy.require_readiness_visible)
def add_staff(organisation):
    form = StaffForm()

    def change():
        training.add_staff(db.session, _user(), organisation, form.name.data, form.email.data)
        return f"{form.name.data} is listed."

    return _staff_change(organisation, form, "staff_form", change)


@bp.post("/organisations/<int:organisation_id>/staff/training")
@login_required
@loads("organisation_id", _organisation, policy.require_readiness_visible)
def record_training(organisation):
    form = TrainingForm()

    def change():
        member = _member(organisation, form.member_id.data)
        level, completed_on = _level(form.level.data), form.completed_on.data
        training.record_completion(db.session, _user(), member, level, completed_on)
        return "The training is recorded."

    return _staff_change(organisation, form, "training_form", change)


@bp.post("/organisations/<int:organisation_id>/staff/left")
@login_required
@loads("organisation_id", _organisation, policy.require_readiness_visible)
def staff_left(organisation):
    """Someone has left: kept on the list with their training, no longer counted."""
    form = LeftForm()

    def change():
        member = _member(organisation, form.leaver_id.data)
        training.mark_left(db.session, _user(), member, form.left_on.data)
        return f"{member.name} is listed as having left."

    return _staff_change(organisation, form, "left_form", change, "leaver_id")


@bp.route("/organisations/<int:organisation_id>/training-import", methods=["GET", "POST"])
@login_required
@loads("organisation_id", _organisation, policy.require_readiness_visible)
def import_training(organisation):
    policy.require_may_record_readiness(_user(), organisation)
    form = ImportForm()
    report = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with unit_of_work(db.session):
                    report = importing.import_training(
                        db.session, _user(), organisation, form.file.data.read()
                    )
            except InputError as error:
                show_on_form(form, error)
        status = 400 if form.errors else 200
    return (
        render_template(
            "readiness/import.html",
            organisation=organisation,
            form=form,
            report=report,
            template=importing.TEMPLATE,
        ),
        status,
    )


@bp.route("/my-training", methods=["GET", "POST"])
@login_required
def my_training():
    places = policy.training_organisations(_user())
    if not places:
        raise policy.NotPermitted(
            "Only staff of a service, PCN or federation record training here."
        )
    form = OwnTrainingForm()
    form.organisation_id.choices = [("", "Choose where you work")] + [
        (str(o.id), o.name) for o in places
    ]
    if request.method == "GET" and len(places) == 1:
        form.organisation_id.data = str(places[0].id)
    status = 200
    if form.validate_on_submit():
        chosen = next((o for o in places if str(o.id) == form.organisation_id.data), None)
        try:
            if chosen is None:
                raise InputError("organisation_id", "Choose where you work")
            with unit_of_work(db.session):
                training.record_own_completion(
                    db.session, _user(), chosen, _level(form.level.data), form.completed_on.data
                )
        except InputError as error:
            show_on_form(form, error)
        else:
            flash("Your training is recorded.", "success")
            return redirect(url_for("readiness.my_training"))
    if form.errors:
        status = 400
    return (
        render_template(
            "readiness/my_training.html",
            form=form,
            training=training.own_training(db.session, _user()),
        ),
        status,
    )
