"""Repeat presentation as a theme of its own in insight (issue 18 part 6): in a plan's profile and
the dashboards' theme counts, from the rollups; choosable as a local priority, which triage then
follows; offered, not suggested."""

from __future__ import annotations

from datetime import date

from psirf.dashboards.series import event_series
from psirf.dashboards.services import event_themes
from psirf.events.lfpse import REPEAT_PRESENTATION
from psirf.extensions import db
from psirf.plans import content, document, insight, services
from psirf.plans.forms import NewPriorityForm
from psirf.triage.recommend import recommend
from tests.support.factories import SafetyEventFactory, one_commit
from tests.support.plan_factories import PlanFactory
from tests.support.queries import counting_queries

TODAY = date(2026, 12, 2)
LABEL = "Repeat presentation (three or more consultations)"


def _add_repeat_presentation_priority(world, plan, label: str, method: str, route: str) -> None:
    """The PCN's panel adds a priority for repeat presentation by hand, as the plan page does."""
    services.add_priority(
        db.session,
        world.panel,
        plan,
        label=label,
        theme=REPEAT_PRESENTATION,
        min_harm=None,
        method=method,
        route=route,
        expected_version=plan.version_id,
    )
    db.session.commit()


def _events(world):
    """At North PCN's practice: three diagnosis events, two of them repeat presentations (one with
    moderate harm), and a medication event; and one repeat presentation at the other PCN's."""
    with one_commit():
        for answer, harm, day in (
            ("yes", "moderate", date(2026, 3, 4)),
            ("yes", "low", date(2026, 4, 9)),
            ("no", "moderate", date(2026, 4, 10)),
        ):
            SafetyEventFactory(
                organisation=world.practice,
                theme="diagnosis",
                repeat_presentation=answer,
                physical_harm=harm,
                occurred_on=day,
            )
        SafetyEventFactory(
            organisation=world.practice, theme="medication", occurred_on=date(2026, 4, 1)
        )
        SafetyEventFactory(
            organisation=world.other_practice,
            theme="diagnosis",
            repeat_presentation="yes",
            occurred_on=date(2026, 4, 2),
        )


def test_the_plan_profile_counts_repeat_presentation_as_a_theme_with_its_harm(world):
    _events(world)
    events = insight.profile(db.session, world.pcn, 12, TODAY)["events"]
    themes = {t["key"]: (t["label"], t["events"], t["harmful"]) for t in events["by_theme"]}
    assert themes == {
        "diagnosis": ("Diagnosis and assessment", 3, 2),
        REPEAT_PRESENTATION: (LABEL, 2, 1),
        "medication": ("Medication (prescribing, dispensing, monitoring)", 1, 0),
    }
    assert events["total"] == 4  # counted once in the total, under diagnosis
    assert events["detail"][REPEAT_PRESENTATION] == {"incident": {"moderate": 1, "low": 1}}
    # A priority covering repeat presentation is sized from them: 2 events a year.
    match = {"theme": REPEAT_PRESENTATION, "record_types": ["incident"]}
    assert content.expected_events(insight.profile(db.session, world.pcn, 12, TODAY), match) == 2


def test_the_profile_takes_no_more_statements_for_it(world):
    _events(world)
    assert world.pcn.id
    with counting_queries() as sent:
        insight.profile(db.session, world.pcn, 12, TODAY)
    assert len(sent) == 4  # members, every event figure, responses, actions


def test_suggestions_leave_it_out_and_the_document_says_its_events_are_diagnosis_events_too(
    world,
):
    _events(world)
    profile = insight.profile(db.session, world.pcn, 12, TODAY)
    suggested = [row["match"]["theme"] for row in content.suggested_priorities(profile)]
    assert REPEAT_PRESENTATION not in suggested and "diagnosis" in suggested
    words = " ".join(
        " ".join(block.paragraphs)
        for block in document._events(profile)
        if hasattr(block, "paragraphs")
    )
    assert "They are counted under diagnosis too" in words


def test_the_dashboards_count_it_among_the_themes_and_chart_it(world):
    _events(world)
    since = date(2026, 1, 1)
    pcn = {
        t.theme: (t.label, t.count) for t in event_themes(db.session, world.pcn.id, since, own=True)
    }
    assert pcn[REPEAT_PRESENTATION] == (LABEL, 2) and pcn["diagnosis"][1] == 3
    icb = {t.theme: t.count for t in event_themes(db.session, world.icb.id, since, own=False)}
    assert icb[REPEAT_PRESENTATION] == 3 and icb["diagnosis"] == 4
    series = event_series(db.session, world.icb.id, REPEAT_PRESENTATION, date(2026, 5, 20))
    assert series.theme_label == LABEL
    assert dict(zip(series.months, series.counts)) == {date(2026, 3, 1): 1, date(2026, 4, 1): 2}


def test_a_pcn_chooses_it_as_a_local_priority_and_triage_follows_the_row(world):
    assert (REPEAT_PRESENTATION, LABEL) in NewPriorityForm().theme.choices
    plan = PlanFactory(organisation=world.pcn, created_by=world.panel)
    db.session.commit()
    _add_repeat_presentation_priority(
        world,
        plan,
        "Repeat presentations: three strikes and we rethink",
        "mdt_review",
        "A peer review of every repeat presentation at the PCN's clinical meeting",
    )
    row = plan.content["local_focus"][-1]
    assert row["match"]["theme"] == REPEAT_PRESENTATION
    assert LABEL in content.matched_events(row["match"])

    focus = content.local_focus_of(plan.content, "the plan", "from North PCN's plan")
    flagged = SafetyEventFactory(
        organisation=world.practice, theme="diagnosis", repeat_presentation="yes"
    )
    unflagged = SafetyEventFactory(
        organisation=world.practice, theme="diagnosis", repeat_presentation="no"
    )
    assert recommend(flagged, focus=focus).local_priority == row["key"]
    assert recommend(unflagged, focus=focus).local_priority != row["key"]


def test_a_priority_chosen_for_it_carries_its_figures_from_the_profile(world):
    _events(world)
    plan = PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        profile=insight.profile(db.session, world.pcn, 12, TODAY),
    )
    db.session.commit()
    _add_repeat_presentation_priority(
        world,
        plan,
        "Patients who keep coming back with the same symptoms",
        "thematic_review",
        "A rethink prompt at the third consultation",
    )
    figures = plan.content["local_focus"][-1]["figures"]
    assert figures.startswith("Added by the plan's authors. 2 events in the last 12 months (50%")
    assert figures.endswith("; 1 with moderate or worse harm.")
