from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from psirf.improvement.models import ItemKind
from psirf.improvement.services import parse_value, reading_problem
from psirf.web.forms import (
    DateRequired,
    MultiCheckboxField,
    NhsDateField,
    PsirfForm,
    VersionedForm,
    strip,
)


class PlanForm(PsirfForm):
    organisation_id = SelectField(
        "Organisation",
        coerce=str,
        validate_choice=False,
        validators=[DataRequired("Choose the organisation the plan is for")],
    )
    title = StringField(
        "Title",
        filters=[strip],
        validators=[DataRequired("Enter a title for the plan"), Length(max=200)],
    )
    aim = TextAreaField(
        "What are we trying to accomplish?",
        filters=[strip],
        validators=[DataRequired("Say what the plan is trying to accomplish"), Length(max=5000)],
    )
    measure = TextAreaField(
        "How will we know a change is an improvement?",
        filters=[strip],
        validators=[
            DataRequired("Say how you will know a change is an improvement"),
            Length(max=5000),
        ],
    )


class AddActionsForm(VersionedForm):
    action_ids = MultiCheckboxField(
        "Which safety actions should the plan gather?",
        choices=[],
        validate_choice=False,
        validators=[DataRequired("Choose at least one safety action")],
    )


class ItemForm(VersionedForm):
    kind = StringField(
        validators=[
            InputRequired("Choose a priority or good care to add"),
            AnyOf(
                [v for v, _ in ItemKind.choices()], message="Choose a priority or good care to add"
            ),
        ]
    )
    source = StringField(
        filters=[strip], validators=[DataRequired("Choose what to add"), Length(max=80)]
    )


def _a_number(form, field):
    problem = reading_problem(parse_value(field.data)) if field.data else None
    if problem:
        raise ValidationError(problem)


class ReadingForm(VersionedForm):
    measured_on = NhsDateField(
        "When was it measured?",
        not_after_today=True,
        validators=[DateRequired("Enter the date the measure was read")],
    )
    value = StringField(
        "Value",
        filters=[strip],
        validators=[DataRequired("Enter the value"), Length(max=40), _a_number],
    )
    note = TextAreaField(
        "Note (optional)", filters=[strip], validators=[Optional(), Length(max=2000)]
    )
