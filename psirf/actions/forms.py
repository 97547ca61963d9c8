"""The forms on a safety action's own page. Its details form is the response page's
`SafetyActionForm`, so an action is written with the same questions wherever it is."""

from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from psirf.actions.models import Effect
from psirf.actions import services
from psirf.actions.services import Details
from psirf.organisations.forms import offer
from psirf.responses.forms import SafetyActionForm
from psirf.web.forms import TransitionForm, VersionedForm, strip

__all__ = [
    "DetailsForm",
    "EffectForm",
    "EvidenceForm",
    "TransitionForm",
    "details_of",
    "set_detail_choices",
]

DetailsForm = SafetyActionForm


class EvidenceForm(VersionedForm):
    evidence = TextAreaField(
        "What shows the action is done?",
        filters=[strip],
        validators=[
            DataRequired("Describe the evidence that the action is done"),
            Length(max=20_000),
        ],
    )


class EffectForm(VersionedForm):
    effect = RadioField(
        "Did it work?",
        choices=Effect.choices(),
        validate_choice=False,
        validators=[
            InputRequired("Say whether the action worked"),
            AnyOf([v for v, _ in Effect.choices()], message="Say whether the action worked"),
        ],
    )
    effect_notes = TextAreaField(
        "What did the measure show?",
        filters=[strip],
        validators=[DataRequired("Say what the measure showed"), Length(max=20_000)],
    )


def _id(value) -> int | None:
    """A chosen id; something that is not one becomes -1, which no row has, so the service refuses it."""
    if not value:
        return None
    return int(value) if str(value).isdigit() else -1


def details_of(form: SafetyActionForm) -> Details:
    """What the form says, as the service takes it (an unknown choice becomes its error)."""
    return Details(
        description=form.description.data or "",
        finding_id=_id(form.finding_id.data),
        owner=form.owner.data or None,
        owner_email=form.owner_email.data or None,
        owner_organisation_id=_id(form.owner_organisation_id.data),
        due_on=form.due_on.data,
        measure_kind=form.measure_kind.data or None,
        measure=form.measure.data or None,
        strength=form.strength.data or None,
        review_on=form.review_on.data,
    )


def set_detail_choices(form: SafetyActionForm, session, response) -> None:
    """The areas for improvement of the action's response, and the organisations offered to own
    it: the usual owners, what was chosen, and the matches of a search in the response's ICB.

    Here, not in a view: the response page offers the same form to add an action."""
    form.finding_id.choices = [("", "None")] + [
        (str(f.id), f.text[:80]) for f in services.areas_for_improvement(response)
    ]
    offer(
        session,
        form.owner_organisation_id,
        form.owner_organisation_query,
        services.owner_scope(response),
        label=lambda o: o.name,
        first=services.usual_owners(response),
    )
