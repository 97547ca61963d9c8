from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.organisations import services
from psirf.organisations import search
from psirf.organisations.forms import NewOrganisationForm, finding, offer
from psirf.organisations.models import OrganisationKind
from psirf.problems import InputError
from psirf.web.forms import show_on_form

bp = Blueprint("organisations", __name__, url_prefix="/admin/organisations")


@bp.get("")
@login_required
def index():
    icbs = policy.require_administrator(current_user)
    page = services.listing(
        db.session, icbs, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "organisations/index.html",
        page=page,
        newest_url=url_for("organisations.index"),
        next_url=url_for("organisations.index", after=page.next_cursor)
        if page.next_cursor
        else None,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    icbs = policy.require_administrator(current_user)
    form = NewOrganisationForm()
    scope = search.groups_in_icbs(icbs)
    offer(db.session, form.groups, form.groups_query, scope, label=lambda g: g.name)
    if not finding(request.form) and form.validate_on_submit():
        chosen = search.chosen(db.session, scope, search.ids_of(form.groups.data or []))
        icb = services.get(db.session, icbs[0])
        try:
            with unit_of_work(db.session):
                services.create(
                    db.session,
                    name=form.name.data,
                    ods_code=form.ods_code.data,
                    kind=OrganisationKind(form.kind.data),
                    icb=icb,
                    groups=chosen,
                    actor_id=current_user.id,
                )
        except InputError as error:
            show_on_form(form, error, "ods_code")
        else:
            flash(f"{form.name.data} has been added.", "success")
            return redirect(url_for("organisations.index"))
    return render_template("organisations/new.html", form=form), 400 if form.errors else 200
