"""Names the case does not know are removed, in the shapes summaries write them; the learning stays."""

import subprocess
import sys

import pytest

from psirf.learning.lexicon import lexicon
from psirf.learning.redact import Kind, redact


def test_an_untitled_full_name_the_case_does_not_know_is_removed():
    text = "Jane Example, a carer for her mother, collected warfarin from Riverside Surgery."

    result = redact(text)

    assert (
        result.text == "[name], a carer for her mother, collected warfarin from Riverside Surgery."
    )
    assert [(f.kind, text[f.start : f.end]) for f in result.found] == [(Kind.NAME, "Jane Example")]


def test_names_in_lists_and_possessives_are_removed_leaving_the_possessive():
    text = "Tom, Priya and Mr Okafor took calls on Monday. Priya's note mentioned chest pain."

    assert redact(text).text == (
        "[name], [name] and [name] took calls on Monday. [name]'s note mentioned chest pain."
    )


@pytest.mark.parametrize(
    "text, redacted",
    [
        (
            "Will Thompson collected it. Will noticed the label.",
            "[name] collected it. [name] noticed the label.",
        ),
        ("Grace's results were filed as normal.", "[name]'s results were filed as normal."),
        ("Hope and Joy agreed a new routine.", "[name] and [name] agreed a new routine."),
        (
            "Will this change the risk? The team will review it.",
            "Will this change the risk? The team will review it.",
        ),
        ("Long waits at reception were reported.", "Long waits at reception were reported."),
    ],
)
def test_a_name_that_is_also_a_word_is_removed_only_where_it_is_used_as_a_name(text, redacted):
    assert redact(text).text == redacted


def test_a_name_is_a_name_throughout_the_text():
    text = "Joy from the admin team had not coded it. Hope and Joy have since agreed a routine."

    assert (
        redact(text).text
        == "[name] from the admin team had not coded it. [name] and [name] have since agreed a routine."
    )


def test_lower_case_names_are_removed_and_lower_case_words_that_are_also_names_stay():
    assert redact("mohammed rafiq rang 111. sunita on reception booked him in.").text == (
        "[name] rang 111. [name] on reception booked him in."
    )
    kept = "an amber flag, a frank talk, the iris and an echo were noted; pat it dry"
    assert redact(kept).text == kept


@pytest.mark.parametrize(
    "text, redacted",
    [
        ("Seen by Anne-Marie Clarke-Hughes today.", "Seen by [name] today."),
        (
            "O'Neill's son phoned; D'Souza, Maria was on the form.",
            "[name]'s son phoned; [name], [name] was on the form.",
        ),
        ("Zoë's mother, Siân, told Ms Yılmaz.", "[name]'s mother, [name], told [name]."),
        ("She met Oluwaseun and Chidinma.", "She met [name] and [name]."),
    ],
)
def test_hyphenated_apostrophe_accented_and_unlisted_names_are_removed(text, redacted):
    assert redact(text).text == redacted


def test_titles_initials_and_particles_join_the_name_they_belong_to():
    text = "The patient, J.M. Achterberg, saw Rhys ap Gwilym and Ms Ama Owusu."

    result = redact(text)

    assert result.text == "The patient, [name], saw [name] and [name]."
    assert len(result.found) == 3


def test_names_in_capitals_are_removed_and_abbreviations_kept():
    assert redact("It named JOHN MCBRIDE; INR and EMIS were checked.").text == (
        "It named [name]; INR and EMIS were checked."
    )
    assert redact("MR PATEL DOB 01/02/1950 CALLED").text == "[name] DOB [date of birth] CALLED"


def test_eponymous_conditions_stay_while_people_of_the_same_name_go():
    text = (
        "Mr Parkinson, who has Parkinson's disease, met Mrs Bell about her Bell's palsy. "
        "A man with Down syndrome was assessed for Gillick competence and a Wells score."
    )

    assert redact(text).text == (
        "[name], who has Parkinson's disease, met [name] about her Bell's palsy. "
        "A man with Down syndrome was assessed for Gillick competence and a Wells score."
    )


@pytest.mark.parametrize(
    "place",
    [
        "St Mary's Hospital",
        "Castle Dental Practice",
        "Sunnyside Care Home",
        "University Hospitals of Derby and Burton NHS Foundation Trust",
    ],
)
def test_places_of_care_stay_whole(place):
    text = f"The letter went to {place} on Tuesday."

    assert redact(text).text == text


def test_a_month_or_day_is_a_date_unless_it_opens_a_name():
    text = "April Jones left on 2 April. It arrived in May but June Okoro saw it. Sunday Adeleke phoned on Sunday."

    assert redact(text).text == (
        "[name] left on 2 April. It arrived in May but [name] saw it. [name] phoned on Sunday."
    )


def test_drug_names_stay_beside_names_including_unlisted_ones_by_their_stem():
    text = "Naproxen was handed to Kofi Mensah instead of Paracetamol. Edoxaban and Empagliflozin were started."

    assert redact(text).text == (
        "Naproxen was handed to [name] instead of Paracetamol. Edoxaban and Empagliflozin were started."
    )


def test_an_instruction_keeps_its_verb_and_loses_the_name():
    assert redact("Call Priya when the dose changes.").text == "Call [name] when the dose changes."


def test_a_title_case_heading_is_read_like_the_start_of_a_sentence():
    assert (
        redact("Learning From The Event With Priya").text == "Learning From The Event With [name]"
    )


def test_an_unknown_capitalised_word_inside_a_sentence_is_taken_for_a_name():
    # Erring towards removal: a hospital nickname or town the lists do not know goes too.
    assert (
        redact("The referral to Moorfields was delayed.").text
        == "The referral to [name] was delayed."
    )


def test_phrases_the_caller_keeps_are_not_taken_for_names():
    text = "Staff at Okafor House noticed."

    assert redact(text).text == "Staff at [name] noticed."
    assert redact(text, keep=["Okafor House"]).text == text


def test_known_names_and_titles_still_win_inside_a_kept_phrase():
    text = "Dr Shah and Partners reviewed it with Frank."

    assert redact(text, known_names=["Frank"], keep=["Dr Shah and Partners"]).text == (
        "[name] and Partners reviewed it with [name]."
    )


def test_the_word_lists_load_only_when_a_redaction_first_needs_them():
    # The test suite creates thousands of apps: importing the redactor must not load the lists.
    probe = (
        "import sys; import psirf.library.sharing; from psirf.learning.redact import redact; "
        "before = {'faker', 'spellchecker'} & set(sys.modules); redact('Priya phoned.'); "
        "after = {'faker', 'spellchecker'} & set(sys.modules); print(sorted(before), sorted(after))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout

    assert out.strip() == "[] ['faker', 'spellchecker']"


def test_the_name_and_word_lists_are_the_size_the_figures_were_measured_with():
    # A Faker or pyspellchecker upgrade that moved its lists would quietly cut recall: fail here.
    words = lexicon()

    assert len(words.given_names) > 20_000 and len(words.surnames) > 20_000
    assert len(words.frequency) > 100_000
    assert words.is_given_name("Priya") and words.is_surname("Okafor") and words.is_everyday("will")
