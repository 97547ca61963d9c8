"""The dashboards: a PCN's or federation's panel's, the ICB quality committee's, and the ICB's
lists of overdue responses and overdue duty of candour steps.

Thin views: psirf.policy decides who sees each (404 outside the person's organisations, 403 for a
role that may not), psirf.dashboards.services and .icb gather the figures, .lists the overdue
lists, .csv writes any table.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from psirf import policy
from psirf.events.lfpse import insight_theme_choices
from psirf.extensions import db
from psirf.organisations.models import Organisation
from psirf.dashboards import charts, choosing, csv, lists, services, spc
from psirf.engagement.candour_steps import CandourTargets
from psirf.timeutil import utcnow
from psirf.web.inputs import record_id
from psirf.web.loading import loads
from psirf.web.spreadsheets import to_csv

# No url_prefix: the ICB's overdue lists keep the addresses they were given under /oversight.
bp = Blueprint("dashboards", __name__)

OVERDUE_LIMIT = 200  # rows of an overdue list: the longest overdue first, the rest counted


@bp.get("/dashboards")
@login_required
def index():
    """Sends a panel member to their group's dashboard and an ICB role to the ICB's; lists them if several."""
    policy.require_dashboards_viewer(current_user)
    group_ids, icb_ids = policy.panel_groups(current_user), policy.oversight_icbs(current_user)
    if len(group_ids) + len(icb_ids) == 1:
        if icb_ids:
            return redirect(url_for("dashboards.icb_page"))
        return redirect(url_for("dashboards.group_page", group_id=group_ids[0]))
    organisations = {
        o.id: o
        for o in db.session.scalars(
            select(Organisation).where(Organisation.id.in_([*group_ids, *icb_ids]))
        )
    }
    groups = sorted(
        (organisations[i] for i in set(group_ids) if i in organisations), key=lambda o: o.name
    )
    icbs = sorted(
        (organisations[i] for i in set(icb_ids) if i in organisations), key=lambda o: o.name
    )
    return render_template("dashboards/index.html", groups=groups, icbs=icbs)


# ---- a PCN's or federation's panel -------------------------------------------------------------


def _group_dashboard(group: Organisation):
    return services.group_dashboard(db.session, group, utcnow())


@bp.get("/dashboards/groups/<int:group_id>")
@login_required
@loads("group_id", Organisation, policy.require_group_oversight)
def group_page(group):
    dashboard = _group_dashboard(group)
    return render_template("dashboards/group.html", d=dashboard, tables=csv.group_tables(dashboard))


@bp.get("/dashboards/groups/<int:group_id>.csv")
@login_required
@loads("group_id", Organisation, policy.require_group_oversight)
def group_csv(group):
    dashboard = _group_dashboard(group)
    return _csv_response(csv.GROUP_TABLES, dashboard, f"{dashboard.group.ods_code}-dashboard")


# ---- the ICB -------------------------------------------------------------------------------------------


def _icb_dashboard():
    return choosing.icb_dashboard(
        current_user,
        utcnow(),
        current_app.config["CANDOUR_TARGET_WORKING_DAYS"],
        icb_id=request.args.get("icb", type=record_id),
        theme=request.args.get("theme"),
        group_id=request.args.get("group", type=record_id),
        baseline=request.args.get("baseline", type=int),
    )


@bp.get("/dashboards/icb")
@login_required
def icb_page():
    dashboard = _icb_dashboard()
    series = dashboard.series
    scope = dashboard.group.name if dashboard.group else dashboard.icb.name
    chart = charts.xmr_chart(
        series.chart,
        series.labels,
        chart_id="spc-chart",
        title=f"{series.theme_label}: events a month, {scope}",
        y_label="Events a month",
    )
    return render_template(
        "dashboards/icb.html",
        d=dashboard,
        tables=csv.icb_tables(dashboard),
        chart=chart,
        themes=insight_theme_choices(),
        signals=spc.describe(series.chart, series.long_labels),
        rule_label=spc.rule_label,
        rules=spc.RULES,
        several_icbs=len(policy.oversight_icbs(current_user)) > 1,
        baselines=choosing.BASELINES,
    )


@bp.get("/dashboards/icb.csv")
@login_required
def icb_csv():
    dashboard = _icb_dashboard()
    return _csv_response(csv.ICB_TABLES, dashboard, f"{dashboard.icb.ods_code}-dashboard")


def _csv_response(tables: dict, dashboard, stem: str) -> Response:
    """One table, computed alone: the dashboard's other sections are never read."""
    name = request.args.get("table", "")
    if name not in tables:
        abort(404)
    header, rows = tables[name](dashboard)
    return Response(
        to_csv(header, rows),
        headers={"Content-Disposition": f'attachment; filename="{stem}-{name}.csv"'},
        content_type="text/csv; charset=utf-8",
    )


# ---- the ICB's overdue lists ---------------------------------------------------------------------


@bp.get("/oversight/overdue")
@login_required
def overdue():
    policy.require_icb_oversight(current_user)
    now = utcnow()
    page = lists.overdue_for(db.session, current_user, now, OVERDUE_LIMIT)
    rows = lists.overdue_rows(page, now)
    return render_template("dashboards/overdue.html", page=page, rows=rows)


@bp.get("/oversight/candour")
@login_required
def candour_overdue():
    policy.require_icb_oversight(current_user)
    today = utcnow().date()
    targets = CandourTargets.from_config(current_app.config)
    rows = lists.candour_rows(db.session, current_user, today, targets, OVERDUE_LIMIT)
    return render_template(
        "dashboards/candour_overdue.html",
        rows=rows,
        today=today,
        targets=targets,
        truncated=len(rows) >= OVERDUE_LIMIT,
    )
