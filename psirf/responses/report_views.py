"""The PDF report of a learning response, for everyone who may see the response."""

from __future__ import annotations

from flask import Response
from flask_login import login_required

from psirf.responses.reports import build_report
from psirf.responses.views import _response_or_404, bp
from psirf.workflow import runner


@bp.get("/<int:response_id>/report.pdf")
@login_required
def report(response_id: int):
    response = _response_or_404(response_id)
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
