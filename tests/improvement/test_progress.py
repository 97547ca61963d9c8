"""The month-by-month count of a plan's actions, and the server-drawn charts."""

from __future__ import annotations

from datetime import date, datetime

from psirf.improvement.progress import chart, format_number, monthly_progress


def test_each_month_counts_the_actions_created_and_completed_by_its_end():
    actions = [
        (datetime(2026, 1, 20, 9), datetime(2026, 3, 2, 10)),  # completed in March
        (datetime(2026, 2, 28, 23, 59), None),  # still open
        (
            datetime(2026, 3, 31, 23, 59),
            datetime(2026, 3, 31, 23, 59, 30),
        ),  # created and done on the last evening
    ]
    months = monthly_progress(actions, datetime(2026, 2, 10), date(2026, 4, 5))
    assert [(m.long_label, m.existing, m.completed, m.percent) for m in months] == [
        ("January 2026", 1, 0, 0),  # the earliest action began before the plan did
        ("February 2026", 2, 0, 0),
        ("March 2026", 3, 2, 67),
        ("April 2026", 3, 2, 67),
    ]


def test_a_plan_without_actions_has_its_months_with_nothing_to_count():
    months = monthly_progress([], datetime(2025, 12, 1), date(2026, 1, 15))
    assert [(m.label, m.existing, m.percent) for m in months] == [
        ("Dec 2025", 0, None),
        ("Jan 2026", 0, None),
    ]


def test_the_chart_is_an_image_with_a_title_axis_names_and_every_value_written():
    svg = str(
        chart(
            [("Jan", 10), ("Feb", 12.5)],
            chart_id="c",
            title="Checks done",
            description="Two months",
            x_label="Month",
            y_label="Checks",
        )
    )
    assert (
        svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c-title c-desc"' in svg
    )
    assert (
        '<title id="c-title">Checks done</title>' in svg
        and '<desc id="c-desc">Two months</desc>' in svg
    )
    assert ">Month</text>" in svg and ">Checks</text>" in svg
    assert ">10</text>" in svg and ">12.5</text>" in svg and "<polyline" in svg
    assert "style" not in svg  # the Content Security Policy forbids inline styles
    assert "#005eb8" in svg


def test_the_chart_escapes_every_text_it_is_given():
    svg = str(
        chart(
            [("<b>Jan</b>", 1)],
            chart_id="x",
            title='A "title" & <script>',
            description="<i>d</i>",
            x_label="<x>",
            y_label="<y>",
            kind="bar",
        )
    )
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg and "<x>" not in svg
    assert "&lt;script&gt;" in svg and "&lt;b&gt;Jan&lt;/b&gt;" in svg
    assert "<rect" in svg


def test_a_bar_chart_keeps_the_scale_it_is_given_and_no_points_draw_nothing():
    svg = str(
        chart(
            [("Jan", 50)],
            chart_id="p",
            title="t",
            description="d",
            x_label="x",
            y_label="y",
            kind="bar",
            max_value=100,
            min_value=0,
            tick_text=lambda v: f"{format_number(v)}%",
        )
    )
    assert ">100%</text>" in svg and ">0%</text>" in svg
    assert str(chart([], chart_id="e", title="t", description="d", x_label="x", y_label="y")) == ""


def test_numbers_are_written_as_people_write_them():
    assert [format_number(v) for v in (12.0, 4.25, 1234567, -3.5, None)] == [
        "12",
        "4.25",
        "1,234,567",
        "-3.5",
        "",
    ]


def test_a_missing_value_draws_no_mark_and_says_so_and_breaks_the_line():
    svg = str(
        chart(
            [("Jan", None), ("Feb", 2), ("Mar", None), ("Apr", 3), ("May", 4)],
            chart_id="m",
            title="t",
            description="d",
            x_label="x",
            y_label="y",
            missing_text="none",
        )
    )
    assert svg.count("<circle") == 3 and svg.count(">none</text>") == 2
    assert (
        svg.count("<polyline") == 1
    )  # only April to May: one point either side of a gap draws no line
    bars = str(
        chart(
            [("Jan", None), ("Feb", 50)],
            chart_id="b",
            title="t",
            description="d",
            x_label="x",
            y_label="y",
            kind="bar",
            max_value=100,
            min_value=0,
        )
    )
    assert bars.count('fill="#005eb8"') == 1
