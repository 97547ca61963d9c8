from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from psirf import policy
from psirf.accounts import services
from psirf.accounts.forms import NewAccountForm, SignInForm
from psirf.accounts.models import Role, User
from psirf.db import unit_of_work
from psirf.extensions import db, limiter, login_manager
from psirf.organisations import services as organisations

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(session_id: str):
    return services.load_for_session(db.session, session_id)


def _failed_sign_in(response) -> bool:
    return response.status_code != 302


def _account_key() -> str:
    return "account:" + services.normalise_email(request.form.get("email", ""))


def _safe_next(target: str | None) -> str:
    # Only a path on this site, never another host.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("web.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed_sign_in)
@limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed_sign_in,
)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = SignInForm()
    if form.validate_on_submit():
        with unit_of_work(db.session):
            user = services.authenticate(db.session, form.email.data, form.password.data)
        if user:
            session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.email.errors.append("Enter a correct email address and password")
    return render_template("accounts/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out():
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("accounts.sign_in"))


@bp.get("/admin/accounts")
@login_required
def users():
    icbs = policy.require_administrator(current_user)
    return render_template("accounts/users.html", users=services.users_in_icbs(db.session, icbs))


@bp.route("/admin/accounts/new", methods=["GET", "POST"])
@login_required
def new_user():
    icbs = policy.require_administrator(current_user)
    form = NewAccountForm()
    form.organisation_id.choices = [("", "Choose an organisation")] + [
        (str(o.id), f"{o.name} ({o.ods_code})") for o in organisations.in_icbs(db.session, icbs)
    ]
    if form.validate_on_submit():
        organisation = organisations.get(db.session, int(form.organisation_id.data))
        policy.require_administers(current_user, organisation)
        try:
            with unit_of_work(db.session):
                services.create_user(
                    db.session,
                    email=form.email.data,
                    name=form.name.data,
                    password=form.password.data,
                    role=Role(form.role.data),
                    organisation=organisation,
                    actor_id=current_user.id,
                )
        except services.AccountError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            flash(f"Account created for {form.name.data}.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/new_user.html", form=form), 400 if form.errors else 200


@bp.post("/admin/accounts/<int:user_id>/active")
@login_required
def set_active(user_id: int):
    icbs = policy.require_administrator(current_user)
    user = db.session.get(User, user_id)
    if user is None or user not in services.users_in_icbs(db.session, icbs):
        raise policy.NotVisible("Page not found")
    if user.id == current_user.id:
        raise policy.NotPermitted("You cannot deactivate your own account.")
    activate = request.form.get("active") == "1"
    with unit_of_work(db.session):
        services.set_active(db.session, user, activate, current_user.id)
    flash(f"{user.name}'s account is now {'active' if activate else 'deactivated'}.", "success")
    return redirect(url_for("accounts.users"))
