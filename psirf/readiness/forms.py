"""The readiness pages' forms."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from psirf.readiness.commitments import Status
from psirf.web.forms import DateRequired, NhsDateField, PsirfForm, VersionedForm, strip

LEVELS = [("1", "Level 1: Essentials for patient safety"), ("2", "Level 2: Access to practice")]


class EvidenceForm(VersionedForm):
    status = RadioField(
        "Where does the organisation stand?", choices=Status.choices(), validate_choice=False
    )
    route = RadioField("How is it met?", choices=[], validate_choice=False)
    note = TextAreaField("Evidence", filters=[strip], validators=[Optional(), Length(max=5000)])
    evidence_on = NhsDateField("Date of the evidence", not_after_today=True)
    evidence_url = StringField(
        "Link to the document", filters=[strip], validators=[Optional(), Length(max=500)]
    )


class ConfirmForm(VersionedForm):
    pass


class NamedForm(PsirfForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[DataRequired("Enter the person's name"), Length(max=200)],
    )
    since = NhsDateField("When did they start? (optional)", not_after_today=True)


class StaffForm(PsirfForm):
    name = StringField(
        "Name", filters=[strip], validators=[DataRequired("Enter their name"), Length(max=200)]
    )
    email = StringField(
        "Email address",
        filters=[strip],
        validators=[DataRequired("Enter their email address"), Length(max=254)],
    )


def _choose(label: str, message: str) -> SelectField:
    return SelectField(label, coerce=str, validate_choice=False, validators=[DataRequired(message)])


class _LevelForm(PsirfForm):
    level = RadioField(
        "Which level?",
        choices=LEVELS,
        validate_choice=False,
        validators=[DataRequired("Choose level 1 or level 2")],
    )


class TrainingForm(_LevelForm):
    member_id = _choose("Member of staff", "Choose the member of staff")
    completed_on = NhsDateField(
        "When was it completed?",
        not_after_today=True,
        validators=[DateRequired("Enter the date it was completed")],
    )


class OwnTrainingForm(_LevelForm):
    organisation_id = _choose("Where do you work?", "Choose where you work")
    completed_on = NhsDateField(
        "When did you complete it?",
        not_after_today=True,
        validators=[DateRequired("Enter the date you completed it")],
    )


class LeftForm(PsirfForm):
    # Not member_id: the training form on the same page has that field (and its id).
    leaver_id = _choose("Who has left?", "Choose the member of staff who has left")
    left_on = NhsDateField(
        "When did they leave?",
        not_after_today=True,
        validators=[DateRequired("Enter the date they left")],
    )


class ImportForm(PsirfForm):
    file = FileField("Upload a CSV file", validators=[FileRequired("Select a CSV file")])
