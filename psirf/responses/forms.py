from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from psirf.learning.models import SeipsFactor
from psirf.web.forms import DateRequired, MultiCheckboxField, NhsDateField, strip
from psirf.workflow.definitions import FieldDef, SectionDef


class VersionedForm(FlaskForm):
    """Carries the response's version, so a stale tab is refused like a simultaneous click."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


def _field(spec: FieldDef):
    # Required answers are checked when the step is taken, so a part-filled section can be saved.
    if spec.type == "line":
        return StringField(spec.label, filters=[strip], validators=[Optional(), Length(max=500)])
    if spec.type == "date":
        return NhsDateField(spec.label)
    if spec.type == "choice":
        return RadioField(
            spec.label,
            choices=list(spec.options),
            validate_choice=False,
            validators=[Optional(), AnyOf([v for v, _ in spec.options], message="Choose one of the options")],
        )
    return TextAreaField(spec.label, filters=[strip], validators=[Optional(), Length(max=20_000)])


@lru_cache(maxsize=None)
def section_form(section: SectionDef) -> type[VersionedForm]:
    """A form class for a section a workflow file declares (sections are frozen, so cacheable)."""
    return type(f"SectionForm_{section.name}", (VersionedForm,), {f.name: _field(f) for f in section.fields})


class SafetyActionForm(VersionedForm):
    description = TextAreaField(
        "What will change?", filters=[strip], validators=[DataRequired("Describe the safety action"), Length(max=5000)]
    )
    owner = StringField(
        "Who owns this action?", filters=[strip], validators=[DataRequired("Name who owns the action"), Length(max=200)]
    )
    due_on = NhsDateField("When is it due?", validators=[DateRequired("Enter the date the action is due")])


class FindingForm(VersionedForm):
    text = TextAreaField("Finding", filters=[strip], validators=[DataRequired("Write the finding"), Length(max=5000)])


class FactorForm(VersionedForm):
    finding_id = SelectField("Which finding did it contribute to?", coerce=str, validators=[DataRequired("Choose the finding")])
    factor = RadioField(
        "Which part of the work system?",
        choices=SeipsFactor.choices(),
        validate_choice=False,
        validators=[InputRequired("Choose a part of the work system"), AnyOf([v for v, _ in SeipsFactor.choices()])],
    )
    description = TextAreaField(
        "How did it contribute?", filters=[strip], validators=[DataRequired("Describe how it contributed"), Length(max=5000)]
    )


class ContributorForm(VersionedForm):
    organisation_id = SelectField("Organisation", coerce=str, validators=[DataRequired("Choose an organisation")])


class ContributionForm(VersionedForm):
    contribution = TextAreaField(
        "Your organisation's contribution",
        filters=[strip],
        validators=[DataRequired("Write your organisation's contribution"), Length(max=20_000)],
    )


class LinkForm(VersionedForm):
    reference = StringField("Reference of the related response", filters=[strip], validators=[DataRequired("Enter a reference")])


class ExtensionForm(VersionedForm):
    new_due_on = NhsDateField("New target date", validators=[DateRequired("Enter the new target date")])
    reason = TextAreaField("Why is more time needed?", filters=[strip], validators=[DataRequired("Say why the extension is needed")])
    agreed_with_affected = BooleanField("The patient or family affected agreed to this extension")


class TransitionForm(VersionedForm):
    comment = TextAreaField("Comment", filters=[strip], validators=[Optional(), Length(max=5000)])


class ThematicForm(FlaskForm):
    group_id = SelectField("PCN or federation", coerce=str, validators=[DataRequired("Choose the PCN or federation")])
    cover = RadioField(
        "What will the review cover?",
        choices=[("events", "Safety events"), ("responses", "Earlier learning responses")],
        default="events",
        validators=[InputRequired("Choose what the review covers")],
    )
    method = SelectField("Learning response method (for earlier responses)", coerce=str)
    theme = SelectField("Theme", coerce=str)
    record_type = SelectField("Record type", coerce=str)
    organisation_ids = MultiCheckboxField("Which services? (optional)", choices=[], validate_choice=False)
    occurred_from = NhsDateField("Events from", validators=[DateRequired("Enter the first date")])
    occurred_to = NhsDateField("Events to", validators=[DateRequired("Enter the last date")])
