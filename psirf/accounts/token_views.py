"""API token pages: a person's own tokens (make one, see it once, revoke it) and an
administrator's list of every token in their ICBs."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
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
                masked = tokens.seal(db.session, made.token, made.secret, utcnow())
                token_id = made.token.id
        except InputError as error:
            show_on_form(form, error)
        else:
            # Post/Redirect/Get: reloading the page that shows the token makes no second one. The
            # secret is held in two halves for that page's one GET (tokens.seal), then gone.
            session[_REVEAL] = {"token": token_id, "masked": masked}
            return redirect(url_for("tokens.made", token_id=token_id), 303)
    return _own_page(form, 400)


_REVEAL = "token_reveal"


@bp.get("/account/tokens/<int:token_id>/made")
@login_required
@loads("token_id", tokens.get, policy.require_own_token)
def made(token):
    """The new token's secret, shown on this page once; again (a reload), the list of tokens."""
    held = session.pop(_REVEAL, None) or {}
    masked = held.get("masked") if held.get("token") == token.id else None
    with unit_of_work(db.session):
        secret = tokens.reveal(
            db.session, token, masked, tokens.key_from(current_app.config), utcnow()
        )
    if secret is None:
        flash(
            f"The token {token.name} was shown once, when it was made, and is not shown again. "
            "If you did not copy it, revoke it and make another.",
            "warning",
        )
        return redirect(url_for("tokens.mine"))
    # The answer is not cached (psirf/web/security.py).
    return render_template(
        "accounts/token_made.html", secret=secret, name=token.name, expires_on=token.expires_on
    )


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
