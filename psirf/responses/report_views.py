"""The PDF report of a learning response, for everyone who may see the response."""

from __future__ import annotations

from flask import Response
from flask_login import login_required

from psirf import policy
from psirf.responses import services
from psirf.responses.reports import build_report
from psirf.responses.views import bp
from psirf.web.loading import loads
from psirf.workflow import runner


@bp.get("/<int:response_id>/report.pdf")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def report(response):
    pdf = build_report(response, runner.definition_of(response))
    filename = f"{response.reference or f'response-{response.id}'}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            # Casework: never kept by a shared cache or the browser's back-forward store.
            "Cache-Control": "private, no-store",
        },
    )
