"""The administrators' import page: upload a file, follow its progress, read and download its
report. The import itself runs as a job (psirf/imports/jobs.py); these views read its record."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from psirf import policy
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.imports import jobs, report, services, sources
from psirf.imports.columns import template_header
from psirf.imports.forms import ImportForm
from psirf.imports.models import EventImport
from psirf.problems import InputError
from psirf.web.forms import show_on_form
from psirf.web.loading import loads

bp = Blueprint("imports", __name__, url_prefix="/admin/imports")
SHOWN_FAULTS = 100
REFRESH_SECONDS = 2
# An import of the ICBs the person administers (another ICB's is not found; staff are refused).
_an_import = loads(
    "import_id",
    EventImport,
    policy.require_import_visible,
    into="event_import",
    before=policy.require_importer,
)


def _folder() -> Path:
    return Path(current_app.config["IMPORT_FOLDER"])


def _listing(form: ImportForm, status: int = 200):
    page = services.listing(
        db.session, current_user, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    next_url = url_for("imports.index", after=page.next_cursor) if page.next_cursor else None
    return render_template(
        "imports/index.html",
        form=form,
        accept=",".join(sources.EXTENSIONS),
        page=page,
        newest_url=url_for("imports.index"),
        next_url=next_url,
    ), status


@bp.get("")
@login_required
def index():
    policy.require_importer(current_user)
    return _listing(ImportForm())


@bp.url_value_preprocessor
def _uploads_take_large_bodies(endpoint, _values):
    """The one page that takes a large body (Werkzeug streams the file to a temporary file). Set
    here because this runs before every before_request, and CSRF's reads the form in one. Only for
    an administrator who may import: anyone else's large body is refused unread (413), not
    written to disk before the page refuses them."""
    if endpoint == "imports.create" and policy.may_import(current_user):
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]


@bp.post("")
@login_required
def create():
    policy.require_importer(current_user)
    form = ImportForm()
    if not form.validate_on_submit():
        return _listing(form, 400)
    upload = form.file.data
    try:
        with unit_of_work(db.session):
            record = services.hand_over(
                db.session,
                current_user,
                filename=upload.filename,
                save=upload.save,
                folder=_folder(),
                dry_run=bool(form.dry_run.data),
                organisation_ods_code=form.organisation.data,
            )
    except InputError as error:
        show_on_form(form, error, "file")
        return _listing(form, 400)
    jobs.enqueue(current_app, record.id)
    return redirect(url_for("imports.show", import_id=record.id))


@bp.get("/<int:import_id>")
@login_required
@_an_import
def show(event_import):
    return render_template(
        "imports/show.html",
        record=event_import,
        faults=report.faults_in(event_import.report_path, SHOWN_FAULTS),
        shown=SHOWN_FAULTS,
        refresh=None if event_import.done else REFRESH_SECONDS,
    )


@bp.get("/<int:import_id>/report.csv")
@login_required
@_an_import
def report_csv(event_import):
    path = event_import.report_path
    if not path or not Path(path).exists():
        return Response("row,field,message\r\n", mimetype="text/csv")
    return send_file(
        path,
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"import-{event_import.id}-report.csv",
    )


@bp.get("/template.csv")
@login_required
def template_csv():
    policy.require_importer(current_user)
    return Response(
        ",".join(template_header()) + "\r\n",
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=psirf-events-template.csv"},
    )
