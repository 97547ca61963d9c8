"""The reading-level measure itself tells plain words from dense ones, so a pass means something."""

from tests.support.reading import above_the_level, main_text


def test_dense_clinical_prose_is_above_the_agreed_level_and_plain_words_are_not():
    dense = (
        "The multidisciplinary investigation identified inadequate anticoagulation monitoring "
        "infrastructure, necessitating comprehensive organisational reconfiguration of pharmaceutical governance."
    )
    plain = "We looked at what went wrong. We will change how we check your tablets. You can ask us about it."
    assert set(above_the_level({"dense": dense, "plain": plain})) == {"dense"}


def test_only_the_main_content_is_measured():
    html = "<header>Sign out</header><main><h1>Your review</h1><p>We will tell you.</p></main><footer>Help</footer>"
    assert main_text(html) == "Your review. We will tell you."


def test_a_date_measures_the_same_whatever_its_month():
    def page(day: str) -> str:
        return main_text(f"<main><p>Review number 1, started on {day}.</p></main>")

    assert (
        page("31 January 2027") == page("5 May 2026") == "Review number 1, started on 1 June 2026."
    )
