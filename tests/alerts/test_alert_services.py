"""National patient safety alerts through their services, with the clock injected: issuing to
the services of the chosen types (an ICB's to the ICB, a PCN's to its members), confirming each
action, and overdue as of a given day."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from psirf import policy
from psirf.alerts import services
from psirf.alerts.models import AlertConfirmation, ConfirmationEntry
from psirf.audit import AuditRecord
from psirf.db import ChangedBySomeoneElse, unit_of_work
from psirf.extensions import db
from psirf.problems import InputError
from tests.support.alerts import record, pharmacy

FIRST, SECOND = date(2026, 3, 16), date(2026, 3, 30)
ACTIONS = (("Quarantine the affected stock", FIRST), ("Tell patients who received it", SECOND))


@pytest.fixture
def pharmacies(world):
    north = pharmacy(world, "North Street Pharmacy", world.pcn, "FAA01")
    south = pharmacy(world, "Southfields Pharmacy", world.other_pcn, "FAA02")
    return north, south


def _confirm(user, alert, organisation, action, answer, today):
    confirmation = services.get_confirmation(db.session, alert, organisation, action.id)
    with unit_of_work(db.session):
        services.confirm(db.session, user, confirmation, answer, confirmation.version_id, today)
    return confirmation


def test_one_pharmacy_confirms_both_actions_and_the_other_shows_overdue_to_the_icb(
    world, pharmacies
):
    (north, north_lead), (south, south_lead) = pharmacies
    alert = record(world.icb_specialist, world.icb, actions=ACTIONS)
    first, second = alert.actions
    # Sent to the ICB's two pharmacies only: not to its practices.
    assert {o.id for o in services.recipients_of(db.session, alert)} == {north.id, south.id}

    # North Street answers both; Southfields says the second is in progress, but its deadline
    # passes.
    for lead, organisation, action, answer, today in (
        (north_lead, north, first, services.Answer("done", done_on=date(2026, 3, 10)), 10),
        (north_lead, north, second, services.Answer("not_applicable", reason="Never stocked"), 10),
        (south_lead, south, first, services.Answer("done", done_on=date(2026, 3, 12)), 12),
        (
            south_lead,
            south,
            second,
            services.Answer("in_progress", expected_on=date(2026, 4, 20)),
            12,
        ),
    ):
        _confirm(lead, alert, organisation, action, answer, date(2026, 3, today))

    before, after = date(2026, 3, 30), date(2026, 3, 31)
    assert (
        services.tallies_by_alert(db.session, world.icb_specialist, [alert.id], before)[
            alert.id
        ].overdue
        == 0
    )
    tally = services.tallies_by_alert(db.session, world.icb_specialist, [alert.id], after)[alert.id]
    assert (tally.total, tally.done, tally.not_applicable, tally.in_progress, tally.overdue) == (
        4,
        2,
        1,
        1,
        1,
    )
    by_action = services.tallies_by_action(db.session, world.icb_specialist, alert, after)
    assert by_action[second.id].overdue == 1 and by_action[first.id].overdue == 0

    matrix = services.progress_matrix(
        db.session, world.icb_specialist, alert, after, None, 50, only_overdue=True
    )
    assert [row.organisation.name for row in matrix.rows] == ["Southfields Pharmacy"]
    assert matrix.rows[0].overdue(after) and matrix.organisations == 1
    overdue = services.overdue(db.session, world.icb_specialist, after, None, 50).items
    assert [(c.organisation_id, c.action_id) for c in overdue] == [(south.id, second.id)]

    # South PCN's panel sees its member overdue; North PCN's panel sees nothing overdue; each
    # pharmacy sees only its own.
    assert len(services.overdue(db.session, world.other_panel, after, None, 50).items) == 1
    assert services.overdue(db.session, world.panel, after, None, 50).items == []
    assert services.overdue(db.session, north_lead, after, None, 50).items == []
    assert len(services.overdue(db.session, south_lead, after, None, 50).items) == 1


def test_a_pcns_alert_goes_to_its_member_services_only(world, pharmacies):
    (north, north_lead), (south, _) = pharmacies
    alert = record(world.panel, world.pcn, kinds=("pharmacy", "practice"))
    assert {o.id for o in services.recipients_of(db.session, alert)} == {
        north.id,
        world.practice.id,
    }
    # Southfields Pharmacy, in South PCN, does not even see it.
    assert services.listing(db.session, north_lead, None, 10).items == [alert]
    with pytest.raises(policy.NotVisible):
        services.get_visible(db.session, world.other_lead, alert.id)


def test_a_draft_is_seen_only_by_who_records_for_its_organisation_and_issuing_fixes_its_actions(
    world, pharmacies
):
    (north, north_lead), _ = pharmacies
    alert = record(world.icb_quality, world.icb, issue=False)
    assert services.get_visible(db.session, world.icb_specialist, alert.id) == alert
    for outsider in (north_lead, world.panel, world.outsider_icb_quality):
        with pytest.raises(policy.NotVisible):
            services.get_visible(db.session, outsider, alert.id)
    with unit_of_work(db.session):
        services.issue(db.session, world.icb_quality, alert, alert.version_id)
    with pytest.raises(InputError), unit_of_work(db.session):
        services.add_action(db.session, world.icb_quality, alert, "More", SECOND, alert.version_id)
    assert services.get_visible(db.session, north_lead, alert.id) == alert


def test_an_alert_needs_an_https_link_a_service_type_and_an_action_to_issue(world):
    with pytest.raises(InputError) as refused, unit_of_work(db.session):
        services.create(
            db.session,
            world.icb_specialist,
            world.icb.id,
            "R1",
            "T",
            FIRST,
            "http://example.org/a",
            ["pharmacy"],
        )
    assert refused.value.field == "link"
    with pytest.raises(InputError) as refused, unit_of_work(db.session):
        services.create(
            db.session,
            world.icb_specialist,
            world.icb.id,
            "R1",
            "T",
            FIRST,
            "https://example.org/a",
            [],
        )
    assert refused.value.field == "service_kinds"
    alert = record(world.icb_specialist, world.icb, actions=(), kinds=("practice",), issue=False)
    with pytest.raises(InputError, match="at least one action"), unit_of_work(db.session):
        services.issue(db.session, world.icb_specialist, alert, alert.version_id)
    # A lead records no alerts.
    with pytest.raises(policy.NotPermitted), unit_of_work(db.session):
        services.create(
            db.session,
            world.lead,
            world.icb.id,
            "R2",
            "T",
            FIRST,
            "https://example.org/a",
            ["practice"],
        )


def test_each_answer_needs_its_own_detail(world, pharmacies):
    (north, north_lead), _ = pharmacies
    alert = record(world.icb_specialist, world.icb)
    today = date(2026, 3, 10)
    for answer, field in (
        (services.Answer("done"), "done_on"),
        (services.Answer("done", done_on=date(2026, 3, 11)), "done_on"),
        (services.Answer("not_applicable", reason="  "), "reason"),
        (services.Answer("in_progress"), "expected_on"),
        (services.Answer("awaiting"), "status"),
    ):
        with pytest.raises(InputError) as refused:
            _confirm(north_lead, alert, north, alert.actions[0], answer, today)
        assert refused.value.field == field


def test_only_the_services_own_leads_confirm(world, pharmacies):
    (north, _), (south, south_lead) = pharmacies
    alert = record(world.icb_specialist, world.icb)
    for who in (south_lead, world.icb_specialist, world.panel):
        with pytest.raises(policy.NotPermitted):
            _confirm(
                who, alert, north, alert.actions[0], services.Answer("done", done_on=FIRST), FIRST
            )


def test_every_confirmation_is_kept_with_who_and_when_and_audited(world, pharmacies):
    (north, north_lead), _ = pharmacies
    alert = record(world.icb_specialist, world.icb)
    action = alert.actions[0]
    _confirm(
        north_lead,
        alert,
        north,
        action,
        services.Answer("in_progress", "Ordering", expected_on=FIRST),
        date(2026, 3, 5),
    )
    confirmation = _confirm(
        north_lead,
        alert,
        north,
        action,
        services.Answer("done", "All quarantined", done_on=date(2026, 3, 9)),
        date(2026, 3, 9),
    )
    assert (confirmation.status, confirmation.expected_on, confirmation.note) == (
        "done",
        None,
        "All quarantined",
    )
    assert confirmation.confirmed_by_id == north_lead.id and confirmation.version_id == 3
    history = services.history_of(db.session, [confirmation.id])[confirmation.id]
    assert [e.status for e in history] == ["done", "in_progress"]
    assert [e.confirmed_by_id for e in history] == [north_lead.id] * 2
    audited = db.session.scalars(
        select(AuditRecord)
        .where(
            AuditRecord.subject_type == "alert_confirmations",
            AuditRecord.subject_id == confirmation.id,
        )
        .order_by(AuditRecord.id)
    ).all()
    assert [a.changes["status"]["after"] for a in audited] == ["in_progress", "done"]


def test_two_people_confirming_at_once_one_wins_and_the_other_is_told(world, pharmacies):
    (north, north_lead), _ = pharmacies
    from tests.support.factories import UserFactory
    from psirf.accounts.models import Role

    executive = UserFactory(role=(Role.EXECUTIVE_LEAD, north))
    alert = record(world.icb_specialist, world.icb)
    confirmation = services.get_confirmation(db.session, alert, north, alert.actions[0].id)
    seen = confirmation.version_id
    with unit_of_work(db.session):
        services.confirm(
            db.session,
            north_lead,
            confirmation,
            services.Answer("done", done_on=FIRST),
            seen,
            FIRST,
        )
    with pytest.raises(ChangedBySomeoneElse), unit_of_work(db.session):
        services.confirm(
            db.session,
            executive,
            confirmation,
            services.Answer("in_progress", expected_on=SECOND),
            seen,
            FIRST,
        )
    db.session.expire_all()
    kept = db.session.get(AlertConfirmation, confirmation.id)
    assert kept.status == "done" and kept.confirmed_by_id == north_lead.id
    assert db.session.scalar(select(func.count(ConfirmationEntry.id))) == 1


def test_the_icbs_progress_page_reads_in_a_fixed_number_of_queries(world):
    """Three hundred services cost what ten do: a page of the matrix is its count, its services
    and their confirmations."""
    from psirf.organisations.models import Organisation
    from psirf.timeutil import utcnow

    db.session.add_all(
        Organisation(
            name=f"Pharmacy {n:04d}",
            ods_code=f"FZ{n:03d}",
            kind="pharmacy",
            icb_id=world.icb.id,
            created_at=utcnow(),
        )
        for n in range(300)
    )
    db.session.commit()
    alert = record(world.icb_specialist, world.icb, actions=ACTIONS)
    from tests.support.queries import counting_queries

    policy.grants(world.icb_specialist)  # the person, read once per request by sign-in
    with counting_queries() as statements:
        first = services.progress_matrix(db.session, world.icb_specialist, alert, SECOND, None, 50)
    assert len(statements) <= 4  # with the alert read again after its commit
    assert len(first.rows) == 50 and first.organisations == 300 and first.next_after
    second = services.progress_matrix(
        db.session, world.icb_specialist, alert, SECOND, first.next_after, 50
    )
    assert second.rows[0].organisation.name == "Pharmacy 0050"
    assert all(len(r.cells) == 2 for r in second.rows)
    assert (
        services.tallies_by_alert(db.session, world.icb_specialist, [alert.id], date(2026, 3, 17))[
            alert.id
        ].overdue
        == 300
    )


def test_csv_rows_are_every_confirmation_in_view(world, pharmacies):
    (north, north_lead), _ = pharmacies
    alert = record(world.icb_specialist, world.icb, actions=ACTIONS)
    _confirm(
        north_lead,
        alert,
        north,
        alert.actions[0],
        services.Answer("done", "=cmd", done_on=FIRST),
        FIRST,
    )
    rows = list(
        services.csv_rows(db.session, world.icb_specialist, alert, datetime(2026, 4, 1).date())
    )
    assert len(rows) == 4
    assert rows[0][:6] == [
        "North Street Pharmacy",
        "FAA01",
        "Quarantine the affected stock",
        "2026-03-16",
        "Done",
        "No",
    ]
    assert rows[1][5] == "Yes"
    # The panel of North PCN reads its member only.
    assert {r[0] for r in services.csv_rows(db.session, world.panel, alert, FIRST)} == {
        "North Street Pharmacy"
    }
