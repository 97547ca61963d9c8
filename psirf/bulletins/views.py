"""Learning bulletins: the list, drafting one, its page (edited there while a draft), its PDF.

Thin views: the forms validate, `psirf.bulletins.services` does the work inside one unit of work,
and what the policy refuses is raised (404 outside the person's areas or a draft they do not
write, 403 for a role that reads but may not change).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from psirf import policy
from psirf.bulletins import periods, services
from psirf.bulletins.forms import GenerateForm, PointForm, TextForm, parse_period, period_value
from psirf.bulletins.models import TEXT_FIELDS, Section
from psirf.bulletins.reports import build_pdf
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.problems import InputError
from psirf.timeutil import utcnow
from psirf.web.changes import changing
from psirf.web.forms import VersionedForm, show_on_form
from psirf.web.loading import loads

bp = Blueprint("bulletins", __name__, url_prefix="/bulletins")


@bp.get("")
@login_required
def index():
    policy.require_staff(current_user, "Learning bulletins are for people working in care.")
    page = services.listing(
        db.session, current_user, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    next_url = url_for("bulletins.index", after=page.next_cursor) if page.next_cursor else None
    return render_template(
        "bulletins/index.html",
        page=page,
        next_url=next_url,
        may_draft=policy.may_write_bulletins(current_user),
        period_label=services.period_label,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    policy.require_bulletin_writer(current_user)
    areas = services.writable_areas(db.session, current_user)
    today = utcnow().date()
    form = GenerateForm()
    form.organisation_id.choices = [("", "Choose one")] + [
        (str(a.id), f"{a.name} ({a.kind_label})") for a in areas
    ]
    form.period.choices = [
        (period_value(s, e), periods.label(s, e) + (" (so far)" if e > today else ""))
        for s, e in periods.recent_quarters(today)
    ]
    if request.method == "GET":
        form.period.data = period_value(*periods.default_period(today))
        if len(areas) == 1:
            form.organisation_id.data = str(areas[0].id)
    if form.validate_on_submit():
        start, end = parse_period(form.period.data)
        try:
            with unit_of_work(db.session):
                bulletin = services.generate(
                    db.session,
                    current_user,
                    int(form.organisation_id.data) if form.organisation_id.data.isdigit() else None,
                    start,
                    end,
                    today,
                )
        except InputError as error:
            show_on_form(form, error)
        else:
            flash("The bulletin has been drafted. Check it, edit it, then publish it.", "success")
            return redirect(url_for("bulletins.show", bulletin_id=bulletin.id))
    status = 400 if form.errors else 200
    return render_template("bulletins/new.html", form=form), status


def _render(bulletin, status: int = 200, text_form=None, refused: str | None = None):
    writes = bulletin.is_draft and policy.may_write_bulletin(current_user, bulletin.organisation)
    form = text_form or TextForm(
        formdata=None,
        data={"version": bulletin.version_id, **{f: getattr(bulletin, f) for f in TEXT_FIELDS}},
    )
    return (
        render_template(
            "bulletins/show.html",
            bulletin=bulletin,
            sections=list(Section),
            writes=writes,
            form=form,
            refused=refused,
            period=services.period_label(bulletin),
            previous=services.previous_label(bulletin),
            trend=services.drafting.trend,
        ),
        status,
    )


@bp.get("/<int:bulletin_id>")
@login_required
@loads("bulletin_id", services.get_visible, scoped=True)
def show(bulletin):
    return _render(bulletin)


@bp.get("/<int:bulletin_id>/bulletin.pdf")
@login_required
@loads("bulletin_id", services.get_visible, scoped=True)
def pdf(bulletin):
    body = build_pdf(bulletin, services.period_label(bulletin), services.previous_label(bulletin))
    answer = make_response(body)
    answer.headers["Content-Type"] = "application/pdf"
    answer.headers["Content-Disposition"] = f'inline; filename="bulletin-{bulletin.id}.pdf"'
    return answer


@bp.post("/<int:bulletin_id>/text")
@login_required
@loads("bulletin_id", services.get_visible, scoped=True)
def save_text(bulletin):
    policy.require_may_write_bulletin(current_user, bulletin)
    form = TextForm()
    if not form.validate_on_submit():
        return _render(bulletin, 400, text_form=form)
    values = {f: getattr(form, f).data for f in TEXT_FIELDS}
    try:
        with changing(bulletin, lambda message: _render(bulletin, 409, form, message), form):
            replaced = services.save_text(
                db.session, current_user, bulletin, values, form.version.data
            )
    except InputError as error:
        bulletin = services.get_visible(db.session, current_user, bulletin.id)
        show_on_form(form, error)
        return _render(bulletin, 400, text_form=form)
    _saved(replaced)
    return redirect(url_for("bulletins.show", bulletin_id=bulletin.id, _anchor="edit"))


def _saved(replaced: list[str]) -> None:
    """Say the change was saved, and where identifiers were replaced, for the person to check."""
    if replaced:
        flash(
            "Your changes have been saved. Details that could identify someone were replaced in: "
            + ", ".join(replaced)
            + ". Check the text reads as you meant.",
            "info",
        )
    else:
        flash("Your changes have been saved.", "success")


def _point_page(bulletin, point, form, status: int = 200, refused: str | None = None):
    return (
        render_template(
            "bulletins/point.html", bulletin=bulletin, point=point, form=form, refused=refused
        ),
        status,
    )


def _point_form(point, **kwargs) -> PointForm:
    form = PointForm(**kwargs)
    return form.without_body() if point.section == Section.THEMES.value else form


@bp.route("/<int:bulletin_id>/points/<int:point_id>/edit", methods=["GET", "POST"])
@login_required
@loads("bulletin_id", services.get_visible, scoped=True)
def edit_point(bulletin, point_id: int):
    """A point's own words: its title and (but for a theme, whose figures speak) its text."""
    policy.require_may_write_bulletin(current_user, bulletin)
    point = services.point_of(bulletin, point_id)
    if request.method == "GET":
        form = _point_form(
            point,
            formdata=None,
            data={"version": bulletin.version_id, "title": point.title, "body": point.body},
        )
        return _point_page(bulletin, point, form)
    form = _point_form(point)
    if not form.validate_on_submit():
        return _point_page(bulletin, point, form, 400)
    values = {"title": form.title.data, "body": form.body.data if "body" in form else None}
    try:
        with changing(
            bulletin, lambda message: _point_page(bulletin, point, form, 409, message), form
        ):
            replaced = services.edit_point(
                db.session, current_user, bulletin, point.id, values, form.version.data
            )
    except InputError as error:
        bulletin = services.get_visible(db.session, current_user, bulletin.id)
        show_on_form(form, error)
        return _point_page(bulletin, services.point_of(bulletin, point_id), form, 400)
    _saved(replaced)
    return redirect(url_for("bulletins.show", bulletin_id=bulletin.id, _anchor=point.section))


@bp.post("/<int:bulletin_id>/points/<int:point_id>/remove")
@login_required
@loads("bulletin_id", services.get_visible, scoped=True)
def remove_point(bulletin, point_id: int):
    policy.require_may_write_bulletin(current_user, bulletin)
    form = VersionedForm()
    if not form.validate_on_submit():
        return _render(bulletin, 400, refused="The form was incomplete. Try again.")
    with changing(bulletin, lambda message: _render(bulletin, 409, refused=message)):
        point = services.remove_point(
            db.session, current_user, bulletin, point_id, form.version.data
        )
    flash(f"'{point.title}' is no longer in the bulletin.", "success")
    return redirect(url_for("bulletins.show", bulletin_id=bulletin.id, _anchor=point.section))


@bp.post("/<int:bulletin_id>/publish")
@login_required
@loads("bulletin_id", services.get_visible, scoped=True)
def publish(bulletin):
    policy.require_may_write_bulletin(current_user, bulletin)
    form = VersionedForm()
    if not form.validate_on_submit():
        return _render(bulletin, 400, refused="The form was incomplete. Try again.")
    try:
        with changing(bulletin, lambda message: _render(bulletin, 409, refused=message)):
            services.publish(db.session, current_user, bulletin, form.version.data, utcnow())
    except InputError as error:
        bulletin = services.get_visible(db.session, current_user, bulletin.id)
        return _render(bulletin, 400, refused=error.message)
    flash(
        f"The bulletin has been published to {bulletin.organisation.name}'s member services.",
        "success",
    )
    return redirect(url_for("bulletins.show", bulletin_id=bulletin.id))
