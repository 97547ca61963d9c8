"""The ICB's oversight pages: overdue learning responses across its organisations."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from psirf import policy
from psirf.extensions import db
from psirf.responses import timeliness
from psirf.timeutil import utcnow
from psirf.workflow import runner

bp = Blueprint("oversight", __name__, url_prefix="/oversight")

OVERDUE_LIMIT = 200


@bp.get("/overdue")
@login_required
def overdue():
    policy.require_icb_oversight(current_user)
    today = utcnow().date()
    page = timeliness.overdue_for(db.session, current_user, today, OVERDUE_LIMIT)
    rows = []
    for response in page.items:
        definition = runner.definition_of(response)
        rows.append(
            {
                "response": response,
                "step": definition.state(response.state).label,
                "timeliness": timeliness.status(response, today, definition.target),
            }
        )
    return render_template("responses/overdue.html", page=page, rows=rows, today=today)
