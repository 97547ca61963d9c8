"""The learning response pages: the list, a response's page and its forms, its PDF report, and
starting a thematic review. The response page itself is drawn by psirf.responses.page."""

from __future__ import annotations


from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from psirf import policy
from psirf.actions import services as actions
from psirf.actions.forms import details_of, set_detail_choices
from psirf.db import unit_of_work
from psirf.events.lfpse import RecordType, Theme
from psirf.extensions import db
from psirf.learning import services as learning
from psirf.organisations import services as organisations
from psirf.organisations.forms import finding
from psirf.responses import contributors, course, services, thematic, timeliness
from psirf.responses.models import ResponseMethod
from psirf.responses.reports import build_report
from psirf.responses.page import PART_FORMS, render_page, set_choices
from psirf.responses.states import AfterActionReviewState, ResponseState
from psirf.responses.forms import (
    ThematicForm,
    section_form,
)
from psirf.web.forms import VersionedForm, show_on_form
from psirf.web.inputs import record_id
from psirf.web.loading import loads
from psirf.web.steps import take_step
from psirf.web.changes import changing
from psirf.workflow import runner
from psirf.problems import InputError

bp = Blueprint("responses", __name__, url_prefix="/responses")
# "3 June 2026", or "3 June 2026 at 14:00" for a target in hours: wherever a response's due date shows.
bp.add_app_template_filter(timeliness.due_text, "due")

# The steps the list can be filtered by, with the short names the filter shows them under.
STATE_FILTERS = [
    (AfterActionReviewState.PLANNING, "Planning"),
    (AfterActionReviewState.IN_REVIEW, "Recording learning"),
    (AfterActionReviewState.PANEL_REVIEW, "With the panel"),
    (AfterActionReviewState.RETURNED, "Returned"),
    (ResponseState.CLOSED, "Closed"),
]


@bp.get("")
@login_required
def index():
    policy.require_casework_role(current_user)
    state = request.args.get("state") or None
    page = services.listing(
        db.session, current_user, state, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    next_url = (
        url_for("responses.index", state=state, after=page.next_cursor)
        if page.next_cursor
        else None
    )
    return render_template(
        "responses/index.html",
        page=page,
        next_url=next_url,
        state=state,
        state_filters=STATE_FILTERS,
        step_label=lambda r: runner.definition_of(r).state(r.state).label,
        timely_by_id={r.id: timeliness.status(r) for r in page.items},
        may_start_thematic=bool(_thematic_groups()),
    )


def _posted(key: str):
    return PART_FORMS[key](prefix=key)


@bp.get("/<int:response_id>")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def show(response):
    return render_page(response)


def _save(response, key: str, form, part: str, apply):
    """Check the part may be edited, validate, apply in one transaction, re-show what went wrong."""
    services.check_edit(current_user, response, part, None)
    if finding(request.form):  # a search for an organisation: the form comes back, nothing saved
        return render_page(response, posted={key: form})
    return _submit(response, key, form, apply, "Your changes have been saved.", anchor=key)


def _submit(response, key: str, form, apply, done: str, anchor: str | None = None):
    """Validate, apply in one transaction and say `done`; else re-show the page with what went
    wrong, the form kept as it was sent. The caller has checked the person may do this."""
    if not form.validate_on_submit():
        return render_page(response, 400, posted={key: form})
    try:
        with changing(
            response,
            lambda message: render_page(response, 409, posted={key: form}, refused=message),
            form,
        ):
            apply()
    except InputError as error:
        db.session.rollback()
        response = services.get(db.session, response.id)
        show_on_form(form, error)
        return render_page(response, 400, posted={key: form})
    flash(done, "success")
    return redirect(url_for("responses.show", response_id=response.id, _anchor=anchor))


@bp.post("/<int:response_id>/sections/<name>")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def save_section(response, name: str):
    section = services.section_of(response, name)
    form = section_form(section)(prefix=name)
    return _save(
        response,
        name,
        form,
        name,
        lambda: services.save_section(
            db.session, current_user, response, name, form.data, form.version.data
        ),
    )


@bp.post("/<int:response_id>/safety-actions")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def add_action(response):
    form = _posted("action")
    set_detail_choices(form, db.session, response)
    return _save(
        response,
        "action",
        form,
        "actions",
        lambda: actions.add(
            db.session, current_user, response, details_of(form), form.version.data
        ),
    )


@bp.post("/<int:response_id>/findings")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def add_finding(response):
    form = _posted("finding")
    return _save(
        response,
        "finding",
        form,
        "factors",
        lambda: learning.add_finding(
            db.session,
            current_user,
            response,
            form.text.data,
            form.version.data,
            kind=form.kind.data,
        ),
    )


@bp.post("/<int:response_id>/factors")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def add_factor(response):
    form = _posted("factor")
    set_choices({"factor": form}, response)
    return _save(
        response,
        "factor",
        form,
        "factors",
        lambda: learning.add_factor(
            db.session,
            current_user,
            response,
            finding_id=int(form.finding_id.data),
            factor=form.factor.data,
            description=form.description.data,
            expected_version=form.version.data,
        ),
    )


@bp.post("/<int:response_id>/contributors")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def add_contributor(response):
    form = _posted("contributor")
    set_choices({"contributor": form}, response)
    return _save(
        response,
        "contributor",
        form,
        "contributors",
        lambda: contributors.add(
            db.session,
            current_user,
            response,
            organisations.get(db.session, record_id(form.organisation_id.data)),
            form.version.data,
        ),
    )


@bp.post("/<int:response_id>/contribution")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def contribute(response):
    form = _posted("contribution")
    return _save(
        response,
        "contribution",
        form,
        "contribution",
        lambda: contributors.contribute(
            db.session, current_user, response, form.contribution.data, form.version.data
        ),
    )


@bp.post("/<int:response_id>/agreement")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def agree(response):
    form = VersionedForm()
    return _save(
        response,
        "agreement",
        form,
        "contribution",
        lambda: contributors.agree(db.session, current_user, response, form.version.data),
    )


@bp.post("/<int:response_id>/links")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def add_link(response):
    policy.require_may_link_responses(current_user, response)
    form = _posted("link")
    if not form.validate_on_submit():
        return render_page(response, 400, posted={"link": form})
    try:
        with changing(
            response,
            lambda message: render_page(response, 409, posted={"link": form}, refused=message),
            form,
        ):
            course.link(db.session, response, form.reference.data, current_user, form.version.data)
    except InputError as error:
        response = services.get(db.session, response.id)
        form.reference.errors.append(str(error))
        return render_page(response, 400, posted={"link": form})
    flash("The responses are now linked.", "success")
    return redirect(url_for("responses.show", response_id=response.id, _anchor="links"))


@bp.post("/<int:response_id>/extension")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def extend(response):
    policy.require_may_agree_extension(current_user, response, services.state_of(response))
    form = _posted("extension")
    return _submit(
        response,
        "extension",
        form,
        lambda: services.agree_extension(
            db.session,
            current_user,
            response,
            new_due_on=form.new_due_on.data,
            reason=form.reason.data,
            agreed_with_affected=form.agreed_with_affected.data,
            expected_version=form.version.data,
        ),
        "The extension is recorded.",
    )


@bp.post("/<int:response_id>/due-date/reset")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def reset_due_date(response):
    policy.require_may_reset_due_date(current_user, response, services.state_of(response))
    form = _posted("due_reset")
    return _submit(
        response,
        "due_reset",
        form,
        lambda: course.reset_due_date(
            db.session, current_user, response, form.reason.data, form.version.data
        ),
        "The target date now counts from the change of method.",
    )


@bp.post("/<int:response_id>/transitions/<trigger>")
@login_required
@loads("response_id", services.get, policy.require_response_visible)
def fire(response, trigger: str):
    outcome, refused = take_step(
        response,
        trigger,
        fire=lambda form: runner.fire(
            db.session, response, trigger, current_user, form.version.data, form.comment.data
        ),
        reload=lambda: services.get(db.session, response.id),
        render=render_page,
    )
    if refused:
        return refused
    label = runner.definition_of(response).state(outcome.after).label
    flash(f"{response.reference} is now: {label}.", "success")
    successor = course.successor_of(db.session, response)
    if successor is not None:  # the response went on as another method: show the new one
        return redirect(url_for("responses.show", response_id=successor.id))
    return redirect(url_for("responses.show", response_id=response.id))


# ---- thematic reviews ---------------------------------------------------------------------------


def _thematic_groups():
    return thematic.groups_for(db.session, current_user)


@bp.route("/thematic/new", methods=["GET", "POST"])
@login_required
def new_thematic():
    groups = _thematic_groups()
    if not groups:
        raise policy.NotPermitted(
            "Only a PCN or federation review panel can start a thematic review."
        )
    form = ThematicForm()
    form.group_id.choices = [(str(g.id), g.name) for g in groups]
    form.theme.choices = [("", "Any theme")] + Theme.choices()
    form.record_type.choices = [("", "Any record type")] + RecordType.choices()
    form.method.choices = [("", "Any method")] + ResponseMethod.choices()
    form.organisation_ids.choices = sorted(
        {(str(m.id), f"{m.name} ({g.name})") for g in groups for m in g.members}, key=lambda c: c[1]
    )
    matched = None
    if form.validate_on_submit():
        group = next(g for g in groups if str(g.id) == form.group_id.data)
        selection = thematic.Selection(
            occurred_from=form.occurred_from.data,
            occurred_to=form.occurred_to.data,
            theme=form.theme.data or None,
            record_type=form.record_type.data or None,
            organisation_ids=[int(i) for i in form.organisation_ids.data or [] if i.isdigit()]
            or None,
            cover=form.cover.data,
            method=form.method.data or None,
        )
        if request.form.get("action") == "preview":
            matched = thematic.count(db.session, group, selection)
        else:
            try:
                with unit_of_work(db.session):
                    response = thematic.start(db.session, current_user, group, selection)
            except InputError as error:
                show_on_form(form, error)
            else:
                covered = len(response.reviewed_responses) or len(response.reviewed_events)
                flash(
                    f"Thematic review {response.reference} has started, covering {covered} {selection.cover}.",
                    "success",
                )
                return redirect(url_for("responses.show", response_id=response.id))
    return render_template(
        "responses/new_thematic.html", form=form, matched=matched
    ), 400 if form.errors else 200


# ---- the PDF report, for everyone who may see the response ----------------------------------


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
