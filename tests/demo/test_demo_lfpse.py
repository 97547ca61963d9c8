"""Every demo event exports as a valid LFPSE AdverseEvent claiming the v5 profile."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from psirf.events.models import SafetyEvent
from psirf.lfpse import taxonomy
from psirf.lfpse.mapping import adverse_event
from psirf.lfpse.models import LfpseExport
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


def test_every_demo_event_is_queued_and_riversides_lead_has_failures_to_see(demo):
    session, by_code, _ = demo
    unqueued = session.scalar(
        select(func.count())
        .select_from(SafetyEvent)
        .where(~select(LfpseExport.id).where(LfpseExport.event_id == SafetyEvent.id).exists())
    )
    assert unqueued == 0
    failed = session.scalars(
        select(LfpseExport).where(
            LfpseExport.state == "failed",
            LfpseExport.organisation_id == by_code["D81001"].id,
        )
    ).all()
    assert len(failed) == 2 and {row.attempts for row in failed} == {3}
    # The demo's corrected events wait to go as revision 2 of their reference.
    second = session.scalars(
        select(LfpseExport.state)
        .join(SafetyEvent, SafetyEvent.id == LfpseExport.event_id)
        .where(SafetyEvent.revision == 2, LfpseExport.revision == 2)
    ).all()
    assert second and set(second) == {"pending"}
