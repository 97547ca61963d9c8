"""The panel and ICB dashboards: figures on a small factory world, the pages, refusals and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

from psirf.engagement.models import AffectedPerson, CandourRecord, EngagementStep
from psirf.events.models import EventPatient
from psirf.extensions import db
from psirf.dashboards import icb, services
from psirf.web.spreadsheets import safe_cell, to_csv
from psirf.timeutil import utcnow
from psirf.organisations.models import OrganisationMembership
from tests.support.factories import (
    PcnFactory,
    ResponseFactory,
    SafetyActionFactory,
    SafetyEventFactory,
    one_commit,
)
from tests.support.queries import queries_for


def _build(world):
    today = utcnow().date()
    # The XmR chart leaves out the month in progress: the referral events sit in the month before,
    # whatever day of the month the suite runs on.
    last_month = today.replace(day=1) - timedelta(days=10)
    with one_commit():
        overdue = ResponseFactory(organisation=world.practice, due_on=today - timedelta(days=3))
        SafetyEventFactory(
            organisation=world.practice, theme="diagnosis", learning_response=overdue
        )
        awaiting = ResponseFactory(
            organisation=world.practice,
            ready_for_panel=True,
            state="panel_review",
            due_on=today + timedelta(days=10),
        )
        ResponseFactory(organisation=world.other_practice, state="panel_review")  # South PCN's
        SafetyActionFactory(
            response=awaiting, due_on=today - timedelta(days=1), description="=HYPERLINK(1)"
        )
        SafetyActionFactory(response=awaiting, state="completed", completed_at=utcnow())
        for _ in range(3):
            SafetyEventFactory(organisation=world.practice, theme="medication")
        event = SafetyEventFactory(
            organisation=world.other_practice,
            theme="referral",
            physical_harm="moderate",
            occurred_on=last_month,
        )
        event.patients.append(
            EventPatient(age_band="85+", gender="female", physical_harm="moderate")
        )
        for _ in range(6):
            e = SafetyEventFactory(
                organisation=world.other_practice, theme="referral", occurred_on=last_month
            )
            e.patients.append(EventPatient(age_band="65-74"))
        person = AffectedPerson(response_id=overdue.id, kind="family_member", name="A Relative")
        db.session.add(person)
        db.session.flush()
        db.session.add(
            EngagementStep(
                response_id=overdue.id, person_id=person.id, kind="first_contact", occurred_on=today
            )
        )
        db.session.add(
            CandourRecord(
                response_id=overdue.id,
                decision="applies",
                decided_on=today - timedelta(days=30),
                notified_on=today - timedelta(days=28),
            )
        )
    return today, overdue, awaiting


def _noon(day: date) -> datetime:
    """The dashboards' clock, a moment in `day`."""
    return datetime.combine(day, time(12))


def test_the_group_dashboard_figures(app, world):
    today, overdue, awaiting = _build(world)
    d = services.group_dashboard(db.session, world.pcn, _noon(today))
    assert [r.id for r in d.awaiting.items] == [awaiting.id]
    assert [r.id for r in d.overdue_responses.items] == [overdue.id]
    assert [a.description for a in d.overdue_actions.items] == ["=HYPERLINK(1)"]
    assert {(t.theme, t.count) for t in d.themes} == {("medication", 3), ("diagnosis", 1)}
    assert [(t.theme, t.count) for t in d.overdue_themes] == [("diagnosis", 1)]


def test_the_icb_dashboard_figures(app, world):
    today, overdue, _ = _build(world)
    d = icb.icb_dashboard(
        db.session, world.icb, _noon(today), theme="medication", group=None, candour_days=10
    )
    aar = next(r for r in d.methods if r.method == "after_action_review")
    assert (aar.open, aar.overdue) == (3, 1)
    rows = {g.name: (counts, other, total) for g, counts, other, total in d.themes.rows}
    assert rows["South PCN"][2] == 7 and rows["North PCN"][2] == 4
    totals = d.actions_total
    assert (totals.total, totals.completed, totals.overdue) == (3, 1, 1)  # the trait adds one
    assert (
        d.involvement_total.responses,
        d.involvement_total.with_family,
        d.involvement_total.offered,
    ) == (3, 1, 1)
    notified, written = d.candour
    assert (notified.on_time, notified.late) == (1, 0)
    assert (written.on_time, written.late) == (0, 1)
    age = next(b for b in d.equality if b.key == "age_band")
    by_band = {r.value: r for r in age.rows}
    assert by_band["65-74"].patients_text == "6" and by_band["65-74"].serious_share_text == "0%"
    assert by_band["85+"].patients_text == "<5" and by_band["85+"].serious_text == "Suppressed"
    gender = next(b for b in d.equality if b.key == "gender")
    assert gender.not_recorded.patients == 6


def test_the_icb_figures_count_each_response_and_action_once(app, world):
    """A service in a PCN and a federation counts in both groups and once in the ICB's total;
    cancelled actions are left out. A response with two family members, each with steps, counts
    once; one whose family member could only not be reached has family but no offer; a staff
    member's steps are no offer."""
    today = utcnow().date()
    now = _noon(today)
    with one_commit():
        federation = PcnFactory(icb=world.icb, name="West Federation", kind="federation")
        db.session.add(OrganisationMembership(member_id=world.practice.id, group_id=federation.id))
        twice = ResponseFactory(organisation=world.practice)
        unreached = ResponseFactory(organisation=world.practice)
        staff_only = ResponseFactory(organisation=world.other_practice)
        ResponseFactory(organisation=world.other_practice)  # nobody recorded
        SafetyActionFactory(response=twice, due_on=today - timedelta(days=2))  # overdue
        SafetyActionFactory(response=twice, state="completed", completed_at=utcnow())
        SafetyActionFactory(response=twice, state="cancelled", closed_at=utcnow())
        SafetyActionFactory(response=staff_only)
        db.session.flush()
        for response, kind, steps in (
            (twice, "patient", ["first_contact", "being_open"]),
            (twice, "carer", ["declined"]),
            (unreached, "family_member", ["not_reached"]),
            (staff_only, "staff", ["first_contact"]),
        ):
            person = AffectedPerson(response_id=response.id, kind=kind, name="Someone")
            db.session.add(person)
            db.session.flush()
            for step in steps:
                db.session.add(
                    EngagementStep(
                        response_id=response.id, person_id=person.id, kind=step, occurred_on=today
                    )
                )
    d = icb.icb_dashboard(
        db.session, world.icb, now, theme="medication", group=None, candour_days=10
    )
    by_name = {r.name: (r.total, r.completed, r.overdue) for r in d.actions}
    assert by_name == {
        "North PCN": (2, 1, 1),
        "South PCN": (1, 0, 0),
        "West Federation": (2, 1, 1),
    }
    assert (d.actions_total.total, d.actions_total.completed, d.actions_total.overdue) == (3, 1, 1)
    total = d.involvement_total
    assert (total.responses, total.with_family, total.offered) == (4, 2, 1)


def test_pages_for_the_allowed_roles(app, world, sign_in):
    _build(world)
    page = sign_in(world.panel).get(f"/dashboards/groups/{world.pcn.id}")
    assert page.status_code == 200
    assert "North PCN: panel dashboard" in page.get_data(as_text=True)
    icb_page = sign_in(world.icb_quality).get("/dashboards/icb?theme=referral")
    body = icb_page.get_data(as_text=True)
    assert icb_page.status_code == 200
    assert 'role="img"' in body and "<desc" in body and "The chart&#39;s figures" in body
    assert sign_in(world.icb_quality).get(f"/dashboards/groups/{world.pcn.id}").status_code == 200
    assert (
        sign_in(world.icb_specialist)
        .get(f"/dashboards/icb?theme=medication&group={world.pcn.id}")
        .status_code
        == 200
    )


def test_refusals(app, world, sign_in):
    assert (
        sign_in(world.outsider_icb_quality).get(f"/dashboards/groups/{world.pcn.id}").status_code
        == 404
    )
    assert sign_in(world.other_panel).get(f"/dashboards/groups/{world.pcn.id}").status_code == 404
    assert sign_in(world.admin).get(f"/dashboards/groups/{world.pcn.id}").status_code == 403
    assert sign_in(world.lead).get("/dashboards/icb").status_code == 403
    assert sign_in(world.lead).get("/dashboards").status_code == 403
    assert (
        sign_in(world.icb_quality).get(f"/dashboards/icb?group={world.practice.id}").status_code
        == 404
    )


def test_the_index_sends_each_role_to_its_dashboard(app, world, sign_in):
    assert (
        sign_in(world.panel)
        .get("/dashboards")
        .headers["Location"]
        .endswith(f"/dashboards/groups/{world.pcn.id}")
    )
    assert (
        sign_in(world.icb_quality)
        .get("/dashboards")
        .headers["Location"]
        .endswith("/dashboards/icb")
    )


def test_csv_downloads(app, world, sign_in):
    _build(world)
    client = sign_in(world.panel)
    download = client.get(f"/dashboards/groups/{world.pcn.id}.csv?table=overdue_actions")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][2] == "Safety action" and rows[1][2] == "'=HYPERLINK(1)"
    quality = sign_in(world.icb_quality)
    for table in ("methods", "themes", "actions", "involvement", "candour", "spc", "equality"):
        assert quality.get(f"/dashboards/icb.csv?table={table}").status_code == 200, table
    assert quality.get("/dashboards/icb.csv?table=nope").status_code == 404


def test_formula_injection_is_defused():
    assert [safe_cell(v) for v in ("=1+1", "+4", "-2", "@SUM(A1)", "ok", 5, -3, None)] == [
        "'=1+1",
        "'+4",
        "'-2",
        "'@SUM(A1)",
        "ok",
        5,
        -3,
        "",
    ]
    assert to_csv(["a"], [["é"]]).startswith("\ufeffa\r\n")


def test_the_icb_page_query_count_is_bounded(app, world, sign_in):
    _build(world)
    client = sign_in(world.icb_quality)
    few = queries_for(client, "/dashboards/icb")
    with one_commit():
        for practice_pcn in (world.pcn, world.other_pcn):
            for _ in range(3):
                r = ResponseFactory(
                    organisation=world.practice
                    if practice_pcn is world.pcn
                    else world.other_practice,
                    due_on=date.today() - timedelta(days=5),
                )
                SafetyActionFactory(response=r)
                SafetyEventFactory(organisation=r.organisation, theme="access", learning_response=r)
    assert queries_for(client, "/dashboards/icb") == few
    # The session, the groups, one statement for each of the eight sections (the safety actions'
    # by group and in total together), the unread count.
    assert few <= 11, few


def test_the_group_page_query_count_is_bounded(app, world, sign_in):
    """Each list is one statement (its rows and its total), over the group's organisations read
    once: more responses, actions and events add no statement."""
    _build(world)
    client = sign_in(world.panel)
    url = f"/dashboards/groups/{world.pcn.id}"
    few = queries_for(client, url)
    with one_commit():
        for _ in range(3):
            r = ResponseFactory(
                organisation=world.practice,
                state="panel_review",
                ready_for_panel=True,
                due_on=date.today() - timedelta(days=5),
            )
            SafetyActionFactory(response=r, due_on=date.today() - timedelta(days=2))
            SafetyEventFactory(organisation=world.practice, theme="access", learning_response=r)
    assert queries_for(client, url) == few
    # The session, the group's organisations, three lists, two theme tables, the unread count.
    assert few <= 8, few


def test_the_group_lists_count_past_their_limit(app, world, monkeypatch):
    """A list shows its first rows and says how many there are in all (a window count)."""
    today, _, _ = _build(world)
    with one_commit():
        for _ in range(3):
            ResponseFactory(organisation=world.practice, due_on=today - timedelta(days=4))
    monkeypatch.setattr(services, "LIST_LIMIT", 2)
    d = services.group_dashboard(db.session, world.pcn, _noon(today))
    assert (len(d.overdue_responses.items), d.overdue_responses.total) == (2, 4)
    assert d.overdue_responses.truncated
    assert (len(d.awaiting.items), d.awaiting.total) == (1, 1)


def test_the_icb_counts_a_huddle_overdue_from_its_hour(app, session, world):
    from tests.support.responses import response_row

    called = datetime(2026, 6, 1, 14, 0)
    due = called + timedelta(hours=48)
    response_row(session, world.practice, due.date(), due_at=due, method="swarm_huddle")
    session.commit()

    def huddles(now):
        rows = icb.responses_by_method(session, world.icb.id, now)
        return next(r for r in rows if r.method == "swarm_huddle")

    before = huddles(due - timedelta(minutes=1))
    assert (before.open, before.overdue, before.target) == (1, 0, "48 hours")
    assert huddles(due).overdue == 1
