"""The LFPSE vocabularies a safety event is recorded in (taxonomy v5), with the codes LFPSE uses.

Labels are ours, in plain English; codes are LFPSE's where the taxonomy gives one.
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


class ServiceArea(LabelledEnum):
    # LFPSE L003 service types relevant to primary care, with their codes.
    GENERAL_PRACTICE = ("general_practice", "General practice (including out of hours)", 17)
    COMMUNITY_PHARMACY = ("community_pharmacy", "Community pharmacy", 9)
    COMMUNITY_OPTOMETRY = ("community_optometry", "Community optometry", 10)
    COMMUNITY_DENTISTRY = ("community_dentistry", "Community dentistry", 11)
    OTHER = ("other", "Another service")


class Location(LabelledEnum):
    # LFPSE L004, the places primary care events happen.
    PRACTICE_BUILDING = ("practice_building", "General practice building", 11)
    PHARMACY = ("pharmacy", "Community pharmacy", 12)
    DENTAL_SURGERY = ("dental_surgery", "Dental surgery")
    OPTICIANS = ("opticians", "Optometry practice")
    PATIENT_HOME = ("patient_home", "Patient's home")
    CARE_HOME = ("care_home", "Care home")
    REMOTE = ("remote", "Remote consultation (phone or online)")
    OTHER = ("other", "Somewhere else")


class Agent(LabelledEnum):
    # LFPSE A001: what was involved.
    MEDICATION = ("medication", "Medicines")
    DEVICE = ("device", "Medical devices or equipment")
    IT_SYSTEM = ("it_system", "IT systems or software")
    BUILDINGS = ("buildings", "Buildings or infrastructure")
    ESTATES = ("estates", "Estates services")
    BLOOD = ("blood", "Blood or blood products")
    TISSUES = ("tissues", "Tissues or organs")
    PEOPLE = ("people", "People (staff, other patients, family or carers)")
    NONE = ("none", "None of these")


class HealthcareProcess(LabelledEnum):
    ACCESSING_CARE = ("accessing_care", "Accessing care")
    ASSESSMENT = ("assessment", "Assessment, testing or screening")
    DIAGNOSIS = ("diagnosis", "Diagnosis or decision-making")
    PRESCRIBING = ("prescribing", "Planning or prescribing")
    DISPENSING = ("dispensing", "Intervention or dispensing")
    MONITORING = ("monitoring", "Review, monitoring or follow-up")
    REFERRAL = ("referral", "Referral, escalation or transfer")
    DISCHARGE = ("discharge", "Discharge")
    SAFETY_NETTING = ("safety_netting", "Self-care or safety-netting")
    NOT_CARE = ("not_care", "Not care delivery")
    UNKNOWN = ("unknown", "Don't know")


class AgeBand(LabelledEnum):
    UNDER_1 = ("0-0", "Under 1 year")
    AGE_1_4 = ("1-4", "1 to 4 years")
    AGE_5_14 = ("5-14", "5 to 14 years")
    AGE_15_24 = ("15-24", "15 to 24 years")
    AGE_25_44 = ("25-44", "25 to 44 years")
    AGE_45_64 = ("45-64", "45 to 64 years")
    AGE_65_74 = ("65-74", "65 to 74 years")
    AGE_75_84 = ("75-84", "75 to 84 years")
    AGE_85_PLUS = ("85+", "85 years or over")


class Gender(LabelledEnum):
    FEMALE = ("female", "Female")
    MALE = ("male", "Male")
    UNKNOWN = ("unknown", "Not known")
    WITHHELD = ("withheld", "Prefer not to say or other")


class Ethnicity(LabelledEnum):
    # ONS 2021 groups, as LFPSE records them.
    WHITE_BRITISH = ("white_british", "White: English, Welsh, Scottish, Northern Irish or British")
    WHITE_IRISH = ("white_irish", "White: Irish")
    WHITE_GYPSY = ("white_gypsy", "White: Gypsy or Irish Traveller")
    WHITE_ROMA = ("white_roma", "White: Roma")
    WHITE_OTHER = ("white_other", "White: any other White background")
    MIXED_CARIBBEAN = ("mixed_caribbean", "Mixed: White and Black Caribbean")
    MIXED_AFRICAN = ("mixed_african", "Mixed: White and Black African")
    MIXED_ASIAN = ("mixed_asian", "Mixed: White and Asian")
    MIXED_OTHER = ("mixed_other", "Mixed: any other mixed or multiple background")
    ASIAN_INDIAN = ("asian_indian", "Asian or Asian British: Indian")
    ASIAN_PAKISTANI = ("asian_pakistani", "Asian or Asian British: Pakistani")
    ASIAN_BANGLADESHI = ("asian_bangladeshi", "Asian or Asian British: Bangladeshi")
    ASIAN_CHINESE = ("asian_chinese", "Asian or Asian British: Chinese")
    ASIAN_OTHER = ("asian_other", "Asian or Asian British: any other Asian background")
    BLACK_AFRICAN = ("black_african", "Black or Black British: African")
    BLACK_CARIBBEAN = ("black_caribbean", "Black or Black British: Caribbean")
    BLACK_OTHER = ("black_other", "Black or Black British: any other Black background")
    ARAB = ("arab", "Other ethnic group: Arab")
    OTHER = ("other", "Other ethnic group: any other")
    NOT_KNOWN = ("not_known", "Not known")


class ReporterKind(LabelledEnum):
    STAFF = ("staff", "Member of staff")
    PATIENT = ("patient", "Patient")
    FAMILY = ("family", "Family member")
    CARER = ("carer", "Carer")
