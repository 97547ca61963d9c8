"""PSIRF plans: the list, generating one, its page, editing its sections, the committee's decision,
its steps, the PDF, comparing versions, and the public page of a published plan.

Thin views: forms validate, `psirf.plans.services` does the work in one unit of work, the policy
refuses (404 outside the person's organisations, 403 for a role that reads but may not act).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from psirf import policy
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.plans import compare as comparing
from psirf.plans import content as sections
from psirf.plans import services
from psirf.plans.document import document
from psirf.plans.forms import (
    DecisionForm,
    DistributionForm,
    InvolvedForm,
    NewPlanForm,
    NewPriorityForm,
    NoResponseRowForm,
    PriorityForm,
    TextForm,
    default_route,
    leads_form,
    sources_form,
)
from psirf.plans.history import history
from psirf.plans.models import IN_FORCE
from psirf.plans.states import PlanState
from psirf.plans.reports import plan_pdf
from psirf.web.forms import TransitionForm, error_links, show_on_form
from psirf.timeutil import utcnow
from psirf.triage.recommend import method_label
from psirf.web.loading import loads
from psirf.web.steps import take_step
from psirf.web.changes import changing
from psirf.workflow import runner
from psirf.problems import InputError

bp = Blueprint("plans", __name__, url_prefix="/plans")
public_bp = Blueprint("plans_public", __name__, url_prefix="/public/plans")


@bp.context_processor
def helpers() -> dict:
    return {"matched_events": sections.matched_events}


def _editable(user, plan) -> None:
    """Seen by the person (404 otherwise) and theirs to edit at its step (403 otherwise)."""
    services.check_edit(user, plan, None)


@bp.get("")
@login_required
def index():
    policy.require_casework_role(current_user, "Your role does not include PSIRF plans.")
    page = services.listing(
        db.session, current_user, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "plans/index.html",
        page=page,
        newest_url=url_for("plans.index"),
        next_url=url_for("plans.index", after=page.next_cursor) if page.next_cursor else None,
        state_label=lambda p: runner.definition_of(p).state(p.state).label,
        may_generate=policy.may_generate_plans(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    policy.require_plan_generator(current_user)
    groups = services.authored_groups(db.session, current_user)
    form = NewPlanForm()
    form.group_id.choices = [("", "Choose a PCN or federation")] + [
        (str(g.id), g.name) for g in groups
    ]
    if request.method == "GET" and len(groups) == 1:
        form.group_id.data = str(groups[0].id)
    if form.validate_on_submit():
        group = next((g for g in groups if str(g.id) == form.group_id.data), None)
        if group is None:
            form.group_id.errors.append("Choose the PCN or federation the plan is for")
        else:
            try:
                with unit_of_work(db.session):
                    plan = services.generate(
                        db.session,
                        current_user,
                        group,
                        period_months=int(form.period_months.data),
                        lookback_months=int(form.lookback_months.data),
                        starts_on=form.starts_on.data,
                        today=utcnow().date(),
                    )
            except InputError as error:
                show_on_form(form, error)
            else:
                flash(
                    "The draft plan has been generated from your insight. Check and edit each section.",
                    "success",
                )
                return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/new.html", form=form), 400 if form.errors else 200


# ---- the plan's page ----------------------------------------------------------------------------


def _render(
    plan, status: int = 200, decision_form=None, problems=None, refused=None, kept_comments=None
):
    definition = runner.definition_of(plan)
    triggers = [
        t
        for t in definition.available_from(plan.state)
        if policy.may_fire(current_user, plan, t.trigger)
    ]
    deciding = plan.state == PlanState.UNDER_REVIEW and policy.may_decide_on_plan(
        current_user, plan
    )
    return (
        render_template(
            "plans/show.html",
            plan=plan,
            method_label=method_label,
            definition=definition,
            current=definition.state(plan.state),
            triggers=triggers,
            transition_form=TransitionForm(formdata=None, data={"version": plan.version_id}),
            decision_form=decision_form
            or (
                DecisionForm(formdata=None, data={"version": plan.version_id}, prefix="decision")
                if deciding
                else None
            ),
            may_edit=policy.may_edit_plan_now(current_user, plan, services.state_of(plan)),
            may_write_next=plan.state in IN_FORCE
            and policy.may_write_next_plan(current_user, plan),
            problems=problems or [],
            refused=refused,
            kept_comments=kept_comments,
            history=history(db.session, plan),
            **_comparison(plan),
        ),
        status,
    )


def _comparison(plan) -> dict:
    """While the panel edits, what they have changed since the last submission; once submitted,
    what the latest submission changed since the one before (or the plan it replaces)."""
    revision = None if services.editable(plan) or not plan.revision else plan.revision
    previous = services.previous_content(plan, revision)
    url = url_for("plans.compare", plan_id=plan.id, revision=revision) if previous else None
    return {"previous": previous, "compare_url": url}


@bp.get("/<int:plan_id>")
@login_required
@loads("plan_id", services.get, policy.require_plan_visible)
def show(plan):
    return _render(plan)


@bp.get("/<int:plan_id>/document")
@login_required
@loads("plan_id", services.get, policy.require_plan_visible)
def read(plan):
    return render_template("plans/read.html", plan=plan, doc=document(plan))


@bp.get("/<int:plan_id>/plan.pdf")
@login_required
@loads("plan_id", services.get, policy.require_plan_visible)
def pdf(plan):
    return _pdf_response(plan)


def _pdf_response(plan, public: bool = False):
    response = make_response(plan_pdf(document(plan, public=public)))
    response.headers["Content-Type"] = "application/pdf"
    name = f"psirf-plan-{plan.organisation.ods_code}-v{plan.version_label}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.post("/<int:plan_id>/decision")
@login_required
@loads("plan_id", services.get, policy.require_plan_visible)
def decide(plan):
    policy.require_plan_approver(current_user, plan)
    form = DecisionForm(prefix="decision")
    if not form.validate_on_submit():
        return _render(plan, 400, decision_form=form)
    try:
        with changing(
            plan, lambda message: _render(plan, 409, decision_form=form, refused=message), form
        ):
            services.record_decision(
                db.session,
                current_user,
                plan,
                decided_on=form.decided_on.data,
                minute_reference=form.minute_reference.data,
                today=utcnow().date(),
                expected_version=form.version.data,
            )
    except InputError as error:
        db.session.expire_all()
        plan = services.get(db.session, plan.id)
        placed = show_on_form(form, error)
        return _render(plan, 400, decision_form=form, refused=None if placed else str(error))
    flash("The committee's decision is recorded. You can now approve the plan.", "success")
    return redirect(url_for("plans.show", plan_id=plan.id, _anchor="next"))


@bp.post("/<int:plan_id>/transitions/<trigger>")
@login_required
@loads("plan_id", services.get, policy.require_plan_visible)
def fire(plan, trigger: str):
    outcome, refused = take_step(
        plan,
        trigger,
        fire=lambda form: runner.fire(
            db.session, plan, trigger, current_user, form.version.data, form.comment.data
        ),
        reload=lambda: services.get(db.session, plan.id),
        render=_render,
    )
    if refused:
        return refused
    flash(f"The plan is now: {runner.definition_of(plan).state(outcome.after).label}.", "success")
    return redirect(url_for("plans.show", plan_id=plan.id))


@bp.get("/<int:plan_id>/compare")
@login_required
@loads("plan_id", services.get, policy.require_plan_visible)
def compare(plan):
    number = request.args.get("revision", type=int)
    revision = next((r for r in plan.revisions if r.number == number), None) if number else None
    if number and revision is None:
        abort(404)
    previous = services.previous_content(plan, number)
    after = revision.content if revision else plan.content
    return render_template(
        "plans/compare.html",
        plan=plan,
        revision=revision,
        previous=previous,
        changes=comparing.compare(previous[1], after) if previous else [],
    )


# ---- editing the sections -----------------------------------------------------------------------


def _forms(plan, posted: dict | None) -> dict:
    version = {"version": plan.version_id}
    content = plan.content
    forms = {
        **{
            name: TextForm(formdata=None, data={**version, "text": content[name]}, prefix=name)
            for name in services.TEXT_SECTIONS
        },
        "involved": InvolvedForm(
            formdata=None, data={**version, **content["involved"]}, prefix="involved"
        ),
        "control": DistributionForm(
            formdata=None,
            data={**version, "distribution": "\n".join(sections.distribution_of(content))},
            prefix="control",
        ),
        "sources": sources_form(plan),
        "leads": leads_form(plan),
        "priorities": {
            row["key"]: PriorityForm(
                formdata=None, data={**version, **row}, prefix=f"p-{row['key']}"
            )
            for row in content["local_focus"]
        },
        "new_priority": NewPriorityForm(formdata=None, data=version, prefix="new"),
        "new_no_response": NoResponseRowForm(formdata=None, data=version, prefix="nfr"),
    }
    for key, form in (posted or {}).items():
        if key.startswith("p-"):
            forms["priorities"][key[2:]] = form
        else:
            forms[key] = form
    for name, label in services.TEXT_SECTIONS.items():
        forms[name].text.label.text = label
    return forms


def _errors(forms: dict) -> list[dict]:
    """Every message of the posted forms, each linked to its field, for the one error summary."""
    return [
        link
        for form in forms.values()
        for one in (form.values() if isinstance(form, dict) else [form])
        for link in error_links(one)
    ]


def _render_edit(plan, status: int = 200, posted: dict | None = None, refused: str | None = None):
    forms = _forms(plan, posted)
    return (
        render_template(
            "plans/edit.html",
            plan=plan,
            forms=forms,
            errors=_errors(posted or {}),
            text_sections=services.TEXT_SECTIONS,
            capacity=sections.capacity(plan.content, plan.profile),
            default_routes={m: default_route(m) for m in sections.PLANNED_METHODS},
            refused=refused,
        ),
        status,
    )


@bp.get("/<int:plan_id>/edit")
@login_required
@loads("plan_id", services.get, _editable)
def edit(plan):
    return _render_edit(plan)


def _save(plan, key: str, form, apply, anchor: str):
    if not form.validate_on_submit():
        return _render_edit(plan, 400, posted={key: form})
    try:
        with changing(
            plan, lambda message: _render_edit(plan, 409, posted={key: form}, refused=message), form
        ):
            apply()
    except InputError as error:
        db.session.expire_all()
        placed = show_on_form(form, error, missing_ok=True)
        return _render_edit(
            services.get(db.session, plan.id),
            400,
            posted={key: form},
            refused=None if placed else str(error),
        )
    flash("Your changes have been saved.", "success")
    return redirect(url_for("plans.edit", plan_id=plan.id, _anchor=anchor))


@bp.post("/<int:plan_id>/sections/<section>")
@login_required
@loads("plan_id", services.get, _editable)
def save_text(plan, section: str):
    if section not in services.TEXT_SECTIONS:
        abort(404)
    form = TextForm(prefix=section)
    return _save(
        plan,
        section,
        form,
        lambda: services.save_text(
            db.session, current_user, plan, section, form.text.data, form.version.data
        ),
        section,
    )


@bp.post("/<int:plan_id>/involved")
@login_required
@loads("plan_id", services.get, _editable)
def save_involved(plan):
    form = InvolvedForm(prefix="involved")
    return _save(
        plan,
        "involved",
        form,
        lambda: services.save_involved(
            db.session, current_user, plan, form.people.data, form.partners.data, form.version.data
        ),
        "involved",
    )


@bp.post("/<int:plan_id>/control")
@login_required
@loads("plan_id", services.get, _editable)
def save_control(plan):
    form = DistributionForm(prefix="control")
    return _save(
        plan,
        "control",
        form,
        lambda: services.save_distribution(
            db.session, current_user, plan, form.distribution.data, form.version.data
        ),
        "control",
    )


@bp.post("/<int:plan_id>/sources")
@login_required
@loads("plan_id", services.get, _editable)
def save_sources(plan):
    form = sources_form(plan, request.form)
    rows = {
        source["key"]: entry.data
        for source, entry in zip(plan.content["sources"], form.sources.entries)
    }
    return _save(
        plan,
        "sources",
        form,
        lambda: services.save_sources(db.session, current_user, plan, rows, form.version.data),
        "sources",
    )


@bp.post("/<int:plan_id>/leads")
@login_required
@loads("plan_id", services.get, _editable)
def save_leads(plan):
    form = leads_form(plan, request.form)
    return _save(
        plan,
        "leads",
        form,
        lambda: services.save_leads(
            db.session,
            current_user,
            plan,
            [entry.data for entry in form.leads.entries],
            form.version.data,
        ),
        "capacity",
    )


@bp.post("/<int:plan_id>/priorities")
@login_required
@loads("plan_id", services.get, _editable)
def add_priority(plan):
    form = NewPriorityForm(prefix="new")
    return _save(
        plan,
        "new_priority",
        form,
        lambda: services.add_priority(
            db.session,
            current_user,
            plan,
            label=form.label.data,
            theme=form.theme.data,
            min_harm=form.min_harm.data,
            method=form.method.data,
            route=form.improvement_route.data,
            expected_version=form.version.data,
        ),
        "local-focus",
    )


@bp.post("/<int:plan_id>/priorities/<key>")
@login_required
@loads("plan_id", services.get, _editable)
def update_priority(plan, key: str):
    form = PriorityForm(prefix=f"p-{key}")
    return _save(
        plan,
        f"p-{key}",
        form,
        lambda: services.update_priority(
            db.session,
            current_user,
            plan,
            key,
            label=form.label.data,
            method=form.method.data,
            route=form.improvement_route.data,
            expected_version=form.version.data,
        ),
        "local-focus",
    )


@bp.post("/<int:plan_id>/priorities/<key>/remove")
@login_required
@loads("plan_id", services.get, _editable)
def remove_priority(plan, key: str):
    form = TransitionForm()
    return _save(
        plan,
        "remove",
        form,
        lambda: services.remove_priority(db.session, current_user, plan, key, form.version.data),
        "local-focus",
    )


@bp.post("/<int:plan_id>/no-further-response")
@login_required
@loads("plan_id", services.get, _editable)
def add_no_response_row(plan):
    form = NoResponseRowForm(prefix="nfr")
    return _save(
        plan,
        "new_no_response",
        form,
        lambda: services.add_no_response_row(
            db.session,
            current_user,
            plan,
            label=form.label.data,
            record_type=form.record_type.data or None,
            theme=form.theme.data or None,
            max_harm=form.max_harm.data or None,
            handled_by=form.handled_by.data,
            expected_version=form.version.data,
        ),
        "no-further-response",
    )


@bp.post("/<int:plan_id>/no-further-response/<key>/remove")
@login_required
@loads("plan_id", services.get, _editable)
def remove_no_response_row(plan, key: str):
    form = TransitionForm()
    return _save(
        plan,
        "remove",
        form,
        lambda: services.remove_no_response_row(
            db.session, current_user, plan, key, form.version.data
        ),
        "no-further-response",
    )


# ---- the public page of a published plan --------------------------------------------------------


# Anyone with the address reads a plan in force; an unknown or unpublished one is not found.
@public_bp.get("/<token>")
@loads("token", services.by_public_token, into="plan")
def public(plan):
    return render_template(
        "plans/public.html",
        plan=plan,
        doc=document(plan, public=True),
        superseded=plan.state == PlanState.SUPERSEDED,
    )


@public_bp.get("/<token>/plan.pdf")
@loads("token", services.by_public_token, into="plan")
def public_pdf(plan):
    return _pdf_response(plan, public=True)
