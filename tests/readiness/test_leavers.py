"""A member of staff who leaves: marked as left with the date, kept on the record with their
training but no longer counted, so the syllabus share can reach 100% again (the map's counts
follow); audited; listed again when they come back; through the pages and the API."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.problems import InputError
from psirf.readiness import overview, training
from psirf.readiness.models import CommitmentRecord, StaffMember
from psirf.timeutil import utcnow
from tests.support import readiness as make
from tests.support.api import bearer, token_for
from tests.support.improvement import date_fields

LEFT_ON = date(2026, 2, 27)


def _level_1(organisation):
    return db.session.scalar(
        select(CommitmentRecord).where(
            CommitmentRecord.organisation_id == organisation.id,
            CommitmentRecord.commitment == "syllabus_level_1",
        )
    )


def _two_staff_one_trained(world):
    return make.staff(
        world.lead,
        world.practice,
        ("Ann Able", "ann@example.org"),
        ("Bob Baker", "bob@example.org"),
        level_1=1,
    )


def _leave(user, member, left_on=LEFT_ON):
    with unit_of_work(db.session):
        training.mark_left(db.session, user, member, left_on)


def _met(user, key="syllabus_level_1") -> int:
    _, totals = overview.totals(db.session, user, overview.Filters())
    return next(t for t in totals if t.commitment.key == key).met


def test_a_leaver_is_no_longer_counted_so_the_share_reaches_100_percent(world):
    ann, bob = _two_staff_one_trained(world)
    assert (_level_1(world.practice).count, _level_1(world.practice).total) == (1, 2)
    met_before = _met(world.icb_specialist)
    _leave(world.lead, bob)
    record = _level_1(world.practice)
    assert (record.count, record.total, record.status) == (1, 1, "met")
    assert _met(world.icb_specialist) == met_before + 1


def test_a_trained_leaver_no_longer_counts_as_trained(world):
    ann, bob = _two_staff_one_trained(world)
    _leave(world.lead, ann)
    record = _level_1(world.practice)
    assert (record.count, record.total, record.status) == (0, 1, "not_started")


def test_the_leaver_stays_on_the_record_with_their_training_and_the_change_is_audited(world):
    ann, _ = _two_staff_one_trained(world)
    _leave(world.lead, ann)
    assert [m.name for m in training.staff(db.session, world.practice)] == ["Bob Baker"]
    (former,) = training.former_staff(db.session, world.practice)
    assert (former.name, former.left_on, [c.level for c in former.completions]) == (
        "Ann Able",
        LEFT_ON,
        [1],
    )
    trail = db.session.scalars(
        select(AuditRecord).where(
            AuditRecord.subject_type == "readiness_staff", AuditRecord.subject_id == ann.id
        )
    ).all()
    assert [(t.action, t.actor_id, t.changes) for t in trail] == [
        (
            "readiness:staff_left",
            world.lead.id,
            {"left_on": {"before": None, "after": "2026-02-27"}},
        )
    ]


def test_marking_someone_as_left_twice_is_refused(world):
    _, bob = _two_staff_one_trained(world)
    _leave(world.lead, bob)
    with pytest.raises(InputError) as refused:
        _leave(world.lead, bob, date(2026, 3, 1))
    assert refused.value.field == "member_id"
    db.session.refresh(bob)
    assert bob.left_on == LEFT_ON


@pytest.mark.parametrize("left_on", [None, "tomorrow"])
def test_the_date_they_left_is_needed_and_not_in_the_future(world, left_on):
    _, bob = _two_staff_one_trained(world)
    if left_on == "tomorrow":
        left_on = utcnow().date() + timedelta(days=1)
    with pytest.raises(InputError) as refused:
        _leave(world.lead, bob, left_on)
    assert refused.value.field == "left_on"


@pytest.mark.parametrize("who", ["panel", "icb_specialist", "other_lead", "reporter"])
def test_only_the_organisations_own_leads_mark_someone_as_left(world, who):
    _, bob = _two_staff_one_trained(world)
    with pytest.raises(policy.NotPermitted):
        _leave(getattr(world, who), bob)
    db.session.refresh(bob)
    assert bob.left_on is None


def test_a_leavers_training_is_not_recorded_and_they_do_not_record_their_own(world):
    (member,) = make.staff(world.lead, world.practice, ("Robin Reporter", world.reporter.email))
    _leave(world.lead, member)
    with pytest.raises(InputError) as by_lead:
        with unit_of_work(db.session):
            training.record_completion(db.session, world.lead, member, 1, date(2026, 3, 2))
    with pytest.raises(InputError) as by_self:
        with unit_of_work(db.session):
            training.record_own_completion(
                db.session, world.reporter, world.practice, 1, date(2026, 3, 2)
            )
    assert (by_lead.value.field, by_self.value.field) == ("member_id", "organisation_id")
    assert member.completions == []


def test_someone_who_comes_back_is_listed_again_and_counted(world):
    ann, bob = _two_staff_one_trained(world)
    _leave(world.lead, ann)
    with unit_of_work(db.session):
        back = training.add_staff(
            db.session, world.lead, world.practice, "Ann Able", "ann@example.org"
        )
    assert (back.id, back.left_on) == (ann.id, None)
    assert (_level_1(world.practice).count, _level_1(world.practice).total) == (1, 2)
    actions = db.session.scalars(
        select(AuditRecord.action).where(
            AuditRecord.subject_type == "readiness_staff", AuditRecord.subject_id == ann.id
        )
    ).all()
    assert sorted(actions) == ["readiness:staff_left", "readiness:staff_returned"]


def test_an_import_does_not_record_training_for_a_leaver(world, sign_in):
    ann, _ = _two_staff_one_trained(world)
    _leave(world.lead, ann)
    client = sign_in(world.lead)
    answer = client.post(
        f"/readiness/organisations/{world.practice.id}/training-import",
        data={
            "file": (
                io.BytesIO(
                    b"name,email,level,completed_on\nAnn Able,ann@example.org,2,2026-01-09\n"
                ),
                "training.csv",
            )
        },
        content_type="multipart/form-data",
    )
    assert "Not recorded: Ann Able has left" in answer.get_data(as_text=True)
    assert [c.level for c in db.session.get(StaffMember, ann.id).completions] == [1]


# ---- the staff page ----------------------------------------------------------------------------


def _staff_url(world, suffix=""):
    return f"/readiness/organisations/{world.practice.id}/staff{suffix}"


def _post_leaver(client, world, member, left_on: date):
    return client.post(
        _staff_url(world, "/left"),
        data={"leaver_id": str(member.id), **date_fields("left_on", left_on)},
    )


def test_a_lead_marks_someone_as_left_on_the_staff_page(world, sign_in):
    _, bob = _two_staff_one_trained(world)
    client = sign_in(world.lead)
    answer = _post_leaver(client, world, bob, date(2026, 2, 27))
    assert answer.status_code == 302
    page = client.get(_staff_url(world)).get_data(as_text=True)
    assert "Staff who have left" in page
    assert "27 February 2026" in page
    assert _level_1(world.practice).status == "met"


def test_a_refused_leaving_form_keeps_the_choice_and_shows_the_error_summary(world, sign_in):
    _, bob = _two_staff_one_trained(world)
    client = sign_in(world.lead)
    answer = client.post(_staff_url(world, "/left"), data={"leaver_id": str(bob.id)})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "nhsuk-error-summary" in page
    assert "Enter the date they left" in page
    assert f'value="{bob.id}" selected' in page


def test_someone_of_another_organisation_cannot_be_chosen(world, sign_in):
    (other,) = make.staff(world.other_lead, world.other_practice, ("Zed Zee", "zed@example.org"))
    client = sign_in(world.lead)
    answer = _post_leaver(client, world, other, date(2026, 2, 1))
    assert answer.status_code == 400
    db.session.refresh(other)
    assert other.left_on is None


# ---- the API -----------------------------------------------------------------------------------


def test_the_api_lists_staff_and_marks_someone_as_left(world, client):
    _, bob = _two_staff_one_trained(world)
    headers = bearer(token_for(world.lead))
    base = f"/api/v1/readiness/organisations/{world.practice.id}/staff"
    answer = client.post(f"{base}/{bob.id}/left", json={"left_on": "2026-02-27"}, headers=headers)
    assert answer.status_code == 200
    assert (answer.get_json()["name"], answer.get_json()["left_on"]) == ("Bob Baker", "2026-02-27")
    listed = client.get(base, headers=headers).get_json()["items"]
    assert {(m["name"], m["left_on"]) for m in listed} == {
        ("Ann Able", None),
        ("Bob Baker", "2026-02-27"),
    }
    current = client.get(f"{base}?current=true", headers=headers).get_json()["items"]
    assert [(m["name"], [c["level"] for c in m["completions"]]) for m in current] == [
        ("Ann Able", [1])
    ]
    again = client.post(f"{base}/{bob.id}/left", json={"left_on": "2026-03-01"}, headers=headers)
    assert again.status_code == 422


def test_the_api_finds_no_member_of_another_organisation(world, client):
    (other,) = make.staff(world.other_lead, world.other_practice, ("Zed Zee", "zed@example.org"))
    answer = client.post(
        f"/api/v1/readiness/organisations/{world.practice.id}/staff/{other.id}/left",
        json={"left_on": "2026-02-27"},
        headers=bearer(token_for(world.lead)),
    )
    assert answer.status_code == 404


def test_marking_a_leaver_again_from_an_old_page_is_refused_on_the_form(world, sign_in):
    _, bob = _two_staff_one_trained(world)
    _leave(world.lead, bob)
    client = sign_in(world.lead)
    answer = _post_leaver(client, world, bob, date(2026, 3, 1))
    assert answer.status_code == 400
    assert "Bob Baker is already listed as having left" in answer.get_data(as_text=True)
    db.session.refresh(bob)
    assert bob.left_on == LEFT_ON
