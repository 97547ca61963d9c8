"""The staff event form (one page) and the public report's one-question pages."""

from __future__ import annotations

from datetime import date

from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from psirf.events import feedback, revisions, services
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
    RepeatPresentation,
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


def long_text(label: str, required: str, maximum: int) -> TextAreaField:
    """A text box that must be filled, up to `maximum` characters."""
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            DataRequired(required),
            Length(max=maximum, message=f"Use {maximum:,} characters or fewer"),
        ],
    )


def nhs_number_check(form, field):
    try:
        services.normalise_nhs_number(field.data)
    except InputError as error:
        raise ValidationError(str(error)) from None


# ---- staff ----------------------------------------------------------------------------------

MAX_PATIENTS = 20
# The buttons of the event form: save, or change how many patients it shows (nothing is saved).
SAVE = "save"
ADD_PATIENT = "add_patient"
REMOVE_PATIENT = "remove_patient-"


class PatientForm(Form):
    """One patient affected: LFPSE records harm per patient."""

    physical_harm = radio("Physical harm", PhysicalHarm.choices())
    psychological_harm = radio("Psychological harm", PsychologicalHarm.choices())
    age_band = select("Age group", AgeBand.choices())
    gender = select("Gender", Gender.choices())
    ethnicity = select("Ethnic group", Ethnicity.choices())
    nhs_number = StringField(
        "NHS number", filters=[strip], validators=[Optional(), nhs_number_check]
    )

    def details(self) -> services.PatientDetails:
        return services.PatientDetails(
            physical_harm=self.physical_harm.data or None,
            psychological_harm=self.psychological_harm.data or None,
            age_band=self.age_band.data or None,
            gender=self.gender.data or None,
            ethnicity=self.ethnicity.data or None,
            nhs_number=self.nhs_number.data or None,
        )


class EventForm(PsirfForm):
    """What an event's record says, as staff write it, in the page's order: the staff form reports
    an event with it and the correction form corrects one, so the two hold the same fields and
    rules (a correction changes neither where the event happened nor who may know the reporter)."""

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
    description = long_text("What happened?", "Describe what happened", services.DESCRIPTION_MAX)
    immediate_actions = TextAreaField(
        "What was done straight away? (optional)",
        filters=[strip],
        validators=[Length(max=services.DESCRIPTION_MAX, message="Use 20,000 characters or fewer")],
    )
    theme = radio(
        "What was it mostly about?", Theme.choices(), "Select what the event was mostly about"
    )
    # Asked of an incident or poor outcome about diagnosis (Jess's Rule, "three strikes and we
    # rethink"): the page reveals it under the theme without JavaScript, and `validate` requires
    # it only then.
    repeat_presentation = radio(services.REPEAT_PRESENTATION_QUESTION, RepeatPresentation.choices())
    patients = FieldList(FormField(PatientForm), min_entries=1, max_entries=MAX_PATIENTS)
    service_area = select("Service area", ServiceArea.choices())
    location = select("Where did it happen?", Location.choices())
    agents = MultiCheckboxField("What was involved? (optional)", choices=Agent.choices())
    processes = MultiCheckboxField(
        "Which part of care? (optional)", choices=HealthcareProcess.choices()
    )
    # National reporting (optional): the Never Event type and the national requirements the
    # reporter believes apply; triage recommends from them. The types offered are those in force
    # on the day it happened (seed/never_events.yaml); the service refuses any other with why.
    never_event_type = SelectField(
        "Was it a Never Event? If so, which type", validate_choice=False, validators=[Optional()]
    )
    national_flags = MultiCheckboxField("Do any of these apply? (optional)")
    identity_protected = BooleanField(
        "Protect my identity: only the patient safety lead will see who reported this"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.national_flags.choices = services.national_flag_choices()
        happened = self.occurred_on.data if isinstance(self.occurred_on.data, date) else None
        self.never_event_type.choices = [("", "Choose...")] + never_events.choices_on(
            happened or date.today()
        )
        self._name_patients()

    def _name_patients(self) -> None:
        """Each patient's questions name the patient, once there is more than one."""
        entries = self.patients.entries
        for n, entry in enumerate(entries, 1):
            whom = "the patient" if len(entries) == 1 else f"patient {n}"
            entry.whom = whom
            entry.form.physical_harm.label.text = f"Physical harm to {whom}"
            entry.form.psychological_harm.label.text = f"Psychological harm to {whom}"

    def change_patients(self, pressed: str | None) -> bool:
        """Whether `pressed` (the button that sent the form) asks for another patient or one fewer;
        if so the form now shows them, and nothing is to be saved. This is the "add another"
        pattern done on the server, so it works without JavaScript."""
        pressed = pressed or ""
        entries = self.patients.entries
        if pressed == ADD_PATIENT and len(entries) < MAX_PATIENTS:
            self.patients.append_entry()
        elif pressed.startswith(REMOVE_PATIENT) and len(entries) > 1:
            index = pressed.removeprefix(REMOVE_PATIENT)
            if not (index.isdigit() and int(index) < len(entries)):
                return False
            entries.pop(int(index))
        else:
            return False
        self._name_patients()
        return True

    @property
    def asks_repeat_presentation(self) -> bool:
        return services.asks_repeat_presentation(self.record_type.data, self.theme.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        field = self.repeat_presentation
        if self.asks_repeat_presentation and not field.data and not field.errors:
            field.errors = [services.REPEAT_PRESENTATION_REQUIRED]
            valid = False
        if self.record_type.data in HARMED_RECORD_TYPES:
            for entry in self.patients.entries:
                for field, harm in (
                    (entry.form.physical_harm, "physical"),
                    (entry.form.psychological_harm, "psychological"),
                ):
                    if not field.data and not field.errors:
                        field.errors.append(f"Select the {harm} harm to {entry.whom}")
                        valid = False
            # The list gathered its entries' errors when it validated, before these.
            self.patients.errors = [e.errors for e in self.patients.entries if e.errors]
        return valid

    def details(self) -> services.EventDetails:
        return services.EventDetails(
            record_type=self.record_type.data,
            occurred_on=self.occurred_on.data,
            description=self.description.data,
            theme=self.theme.data,
            service_area=self.service_area.data or None,
            location=self.location.data or None,
            immediate_actions=self.immediate_actions.data or None,
            agents=self.agents.data or [],
            processes=self.processes.data or [],
            patients=[entry.form.details() for entry in self.patients.entries],
            never_event_type=self.never_event_type.data or None,
            national_flags=self.national_flags.data or [],
            repeat_presentation=self.repeat_presentation.data or None,
        )


class StaffEventForm(EventForm):
    """Reporting an event: the services offered are those where the person holds a role."""

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = {str(o.id): o for o in organisations}
        self.organisation_id.choices = [("", "Choose...")] + [
            (str(o.id), f"{o.name} ({o.ods_code})") for o in organisations
        ]
        if len(organisations) == 1 and not self.organisation_id.data:
            self.organisation_id.data = str(organisations[0].id)

    def validate_organisation_id(self, field):
        if field.data not in self.allowed:
            raise ValidationError("Select a service where you work")

    @property
    def organisation(self):
        return self.allowed.get(self.organisation_id.data)


class CorrectionForm(EventForm, VersionedForm):
    """The staff form's fields, filled with the event as it now stands, and why it is corrected."""

    organisation_id = None
    identity_protected = None

    reason = long_text(
        "Why are you correcting it?", "Say why you are correcting the event", revisions.REASON_MAX
    )


def correction_form(event) -> CorrectionForm:
    """The correction form: the event's details as they now stand, under what was posted."""
    details = revisions.details_of(event)
    data = {
        **{name: getattr(details, name) for name in services.DETAIL_COLUMNS},
        "patients": [vars(p) for p in details.patients] or [{}],
        "version": event.version_id,
    }
    return CorrectionForm(data=data)


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

    text = long_text(
        "What changed because of the report",
        "Write what changed because of the report",
        feedback.WHAT_CHANGED_MAX,
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
