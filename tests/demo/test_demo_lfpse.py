"""Every demo event exports as a valid LFPSE AdverseEvent claiming the v5 profile."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from psirf.events.models import SafetyEvent
from psirf.lfpse import taxonomy
from psirf.lfpse.mapping import adverse_event
from tests.support.lfpse import validated


def test_every_demo_event_exports_a_valid_adverse_event_claiming_the_profile(demo):
    session, _, _ = demo
    events = session.scalars(
        select(SafetyEvent).options(selectinload(SafetyEvent.patients)).order_by(SafetyEvent.id)
    )
    checked = 0
    for event in events:
        parsed = validated(adverse_event(event))
        assert parsed.meta.profile == [taxonomy.PROFILE], event.reference
        assert parsed.meta.versionId == str(event.revision)
        checked += 1
    assert checked >= 2900
