from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from psirf.events.lfpse import PhysicalHarm, RecordType, Theme
from psirf.events.models import EventStatus
from psirf.triage.services import TriageChoice
from psirf.web.forms import NhsDateField, strip


def _any(label: str, choices):
    return [("", label)] + list(choices)


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search that changes nothing

    status = SelectField("Status", choices=_any("Any status", EventStatus.choices()), default=EventStatus.AWAITING_TRIAGE.value)
    record_type = SelectField("Record type", choices=_any("Any record type", RecordType.choices()), default="")
    harm = SelectField("Physical harm", choices=_any("Any harm", PhysicalHarm.choices()), default="")
    theme = SelectField("Theme", choices=_any("Any theme", Theme.choices()), default="")
    occurred_from = NhsDateField("Happened on or after")
    occurred_to = NhsDateField("Happened on or before")


class TriageDecisionForm(FlaskForm):
    choice = RadioField(
        "Which learning response is proportionate?",
        choices=TriageChoice.choices(),
        validators=[DataRequired("Choose a learning response")],
    )
    rationale = TextAreaField(
        "Why did you choose this response?",
        filters=[strip],
        validators=[DataRequired("Say why you chose this response"), Length(max=5000)],
    )
