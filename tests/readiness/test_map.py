"""The readiness map: totals and share in place per commitment counted in SQL, the gaps, the
filters by PCN and kind, a PSIRF plan in force putting adoption in place, the CSV, and a page
whose statements do not grow with the organisations on it."""

from __future__ import annotations

import base64
import csv
import io
import json

import pytest

from sqlalchemy import event as sa_event

from psirf.extensions import db
from psirf.readiness import overview
from psirf.readiness.models import CommitmentRecord
from tests.support import readiness as make
from tests.support.api import bearer, token_for
from tests.support.factories import OrganisationFactory, PracticeFactory, one_commit
from tests.support.plan_factories import PlanFactory
from tests.support.queries import queries_for


def _total(totals, key):
    return next(t for t in totals if t.commitment.key == key)


def test_totals_count_whats_in_place_and_what_it_applies_to(world):
    make.named(world.lead, world.practice, "patient_safety_partners", "A One", "B Two")
    make.named(world.other_lead, world.other_practice, "patient_safety_partners", "C Three")
    count, totals = overview.totals(db.session, world.icb_specialist, overview.Filters())
    # Two practices and two PCNs.
    assert count == 4
    partners = _total(totals, "patient_safety_partners")
    assert (partners.met, partners.applicable, partners.percent, partners.gaps) == (1, 4, 25, 3)


def test_the_gaps_list_those_without_it_with_where_they_stand(world):
    make.named(world.lead, world.practice, "patient_safety_partners", "A One")
    partners = next(
        c for c in overview.commitments.all_commitments() if c.key == "patient_safety_partners"
    )
    page = overview.gaps(db.session, world.icb_specialist, overview.Filters(), partners, None, 50)
    position = overview.commitments.all_commitments().index(partners)
    found = {row.organisation.name: row.cells[position].text for row in page.rows}
    assert found["Riverside"] == "In progress: 1 of 2 named"
    assert found["Southfields"] == "Not started: 0 of 2 named"


def test_more_partners_than_asked_for_are_counted_without_a_share(world):
    make.named(world.lead, world.practice, "patient_safety_partners", "A One", "B Two", "C Three")
    partners = next(
        c for c in overview.commitments.all_commitments() if c.key == "patient_safety_partners"
    )
    page = overview.page(db.session, world.icb_specialist, overview.Filters(), None, 50)
    position = overview.commitments.all_commitments().index(partners)
    found = {row.organisation.name: row.cells[position].text for row in page.rows}
    assert found["Riverside"] == "In place: 3 named"


def test_filters_by_pcn_and_kind(world):
    with one_commit():
        pharmacy = OrganisationFactory(kind="pharmacy", icb=world.icb, name="Corner Pharmacy")
        from psirf.organisations.models import OrganisationMembership

        db.session.add(OrganisationMembership(member_id=pharmacy.id, group_id=world.pcn.id))
    by_pcn = overview.page(
        db.session, world.icb_specialist, overview.Filters(group_id=world.pcn.id), None, 50
    )
    assert [r.organisation.name for r in by_pcn.rows] == [
        "Corner Pharmacy",
        "North PCN",
        "Riverside",
    ]
    pharmacies = overview.page(
        db.session, world.icb_specialist, overview.Filters(kind="pharmacy"), None, 50
    )
    assert [r.organisation.name for r in pharmacies.rows] == ["Corner Pharmacy"]
    ppg = overview.commitments.all_commitments().index(overview.commitments.by_key("ppg_agenda"))
    assert pharmacies.rows[0].cells[ppg].text == "Does not apply"


def test_a_pcn_sees_its_members_only(world):
    count, _ = overview.totals(db.session, world.panel, overview.Filters())
    rows = overview.page(db.session, world.panel, overview.Filters(), None, 50).rows
    assert count == 2
    assert [r.organisation.name for r in rows] == ["North PCN", "Riverside"]
    # A lead in the PCN sees the same.
    assert [
        r.organisation.name
        for r in overview.page(db.session, world.lead, overview.Filters(), None, 50).rows
    ] == ["North PCN", "Riverside"]


def test_a_published_pcn_plan_puts_psirf_adoption_in_place_for_its_members(world):
    PlanFactory(organisation=world.pcn, created_by=world.panel, state="published")
    db.session.commit()
    _, totals = overview.totals(db.session, world.icb_specialist, overview.Filters())
    adopted = _total(totals, "psirf_adopted")
    assert (adopted.met, adopted.applicable) == (2, 4)  # North PCN and Riverside
    position = overview.commitments.all_commitments().index(adopted.commitment)
    rows = {
        r.organisation.name: r.cells[position].text
        for r in overview.page(db.session, world.icb_specialist, overview.Filters(), None, 50).rows
    }
    assert rows["Riverside"] == "In place: North PCN's plan"
    assert rows["Southfields"] == "Not started"


def _cursor(key) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "key",
    [["North\u0000PCN", 1], ["North PCN", 10**40], ["North PCN", -5], ["North PCN", True]],
    ids=["a NUL in the name", "a 40-digit id", "a negative id", "true for the id"],
)
def test_a_mangled_cursor_starts_the_map_from_the_top(world, sign_in, client, key):
    after = _cursor(key)
    page = sign_in(world.icb_specialist)
    for url in (f"/readiness?after={after}", f"/readiness/gaps/patient_safety_lead?after={after}"):
        answer = page.get(url)
        assert answer.status_code == 200 and "North PCN" in answer.get_data(as_text=True)
    api = client.get(
        f"/api/v1/readiness/map?cursor={after}", headers=bearer(token_for(world.icb_specialist))
    )
    # Refused as no cursor of the API's, or (decoded, but no row's) read from the top.
    assert api.status_code in (200, 400)


@pytest.mark.parametrize("group", ["\u00b2", "9" * 5000, "-1", "North PCN"])
def test_a_group_that_is_no_id_is_no_filter(world, sign_in, group):
    page = sign_in(world.icb_specialist)
    for path in ("/readiness", "/readiness/gaps/patient_safety_lead", "/readiness/map.csv"):
        answer = page.get(path, query_string={"group": group})
        assert answer.status_code == 200 and "Southfields" in answer.get_data(as_text=True)


def test_the_map_pages_by_name(world):
    page = overview.page(db.session, world.icb_specialist, overview.Filters(), None, 3)
    assert [r.organisation.name for r in page.rows] == ["North PCN", "Riverside", "South PCN"]
    rest = overview.page(db.session, world.icb_specialist, overview.Filters(), page.next_cursor, 3)
    assert [r.organisation.name for r in rest.rows] == ["Southfields"]
    assert rest.next_cursor is None and rest.has_previous


def test_the_csv_has_every_organisation_and_a_column_per_commitment(world, sign_in):
    make.named(world.lead, world.practice, "patient_safety_partners", "A One")
    answer = sign_in(world.icb_specialist).get(f"/readiness/map.csv?group={world.pcn.id}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Organisation", "ODS code", "Type", "Named patient safety lead"]
    riverside = next(r for r in rows if r[0] == "Riverside")
    assert "In progress: 1 of 2 named" in riverside
    assert [r[0] for r in rows[1:]] == ["North PCN", "Riverside", "Total in place"]
    # The totals the page shows: the partners' share of the two, the PPG agenda for the practice.
    totals = dict(zip(rows[0], rows[-1]))
    assert totals["Type"] == "2 organisations"
    assert totals["Lay patient safety partners"] == "0 of 2 (0%)"
    assert totals["Patient safety on the PPG agenda"] == "0 of 2 (0%)"


def test_the_csv_reads_the_records_as_rows_not_as_mapped_objects(world):
    make.named(world.lead, world.practice, "patient_safety_partners", "A One")
    loaded = []

    def on_load(record, _context):
        loaded.append(record)

    sa_event.listen(CommitmentRecord, "load", on_load)
    try:
        db.session.expire_all()
        rows = list(overview.all_rows(db.session, world.icb_specialist, overview.Filters()))
    finally:
        sa_event.remove(CommitmentRecord, "load", on_load)

    riverside = next(r for r in rows if r.organisation.name == "Riverside")
    assert "In progress: 1 of 2 named" in [c.text for c in riverside.cells]
    assert loaded == []


def test_a_csv_cell_is_never_read_as_a_formula(world, sign_in):
    make.named(world.lead, world.practice, "patient_safety_lead", "A Lead")
    world.practice.name = "=HYPERLINK(1)"
    db.session.commit()
    body = sign_in(world.icb_specialist).get("/readiness/map.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in body


def test_the_map_page_costs_the_same_statements_for_more_organisations(world, sign_in):
    client = sign_in(world.icb_specialist)
    few = queries_for(client, "/readiness")
    with one_commit():
        for n in range(12):
            PracticeFactory(icb=world.icb, name=f"Practice {n:02}", groups=[world.pcn])
    assert queries_for(client, "/readiness") == few
