"""The response page: its forms, their choices and the page itself, drawn for a view.

Here, not in the views, because other features' views send their failed forms back into this page
(psirf.events.feedback_views for "what changed"): they import this module, never a views module.
"""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask_login import current_user

from psirf import policy
from psirf.actions import services as actions
from psirf.actions.forms import set_detail_choices
from psirf.extensions import db
from psirf.learning.models import FindingKind
from psirf.organisations.forms import offer
from psirf.responses import contributors, course, services, steps, timeliness
from psirf.responses.forms import (
    ContributionForm,
    ContributorForm,
    DueResetForm,
    ExtensionForm,
    FactorForm,
    FindingForm,
    LinkForm,
    SafetyActionForm,
    section_form,
)
from psirf.web import parts
from psirf.workflow import diagram, runner

# The forms for the parts kept in their own tables. Each form's fields carry its key as a
# prefix, so the many forms on one page never share an id.
PART_FORMS = {
    "action": SafetyActionForm,
    "finding": FindingForm,
    "factor": FactorForm,
    "contributor": ContributorForm,
    "contribution": ContributionForm,
    "link": LinkForm,
    "extension": ExtensionForm,
    "due_reset": DueResetForm,
}


# The findings section groups them by kind, in this order, under these headings.
FINDING_KINDS = [
    (FindingKind.FINDING.value, FindingKind.FINDING.label, "Findings"),
    (
        FindingKind.AREA_FOR_IMPROVEMENT.value,
        FindingKind.AREA_FOR_IMPROVEMENT.label,
        "Areas for improvement",
    ),
    (FindingKind.WENT_WELL.value, FindingKind.WENT_WELL.label, "What went well"),
]


def _forms_for(response, wanted: set[str], posted: dict | None = None) -> dict:
    """A blank form for each part in `wanted` (those the viewer may edit now), filled from the
    record; `posted` keeps a failed one. A form nobody can use is not built: the page drew each
    of them, WTForms' binding and the action form's owner choices (a statement) included, for
    every viewer (issue 16)."""
    definition = runner.definition_of(response)
    version = {"version": response.version_id}
    forms = {}
    for name, section in definition.sections.items():
        if name not in wanted:
            continue
        saved = {} if section.repeatable else dict((response.record or {}).get(name) or {})
        for f in section.fields:
            if f.type == "date" and saved.get(f.name):
                saved[f.name] = date.fromisoformat(saved[f.name])
        forms[name] = section_form(section)(formdata=None, data={**saved, **version}, prefix=name)
    # Most actions are owned where the response is run: its organisation is offered first and chosen.
    defaults = {"action": {"owner_organisation_id": str(response.organisation_id)}}
    for key, form_class in PART_FORMS.items():
        if key not in wanted:
            continue
        forms[key] = form_class(
            formdata=None, data={**version, **defaults.get(key, {})}, prefix=key
        )
    forms.update(posted or {})
    set_choices(forms, response)
    return forms


def _wanted(response, editable, may_link: bool, may_extend: bool, may_reset_due: bool) -> set:
    """The forms templates/responses/show.html draws for this viewer, by the same conditions."""
    wanted = {name for name in runner.definition_of(response).sections if name in editable}
    if "factors" in editable:
        wanted.add("finding")
        if response.findings:
            wanted.add("factor")
    if response.method == "cross_organisational":
        if "contributors" in editable:
            wanted.add("contributor")
        if "contribution" in editable:
            wanted.add("contribution")
    if "actions" in editable:
        wanted.add("action")
    for key, offered in (
        ("extension", may_extend),
        ("due_reset", may_reset_due),
        ("link", may_link),
    ):
        if offered:
            wanted.add(key)
    return wanted


def set_choices(forms: dict, response) -> None:
    """The choices of the select boxes, for whichever of these forms are in `forms`."""
    if "factor" in forms:
        forms["factor"].finding_id.choices = [("", "Choose a finding")] + [
            (str(f.id), f"{f.kind_label}: {f.text[:80]}") for f in response.findings
        ]
    # Neither choice lists the ICB's organisations (a thousand): each offers a search of them.
    if "contributor" in forms:
        form = forms["contributor"]
        offer(
            db.session,
            form.organisation_id,
            form.organisation_query,
            contributors.choosable(response),
            label=lambda o: f"{o.name} ({o.kind_label})",
        )
    if "action" in forms:
        set_detail_choices(forms["action"], db.session, response)


def render_page(response, status=200, posted=None, problems=None, refused=None, kept_comments=None):
    """The response page, with `posted` forms kept as they were sent and what went wrong."""
    definition = runner.definition_of(response)
    triggers = steps.open_transitions(current_user, response)
    state = definition.state(response.state)
    stages = course.history(response)
    editable = services.editable_parts(current_user, response)
    may_link = policy.may_offer_link(current_user, response, state)
    may_extend = policy.may_agree_extension(current_user, response, state)
    may_reset_due = course.may_reset_due_date(response) and policy.may_reset_due_date(
        current_user, response, state
    )
    wanted = _wanted(response, editable, may_link, may_extend, may_reset_due)
    return (
        render_template(
            "responses/show.html",
            response=response,
            definition=definition,
            timely=timeliness.status(response),
            diagram_svg=diagram.svg(definition, response.state),
            editable=editable,
            forms=_forms_for(response, wanted, posted),
            triggers=triggers,
            problems=problems or [],
            refused=refused,
            kept_comments=kept_comments,
            links=course.links_of(db.session, response),
            may_link=may_link,
            may_extend=may_extend,
            may_reset_due=may_reset_due,
            story=course.story(stages),
            counted_from=course.counted_from(response, stages),
            history=stages,
            earlier=stages[:-1],
            current_stage=stages[-1],
            may_agree_to_sign_off=policy.may_agree_to_sign_off(current_user, response, state),
            mine=policy.contributing_organisations(current_user, response),
            timeline=services.timeline(db.session, current_user, response),
            action_state=lambda a: runner.definition_of(a).state(a.state).label,
            all_weaker=actions.all_weaker(response.safety_actions),
            finding_kinds=FINDING_KINDS,
            **parts.context_for("response", response),
        ),
        status,
    )
