"""Joining the family portal with an invitation: a link from an email, or a code from a letter.

Public pages (no account yet). A link or code that cannot be used (unknown, used, expired or
withdrawn) gets one plain page that does not say which. Attempts are throttled per address, counted
before the link or code is looked at (psirf/web/throttle.py); one that opens an invitation, or joins,
is given back. The invitation found is remembered in the signed session while the person goes on,
so the secret leaves the address bar at once.

A letter's code leads to one question, the person's email address, and then to "check your email"
whatever the address belongs to: the link to join goes to that address (joining.send_link_for_letter).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import login_user

from psirf.accounts import passwords
from psirf.accounts import services as accounts
from psirf.db import unit_of_work
from psirf.engagement.models import InvitationMeans
from psirf.family import joining
from psirf.family.forms import CodeForm, JoinForm, LetterEmailForm
from psirf.extensions import db
from psirf.timeutil import utcnow
from psirf.web import throttle
from psirf.problems import InputError
from psirf.web.forms import show_on_form

bp = Blueprint("family_join", __name__)

OPENED = "family_join_invitation"
LIMIT = "JOIN_LIMIT_PER_ADDRESS"


def _attempt() -> throttle.Counted:
    return throttle.count_address("join", LIMIT)


def _cannot_use():
    session.pop(OPENED, None)
    return render_template("join/cannot_use.html"), 404


@bp.route("/join", methods=["GET", "POST"])
def code():
    form = CodeForm()
    if form.validate_on_submit():
        attempt = _attempt()
        found = joining.find_by_code(db.session, form.code.data, utcnow())
        if found is not None:
            attempt.give_back()
            session[OPENED] = found.id
            return redirect(url_for("family_join.set_password"))
        # The same words whether the code is mistyped, used, expired or withdrawn.
        form.code.errors.append(
            "This code cannot be used. Check you typed it as it is in your letter"
        )
    return render_template("join/code.html", form=form), 400 if form.errors else 200


@bp.get("/join/<token>")
def link(token: str):
    attempt = _attempt()
    found = joining.find_by_link(db.session, token, utcnow())
    if found is None:
        return _cannot_use()
    attempt.give_back()
    session[OPENED] = found.id
    return redirect(url_for("family_join.set_password"))


@bp.route("/join/set-password", methods=["GET", "POST"])
def set_password():
    invitation = joining.usable(db.session, session.get(OPENED), utcnow())
    if invitation is None:
        return _cannot_use()
    if invitation.means == InvitationMeans.LETTER.value:
        return _letter_email(invitation)
    form = JoinForm()
    if form.validate_on_submit():
        attempt = _attempt()
        try:
            with unit_of_work(db.session):
                now = utcnow()
                user = joining.accept(
                    db.session,
                    invitation,
                    email=None,
                    password=form.password.data,
                    confirm=form.confirm.data or "",
                    now=now,
                )
                accounts.sign_in(db.session, user, now)
        except InputError as error:
            if error.field == "invitation":
                return _cannot_use()
            show_on_form(form, error)
        else:
            attempt.give_back()
            # A fresh session for the new sign-in, as the staff sign-in does.
            session.clear()
            login_user(user)
            flash("You have joined. This is your page.", "success")
            return redirect(url_for("family.index"))
    return render_template(
        "join/set_password.html", form=form, email=invitation.email, min_length=passwords.MIN_LENGTH
    ), 400 if form.errors else 200


def _letter_email(invitation):
    form = LetterEmailForm()
    if form.validate_on_submit():
        # Each sends an email: counted per address, and per letter wherever it is typed from.
        _attempt()
        throttle.count("join-letter", LIMIT, str(invitation.id))
        try:
            with unit_of_work(db.session):
                joining.send_link_for_letter(
                    db.session,
                    invitation,
                    form.email.data,
                    now=utcnow(),
                    link_days=current_app.config["INVITATION_LINK_DAYS"],
                )
        except InputError as error:
            if error.field == "invitation":
                return _cannot_use()
            form.email.errors.append(str(error))
        else:
            return render_template(
                "join/check_email.html", email=accounts.normalise_email(form.email.data)
            )
    return render_template("join/your_email.html", form=form), 400 if form.errors else 200
