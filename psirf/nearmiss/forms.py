"""The bench form: one screen, three answers to give (the medicine, what was nearly given wrongly,
the likely cause); the pharmacy, the day and the step it was caught at are filled in already."""

from __future__ import annotations

from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, Regexp

from psirf.nearmiss.models import MEDICINE_MAX, NOTE_MAX, Cause, ErrorType, Stage
from psirf.web.forms import NhsDateField, PsirfForm, VersionedForm, strip


def _radios(label: str, enum, required: str) -> RadioField:
    values = [value for value, _ in enum.choices()]
    return RadioField(
        label,
        choices=enum.choices(),
        validate_choice=False,
        validators=[InputRequired(required), AnyOf(values, message=required)],
    )


class NearMissForm(PsirfForm):
    # Radios when the person works at several pharmacies; a hidden field when at one.
    organisation_id = StringField(
        "Pharmacy",
        filters=[strip],
        validators=[
            DataRequired("Choose the pharmacy"),
            Regexp(r"^\d{1,9}$", message="Choose the pharmacy"),
        ],
    )
    medicine = StringField(
        "Medicine involved",
        filters=[strip],
        validators=[
            DataRequired("Enter the medicine involved"),
            Length(max=MEDICINE_MAX, message=f"Use {MEDICINE_MAX} characters or fewer"),
        ],
    )
    error_type = _radios(
        "What was nearly given wrongly?", ErrorType, "Select what was nearly given wrongly"
    )
    stage = _radios("Where was it caught?", Stage, "Select where it was caught")
    cause = _radios("Likely cause", Cause, "Select the likely cause")
    note = TextAreaField(
        "Anything else about the cause (optional)",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=NOTE_MAX, message=f"Use {NOTE_MAX} characters or fewer"),
        ],
    )
    dmd_code = StringField(
        "dm+d code (optional)",
        filters=[strip],
        validators=[
            Optional(),
            Regexp(
                r"^\d{6,18}$", message="Enter the dm+d code as 6 to 18 digits, or leave it blank"
            ),
        ],
    )
    occurred_on = NhsDateField("When was it caught?", not_after_today=True)


class PromoteForm(VersionedForm):
    """The button that makes a near miss a safety event, with the version the page showed."""
