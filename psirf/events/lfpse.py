"""The LFPSE vocabularies a safety event is recorded in (taxonomy v5), with the codes LFPSE uses.

Labels are ours, in plain English; codes are LFPSE's where the taxonomy gives one. The codes were
checked against the public rendering of the v5 taxonomy (cuperman007/lfpse-taxonomy,
.mkdocs/docs/v5/code-systems.md): a member with no code has no LFPSE equivalent, and several of ours
can share one LFPSE code (LFPSE's is then the coarser list). psirf/lfpse/ maps events with them.
"""

from __future__ import annotations

from psirf.labels import LabelledEnum

__all__ = [
    "RecordType",
    "PhysicalHarm",
    "PsychologicalHarm",
    "Theme",
    "ServiceArea",
    "Location",
    "Agent",
    "HealthcareProcess",
    "AgeBand",
    "Gender",
    "Ethnicity",
    "ReporterKind",
    "RepeatPresentation",
    "REPEAT_PRESENTATION",
    "insight_theme_choices",
    "insight_theme_label",
    "is_repeat_presentation",
    "worst_harm",
]


class RecordType(LabelledEnum):
    INCIDENT = ("incident", "Patient safety incident (including near misses)")
    OUTCOME = ("outcome", "Poor patient outcome")
    RISK = ("risk", "Risk to patient safety")
    GOOD_CARE = ("good_care", "Good care")


class PhysicalHarm(LabelledEnum):
    # LFPSE OT001: 5 = none ... 1 = fatal. Lower code, worse harm.
    NONE = ("none", "No physical harm", 5)
    LOW = ("low", "Low physical harm", 4)
    MODERATE = ("moderate", "Moderate physical harm", 3)
    SEVERE = ("severe", "Severe physical harm", 2)
    FATAL = ("fatal", "Fatal", 1)


class PsychologicalHarm(LabelledEnum):
    # LFPSE OT002: 4 = none ... 1 = severe; there is no fatal level.
    NONE = ("none", "No psychological harm", 4)
    LOW = ("low", "Low psychological harm", 3)
    MODERATE = ("moderate", "Moderate psychological harm", 2)
    SEVERE = ("severe", "Severe psychological harm", 1)


HARM_SEVERITY = {"none": 0, "low": 1, "moderate": 2, "severe": 3, "fatal": 4}


def worst_harm(levels: list[str | None]) -> str | None:
    """The event carries the worst harm across its patients, as NHS England's analysis does."""
    present = [level for level in levels if level]
    return max(present, key=HARM_SEVERITY.__getitem__) if present else None


class Theme(LabelledEnum):
    # Primary care themes: the first three cover over 90% of avoidable harm (Avery et al. 2021).
    DIAGNOSIS = ("diagnosis", "Diagnosis and assessment")
    MEDICATION = ("medication", "Medication (prescribing, dispensing, monitoring)")
    REFERRAL = ("referral", "Referral and follow-up")
    TEST_RESULTS = ("test_results", "Test results and investigations")
    COMMUNICATION = ("communication", "Communication and transfer of information")
    ACCESS = ("access", "Access to care and appointments")
    ADMINISTRATION = ("administration", "Records and administration")
    IT_SYSTEMS = ("it_systems", "IT systems and software")
    SAFEGUARDING = ("safeguarding", "Safeguarding")
    SCREENING = ("screening", "Screening and immunisation")
    TREATMENT = ("treatment", "Treatment and procedures")
    PREMISES = ("premises", "Premises and equipment")
    OTHER = ("other", "Something else")


class RepeatPresentation(LabelledEnum):
    # Jess's Rule, "three strikes and we rethink" (DHSC and NHS England, 2025): asked of incidents
    # and poor outcomes about diagnosis only (psirf.events.services.asks_repeat_presentation). LFPSE v5 has no field for it (its OutcomeType "unplanned reattendance" is a
    # hospital outcome, not this), so it stays here and is not sent (psirf/lfpse/mapping.py).
    YES = ("yes", "Yes")
    NO = ("no", "No")
    NOT_KNOWN = ("not_known", "Not known")


# Repeat presentation counted as a theme of its own in insight (plan profiles, dashboards) and
# choosable as a plan's local priority: the diagnosis events whose patient had three or more
# consultations for the same unresolved or escalating symptoms. Not a theme an event is recorded
# under (it stays a diagnosis event), so it is not a member of Theme.
REPEAT_PRESENTATION = "repeat_presentation"
REPEAT_PRESENTATION_LABEL = "Repeat presentation (three or more consultations)"


def insight_theme_choices() -> list[tuple[str, str]]:
    """The themes insight counts and a plan's rows may match: every Theme, then repeat presentation."""
    return [*Theme.choices(), (REPEAT_PRESENTATION, REPEAT_PRESENTATION_LABEL)]


def insight_theme_label(value: str | None) -> str:
    if value == REPEAT_PRESENTATION:
        return REPEAT_PRESENTATION_LABEL
    return Theme.label_for(value)


def is_repeat_presentation(event) -> bool:
    """Whether an event (or a row of its columns) is counted under repeat presentation."""
    return getattr(event, "repeat_presentation", None) == RepeatPresentation.YES.value


class ServiceArea(LabelledEnum):
    # LFPSE L003 service types relevant to primary care, with their codes.
    GENERAL_PRACTICE = ("general_practice", "General practice (including out of hours)", 17)
    COMMUNITY_PHARMACY = ("community_pharmacy", "Community pharmacy", 9)
    COMMUNITY_OPTOMETRY = ("community_optometry", "Community optometry", 10)
    COMMUNITY_DENTISTRY = ("community_dentistry", "Community dentistry", 11)
    OTHER = ("other", "Another service")


class Location(LabelledEnum):
    # LFPSE L004 (incident-location-5), the places primary care events happen. LFPSE has no dental
    # surgery or optician: both are its "another sort of healthcare building" (5); a remote
    # consultation is its "no specific location" (8); "somewhere else" has no code.
    PRACTICE_BUILDING = ("practice_building", "General practice building", 11)
    PHARMACY = ("pharmacy", "Community pharmacy", 12)
    DENTAL_SURGERY = ("dental_surgery", "Dental surgery", 5)
    OPTICIANS = ("opticians", "Optometry practice", 5)
    PATIENT_HOME = ("patient_home", "Patient's home", 2)
    CARE_HOME = ("care_home", "Care home", 3)
    REMOTE = ("remote", "Remote consultation (phone or online)", 8)
    OTHER = ("other", "Somewhere else")


class Agent(LabelledEnum):
    # LFPSE A001 (agent-type-5): what was involved. People are not an agent type in v5 but its
    # InvolvedPersonsActions (human-agents-5), so PEOPLE has no code here (psirf/lfpse/mapping.py).
    MEDICATION = ("medication", "Medicines", 4)
    DEVICE = ("device", "Medical devices or equipment", 3)
    IT_SYSTEM = ("it_system", "IT systems or software", 9)
    BUILDINGS = ("buildings", "Buildings or infrastructure", 13)
    ESTATES = ("estates", "Estates services", 14)
    BLOOD = ("blood", "Blood or blood products", 11)
    TISSUES = ("tissues", "Tissues or organs", 8)
    PEOPLE = ("people", "People (staff, other patients, family or carers)")
    NONE = ("none", "None of these", 10)


class HealthcareProcess(LabelledEnum):
    # LFPSE healthcare-process-5, all twelve (admission was missing before the check).
    ACCESSING_CARE = ("accessing_care", "Accessing care", 1)
    ADMISSION = ("admission", "Admission or acceptance into care", 2)
    ASSESSMENT = ("assessment", "Assessment, testing or screening", 3)
    DIAGNOSIS = ("diagnosis", "Diagnosis or decision-making", 4)
    PRESCRIBING = ("prescribing", "Planning or prescribing", 5)
    DISPENSING = ("dispensing", "Intervention or dispensing", 6)
    MONITORING = ("monitoring", "Review, monitoring or follow-up", 7)
    REFERRAL = ("referral", "Referral, escalation or transfer", 8)
    DISCHARGE = ("discharge", "Discharge", 9)
    SAFETY_NETTING = ("safety_netting", "Self-care or safety-netting", 10)
    NOT_CARE = ("not_care", "Not care delivery", 11)
    UNKNOWN = ("unknown", "Don't know", 12)


class AgeBand(LabelledEnum):
    # Our bands are ONS-style; LFPSE's age-brackets-5 differ (0-14 days, 15-28 days, 1-11 months,
    # 1-4, 5-9, 10-15, 16-17, 18-25, 26-45, 46-65, 66-85, 85+ years). Only the two bands that are
    # exactly one of LFPSE's carry its code; aligning the bands is a decision still to take.
    UNDER_1 = ("0-0", "Under 1 year")
    AGE_1_4 = ("1-4", "1 to 4 years", 4)
    AGE_5_14 = ("5-14", "5 to 14 years")
    AGE_15_24 = ("15-24", "15 to 24 years")
    AGE_25_44 = ("25-44", "25 to 44 years")
    AGE_45_64 = ("45-64", "45 to 64 years")
    AGE_65_74 = ("65-74", "65 to 74 years")
    AGE_75_84 = ("75-84", "75 to 84 years")
    AGE_85_PLUS = ("85+", "85 years or over", 12)


class Gender(LabelledEnum):
    # LFPSE gender-5.
    FEMALE = ("female", "Female", 1)
    MALE = ("male", "Male", 2)
    UNKNOWN = ("unknown", "Not known", 3)
    WITHHELD = ("withheld", "Prefer not to say or other", 4)


class Ethnicity(LabelledEnum):
    # ONS 2021 groups. LFPSE ethnicity-5 has 17 codes: no Gypsy, Roma or Arab group (they are its
    # "any other White background" 13 and "any other ethnic group" 51).
    WHITE_BRITISH = (
        "white_british",
        "White: English, Welsh, Scottish, Northern Irish or British",
        11,
    )
    WHITE_IRISH = ("white_irish", "White: Irish", 12)
    WHITE_GYPSY = ("white_gypsy", "White: Gypsy or Irish Traveller", 13)
    WHITE_ROMA = ("white_roma", "White: Roma", 13)
    WHITE_OTHER = ("white_other", "White: any other White background", 13)
    MIXED_CARIBBEAN = ("mixed_caribbean", "Mixed: White and Black Caribbean", 21)
    MIXED_AFRICAN = ("mixed_african", "Mixed: White and Black African", 22)
    MIXED_ASIAN = ("mixed_asian", "Mixed: White and Asian", 23)
    MIXED_OTHER = ("mixed_other", "Mixed: any other mixed or multiple background", 24)
    ASIAN_INDIAN = ("asian_indian", "Asian or Asian British: Indian", 31)
    ASIAN_PAKISTANI = ("asian_pakistani", "Asian or Asian British: Pakistani", 32)
    ASIAN_BANGLADESHI = ("asian_bangladeshi", "Asian or Asian British: Bangladeshi", 33)
    ASIAN_CHINESE = ("asian_chinese", "Asian or Asian British: Chinese", 34)
    ASIAN_OTHER = ("asian_other", "Asian or Asian British: any other Asian background", 35)
    BLACK_AFRICAN = ("black_african", "Black or Black British: African", 41)
    BLACK_CARIBBEAN = ("black_caribbean", "Black or Black British: Caribbean", 42)
    BLACK_OTHER = ("black_other", "Black or Black British: any other Black background", 43)
    ARAB = ("arab", "Other ethnic group: Arab", 51)
    OTHER = ("other", "Other ethnic group: any other", 51)
    NOT_KNOWN = ("not_known", "Not known", 52)


class ReporterKind(LabelledEnum):
    # LFPSE reporter-type-5: a family member and a carer are both its 2.
    STAFF = ("staff", "Member of staff", 3)
    PATIENT = ("patient", "Patient", 1)
    FAMILY = ("family", "Family member", 2)
    CARER = ("carer", "Carer", 2)
