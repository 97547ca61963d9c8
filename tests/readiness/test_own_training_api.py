"""A person records their own syllabus training through the API, as the page lets them: at an
organisation where they work, listed there by their account the first time, counted at once."""

from __future__ import annotations

from sqlalchemy import select

from psirf.extensions import db
from psirf.readiness.models import CommitmentRecord, StaffMember
from tests.support import readiness as make
from tests.support.api import bearer, token_for

URL = "/api/v1/readiness/my-training"


def _mine(body, organisation):
    return next(o for o in body["organisations"] if o["organisation"]["id"] == organisation.id)


def test_a_person_records_their_own_level_and_it_counts(world, client):
    headers = bearer(token_for(world.reporter))
    before = _mine(client.get(URL, headers=headers).get_json(), world.practice)
    assert (before["listed"], before["completions"]) == (False, [])
    answer = client.post(
        URL,
        json={"organisation_id": world.practice.id, "level": 1, "completed_on": "2026-03-02"},
        headers=headers,
    )
    assert answer.status_code == 200
    mine = _mine(answer.get_json(), world.practice)
    assert mine["listed"] is True
    assert mine["completions"] == [{"level": 1, "completed_on": "2026-03-02", "source": "self"}]
    member = db.session.scalar(select(StaffMember).where(StaffMember.user_id == world.reporter.id))
    assert member.organisation_id == world.practice.id
    record = db.session.scalar(
        select(CommitmentRecord).where(
            CommitmentRecord.organisation_id == world.practice.id,
            CommitmentRecord.commitment == "syllabus_level_1",
        )
    )
    assert (record.count, record.total) == (1, 1)


def test_a_second_time_corrects_the_date_of_the_staff_member_the_lead_listed(world, client):
    (member,) = make.staff(world.lead, world.practice, ("Robin Reporter", world.reporter.email))
    headers = bearer(token_for(world.reporter))
    for day in ("2026-03-02", "2026-03-04"):
        body = {"organisation_id": world.practice.id, "level": 2, "completed_on": day}
        assert client.post(URL, json=body, headers=headers).status_code == 200
    db.session.refresh(member)
    assert [(c.level, c.completed_on.isoformat()) for c in member.completions] == [
        (2, "2026-03-04")
    ]


def test_an_organisation_where_they_do_not_work_is_refused(world, client):
    answer = client.post(
        URL,
        json={"organisation_id": world.other_practice.id, "level": 1, "completed_on": "2026-03-02"},
        headers=bearer(token_for(world.reporter)),
    )
    assert answer.status_code == 422
    assert db.session.scalar(select(StaffMember.id)) is None
