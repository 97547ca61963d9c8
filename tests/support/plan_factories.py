"""A PSIRF plan built directly (no generation), for tests that need one in a given state."""

from __future__ import annotations

from datetime import date

import factory

from psirf.plans import content
from psirf.plans.models import PsirfPlan
from tests.support.factories import Base


def sample_profile(months: int = 12) -> dict:
    """A small profile: medication the largest theme, diagnosis the most harmful."""
    themes = [
        {
            "key": "medication",
            "label": "Medication (prescribing, dispensing, monitoring)",
            "events": 40,
            "harmful": 3,
        },
        {"key": "diagnosis", "label": "Diagnosis and assessment", "events": 25, "harmful": 6},
        {"key": "access", "label": "Access", "events": 5, "harmful": 0},
    ]
    return {
        "start": "2025-12-01",
        "end": "2026-12-01",
        "months": months,
        "events": {
            "total": 70,
            "harmful": 9,
            "good_care_left_out": 4,
            "by_theme": themes,
            "by_record_type": [
                {"key": "incident", "label": "Patient safety incident", "events": 70},
            ],
            "by_harm": [
                {"key": "none", "label": "No harm", "events": 50},
                {"key": "moderate", "label": "Moderate harm", "events": 9},
            ],
            "by_service": [
                {"key": "practice", "label": "General practice", "events": 70, "harmful": 9}
            ],
            "by_month": [{"month": "2026-11-01", "events": 6}],
            "detail": {
                "medication": {"incident": {"none": 30, "low": 7, "moderate": 3}},
                "diagnosis": {"incident": {"low": 19, "moderate": 6}},
            },
        },
        "responses": [
            {
                "key": "after_action_review",
                "label": "After action review",
                "started": 3,
                "open": 1,
                "outcomes": [{"label": "Approved and closed", "responses": 2}],
            }
        ],
        "actions": {"total": 4, "completed": 2, "overdue": 1},
        "good_care": 4,
    }


def ready_content(group_name: str = "North PCN") -> dict:
    """Every section a submission needs, filled in."""
    body = content.draft_content(
        group_name=group_name,
        members=[{"ods_code": "A1", "name": "Riverside", "kind": "General practice"}],
        leads=[
            {
                "name": "Lee Lead",
                "role": "Patient safety lead",
                "trained": True,
                "hours_per_month": 8,
            }
        ],
        profile=sample_profile(),
        starts_on=date(2027, 1, 1),
        period_months=12,
    )
    body["involved"] = {
        "people": "Patient safety leads of each practice",
        "partners": "Sam Partner, Jo Partner",
    }
    body["sources"][0].update(used=True, count=31)
    return body


class PlanFactory(Base):
    class Meta:
        model = PsirfPlan

    number = factory.Sequence(lambda n: n + 1)
    starts_on = date(2027, 1, 1)
    content = factory.LazyAttribute(lambda o: ready_content(o.organisation.name))
    profile = factory.LazyFunction(sample_profile)
    workflow_name = "plan_approval"
    workflow_version = 1
    state = "draft"
    created_by_id = factory.LazyAttribute(lambda o: o.created_by.id)

    class Params:
        created_by = None
