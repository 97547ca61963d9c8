from __future__ import annotations

from functools import lru_cache

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from psirf.actions.models import MeasureKind, Strength
from psirf.learning.models import FindingKind, SeipsFactor
from psirf.organisations.forms import organisation_choice, organisation_query
from psirf.web.forms import (
    DateRequired,
    MultiCheckboxField,
    NhsDateField,
    PsirfForm,
    TickBox,
    VersionedForm,
    strip,
)
from psirf.workflow.definitions import FieldDef, SectionDef


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
            validators=[
                Optional(),
                AnyOf([v for v, _ in spec.options], message="Choose one of the options"),
            ],
        )
    return TextAreaField(spec.label, filters=[strip], validators=[Optional(), Length(max=20_000)])


@lru_cache(maxsize=None)
def section_form(section: SectionDef) -> type[VersionedForm]:
    """A form class for a section a workflow file declares (sections are frozen, so cacheable)."""
    return type(
        f"SectionForm_{section.name}", (VersionedForm,), {f.name: _field(f) for f in section.fields}
    )


class SafetyActionForm(VersionedForm):
    """A safety action's details: only what will change is needed to draft it; the rest makes it
    SMART, and it is agreed on its own page once it is. Also the details form on that page."""

    description = TextAreaField(
        "What will change?",
        filters=[strip],
        validators=[DataRequired("Say what will change"), Length(max=5000)],
    )
    # Choices are set by the view: this response's areas for improvement, and the organisations
    # that may own it. The service checks the choice; an unknown one is its error to give.
    finding_id = SelectField(
        "Which area for improvement does it answer?",
        coerce=str,
        validate_choice=False,
        validators=[Optional()],
    )
    owner_organisation_query = organisation_query()
    owner_organisation_id = organisation_choice("Which organisation owns it?")
    owner = StringField(
        "Who owns this action?", filters=[strip], validators=[Optional(), Length(max=200)]
    )
    owner_email = StringField(
        "If they have an account, their email address",
        filters=[strip],
        validators=[Optional(), Length(max=254)],
    )
    due_on = NhsDateField("When is it due?")
    measure_kind = RadioField(
        "What kind of measure is it?",
        choices=MeasureKind.choices(),
        validate_choice=False,
        validators=[
            Optional(),
            AnyOf([v for v, _ in MeasureKind.choices()], message="Choose the kind of measure"),
        ],
    )
    measure = TextAreaField(
        "What will you measure, and how will you read it?",
        filters=[strip],
        validators=[Optional(), Length(max=5000)],
    )
    strength = RadioField(
        "How strong is the action?",
        choices=Strength.choices(),
        validate_choice=False,
        validators=[
            Optional(),
            AnyOf([v for v, _ in Strength.choices()], message="Choose the strength of the action"),
        ],
    )
    review_on = NhsDateField("When will you review whether it worked?")


class FindingForm(VersionedForm):
    kind = RadioField(
        "What kind of finding is this?",
        choices=FindingKind.choices(),
        validate_choice=False,
        validators=[
            InputRequired("Choose what kind of finding this is"),
            AnyOf(
                [v for v, _ in FindingKind.choices()], message="Choose what kind of finding this is"
            ),
        ],
    )
    text = TextAreaField(
        "What did the review find?",
        filters=[strip],
        validators=[DataRequired("Write the finding"), Length(max=5000)],
    )


class FactorForm(VersionedForm):
    finding_id = SelectField(
        "Which finding did it contribute to?",
        coerce=str,
        validators=[DataRequired("Choose the finding")],
    )
    factor = RadioField(
        "Which part of the work system?",
        choices=SeipsFactor.choices(),
        validate_choice=False,
        validators=[
            InputRequired("Choose a part of the work system"),
            AnyOf([v for v, _ in SeipsFactor.choices()]),
        ],
    )
    description = TextAreaField(
        "How did it contribute?",
        filters=[strip],
        validators=[DataRequired("Describe how it contributed"), Length(max=5000)],
    )


class ContributorForm(VersionedForm):
    organisation_query = organisation_query()
    organisation_id = organisation_choice("Organisation", "Choose an organisation")


class ContributionForm(VersionedForm):
    contribution = TextAreaField(
        "Your organisation's contribution",
        filters=[strip],
        validators=[DataRequired("Write your organisation's contribution"), Length(max=20_000)],
    )


class LinkForm(VersionedForm):
    reference = StringField(
        "Reference of the related response",
        filters=[strip],
        validators=[DataRequired("Enter a reference")],
    )


class ExtensionForm(VersionedForm):
    new_due_on = NhsDateField(
        "New target date", validators=[DateRequired("Enter the new target date")]
    )
    reason = TextAreaField(
        "Why is more time needed?",
        filters=[strip],
        validators=[DataRequired("Say why the extension is needed")],
    )
    agreed_with_affected = TickBox("The patient or family affected agreed to this extension")


class DueResetForm(VersionedForm):
    reason = TextAreaField(
        "Why should the target count from the change of method?",
        filters=[strip],
        validators=[DataRequired("Say why the target date should count from the change")],
    )


class ThematicForm(PsirfForm):
    group_id = SelectField(
        "PCN or federation", coerce=str, validators=[DataRequired("Choose the PCN or federation")]
    )
    cover = RadioField(
        "What will the review cover?",
        choices=[("events", "Safety events"), ("responses", "Earlier learning responses")],
        default="events",
        validators=[InputRequired("Choose what the review covers")],
    )
    method = SelectField("Learning response method (for earlier responses)", coerce=str)
    theme = SelectField("Theme", coerce=str)
    record_type = SelectField("Record type", coerce=str)
    organisation_ids = MultiCheckboxField(
        "Which services? (optional)", choices=[], validate_choice=False
    )
    occurred_from = NhsDateField("Events from", validators=[DateRequired("Enter the first date")])
    occurred_to = NhsDateField("Events to", validators=[DateRequired("Enter the last date")])
