"""Identifiers are stripped from learning before it is shared; what learning needs is kept."""

from dataclasses import fields

import nhs_number
import pytest

from psirf.learning.redact import Found, Kind, redact


def made_up_nhs_number(first_nine: str = "401023213") -> str:
    """A valid NHS number by the modulus 11 rule: weights 10..2, check digit 11 - (sum mod 11)."""
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(first_nine)) % 11
    check = 0 if check == 11 else check
    assert check != 10, "this prefix has no valid check digit; choose another"
    number = f"{first_nine}{check}"
    assert nhs_number.is_valid(number)
    return number


def grouped(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}"


SUMMARY = (
    "Mrs Edith Blackwood (NHS number {nhs}, DOB 12/03/1948) of 14 Larch Grove, Leeds LS6 2QT "
    "was prescribed warfarin 5 mg on 3 May 2026. Her daughter phoned the practice on "
    "0113 496 0000 at 14:30 on Monday because the dose was missed. Edith was reviewed by the "
    "GP the next day. Event PSE-2026-000123, response LR-2026-000012."
)


@pytest.mark.parametrize(
    "text, kind, label",
    [
        ("NHS number 943 476 5919 on file", Kind.NHS_NUMBER, "[NHS number]"),
        ("Her mother was born 12th Mar 1948 in Leeds", Kind.DATE_OF_BIRTH, "[date of birth]"),
        ("Lives at 7 Orchard Close near the park", Kind.ADDRESS, "[address]"),
        ("Moved to postcode sw1a1aa last year", Kind.POSTCODE, "[postcode]"),
        ("Call 07700 900123 after clinic", Kind.PHONE_NUMBER, "[phone number]"),
        ("Wrote to carer.smith@example.org about it", Kind.EMAIL_ADDRESS, "[email address]"),
        ("Discussed with Dr Patel after clinic", Kind.NAME, "[name]"),
    ],
)
def test_each_kind_of_identifier_is_found_and_replaced_by_its_label(text, kind, label):
    result = redact(text)

    assert [f.kind for f in result.found] == [kind]
    assert result.text.count(label) == 1
    found = result.found[0]
    assert result.text == text[: found.start] + label + text[found.end :]


def test_a_summary_paragraph_loses_the_patient_but_keeps_the_learning():
    number = made_up_nhs_number()
    text = SUMMARY.format(nhs=grouped(number))

    result = redact(text, known_names=["Edith Blackwood"])

    assert result.text == (
        "[name] (NHS number [NHS number], DOB [date of birth]) of [address], Leeds [postcode] "
        "was prescribed warfarin 5 mg on 3 May 2026. Her daughter phoned the practice on "
        "[phone number] at 14:30 on Monday because the dose was missed. [name] was reviewed by "
        "the GP the next day. Event PSE-2026-000123, response LR-2026-000012."
    )
    for identifier in (number, grouped(number), "Edith", "Blackwood", "1948", "Larch", "LS6"):
        assert identifier not in result.text


@pytest.mark.parametrize(
    "text",
    [
        "On 3 May the dose was missed; it was given on 04/05/2026 at 09:15.",
        "Amlodipine 5 mg and vitamin B12 1mg were given, then 10 ml of Oramorph.",
        "Event PSE-2026-000123 led to response LR-2026-000012 and 2 further events.",
        "On Monday the GP, the practice nurse and Pharmacy reviewed Ward B2 1st floor stock.",
        "The patient, aged 78, waited 3 hours. Learning: Check the INR before each repeat.",
    ],
)
def test_incident_dates_doses_references_times_and_ordinary_words_are_kept(text):
    result = redact(text)

    assert result.text == text
    assert result.found == ()


def test_a_valid_nhs_number_is_removed_however_it_is_written():
    number = made_up_nhs_number()
    for written in (number, grouped(number), grouped(number).replace(" ", "-")):
        assert redact(f"Number {written} recorded").text == "Number [NHS number] recorded"


def test_a_mistyped_nhs_number_is_still_removed_when_grouped_or_named_as_one():
    number = made_up_nhs_number()
    mistyped = number[:9] + str((int(number[9]) + 1) % 10)  # any other check digit fails
    assert not nhs_number.is_valid(mistyped)

    assert redact(f"Ref {grouped(mistyped)}").text == "Ref [NHS number]"
    assert redact(f"NHS no: {mistyped}").text == "NHS no: [NHS number]"
    assert redact(f"NHS number is {mistyped[:9]}").text == "NHS number is [NHS number]"
    # A bare ten-digit run that fails the checksum and is not called an NHS number is left.
    assert redact(f"Batch {mistyped}").text == f"Batch {mistyped}"


@pytest.mark.parametrize(
    "cue, date",
    [
        ("DOB", "12/03/1948"),
        ("D.O.B.", "12.03.48"),
        ("date of birth:", "12 March 1948"),
        ("born", "12th Mar 1948"),
        ("born on", "March 12, 1948"),
    ],
)
def test_dates_of_birth_are_removed_in_common_uk_formats_leaving_the_cue(cue, date):
    assert redact(f"Patient, {cue} {date}, seen").text == f"Patient, {cue} [date of birth], seen"


def test_phone_numbers_with_either_prefix_are_removed():
    for phone in (
        "0113 496 0000",
        "(0161) 496 0123",
        "020 7946 0958",
        "07700900123",
        "+44 7700 900123",
        "+44 (0)20 7946 0958",
    ):
        assert redact(f"Phoned {phone} today").text == "Phoned [phone number] today"


def test_a_flat_and_its_street_address_become_one_address():
    assert redact("Flat 3, 22 St John's Road, Leeds").text == "[address], Leeds"
    assert redact("Lives in Flat 3B").text == "Lives in [address]"


def test_known_names_are_removed_whole_and_by_part_in_any_case():
    text = "Frank Morgan came in. Later FRANK asked for Mr Morgan's notes; frank morgan agreed."

    result = redact(text, known_names=["Frank Morgan"])

    assert result.text == "[name] came in. Later [name] asked for [name]'s notes; [name] agreed."


def test_short_parts_of_known_names_are_not_removed_on_their_own():
    result = redact("Jo Li came; do we keep li or jo in the art class?", known_names=["Jo Li"])

    assert result.text == "[name] came; do we keep li or jo in the art class?"


def test_a_town_that_is_also_a_surname_is_removed_as_a_name_erring_the_safe_way():
    assert (
        redact("She moved from Hull to Leeds in May").text
        == "She moved from [name] to Leeds in May"
    )


def test_titled_names_are_removed_even_when_not_known_without_swallowing_the_day():
    text = "Dr Amara Okafor and Mrs A. Jones spoke to Mx Reyes on Monday; Dr Smith Tuesday."

    assert redact(text).text == "[name] and [name] spoke to [name] on Monday; [name] Tuesday."


def test_overlapping_matches_are_replaced_once_by_the_longest():
    result = redact("Email frank.morgan@example.com now", known_names=["Frank Morgan"])

    assert result.text == "Email [email address] now"
    assert [f.kind for f in result.found] == [Kind.EMAIL_ADDRESS]


def test_redacting_redacted_text_changes_nothing():
    # A name that collides with words in the labels must not eat them on the second pass.
    names = ["Edith Blackwood", "Name Number"]
    once = redact(SUMMARY.format(nhs=grouped(made_up_nhs_number())), known_names=names)

    twice = redact(once.text, known_names=names)

    assert twice.text == once.text
    assert twice.found == ()


def test_findings_carry_kinds_and_spans_never_the_values():
    number = made_up_nhs_number()
    text = SUMMARY.format(nhs=grouped(number))

    result = redact(text, known_names=["Edith Blackwood"])

    assert {f.name for f in fields(Found)} == {"kind", "start", "end"}
    logged = repr(result.found)
    for value in (number, grouped(number), "Edith", "Blackwood", "12/03/1948", "0113", "LS6"):
        assert value not in logged
    spans = [text[f.start : f.end] for f in result.found]
    assert spans[:2] == ["Mrs Edith Blackwood", grouped(number)]
