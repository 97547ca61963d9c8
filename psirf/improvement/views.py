"""Safety improvement plans: the list, starting one, and the plan's page with everything it gathers.

Thin views: the forms validate, `psirf.improvement.services` does the work inside one unit of
work, and what the policy refuses is raised (404 outside the person's organisations, 403 for a
role that reads but may not change).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.improvement import progress, services
from psirf.improvement.forms import AddActionsForm, ItemForm, PlanForm, ReadingForm, VersionedForm
from psirf.improvement.models import ItemKind
from psirf.web import dates
from psirf.web.changes import changing
from psirf.web.loading import loads
from psirf.workflow import runner
from psirf.problems import InputError
from psirf.web.forms import chosen_id, offer_organisations, show_on_form

bp = Blueprint("improvement", __name__, url_prefix="/improvement-plans")


@bp.get("")
@login_required
def index():
    policy.require_casework_role(current_user)
    page = services.listing(
        db.session, current_user, request.args.get("after"), current_app.config["PAGE_SIZE"]
    )
    next_url = url_for("improvement.index", after=page.next_cursor) if page.next_cursor else None
    return render_template(
        "improvement/index.html",
        page=page,
        counts=services.counts_by_plan(db.session, [p.id for p in page.items]),
        empty=services.Counts(),
        next_url=next_url,
        may_start=bool(services.manageable_organisations(current_user)),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    organisations = services.manageable_organisations(current_user)
    if not organisations:
        raise policy.NotPermitted(
            "Only a patient safety lead, or a PCN's or federation's review panel, starts an improvement plan."
        )
    form = PlanForm()
    offer_organisations(form.organisation_id, organisations, request.method)
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                plan = services.create(
                    db.session,
                    current_user,
                    chosen_id(form.organisation_id),
                    form.title.data,
                    form.aim.data,
                    form.measure.data,
                )
        except InputError as error:
            show_on_form(form, error)
        else:
            flash(f"The improvement plan '{plan.title}' has started.", "success")
            return redirect(url_for("improvement.show", plan_id=plan.id))
    status = 400 if form.errors else 200
    return render_template("improvement/new.html", form=form), status


# ---- the plan's page ---------------------------------------------------------------------------


def _forms(plan, posted: dict | None) -> dict:
    version = {"version": plan.version_id}
    forms = {
        "actions": AddActionsForm(formdata=None, data=version, prefix="actions"),
        "item": ItemForm(formdata=None, data=version, prefix="item"),
        "reading": ReadingForm(formdata=None, data=version, prefix="reading"),
    }
    forms.update(posted or {})
    return forms


def _render(plan, status: int = 200, posted: dict | None = None, refused: str | None = None):
    manage = policy.may_manage_improvement_plan(current_user, plan.organisation)
    reference = (request.args.get("reference") or "").strip()
    forms = _forms(plan, posted)
    candidates = (
        services.candidate_actions(db.session, current_user, plan, reference) if manage else []
    )
    more_candidates = len(candidates) > services.OFFER_LIMIT
    candidates = candidates[: services.OFFER_LIMIT]
    forms["actions"].action_ids.choices = [
        (str(a.id), f"{a.response.reference}: {a.description}") for a in candidates
    ]
    months = services.progress_by_month(db.session, plan)
    readings = plan.readings
    taken = {(i.kind, i.source_key) for i in plan.items}
    focus = services.priorities(db.session, plan)
    return (
        render_template(
            "improvement/show.html",
            plan=plan,
            forms=forms,
            manage=manage,
            refused=refused,
            reference=reference,
            candidates=candidates,
            more_candidates=more_candidates,
            actions=plan.actions,
            headline=services.headline(plan),
            may_see_response={
                a.id: policy.may_see_response(current_user, a.response) for a in plan.actions
            },
            state_label=lambda a: runner.definition_of(a).state(a.state).label,
            priorities=[
                p for p in focus.priorities if (ItemKind.PRIORITY.value, p.key) not in taken
            ],
            priority_source=focus.source,
            priority_items=[i for i in plan.items if i.kind == ItemKind.PRIORITY.value],
            good_care_items=[i for i in plan.items if i.kind == ItemKind.GOOD_CARE.value],
            good_care=services.good_care_entries(db.session, current_user, plan) if manage else [],
            readings=readings,
            reading_chart=progress.chart(
                [(dates.short_day(r.measured_on), r.value) for r in readings],
                chart_id="measure-chart",
                title=f"Readings of the measure: {plan.measure}",
                description=f"A line chart of {len(readings)} readings in date order; the table below gives each one.",
                x_label="Date measured",
                y_label="Value",
            ),
            months=months,
            months_chart=progress.chart(
                [(m.label, m.percent) for m in months],
                chart_id="progress-chart",
                title="Safety actions completed by the end of each month, as a percentage of those created by then",
                description="A bar chart, one bar per month; a month before any action existed has no bar and says none. "
                "The table below gives each month's figures.",
                x_label="Month",
                y_label="Actions completed (%)",
                kind="bar",
                max_value=100,
                min_value=0,
                value_text=lambda v: f"{progress.format_number(v)}%",
                tick_text=lambda v: f"{progress.format_number(v)}%",
                missing_text="none",
            ),
            format_number=progress.format_number,
        ),
        status,
    )


@bp.get("/<int:plan_id>")
@login_required
@loads("plan_id", services.get_visible, scoped=True)
def show(plan):
    return _render(plan)


def _change(
    plan, key: str, form, apply, anchor: str, message: str = "Your changes have been saved."
):
    """Check the person may change the plan, validate, apply in one transaction, re-show what went wrong."""
    policy.require_may_manage_improvement_plan(current_user, plan)
    if not form.validate_on_submit():
        return _render(plan, 400, posted={key: form})
    try:
        with changing(
            plan, lambda message: _render(plan, 409, posted={key: form}, refused=message), form
        ):
            apply()
    except InputError as error:
        plan = services.get_visible(db.session, current_user, plan.id)
        show_on_form(form, error)
        return _render(plan, 400, posted={key: form})
    flash(message, "success")
    return redirect(url_for("improvement.show", plan_id=plan.id, _anchor=anchor))


def _ids(values) -> list[int]:
    # Anything but a number is kept as an id nothing has, so the service refuses it.
    return [int(v) if str(v).isdigit() else -1 for v in values or []]


@bp.post("/<int:plan_id>/actions")
@login_required
@loads("plan_id", services.get_visible, scoped=True)
def add_actions(plan):
    form = AddActionsForm(prefix="actions")
    return _change(
        plan,
        "actions",
        form,
        lambda: services.add_actions(
            db.session, current_user, plan, _ids(form.action_ids.data), form.version.data
        ),
        "actions",
    )


@bp.post("/<int:plan_id>/actions/<int:action_id>/remove")
@login_required
@loads("plan_id", services.get_visible, scoped=True)
def remove_action(plan, action_id: int):
    policy.require_may_manage_improvement_plan(current_user, plan)
    form = VersionedForm()
    if not form.validate_on_submit():
        return _render(plan, 400, refused="The form was incomplete. Try again.")
    with changing(plan, lambda message: _render(plan, 409, refused=message)):
        services.remove_action(db.session, current_user, plan, action_id, form.version.data)
    flash("The safety action is no longer part of this plan.", "success")
    return redirect(url_for("improvement.show", plan_id=plan.id, _anchor="actions"))


@bp.post("/<int:plan_id>/items")
@login_required
@loads("plan_id", services.get_visible, scoped=True)
def add_item(plan):
    form = ItemForm(prefix="item")
    anchor = "good-care" if form.kind.data == ItemKind.GOOD_CARE.value else "priorities"
    return _change(
        plan,
        "item",
        form,
        lambda: services.add_item(
            db.session, current_user, plan, form.kind.data, form.source.data, form.version.data
        ),
        anchor,
    )


@bp.post("/<int:plan_id>/readings")
@login_required
@loads("plan_id", services.get_visible, scoped=True)
def add_reading(plan):
    form = ReadingForm(prefix="reading")
    return _change(
        plan,
        "reading",
        form,
        lambda: services.add_reading(
            db.session,
            current_user,
            plan,
            form.measured_on.data,
            form.value.data,
            form.note.data,
            form.version.data,
        ),
        "readings",
    )
