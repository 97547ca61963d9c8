from __future__ import annotations

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from psirf.events.lfpse import PhysicalHarm, RecordType, Theme
from psirf.events.models import EventStatus
from psirf.triage.services import (
    LOCAL_RESPONSE_CHOICES,
    REFERRAL_BODY_MAX,
    REFERRAL_REFERENCE_MAX,
    TEXT_MAX,
    TriageChoice,
)
from psirf.web.forms import NhsDateField, PsirfForm, strip

NO_LOCAL_RESPONSE = "none"


def _any(label: str, choices):
    return [("", label)] + list(choices)


class QueueFilterForm(PsirfForm):
    class Meta:
        csrf = False  # a GET search that changes nothing

    status = SelectField(
        "Status",
        choices=_any("Any status", EventStatus.choices()),
        default=EventStatus.AWAITING_TRIAGE.value,
    )
    record_type = SelectField(
        "Record type", choices=_any("Any record type", RecordType.choices()), default=""
    )
    harm = SelectField(
        "Physical harm", choices=_any("Any harm", PhysicalHarm.choices()), default=""
    )
    theme = SelectField("Theme", choices=_any("Any theme", Theme.choices()), default="")
    occurred_from = NhsDateField("Happened on or after")
    occurred_to = NhsDateField("Happened on or before")


class TriageDecisionForm(PsirfForm):
    """The lead's decision. Fields are declared in page order, so the error summary follows it."""

    choice = RadioField(
        "Which learning response is proportionate?",
        choices=TriageChoice.choices(),
        validate_choice=False,
        validators=[
            InputRequired("Choose a learning response"),
            AnyOf([c.value for c in TriageChoice], message="Choose a learning response"),
        ],
    )
    # Shown inside the "Referred to another body" option.
    referral_body = StringField(
        "Which body was it referred to?",
        filters=[strip],
        validators=[
            Length(
                max=REFERRAL_BODY_MAX, message=f"Enter no more than {REFERRAL_BODY_MAX} characters"
            )
        ],
    )
    referred_on = NhsDateField("When was it referred?", not_after_today=True)
    referral_reference = StringField(
        "Their reference (optional)",
        filters=[strip],
        validators=[
            Length(
                max=REFERRAL_REFERENCE_MAX,
                message=f"Enter no more than {REFERRAL_REFERENCE_MAX} characters",
            )
        ],
    )
    local_method = SelectField(
        "Also run a local learning response? (optional)",
        choices=[(NO_LOCAL_RESPONSE, "No local response")]
        + [(c.value, c.label) for c in LOCAL_RESPONSE_CHOICES],
        default=NO_LOCAL_RESPONSE,
    )
    deviation_reason = TextAreaField(
        "Why are you choosing differently from the recommendation?",
        filters=[strip],
        validators=[Length(max=TEXT_MAX, message=f"Enter no more than {TEXT_MAX:,} characters")],
    )
    rationale = TextAreaField(
        "Why did you choose this response?",
        filters=[strip],
        validators=[DataRequired("Say why you chose this response"), Length(max=TEXT_MAX)],
    )

    def __init__(self, *args, recommendation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        recommended = recommendation.method if recommendation else None
        # Nothing is preselected; the recommended option says so in its label.
        self.choice.choices = [
            (c.value, f"{c.label} (recommended)" if c.value == recommended else c.label)
            for c in TriageChoice
        ]
        if not self.is_submitted() and recommendation is not None and recommendation.refer_to:
            self.referral_body.data = recommendation.refer_to

    @property
    def chosen_local_method(self) -> str | None:
        value = self.local_method.data
        return None if value in (None, "", NO_LOCAL_RESPONSE) else value

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        choice = self.choice.data if not self.choice.errors else None
        if choice == TriageChoice.REFERRAL.value:
            if not self.referral_body.data and not self.referral_body.errors:
                self.referral_body.errors.append("Enter the body the event was referred to")
                valid = False
            if self.referred_on.data is None and not self.referred_on.errors:
                self.referred_on.errors.append("Enter the date it was referred")
                valid = False
        if (
            choice
            and self.recommendation is not None
            and choice != self.recommendation.method
            and not self.deviation_reason.data
            and not self.deviation_reason.errors
        ):
            self.deviation_reason.errors.append(
                "Say why you are choosing differently from the recommendation"
            )
            valid = False
        return valid
