"""The engagement and candour forms. Each is used with its own prefix (see views.FORMS), so the
many forms on the response page never share an id."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from psirf.engagement.models import (
    CandourDecision,
    ContactMeans,
    Involvement,
    PersonKind,
    StepKind,
    Unreachable,
)
from psirf.web.forms import VersionedForm
from psirf.web.forms import DateRequired, MultiCheckboxField, NhsDateField, TickBox, strip

YES_NO = [("yes", "Yes"), ("no", "No")]


def _line(label, message=None, max_length=200):
    validators = [DataRequired(message)] if message else [Optional()]
    return StringField(label, filters=[strip], validators=[*validators, Length(max=max_length)])


def _text(label, message=None):
    validators = [DataRequired(message)] if message else [Optional()]
    return TextAreaField(label, filters=[strip], validators=[*validators, Length(max=20_000)])


def _radio(label, choices, message=None, default=None):
    values = [v for v, _ in choices]
    validators = (
        [InputRequired(message), AnyOf(values, message=message)]
        if message
        else [Optional(), AnyOf(values)]
    )
    return RadioField(
        label, choices=choices, default=default, validate_choice=False, validators=validators
    )


def yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def from_yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class PersonForm(VersionedForm):
    kind = _radio("Who are they?", PersonKind.choices(), "Choose who they are")
    name = _line("Name", "Enter their name")
    relationship_to_patient = _line("Relationship to the patient (optional)")
    contact_by = MultiCheckboxField(
        "How would they like to be contacted? (optional)", choices=ContactMeans.choices()
    )
    contact_when = _line("When is a good time to contact them? (optional)", max_length=500)
    language = _line("Preferred language (optional)", max_length=100)
    interpreter_needed = _radio(
        "Do they need an interpreter?", YES_NO, "Say whether they need an interpreter", default="no"
    )
    accessibility_needs = _text("Accessibility needs (optional)")
    involvement = _radio(
        "How involved do they want to be?",
        Involvement.choices(),
        "Choose how involved they want to be",
    )
    engagement_lead_id = SelectField(
        "Engagement lead (their single point of contact)",
        coerce=str,
        validate_choice=False,
        validators=[Optional()],
    )
    supporter = _line("Named supporter (staff involved only, optional)")
    wellbeing_signposted = _radio("Was wellbeing support signposted? (staff involved only)", YES_NO)
    support_notes = _text("Notes on the support offered (staff involved only, optional)")

    def values(self) -> dict:
        data = {k: v for k, v in self.data.items() if k not in ("csrf_token", "version")}
        data["interpreter_needed"] = from_yes_no(self.interpreter_needed.data)
        data["wellbeing_signposted"] = from_yes_no(self.wellbeing_signposted.data)
        data["engagement_lead_id"] = self.engagement_lead_id.data or None
        return data


class StepForm(VersionedForm):
    person_id = SelectField(
        "Who was it with?",
        coerce=str,
        validate_choice=False,
        validators=[DataRequired("Choose the person")],
    )
    kind = _radio("What happened?", StepKind.choices(), "Choose what happened")
    occurred_on = NhsDateField(
        "When?", not_after_today=True, validators=[DateRequired("Enter the date")]
    )
    shared = _radio(
        "Is this shared with the family?",
        [("shared", "Shared with the family"), ("internal", "Internal")],
        "Say whether it is shared with the family",
        default="shared",
    )
    notes = _text("Notes, their question, their account in their words, or their comments")
    in_report = TickBox("They chose to have it quoted in the report, in their words")


class QuoteForm(VersionedForm):
    """Their choice, told to their engagement lead: quote one account or question, or leave it out."""

    in_report = HiddenField(validators=[AnyOf(["yes", "no"], message="Choose to quote it or not")])


class AttemptForm(VersionedForm):
    person_id = SelectField(
        "Who did you try to reach?", coerce=str, validate_choice=False, validators=[Optional()]
    )
    attempted_on = NhsDateField(
        "When did you try?",
        not_after_today=True,
        validators=[DateRequired("Enter the date of the attempt")],
    )
    means = _radio("How did you try?", ContactMeans.choices(), "Choose how you tried")
    outcome = _line("What happened?", "Say what happened", max_length=500)


class AnswerForm(VersionedForm):
    answer = _text("Answer", "Write the answer")
    answered_on = NhsDateField(
        "Date answered",
        not_after_today=True,
        validators=[DateRequired("Enter the date it was answered")],
    )


class CandourDecisionForm(VersionedForm):
    decision = _radio(
        "Does the duty of candour apply?",
        CandourDecision.choices(),
        "Choose whether the duty of candour applies",
    )
    criteria = MultiCheckboxField(
        "Which of these has happened, or could happen?", choices=[], validate_choice=False
    )
    reason = _text("Reason (needed when ruling it out)")
    decided_on = NhsDateField(
        "Date of the decision",
        not_after_today=True,
        validators=[DateRequired("Enter the date of the decision")],
    )


NOT_UNREACHABLE = "no"


class CandourStepsForm(VersionedForm):
    """The steps in the order regulation 20 puts them (candour_steps.STEPS)."""

    notified_on = NhsDateField("Date they were told in person or by phone", not_after_today=True)
    notified_means = _radio(
        "How were they told?",
        [(ContactMeans.IN_PERSON.value, "In person"), (ContactMeans.PHONE.value, "By phone")],
    )
    notified_by = _line("Who told them? (optional until they are told)")
    apology_given = _radio("Was an apology given?", YES_NO)
    unreachable = _radio(
        "If they have not been told: could they not be reached, or did they decline?",
        [
            (NOT_UNREACHABLE, "Neither: they were told, or we are still trying"),
            *Unreachable.choices(),
        ],
    )
    unreachable_on = NhsDateField(
        "Date you concluded they could not be reached or declined", not_after_today=True
    )
    written_on = NhsDateField("Date of the written notification", not_after_today=True)
    record_reference = _line(
        "What is the secure written record, and where is it kept?", max_length=500
    )
    record_kept_by = _line("Who confirmed it is kept securely?")
    record_kept_on = NhsDateField("Date it was confirmed as kept", not_after_today=True)
    support_offered = _text("What support was offered?")
    support_offered_on = NhsDateField("Date the support was offered", not_after_today=True)
    results_shared_on = NhsDateField(
        "Date the results of enquiries were shared", not_after_today=True
    )

    def values(self) -> dict:
        unreachable = self.unreachable.data
        return {
            "notified_on": self.notified_on.data,
            "notified_means": self.notified_means.data or None,
            "notified_by": self.notified_by.data,
            "apology_given": from_yes_no(self.apology_given.data),
            "unreachable": None if unreachable in (None, "", NOT_UNREACHABLE) else unreachable,
            "unreachable_on": self.unreachable_on.data,
            "written_on": self.written_on.data,
            "record_reference": self.record_reference.data,
            "record_kept_by": self.record_kept_by.data,
            "record_kept_on": self.record_kept_on.data,
            "support_offered": self.support_offered.data,
            "support_offered_on": self.support_offered_on.data,
            "results_shared_on": self.results_shared_on.data,
        }


# ---- the family portal: the lead's side ---------------------------------------------------------


class InviteForm(VersionedForm):
    means = _radio(
        "How should we invite them?",
        [("email", "Send a link by email"), ("letter", "Print a letter with a code")],
        "Choose how to invite them",
    )
    email = StringField(
        "Their email address (for a link by email)",
        filters=[strip],
        validators=[Optional(), Length(max=254)],
    )


class ShareForm(VersionedForm):
    kind = _radio(
        "Which report?",
        [("draft", "The draft report, as it is now"), ("final", "The final report, as it is now")],
        "Choose the draft report or the final report",
    )


class WithdrawForm(VersionedForm):
    pass
