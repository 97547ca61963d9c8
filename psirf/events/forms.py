"""The staff event form (one page) and the public report's one-question pages."""

from __future__ import annotations

from datetime import date

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from psirf.events import feedback, services
from psirf.events.lfpse import (
    AgeBand,
    Agent,
    Ethnicity,
    Gender,
    HealthcareProcess,
    Location,
    PhysicalHarm,
    PsychologicalHarm,
    RecordType,
    ServiceArea,
    Theme,
)
from psirf.triage import never_events
from psirf.web.forms import VersionedForm
from psirf.web.forms import DateRequired, MultiCheckboxField, NhsDateField, PsirfForm, strip
from psirf.problems import InputError

HARMED_RECORD_TYPES = (RecordType.INCIDENT.value, RecordType.OUTCOME.value)


def radio(label: str, choices: list[tuple[str, str]], required: str | None = None) -> RadioField:
    """Radios whose empty answer gets our message, not WTForms' "Not a valid choice"."""
    values = [value for value, _ in choices]
    first = [InputRequired(required)] if required else [Optional()]
    return RadioField(
        label,
        choices=choices,
        validate_choice=False,
        validators=first + [AnyOf(values, message=required or "Select one of the options")],
    )


def select(label: str, choices: list[tuple[str, str]]) -> SelectField:
    return SelectField(label, choices=[("", "Choose...")] + choices, validators=[Optional()])


def nhs_number_check(form, field):
    try:
        services.normalise_nhs_number(field.data)
    except InputError as error:
        raise ValidationError(str(error)) from None


# ---- staff ----------------------------------------------------------------------------------


class StaffEventForm(PsirfForm):
    record_type = radio(
        "What are you recording?", RecordType.choices(), "Select what you are recording"
    )
    organisation_id = SelectField(
        "Service where it happened",
        validate_choice=False,
        validators=[DataRequired("Select the service where it happened")],
    )
    occurred_on = NhsDateField(
        "When did it happen?",
        not_after_today=True,
        validators=[DateRequired("Enter the date it happened")],
    )
    description = TextAreaField(
        "What happened?",
        filters=[strip],
        validators=[
            DataRequired("Describe what happened"),
            Length(max=services.DESCRIPTION_MAX, message="Use 20,000 characters or fewer"),
        ],
    )
    immediate_actions = TextAreaField(
        "What was done straight away? (optional)",
        filters=[strip],
        validators=[Length(max=services.DESCRIPTION_MAX, message="Use 20,000 characters or fewer")],
    )
    theme = radio(
        "What was it mostly about?", Theme.choices(), "Select what the event was mostly about"
    )
    physical_harm = radio("Physical harm to the patient", PhysicalHarm.choices())
    psychological_harm = radio("Psychological harm to the patient", PsychologicalHarm.choices())
    service_area = select("Service area", ServiceArea.choices())
    location = select("Where did it happen?", Location.choices())
    agents = MultiCheckboxField("What was involved? (optional)", choices=Agent.choices())
    processes = MultiCheckboxField(
        "Which part of care? (optional)", choices=HealthcareProcess.choices()
    )
    age_band = select("Age group", AgeBand.choices())
    gender = select("Gender", Gender.choices())
    ethnicity = select("Ethnic group", Ethnicity.choices())
    nhs_number = StringField(
        "NHS number", filters=[strip], validators=[Optional(), nhs_number_check]
    )
    identity_protected = BooleanField(
        "Protect my identity: only the patient safety lead will see who reported this"
    )
    # National reporting (optional): the Never Event type and the national requirements the
    # reporter believes apply; triage recommends from them. The types offered are those in force
    # on the day it happened (seed/never_events.yaml); the service refuses any other with why.
    never_event_type = SelectField(
        "Was it a Never Event? If so, which type", validate_choice=False, validators=[Optional()]
    )
    national_flags = MultiCheckboxField("Do any of these apply? (optional)")

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.national_flags.choices = services.national_flag_choices()
        happened = self.occurred_on.data if isinstance(self.occurred_on.data, date) else None
        self.never_event_type.choices = [("", "Choose...")] + never_events.choices_on(
            happened or date.today()
        )
        self.allowed = {str(o.id): o for o in organisations}
        self.organisation_id.choices = [("", "Choose...")] + [
            (str(o.id), f"{o.name} ({o.ods_code})") for o in organisations
        ]
        if len(organisations) == 1 and not self.organisation_id.data:
            self.organisation_id.data = str(organisations[0].id)

    def validate_organisation_id(self, field):
        if field.data not in self.allowed:
            raise ValidationError("Select a service where you work")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.record_type.data in HARMED_RECORD_TYPES:
            for field, message in (
                (self.physical_harm, "Select the physical harm to the patient"),
                (self.psychological_harm, "Select the psychological harm to the patient"),
            ):
                if not field.data and not field.errors:
                    field.errors.append(message)
                    valid = False
        return valid

    @property
    def organisation(self):
        return self.allowed.get(self.organisation_id.data)

    def patient(self) -> services.PatientDetails:
        return services.PatientDetails(
            physical_harm=self.physical_harm.data or None,
            psychological_harm=self.psychological_harm.data or None,
            age_band=self.age_band.data or None,
            gender=self.gender.data or None,
            ethnicity=self.ethnicity.data or None,
            nhs_number=self.nhs_number.data or None,
        )


# ---- public: one question a page ------------------------------------------------------------

PUBLIC_RECORD_TYPES = [
    (RecordType.INCIDENT.value, "Something went wrong, or nearly went wrong"),
    (RecordType.OUTCOME.value, "Care ended badly, but I do not know if something went wrong"),
    (RecordType.RISK.value, "Something could cause harm in the future"),
    (RecordType.GOOD_CARE.value, "Care went well and others could learn from it"),
]

PUBLIC_HARM_UNKNOWN = "unknown"
PUBLIC_HARMS = [
    (PhysicalHarm.NONE.value, "No, nobody was harmed"),
    (PhysicalHarm.LOW.value, "Yes, a little. It needed little or no treatment"),
    (PhysicalHarm.MODERATE.value, "Yes. It needed more treatment, but should not last"),
    (PhysicalHarm.SEVERE.value, "Yes, badly. The harm may last a long time or for life"),
    (PhysicalHarm.FATAL.value, "Yes. Someone died"),
    (PUBLIC_HARM_UNKNOWN, "I do not know"),
]

PUBLIC_THEMES = [
    (Theme.DIAGNOSIS.value, "An illness or problem that was missed or found late"),
    (Theme.MEDICATION.value, "Medicines, such as the wrong medicine or dose"),
    (Theme.REFERRAL.value, "A referral or follow-up that did not happen"),
    (Theme.TEST_RESULTS.value, "Tests or test results"),
    (Theme.COMMUNICATION.value, "Information that was not passed on"),
    (Theme.ACCESS.value, "Getting an appointment or getting care"),
    (Theme.ADMINISTRATION.value, "Records, letters or forms"),
    (Theme.IT_SYSTEMS.value, "Computers, apps or online services"),
    (Theme.SAFEGUARDING.value, "Keeping someone safe from abuse or neglect"),
    (Theme.SCREENING.value, "Screening or vaccines"),
    (Theme.TREATMENT.value, "A treatment or procedure"),
    (Theme.PREMISES.value, "The building or equipment"),
    (Theme.OTHER.value, "Something else"),
]

PUBLIC_REPORTERS = [
    ("patient", "I am the patient"),
    ("family", "I am a family member or friend"),
    ("carer", "I am a carer"),
]


def public_label(choices: list[tuple[str, str]], value: str | None) -> str:
    return dict(choices).get(value, "")


class ServiceSearchForm(PsirfForm):
    class Meta:
        csrf = False  # a search sent by GET changes nothing

    q = StringField(
        "Search by name or ODS code",
        filters=[strip],
        validators=[DataRequired("Enter the name or code of the service"), Length(max=100)],
    )


class ServiceChoiceForm(PsirfForm):
    q = HiddenField(filters=[strip])
    organisation_id = RadioField(
        "Choose the service",
        validate_choice=False,
        validators=[InputRequired("Select the service")],
    )

    def set_services(self, organisations):
        self.organisation_id.choices = [
            (str(o.id), f"{o.name} ({o.ods_code})") for o in organisations
        ]

    def validate_organisation_id(self, field):
        if field.data not in {value for value, _ in self.organisation_id.choices}:
            raise ValidationError("Select the service")


class PublicKindForm(PsirfForm):
    record_type = radio(
        "What do you want to tell us about?",
        PUBLIC_RECORD_TYPES,
        "Select what you want to tell us about",
    )


class PublicWhenForm(PsirfForm):
    occurred_on = NhsDateField(
        "When did it happen?",
        not_after_today=True,
        validators=[DateRequired("Enter the date it happened")],
    )


class PublicWhatForm(PsirfForm):
    description = TextAreaField(
        "What happened?",
        filters=[strip],
        validators=[
            DataRequired("Tell us what happened"),
            # Answers wait in the session cookie between pages, so they must stay short.
            Length(max=2000, message="Use 2,000 characters or fewer"),
        ],
    )


class PublicHarmForm(PsirfForm):
    physical_harm = radio("Was anyone harmed?", PUBLIC_HARMS, "Select if anyone was harmed")


class PublicThemeForm(PsirfForm):
    theme = radio("What was it mostly about?", PUBLIC_THEMES, "Select what it was mostly about")


class PublicAboutYouForm(PsirfForm):
    reporter_kind = radio("Who are you?", PUBLIC_REPORTERS, "Select who you are")


class PublicContactForm(PsirfForm):
    reporter_name = StringField(
        "Your name (optional)",
        filters=[strip],
        validators=[Length(max=services.NAME_MAX, message="Use 200 characters or fewer")],
    )
    reporter_contact = StringField(
        "Email address or phone number (optional)",
        filters=[strip],
        validators=[Length(max=services.CONTACT_MAX, message="Use 254 characters or fewer")],
    )


# ---- feedback to reporters ------------------------------------------------------------------


class WhatChangedForm(VersionedForm):
    """On the response page, once it has ended: what changed because of the reports."""

    text = TextAreaField(
        "What changed because of the report",
        filters=[strip],
        validators=[
            DataRequired("Write what changed because of the report"),
            Length(
                max=feedback.WHAT_CHANGED_MAX,
                message=f"Use {feedback.WHAT_CHANGED_MAX:,} characters or fewer",
            ),
        ],
    )


class FollowForm(PsirfForm):
    """The public follow page: a report's reference and the private code given with it."""

    reference = StringField(
        "Reference number",
        filters=[strip],
        validators=[
            DataRequired("Enter your reference number"),
            Length(max=40, message="Use 40 characters or fewer"),
        ],
    )
    code = StringField(
        "Private code",
        filters=[strip],
        validators=[
            DataRequired("Enter your private code"),
            Length(max=40, message="Use 40 characters or fewer"),
        ],
    )
