"""The shape of the demo year: volumes, themes, statuses, and the journeys later work relies on."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import date

from sqlalchemy import func, select

from psirf.accounts.models import User
from psirf.events import counts
from psirf.events.models import EventStatus, SafetyEvent
from psirf.organisations.models import OrganisationMembership
from psirf.dashboards.series import event_series
from psirf.dashboards.services import month_start
from psirf.timeutil import add_months
from psirf.plans import services as plans
from psirf.responses.models import LearningResponse
from psirf.timeutil import utcnow
from psirf.workflow import definitions
from tests.support.responses import trail as response_trail


def _user_id(session, email: str) -> int:
    return session.scalar(select(User.id).where(User.email == email))


def test_about_three_thousand_events_over_the_last_year(demo):
    session, by_code, loaded = demo
    assert loaded == 3000
    count, oldest, newest = session.execute(
        select(func.count(), func.min(SafetyEvent.created_at), func.max(SafetyEvent.created_at))
    ).one()
    assert 2900 <= count <= 3100
    now = utcnow()
    assert (now - oldest).days <= 366 and newest <= now
    kinds = Counter(session.scalars(select(SafetyEvent.record_type)))
    assert 0.85 <= kinds["incident"] / count <= 0.9
    assert kinds["risk"] and kinds["outcome"] and kinds["good_care"]


def test_every_reference_follows_the_app_rule(demo):
    session, _, _ = demo
    for event_id, reference, created_at in session.execute(
        select(SafetyEvent.id, SafetyEvent.reference, SafetyEvent.created_at)
    ):
        assert re.fullmatch(r"PSE-\d{4}-\d{6}", reference)
        assert reference == f"PSE-{created_at.year}-{event_id:06d}"
    for response_id, reference, created_at in session.execute(
        select(LearningResponse.id, LearningResponse.reference, LearningResponse.created_at)
    ):
        assert reference == f"LR-{created_at.year}-{response_id:06d}"


def test_harmful_incident_themes_follow_avery(demo):
    session, _, _ = demo
    themes = Counter(
        session.scalars(
            select(SafetyEvent.theme).where(
                SafetyEvent.record_type == "incident", SafetyEvent.physical_harm != "none"
            )
        )
    )
    total = sum(themes.values())
    assert total > 500
    for theme, share in (("diagnosis", 0.61), ("medication", 0.26), ("referral", 0.11)):
        assert abs(themes[theme] / total - share) < 0.03, (theme, themes[theme] / total)


def test_older_events_are_triaged_and_recent_ones_wait(demo):
    session, by_code, _ = demo
    statuses = Counter(session.scalars(select(SafetyEvent.status)))
    assert statuses[EventStatus.NO_FURTHER_RESPONSE.value] > 2500
    assert 50 <= statuses[EventStatus.AWAITING_TRIAGE.value] <= 300
    lead = _user_id(session, "lead@demo-icb.example.org")
    triaged_by = set(
        session.scalars(
            select(SafetyEvent.triaged_by_id).where(
                SafetyEvent.organisation_id == by_code["D81001"].id,
                SafetyEvent.status == EventStatus.NO_FURTHER_RESPONSE.value,
            )
        )
    )
    assert triaged_by == {lead}


def test_a_never_event_awaits_the_riverside_lead(demo):
    session, by_code, _ = demo
    event = session.scalars(select(SafetyEvent).where(SafetyEvent.never_event.is_(True))).one()
    assert event.organisation_id == by_code["D81001"].id
    assert event.status == EventStatus.AWAITING_TRIAGE.value
    assert event.theme == "medication" and "methotrexate" in event.description.lower()
    moderate = session.scalars(
        select(SafetyEvent).where(
            SafetyEvent.organisation_id == by_code["D81001"].id,
            SafetyEvent.status == EventStatus.AWAITING_TRIAGE.value,
            SafetyEvent.physical_harm == "moderate",
            SafetyEvent.never_event.is_(False),
        )
    ).first()
    assert moderate is not None


def test_north_pcn_medication_spike(demo):
    session, by_code, _ = demo
    north = select(OrganisationMembership.member_id).where(
        OrganisationMembership.group_id == by_code["U00001"].id
    )
    dates = session.scalars(
        select(SafetyEvent.created_at).where(
            SafetyEvent.theme == "medication", SafetyEvent.organisation_id.in_(north)
        )
    ).all()
    by_month = Counter((d.year, d.month) for d in dates)
    today = date.today()
    # Whole months only: the first and the current month of the year are partial.
    months = sorted(by_month)[1:]
    months = [m for m in months if m != (today.year, today.month)]
    counts = {m: by_month[m] for m in months}
    year, month = today.year, today.month - 4
    if month <= 0:
        year, month = year - 1, month + 12
    spike = counts[(year, month)]
    assert spike == max(counts.values())
    assert spike >= 2 * statistics.median(counts.values())
    last_quarter = [d for d in dates if (utcnow() - d).days <= 92]
    assert len(last_quarter) >= 50


def test_after_action_reviews_in_every_state(demo):
    session, by_code, _ = demo
    # The family portal's PSII is the demo's one other response (tests/family/test_family_demo.py);
    # one of the reviews began as a SWARM huddle (tests/demo/test_demo_course.py).
    responses = session.scalars(
        select(LearningResponse).where(LearningResponse.method == "after_action_review")
    ).all()
    states = Counter(r.state for r in responses)
    definition = definitions.get("after_action_review")
    for state in ("planning", "in_review", "panel_review", "returned", "closed"):
        assert states[state] >= 1, state
        assert state in definition.states
    lead = _user_id(session, "lead@demo-icb.example.org")
    panel = _user_id(session, "panel@demo-icb.example.org")
    at_riverside = {r.state for r in responses if r.organisation_id == by_code["D81001"].id}
    assert {"planning", "panel_review"} <= at_riverside
    for response in responses:
        assert response.workflow_name == definition.name
        (event,) = response.events
        assert event.status == EventStatus.LEARNING_RESPONSE.value and event.triage_rationale
        trail = response_trail(session, response)
        # The recorded history replays through each workflow the response ran under (a huddle
        # that went on as a review, then the review's) to the response's state.
        workflows = [
            *(
                definitions.get(s.workflow_name, s.workflow_version)
                for s in response.earlier_stages
            ),
            definition,
        ]
        state = workflows[0].initial
        for entry in trail:
            if entry.action.startswith("transition:"):
                transition = workflows[0].transition(entry.action.split(":", 1)[1])
                assert state in transition.sources
                assert entry.changes["state"]["before"] == state
                if entry.changes["state"]["after"] != transition.dest:  # went on as another
                    workflows.pop(0)
                    assert entry.changes["state"]["after"] == workflows[0].initial
                state = entry.changes["state"]["after"]
        assert state == response.state and workflows == [definition]
        if response.state in ("panel_review", "returned", "closed"):
            assert response.record["review"]["learning_summary"] and response.safety_actions
        if response.state == "returned":
            returned = [e for e in trail if e.action == "transition:return_to_lead"]
            assert returned and returned[-1].comment and returned[-1].actor_id == panel
        if response.state == "closed":
            assert response.closed_at is not None
        if response.organisation_id == by_code["D81001"].id:
            assert response.lead_id == lead


def test_the_monthly_counts_match_the_demo_events(demo):
    session, _, _ = demo
    assert counts.differences(session) == []


def test_the_icb_medication_chart_shows_the_spike_as_special_cause(demo):
    """Four months back North PCN's medication events more than treble: on the ICB's XmR chart,
    limits from every month, that month is beyond the upper process limit."""
    session, by_code, _ = demo
    today = utcnow().date()
    spike_month = add_months(month_start(today), -4)
    series = event_series(session, by_code["QDM"].id, "medication", today, None)
    point = series.chart.points[series.months.index(spike_month)]
    assert "beyond_limit" in point.rules
    assert [p for p in series.chart.points if "beyond_limit" in p.rules] == [point]


def test_north_pcns_generated_plan_suggests_medication_and_diagnosis_with_their_figures(demo):
    session, by_code, _ = demo
    panel = session.scalar(select(User).where(User.email == "panel@demo-icb.example.org"))
    today = utcnow().date()
    try:
        plan = plans.generate(
            session,
            panel,
            by_code["U00001"],
            period_months=12,
            lookback_months=12,
            starts_on=today,
            today=today,
        )
        themes = [row["match"]["theme"] for row in plan.content["local_focus"]]
        assert set(themes) == {"medication", "diagnosis"}
        assert themes[0] == "medication"  # the largest theme, with the spike
        assert all(
            "events in the last 12 months" in row["figures"] for row in plan.content["local_focus"]
        )
    finally:
        session.rollback()
