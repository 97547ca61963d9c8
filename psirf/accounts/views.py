from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

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
from flask_login import current_user, login_required, login_user, logout_user

from psirf import policy
from psirf.accounts import passwords, services, sessions
from psirf.accounts.forms import ChangePasswordForm, NewAccountForm, SignInForm
from psirf.accounts.models import Role, User, UserSession
from psirf.db import unit_of_work
from psirf.extensions import db, login_manager
from psirf.notifications.header import count_with_sign_in, counted_with_sign_in
from psirf.organisations import search
from psirf.organisations.forms import finding, offer
from psirf.timeutil import utcnow
from psirf.web import throttle
from psirf.web.loading import loads
from psirf.problems import InputError
from psirf.web.forms import show_on_form

bp = Blueprint("accounts", __name__)


def _limits() -> sessions.Limits:
    return sessions.Limits.from_config(current_app.config)


@cache
def _sign_in_statement():
    """Every request's first statement, built once (its mappers are configured by then): the
    sign-in, its person and roles, and the header's count."""
    return sessions.resume_statement(count_with_sign_in(UserSession.user_id))


@login_manager.user_loader
def load_user(key: str):
    """The cookie names a sign-in: its person, if it has not ended (and ending it if it just timed out)."""
    user, header = sessions.resume_with(db.session, key, utcnow(), _limits(), _sign_in_statement())
    if db.session.dirty:  # last seen, at most once a minute, or the ending
        db.session.commit()
    if user is not None:
        counted_with_sign_in(header)
    return user


# Asked of no sign-in: files, and the health check, which must answer whatever a cookie says.
NO_SIGN_IN = {"static", "web.assets", "web.healthz"}


@bp.before_app_request
def resume_sign_in():
    # Before the view starts its own work, so the loader's commit holds only the sign-in's row.
    if request.endpoint not in NO_SIGN_IN:
        current_user._get_current_object()


def _safe_next(target: str | None) -> str:
    # Only a path on this site, never another host.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("web.home")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = SignInForm()
    if form.validate_on_submit():
        # Counted before the password is checked, per address and then per account.
        attempts = [
            throttle.count_address("sign-in", "SIGN_IN_LIMIT_PER_ADDRESS"),
            throttle.count(
                "sign-in-account",
                "SIGN_IN_LIMIT_PER_ACCOUNT",
                services.normalise_email(form.email.data),
            ),
        ]
        with unit_of_work(db.session):
            user = services.authenticate(db.session, form.email.data, form.password.data)
            if user:
                services.sign_in(db.session, user, utcnow())
        if user:
            # Only failures add up: a practice behind one address can all sign in.
            for attempt in attempts:
                attempt.give_back()
            session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.email.errors.append("Enter a correct email address and password")
    return render_template("accounts/sign_in.html", form=form), 400 if form.errors else 200


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        with unit_of_work(db.session):
            services.sign_out(db.session, current_user, current_user.session_key, utcnow())
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        # Guesses at the current password, by someone holding another's sign-in, count as sign-in attempts.
        attempt = throttle.count(
            "sign-in-account",
            "SIGN_IN_LIMIT_PER_ACCOUNT",
            services.normalise_email(current_user.email),
        )
        try:
            with unit_of_work(db.session):
                ended = services.change_password(
                    db.session,
                    current_user,
                    current=form.current.data,
                    new=form.new.data,
                    confirm=form.confirm.data,
                    keep=current_user.session_key,
                    now=utcnow(),
                )
        except InputError as error:
            show_on_form(form, error)
        else:
            attempt.give_back()
            others = " You are signed out everywhere else." if ended else ""
            flash("Your password has changed." + others, "success")
            return redirect(url_for("web.home"))
    return render_template(
        "accounts/change_password.html", form=form, min_length=passwords.MIN_LENGTH
    ), (400 if form.errors else 200)


@bp.get("/admin/accounts")
@login_required
def users():
    icbs = policy.require_administrator(current_user)
    page = services.listing(
        db.session, icbs, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    signed_in = sessions.open_counts(db.session, [p.id for p in page.items], utcnow(), _limits())
    return render_template(
        "accounts/users.html",
        page=page,
        signed_in=signed_in,
        newest_url=url_for("accounts.users"),
        next_url=url_for("accounts.users", after=page.next_cursor) if page.next_cursor else None,
    )


def _offer_organisations(form: NewAccountForm, icbs: list[int]) -> None:
    offer(
        db.session,
        form.organisation_id,
        form.organisation_query,
        search.in_icbs(icbs),
        label=lambda o: f"{o.name} ({o.ods_code})",
    )


def _chosen_organisation(form: NewAccountForm, icbs: list[int]):
    """The organisation chosen, if it is one of the administrator's; else None, with the error."""
    chosen = search.chosen(
        db.session, search.in_icbs(icbs), search.ids_of(form.organisation_id.data)
    )
    if not chosen:
        form.organisation_id.errors.append("Choose an organisation in your ICB")
        return None
    policy.require_administers(current_user, chosen[0])
    return chosen[0]


@bp.route("/admin/accounts/new", methods=["GET", "POST"])
@login_required
def new_user():
    icbs = policy.require_administrator(current_user)
    form = NewAccountForm()
    _offer_organisations(form, icbs)
    if finding(request.form):
        return render_template("accounts/new_user.html", form=form, keep_password=True)
    organisation = None
    if form.validate_on_submit():
        organisation = _chosen_organisation(form, icbs)
    if organisation is not None:
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
        except InputError as error:
            show_on_form(form, error)
        else:
            flash(f"Account created for {form.name.data}.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/new_user.html", form=form), 400 if form.errors else 200


def _administered(administrator, user: User) -> bool:
    """A person in the administrator's ICBs: anyone else is not found."""
    return services.is_in_icbs(db.session, user, policy.administered_icbs(administrator))


# Not an administrator is a 403 whatever the number; a person outside their ICBs a 404.
administered = loads("user_id", User, before=policy.require_administrator, visible_if=_administered)


@bp.post("/admin/accounts/<int:user_id>/active")
@login_required
@administered
def set_active(user):
    if user.id == current_user.id:
        raise policy.NotPermitted("You cannot deactivate your own account.")
    activate = request.form.get("active") == "1"
    with unit_of_work(db.session):
        services.set_active(db.session, user, activate, current_user.id, utcnow())
    flash(f"{user.name}'s account is now {'active' if activate else 'deactivated'}.", "success")
    return redirect(url_for("accounts.users"))


@bp.post("/admin/accounts/<int:user_id>/sessions/end")
@login_required
@administered
def end_sessions(user):
    with unit_of_work(db.session):
        ended = services.end_sessions(db.session, user, current_user.id, utcnow())
    flash(
        f"{user.name} is signed out everywhere ({ended} sign-in{'s' if ended != 1 else ''} ended).",
        "success",
    )
    return redirect(url_for("accounts.users"))
