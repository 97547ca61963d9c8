"""Parts of a page other features fill: built by the page's view, never called from a template."""

import re

from psirf.config import PROJECT_ROOT
from psirf.web import parts


def test_each_registered_builder_adds_its_variables_once(monkeypatch):
    monkeypatch.setattr(parts, "_BUILDERS", {})

    def first(subject):
        return {"first": subject * 2}

    def second(subject):
        return {"second": subject + 1}

    for build in (first, second, first):  # a module imported again registers nothing new
        parts.of("page")(build)
    assert parts.context_for("page", 5) == {"first": 10, "second": 6}
    assert parts.context_for("another page", 5) == {}


def test_the_response_and_event_pages_have_their_features_parts(app):
    names = {page: sorted(parts._BUILDERS[page]) for page in ("response", "event")}
    assert names == {
        "response": [
            "psirf.engagement.views.engagement_part",
            "psirf.events.feedback_views.what_changed_part",
            "psirf.library.views.response_links",
        ],
        "event": ["psirf.library.views.good_care_links"],
    }


def test_no_template_calls_for_a_part_itself():
    called = re.compile(
        r"\b(engagement_part|what_changed_part|library_\w+_link|response_timeliness"
        r"|workflow_diagram)\("
    )
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "templates").rglob("*.html")
        if called.search(path.read_text())
    ]
    assert offenders == []
