"""The profile's look-back at its edges, and the few statements it takes whatever the group's size."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from psirf.extensions import db
from psirf.plans import insight
from tests.support.factories import (
    PracticeFactory,
    ResponseFactory,
    SafetyActionFactory,
    SafetyEventFactory,
    one_commit,
)
from tests.support.queries import counting_queries

TODAY = date(2026, 12, 2)


def test_responses_and_actions_count_by_the_day_they_were_started_within_the_group(world):
    start, end = insight.lookback_window(TODAY, 12)  # 1 December 2025 to 1 December 2026
    first, after = datetime.combine(start, time()), datetime.combine(end, time())
    counted = [first, after - timedelta(microseconds=1), datetime(2026, 6, 1, 12)]
    with one_commit():
        for at in counted:
            response = ResponseFactory(organisation=world.practice, created_at=at)
            SafetyActionFactory(response=response, created_at=at)
        # The group itself runs thematic reviews; they are its own.
        ResponseFactory(organisation=world.pcn, method="thematic_review", created_at=counted[2])
        for at in (first - timedelta(microseconds=1), after):  # a moment either side of the window
            response = ResponseFactory(organisation=world.practice, created_at=at)
            SafetyActionFactory(response=response, created_at=at)
        elsewhere = ResponseFactory(organisation=world.other_practice, created_at=counted[2])
        SafetyActionFactory(response=elsewhere, created_at=counted[2])

    profile = insight.profile(db.session, world.pcn, 12, TODAY)

    started = {r["key"]: r["started"] for r in profile["responses"]}
    assert started == {"after_action_review": 3, "thematic_review": 1}
    assert profile["actions"]["total"] == 3


def test_the_profile_is_the_same_few_statements_however_many_services_the_group_has(world):
    def statements() -> int:
        assert world.pcn.id  # loaded before counting, after a commit expired it
        with counting_queries() as sent:
            insight.profile(db.session, world.pcn, 12, TODAY)
        return len(sent)

    one = statements()
    with one_commit():
        for n in range(5):
            practice = PracticeFactory(icb=world.icb, groups=[world.pcn])
            SafetyEventFactory(
                organisation=practice, theme="access", occurred_on=date(2026, 3, 1 + n)
            )
    assert statements() == one == 4  # members, every event figure, responses, actions
