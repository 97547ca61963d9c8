"""Safety events as the JSON API reads and writes them (marshmallow), with a view per caller.

`EventSchema` is the whole event as its casework sees it. Who reported it is withheld from a
caller the policy does not let know a protected reporter (`view_for`), as the event page
withholds it. The input schemas check the shape and the coded values (so the OpenAPI document
lists them); the rules themselves stay in the services, which refuse with InputError.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from psirf import policy
from psirf.events import lfpse
from psirf.events.models import EventStatus
from psirf.events.services import DESCRIPTION_MAX
from psirf.web.json_fields import UtcDateTime, Views, record_id, version_sent


REPEAT_HELP = (
    "Incidents and poor outcomes about diagnosis only: did the patient have 3 or more "
    "consultations for the same symptoms that were not resolved or were getting worse (Jess's "
    "Rule)? Optional; null when not asked. Kept only while the event is one of those: for any "
    "other theme or record type it is dropped."
)


class Columns(fields.Nested):
    """A group of the object's own columns, dumped as one nested object (who reported, triage)."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return obj


def _one_of(enum, **kwargs):
    return fields.String(validate=validate.OneOf([m.value for m in enum]), **kwargs)


def _maybe(enum, **kwargs):
    return _one_of(enum, allow_none=True, **kwargs)


class PatientSchema(Schema):
    sequence = fields.Integer(dump_only=True)
    physical_harm = _maybe(lfpse.PhysicalHarm)
    psychological_harm = _maybe(lfpse.PsychologicalHarm)
    age_band = _maybe(lfpse.AgeBand)
    gender = _maybe(lfpse.Gender)
    ethnicity = _maybe(lfpse.Ethnicity)
    nhs_number = fields.String(
        allow_none=True,
        validate=validate.Length(max=20),
        metadata={"description": "10 digits; spaces are allowed when sent."},
    )


class ReporterSchema(Schema):
    kind = _one_of(lfpse.ReporterKind)
    identity_protected = fields.Boolean()
    user_id = fields.Integer(allow_none=True, attribute="reporter_user_id")
    name = fields.String(allow_none=True, attribute="reporter_name")
    contact = fields.String(allow_none=True, attribute="reporter_contact")


class TriageSchema(Schema):
    """What triage decided, once it has (null fields until then)."""

    decided_at = UtcDateTime(allow_none=True, attribute="triaged_at")
    decided_by_id = fields.Integer(allow_none=True, attribute="triaged_by_id")
    rationale = fields.String(allow_none=True, attribute="triage_rationale")
    recommendation = fields.String(allow_none=True, attribute="triage_recommendation")
    deviation_reason = fields.String(allow_none=True, attribute="triage_deviation_reason")
    referral_body = fields.String(allow_none=True)
    referred_on = fields.Date(allow_none=True)
    referral_reference = fields.String(allow_none=True)
    learning_response_id = fields.Integer(allow_none=True)


class OrganisationRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    ods_code = fields.String()


class EventSchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    organisation = fields.Nested(OrganisationRefSchema)
    record_type = _one_of(lfpse.RecordType)
    theme = _one_of(lfpse.Theme)
    occurred_on = fields.Date()
    service_area = _maybe(lfpse.ServiceArea)
    location = _maybe(lfpse.Location)
    description = fields.String()
    immediate_actions = fields.String(allow_none=True)
    agents = fields.List(_one_of(lfpse.Agent))
    processes = fields.List(_one_of(lfpse.HealthcareProcess))
    physical_harm = _maybe(
        lfpse.PhysicalHarm, metadata={"description": "The worst across the patients."}
    )
    psychological_harm = _maybe(lfpse.PsychologicalHarm)
    never_event = fields.Boolean()
    never_event_type = fields.String(allow_none=True)
    national_flags = fields.List(fields.String())
    repeat_presentation = _maybe(lfpse.RepeatPresentation, metadata={"description": REPEAT_HELP})
    patients = fields.List(fields.Nested(PatientSchema))
    reporter = Columns(ReporterSchema)
    status = _one_of(EventStatus)
    triage = Columns(TriageSchema)
    revision = fields.Integer(metadata={"description": "LFPSE's revision: 1 as reported."})
    version = fields.Integer(
        attribute="version_id", metadata={"description": "Send it back to change the event."}
    )
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


# ---- views: what each caller is shown ----------------------------------------------------------

FULL = "full"
REPORTER_WITHHELD = "reporter_withheld"
VIEWS = Views(EventSchema, **{FULL: (), REPORTER_WITHHELD: ("reporter",)})


def view_for(user, event) -> str:
    return FULL if policy.can_see_reporter(user, event) else REPORTER_WITHHELD


def dump(user, event) -> dict:
    """The event as `user` may read it."""
    return VIEWS.dump(view_for(user, event), event)


# ---- input ------------------------------------------------------------------------------------


class DetailsInput(Schema):
    """What an event's record says (psirf.events.services.EventDetails)."""

    record_type = _one_of(lfpse.RecordType)
    occurred_on = fields.Date()
    description = fields.String(validate=validate.Length(min=1, max=DESCRIPTION_MAX))
    theme = _one_of(lfpse.Theme)
    service_area = _maybe(lfpse.ServiceArea)
    location = _maybe(lfpse.Location)
    immediate_actions = fields.String(
        allow_none=True, validate=validate.Length(max=DESCRIPTION_MAX)
    )
    agents = fields.List(_one_of(lfpse.Agent), validate=validate.Length(max=len(lfpse.Agent)))
    processes = fields.List(
        _one_of(lfpse.HealthcareProcess), validate=validate.Length(max=len(lfpse.HealthcareProcess))
    )
    patients = fields.List(fields.Nested(PatientSchema), validate=validate.Length(max=20))
    never_event_type = fields.String(allow_none=True, validate=validate.Length(max=40))
    national_flags = fields.List(
        fields.String(validate=validate.Length(max=40)), validate=validate.Length(max=20)
    )
    repeat_presentation = _maybe(lfpse.RepeatPresentation, metadata={"description": REPEAT_HELP})


class RecordEventInput(DetailsInput):
    record_type = _one_of(lfpse.RecordType, required=True)
    occurred_on = fields.Date(required=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=DESCRIPTION_MAX))
    theme = _one_of(lfpse.Theme, required=True)
    organisation_id = record_id(
        required=True,
        metadata={"description": "The service where it happened: one where you hold a role."},
    )
    identity_protected = fields.Boolean(
        load_default=False,
        metadata={"description": "Only the patient safety lead may then know who reported it."},
    )


class ReviseEventInput(DetailsInput):
    """A correction: the fields sent replace the event's; the rest keep their values."""

    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=5000),
        metadata={"description": "Why the event is corrected."},
    )
    version = version_sent("The version corrected")
