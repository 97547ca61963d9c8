"""The pages every feature shares: the start page, health check, NHS.UK assets and error pages."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, redirect, render_template, send_from_directory, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from psirf import policy
from psirf.accounts.models import Role
from psirf.config import PROJECT_ROOT
from psirf.extensions import db
from psirf.web import changes, errors
from psirf.web.dates import register_date_filter
from psirf.web.forms import error_links, option_tags

bp = Blueprint("web", __name__)

ASSETS = PROJECT_ROOT / "psirf" / "static" / "vendor" / "nhsuk" / "assets"


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in"))
    endpoint, _ = NAVIGATION[policy.landing_section(current_user)]
    return redirect(url_for(endpoint))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unavailable"), 503


@bp.get("/assets/<path:filename>")
def assets(filename: str):
    # The NHS.UK stylesheet asks for its icons at /assets/...
    return send_from_directory(ASSETS, filename, max_age=3600)


@bp.get("/accessibility")
def accessibility():
    return render_template("web/accessibility.html")


# Where each section the policy opens leads, and what the header calls it.
NAVIGATION = {
    policy.FAMILY_PORTAL: ("family.index", "Your response"),
    policy.REPORT_EVENT: ("events.new", "Report an event"),
    policy.MY_REPORTS: ("events.my_reports", "My reports"),
    policy.NEAR_MISSES: ("nearmiss.index", "Near misses"),
    policy.TRIAGE: ("triage.queue", "Triage"),
    policy.RESPONSES: ("responses.index", "Learning responses"),
    policy.OVERDUE_RESPONSES: ("dashboards.overdue", "Overdue responses"),
    policy.DASHBOARDS: ("dashboards.index", "Dashboards"),
    policy.SAFETY_ACTIONS: ("actions.index", "Safety actions"),
    policy.IMPROVEMENT_PLANS: ("improvement.index", "Improvement plans"),
    policy.PSIRF_PLANS: ("plans.index", "PSIRF plans"),
    policy.LIBRARY: ("library.index", "Learning library"),
    policy.BULLETINS: ("bulletins.index", "Learning bulletins"),
    policy.ORGANISATIONS: ("organisations.index", "Organisations"),
    policy.ACCOUNTS: ("accounts.users", "Accounts"),
    policy.ALERTS: ("alerts.index", "Safety alerts"),
}


def navigation_items() -> list[dict]:
    """The header's links: the sections the policy lets the signed-in person reach."""
    return [
        {"href": url_for(NAVIGATION[key][0]), "text": NAVIGATION[key][1]}
        for key in policy.sections(current_user)
    ]


def header_role() -> str:
    if not current_user.is_authenticated or not current_user.roles:
        return ""
    return "; ".join(f"{r.role_label}, {r.organisation.name}" for r in current_user.roles)


def sign_out_form() -> Markup:
    from flask_wtf.csrf import generate_csrf

    return Markup(
        '<form class="nhsuk-header__account-form" method="post" action="{action}">'
        '<input type="hidden" name="csrf_token" value="{token}">'
        '<button class="nhsuk-header__account-button">Sign out</button></form>'
    ).format(action=url_for("accounts.sign_out"), token=generate_csrf())


def _labels():
    """The labelled enums, so templates show plain-English labels for stored values."""
    from types import SimpleNamespace

    from psirf.events import lfpse
    from psirf.events.models import EventStatus
    from psirf.organisations.models import OrganisationKind
    from psirf.responses.models import ResponseMethod

    return SimpleNamespace(
        EventStatus=EventStatus,
        OrganisationKind=OrganisationKind,
        ResponseMethod=ResponseMethod,
        Role=Role,
        **{name: getattr(lfpse, name) for name in lfpse.__all__},
    )


def register_page_helpers(app: Flask) -> None:
    """Template globals, labels, the header and the error pages every blueprint shares."""
    app.jinja_env.globals["labels"] = _labels()
    app.jinja_env.globals["error_links"] = error_links
    app.jinja_env.globals["option_tags"] = option_tags
    register_date_filter(app)
    app.context_processor(
        lambda: {
            "navigation_items": navigation_items,
            "header_role": header_role(),
            "sign_out_form": sign_out_form,
        }
    )

    errors.register_error_pages(app)
    changes.register_conflict_page(app)
