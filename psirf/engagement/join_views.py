"""Joining the family portal with an invitation: a link from an email, or a code from a letter.

Public pages (no account yet). A link or code that cannot be used (unknown, used, expired or
withdrawn) gets one plain page that does not say which. Attempts are throttled per address.
The invitation found is remembered in the signed session while the person chooses a password,
so the secret leaves the address bar at once.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import login_user

from psirf.accounts import passwords
from psirf.db import unit_of_work
from psirf.engagement import invitations
from psirf.engagement.forms import CodeForm, JoinForm
from psirf.engagement.models import InvitationMeans
from psirf.extensions import db, limiter
from psirf.timeutil import utcnow

bp = Blueprint("family_join", __name__)

OPENED = "family_join_invitation"


def _limit() -> str:
    return current_app.config["JOIN_LIMIT_PER_ADDRESS"]


def _failed(response) -> bool:
    return response.status_code not in (200, 302)


def _cannot_use():
    session.pop(OPENED, None)
    return render_template("join/cannot_use.html"), 404


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"], deduct_when=_failed)
def code():
    form = CodeForm()
    if form.validate_on_submit():
        found = invitations.find_by_code(db.session, form.code.data, utcnow())
        if found is not None:
            session[OPENED] = found.id
            return redirect(url_for("family_join.set_password"))
        # The same words whether the code is mistyped, used, expired or withdrawn.
        form.code.errors.append("This code cannot be used. Check you typed it as it is in your letter")
    return render_template("join/code.html", form=form), 400 if form.errors else 200


@bp.get("/join/<token>")
@limiter.limit(_limit, deduct_when=_failed)
def link(token: str):
    found = invitations.find_by_link(db.session, token, utcnow())
    if found is None:
        return _cannot_use()
    session[OPENED] = found.id
    return redirect(url_for("family_join.set_password"))


@bp.route("/join/set-password", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"], deduct_when=_failed)
def set_password():
    invitation = invitations.usable(db.session, session.get(OPENED), utcnow())
    if invitation is None:
        return _cannot_use()
    by_letter = invitation.means == InvitationMeans.LETTER.value
    form = JoinForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                user = invitations.accept(db.session, invitation, email=form.email.data if by_letter else None,
                                          password=form.password.data, confirm=form.confirm.data or "", now=utcnow())
        except invitations.JoinError as error:
            if error.field == "invitation":
                return _cannot_use()
            getattr(form, error.field).errors.append(str(error))
        else:
            # A fresh session for the new sign-in, as the staff sign-in does.
            session.clear()
            login_user(user)
            flash("You have joined. This is your page.", "success")
            return redirect(url_for("family.index"))
    return render_template("join/set_password.html", form=form, by_letter=by_letter, email=invitation.email,
                           min_length=passwords.MIN_LENGTH), 400 if form.errors else 200
