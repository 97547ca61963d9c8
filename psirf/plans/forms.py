"""The forms of the plan pages: generating a plan, its sections, the committee's decision."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from psirf.events.lfpse import RecordType, Theme, insight_theme_choices
from psirf.plans.content import LOOKBACKS, PERIODS, PLANNED_METHODS, UP_TO_HARM, template
from psirf.web.forms import VersionedForm
from psirf.triage.recommend import method_label
from psirf.web.forms import DateRequired, NhsDateField, PsirfForm, strip

HARM_CHOICES = [
    ("", "Any harm"),
    ("low", "Low harm or worse"),
    ("moderate", "Moderate harm or worse"),
    ("severe", "Severe harm or worse"),
]

# Severe harm and deaths always get a response of their own, so a row never reaches them.
NO_RESPONSE_HARM_CHOICES = [("", "Any harm short of severe")] + [
    (level, words.capitalize()) for level, words in UP_TO_HARM.items()
]


def method_choices() -> list[tuple[str, str]]:
    return [(m, method_label(m)) for m in PLANNED_METHODS]


class NewPlanForm(PsirfForm):
    group_id = SelectField(
        "PCN or federation",
        coerce=str,
        validate_choice=False,
        validators=[DataRequired("Choose the PCN or federation the plan is for")],
    )
    period_months = RadioField(
        "How long will the plan be in force?",
        choices=[(str(n), f"{n} months") for n in PERIODS],
        default="12",
        validators=[DataRequired("Choose how long the plan will be in force")],
    )
    lookback_months = RadioField(
        "How far back should the profile look?",
        choices=[(str(n), f"The last {n} months") for n in LOOKBACKS],
        default="12",
        validators=[DataRequired("Choose how far back the profile should look")],
    )
    starts_on = NhsDateField(
        "When should the plan start?",
        validators=[DateRequired("Enter the date the plan should start")],
    )


class TextForm(VersionedForm):
    text = TextAreaField(
        "Text", filters=[strip], validators=[DataRequired("Write this section"), Length(max=10000)]
    )


class InvolvedForm(VersionedForm):
    people = TextAreaField(
        "Who was involved in drawing up the plan?",
        filters=[strip],
        validators=[DataRequired("Say who was involved in drawing up the plan"), Length(max=5000)],
    )
    partners = TextAreaField(
        "Which patient safety partners helped?",
        filters=[strip],
        validators=[DataRequired("Name the patient safety partners who helped"), Length(max=2000)],
    )


class DistributionForm(VersionedForm):
    distribution = TextAreaField(
        "Who receives the plan?",
        filters=[strip],
        validators=[DataRequired("List who receives the plan, one a line"), Length(max=7000)],
    )


class SourceForm(Form):
    used = BooleanField("Used")
    count = IntegerField(
        "Count",
        validators=[
            Optional(),
            NumberRange(min=0, max=10_000_000, message="Enter a count of 0 or more"),
        ],
    )
    notes = StringField("Notes", filters=[strip], validators=[Optional(), Length(max=500)])


class SourcesForm(VersionedForm):
    sources = FieldList(FormField(SourceForm))


def sources_form(plan, formdata=None) -> SourcesForm:
    """One row per source in the plan, in its order (the keys travel in the plan, not the form)."""
    data = {
        "version": plan.version_id,
        "sources": [
            {"used": s["used"], "count": s["count"], "notes": s["notes"]}
            for s in plan.content["sources"]
        ],
    }
    return SourcesForm(formdata=formdata, data=data, prefix="sources")


class LeadForm(Form):
    name = StringField("Name", filters=[strip], validators=[Optional(), Length(max=200)])
    role = StringField("Role", filters=[strip], validators=[Optional(), Length(max=200)])
    trained = BooleanField("Trained as a learning response lead")
    hours_per_month = IntegerField(
        "Hours a month",
        validators=[Optional(), NumberRange(min=0, max=200, message="Enter hours from 0 to 200")],
    )


class LeadsForm(VersionedForm):
    leads = FieldList(FormField(LeadForm))


def leads_form(plan, formdata=None) -> LeadsForm:
    leads = list(plan.content["capacity"]["leads"]) + [
        {"name": "", "role": "", "trained": True, "hours_per_month": None}
    ]
    return LeadsForm(
        formdata=formdata, data={"version": plan.version_id, "leads": leads}, prefix="leads"
    )


class PriorityForm(VersionedForm):
    label = StringField(
        "Incident type or issue",
        filters=[strip],
        validators=[DataRequired("Say what the incident type or issue is"), Length(max=300)],
    )
    method = SelectField(
        "Planned response",
        choices=method_choices(),
        validators=[InputRequired("Choose the planned response")],
    )
    improvement_route = TextAreaField(
        "Anticipated improvement route",
        filters=[strip],
        validators=[
            DataRequired("Say what the anticipated improvement route is"),
            Length(max=2000),
        ],
    )


class NewPriorityForm(PriorityForm):
    theme = SelectField(
        "Which theme does it cover?",
        # Repeat presentation too: a theme of its own in insight, so a priority may cover it.
        choices=[("", "Choose a theme")] + insight_theme_choices(),
        validators=[DataRequired("Choose the theme it covers")],
    )
    min_harm = SelectField(
        "Which events does it cover?", choices=HARM_CHOICES, validators=[Optional()]
    )


class NoResponseRowForm(VersionedForm):
    """A kind of event the plan says needs no further response; the service checks the rest."""

    label = StringField(
        "Which events?",
        filters=[strip],
        validators=[DataRequired("Say which events need no further response"), Length(max=300)],
    )
    record_type = SelectField(
        "Record type",
        choices=[("", "Any record type")] + RecordType.choices(),
        validators=[Optional()],
    )
    theme = SelectField(
        "Theme", choices=[("", "Any theme")] + Theme.choices(), validators=[Optional()]
    )
    max_harm = SelectField("Harm", choices=NO_RESPONSE_HARM_CHOICES, validators=[Optional()])
    handled_by = StringField(
        "What handles them instead?",
        filters=[strip],
        validators=[DataRequired("Say what handles these events instead"), Length(max=300)],
    )


class DecisionForm(VersionedForm):
    decided_on = NhsDateField(
        "Date of the committee's decision",
        not_after_today=True,
        validators=[DateRequired("Enter the date of the committee's decision")],
    )
    minute_reference = StringField(
        "Minute reference",
        filters=[strip],
        validators=[DataRequired("Enter the minute reference of the decision"), Length(max=100)],
    )


def default_route(method: str) -> str:
    return template()["improvement_routes"].get(method, "")
