"""API token pages: a person's own tokens (make one, see it once, revoke it) and an
administrator's list of every token in their ICBs."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.accounts import tokens
from psirf.accounts.forms import NewTokenForm
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.problems import InputError
from psirf.timeutil import utcnow
from psirf.web.forms import show_on_form
from psirf.web.loading import loads

bp = Blueprint("tokens", __name__)


def _own_page(form: NewTokenForm, status: int = 200):
    page = tokens.of_holder(
        db.session, current_user, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "accounts/tokens.html",
        form=form,
        page=page,
        today=utcnow().date(),
        longest_days=tokens.LONGEST_DAYS,
        newest_url=url_for("tokens.mine"),
        next_url=url_for("tokens.mine", after=page.next_cursor) if page.next_cursor else None,
    ), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def mine():
    scopes = policy.require_token_holder(current_user)
    form = NewTokenForm()
    form.offer_scopes(scopes)
    if request.method == "GET":
        form.expires_on.process(None, utcnow().date() + timedelta(days=tokens.DEFAULT_DAYS))
        return _own_page(form)
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                made = tokens.create(
                    db.session,
                    current_user,
                    name=form.name.data,
                    scope=form.scope.data,
                    expires_on=form.expires_on.data,
                    key=tokens.key_from(current_app.config),
                    now=utcnow(),
                )
                name, expires_on = made.token.name, made.token.expires_on
        except InputError as error:
            show_on_form(form, error)
        else:
            # Shown on this answer only (never stored, never in a redirect's flash): it is not
            # shown again. The answer is not cached (psirf/web/security.py).
            return render_template(
                "accounts/token_made.html", secret=made.secret, name=name, expires_on=expires_on
            ), 201
    return _own_page(form, 400)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
@loads("token_id", tokens.get, policy.require_own_token)
def revoke_mine(token):
    with unit_of_work(db.session):
        tokens.revoke(db.session, token, current_user, utcnow())
    flash("The token is revoked: it no longer works.", "success")
    return redirect(url_for("tokens.mine"))


@bp.get("/admin/tokens")
@login_required
def administered():
    icbs = policy.require_administrator(current_user)
    page = tokens.in_icbs(
        db.session, icbs, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "accounts/admin_tokens.html",
        page=page,
        today=utcnow().date(),
        newest_url=url_for("tokens.administered"),
        next_url=url_for("tokens.administered", after=page.next_cursor)
        if page.next_cursor
        else None,
    )


def _holder_administered(administrator, token) -> bool:
    """A token of a person of the administrator's ICBs: anyone else's is not found."""
    return tokens.is_held_in_icbs(db.session, token, policy.administered_icbs(administrator))


@bp.post("/admin/tokens/<int:token_id>/revoke")
@login_required
@loads("token_id", tokens.get, before=policy.require_administrator, visible_if=_holder_administered)
def revoke_any(token):
    with unit_of_work(db.session):
        tokens.revoke(db.session, token, current_user, utcnow())
    flash(f"{token.user.name}'s token {token.prefix} is revoked.", "success")
    return redirect(url_for("tokens.administered"))
