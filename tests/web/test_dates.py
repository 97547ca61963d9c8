"""The one date filter: each named style, ISO text from a response's record, and no strftime left."""

from datetime import date, datetime

import pytest
from flask import render_template_string

from psirf.config import PROJECT_ROOT
from psirf.web.dates import format_date, short_month_name

DAY = date(2026, 12, 6)
MOMENT = datetime(2026, 3, 9, 7, 5)


@pytest.mark.parametrize(
    ("value", "style", "written"),
    [
        (DAY, "day", "6 December 2026"),
        (DAY, "short", "6 Dec 2026"),
        (DAY, "month", "December 2026"),
        (DAY, "short_month", "Dec 2026"),
        (MOMENT, "day", "9 March 2026"),
        (MOMENT, "time", "9 March 2026 at 07:05"),
        (MOMENT, "short_time", "9 Mar 2026 07:05"),
    ],
)
def test_each_style_writes_the_date_as_the_pages_always_have(value, style, written):
    assert format_date(value, style) == written
    assert format_date(value, style) == value.strftime(
        {
            "day": "%-d %B %Y",
            "short": "%-d %b %Y",
            "month": "%B %Y",
            "short_month": "%b %Y",
            "time": "%-d %B %Y at %H:%M",
            "short_time": "%-d %b %Y %H:%M",
        }[style]
    )


def test_iso_text_is_read_as_a_date_and_other_text_is_kept():
    assert format_date("2026-12-06") == "6 December 2026"
    assert format_date("last spring") == "last spring"
    assert format_date("") == ""
    assert format_date(None) == ""


def test_a_charts_tick_names_the_month_alone():
    assert short_month_name(DAY) == "Dec" == DAY.strftime("%b")


def test_an_unknown_style_is_an_error_naming_the_styles():
    with pytest.raises(ValueError, match="short_time"):
        format_date(DAY, "long")


def test_templates_use_the_filter(app):
    with app.test_request_context():
        page = render_template_string(
            '{{ d | date }}; {{ d | date("short") }}; {{ "Due " ~ d | date("month") }}', d=DAY
        )
    assert page == "6 December 2026; 6 Dec 2026; Due December 2026"


def test_no_template_formats_a_date_by_hand():
    by_hand = [
        f"{path.relative_to(PROJECT_ROOT)}:{n}"
        for path in (PROJECT_ROOT / "templates").rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "strftime" in line
    ]
    assert by_hand == []
