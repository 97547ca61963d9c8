from __future__ import annotations

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from psirf.alerts.services import ANSWERS, SERVICE_KIND_CHOICES
from psirf.web.forms import (
    DateRequired,
    MultiCheckboxField,
    NhsDateField,
    PsirfForm,
    VersionedForm,
    strip,
)


class DetailsForm(PsirfForm):
    """An alert's details: recorded with a new alert, changed on a draft."""

    reference = StringField(
        "Reference",
        filters=[strip],
        validators=[DataRequired("Enter the alert's reference"), Length(max=40)],
    )
    title = StringField(
        "Title",
        filters=[strip],
        validators=[DataRequired("Enter the alert's title"), Length(max=300)],
    )
    issued_on = NhsDateField(
        "Date issued",
        not_after_today=True,
        validators=[DateRequired("Enter the date the alert was issued")],
    )
    link = StringField(
        "Link to the alert",
        filters=[strip],
        validators=[DataRequired("Enter the link to the alert"), Length(max=500)],
    )
    service_kinds = MultiCheckboxField(
        "Which types of service does it apply to?",
        choices=SERVICE_KIND_CHOICES,
        validators=[DataRequired("Choose the types of service the alert applies to")],
    )


class AlertForm(DetailsForm):
    organisation_id = SelectField(
        "Who is recording the alert?",
        coerce=str,
        validate_choice=False,
        validators=[DataRequired("Choose who the alert is recorded for")],
    )


class EditForm(DetailsForm, VersionedForm):
    pass


class ActionForm(VersionedForm):
    description = TextAreaField(
        "What must services do?",
        filters=[strip],
        validators=[DataRequired("Say what services must do"), Length(max=2000)],
    )
    deadline = NhsDateField(
        "Deadline", validators=[DateRequired("Enter the deadline for the action")]
    )


class ConfirmForm(VersionedForm):
    status = RadioField(
        "Where is your service with this action?",
        choices=[(s.value, s.label) for s in ANSWERS],
        validators=[
            DataRequired("Choose whether the action is done, not applicable or in progress")
        ],
    )
    done_on = NhsDateField("Date done", not_after_today=True)
    reason = TextAreaField(
        "Why does it not apply to your service?",
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
    )
    expected_on = NhsDateField("When do you expect it to be done?")
    note = TextAreaField(
        "Evidence or note (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=5000)],
    )
