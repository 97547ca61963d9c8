"""The LFPSE export's pages: a lead's exports not yet sent, and an ICB's counts by state. (Each
event's own export state is a row of the event page: psirf/events/views.py.)"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.extensions import db
from psirf.lfpse import exports
from psirf.lfpse.models import LfpseExport
from psirf.organisations.models import Organisation
from psirf.web.inputs import record_id
from psirf.web.loading import fetch
from psirf.web.pagination import keyset_page

bp = Blueprint("lfpse", __name__)


@bp.get("/lfpse/exports")
@login_required
def outstanding():
    policy.require_export_list(current_user)
    stmt = exports.outstanding(policy.export_organisations(current_user))
    page = keyset_page(
        db.session, stmt, LfpseExport, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    next_url = url_for("lfpse.outstanding", after=page.next_cursor) if page.next_cursor else None
    return render_template("lfpse/outstanding.html", page=page, next_url=next_url)


@bp.get("/dashboards/icb/lfpse")
@login_required
def icb_counts():
    policy.require_icb_oversight(current_user)
    icb_ids = policy.oversight_icbs(current_user)
    chosen = request.args.get("icb", type=record_id) or icb_ids[0]
    icb = fetch(Organisation, chosen, visible_if=lambda _user, o: o.id in icb_ids)
    return render_template(
        "lfpse/icb_counts.html",
        icb=icb,
        counts=exports.counts_by_state(db.session, icb.id),
        several_icbs=len(icb_ids) > 1,
    )
