"""A draft alert's details changed and a draft deleted, before it is issued: audited, from the
version read, by those who manage it; once issued its details are fixed and it is never deleted.
Through the services, the pages and the API."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from psirf import policy
from psirf.alerts import services
from psirf.alerts.models import Alert, AlertAction
from psirf.audit import AuditRecord
from psirf.db import ChangedBySomeoneElse, unit_of_work
from psirf.extensions import db
from psirf.problems import InputError
from tests.support.alerts import LINK, record
from tests.support.api import bearer, token_for
from tests.support.improvement import date_fields
from tests.support.pages import shows_one_error_summary

DEADLINE = date(2026, 3, 16)


def _draft(world, reference="NatPSA/2026/001"):
    return record(
        world.icb_specialist,
        world.icb,
        actions=(("Check stock", DEADLINE),),
        reference=reference,
        issue=False,
    )


def _edit(user, alert, version=None, **changes):
    values = {
        "reference": alert.reference,
        "title": alert.title,
        "issued_on": alert.issued_on,
        "link": alert.link,
        "service_kinds": alert.kinds,
        **changes,
    }
    with unit_of_work(db.session):
        services.edit(
            db.session,
            user,
            alert,
            *values.values(),
            alert.version_id if version is None else version,
        )


def _delete(user, alert, version=None):
    with unit_of_work(db.session):
        services.delete_draft(
            db.session, user, alert, alert.version_id if version is None else version
        )


def _trail(alert_id):
    return db.session.scalars(
        select(AuditRecord).where(
            AuditRecord.subject_type == "alerts", AuditRecord.subject_id == alert_id
        )
    ).all()


# ---- the services --------------------------------------------------------------------------------


def test_a_drafts_details_change_and_only_what_changed_is_audited(world):
    alert = _draft(world)
    _edit(
        world.icb_specialist, alert, title="Look-alike pens", service_kinds=["pharmacy", "practice"]
    )
    db.session.refresh(alert)
    assert (alert.title, alert.kinds, alert.version_id) == (
        "Look-alike pens",
        ["practice", "pharmacy"],
        2,
    )
    last = _trail(alert.id)[-1]
    assert (last.action, last.actor_id) == ("alert:edit", world.icb_specialist.id)
    assert last.changes == {
        "title": {"before": "Risk of harm from a look-alike medicine", "after": "Look-alike pens"},
        "service_kinds": {"before": "pharmacy", "after": "practice,pharmacy"},
    }


def test_the_details_are_checked_as_when_recorded(world):
    _draft(world, "NatPSA/TAKEN")
    alert = _draft(world)
    for changes, field in (
        ({"reference": "NatPSA/TAKEN"}, "reference"),
        ({"link": "http://example.org/alert"}, "link"),
        ({"service_kinds": []}, "service_kinds"),
        ({"issued_on": date(2026, 3, 20)}, "issued_on"),  # after the action's deadline
    ):
        with pytest.raises(InputError) as refused:
            _edit(world.icb_specialist, alert, **changes)
        assert refused.value.field == field
    db.session.refresh(alert)
    assert (alert.reference, alert.version_id) == ("NatPSA/2026/001", 1)


def test_an_edit_from_an_older_version_is_refused(world):
    alert = _draft(world)
    _edit(world.icb_specialist, alert, title="First")
    with pytest.raises(ChangedBySomeoneElse):
        _edit(world.icb_specialist, alert, version=1, title="Second")
    db.session.refresh(alert)
    assert alert.title == "First"


def test_a_draft_is_deleted_with_its_actions_and_the_audit_keeps_what_it_was(world):
    alert = _draft(world)
    alert_id = alert.id
    _delete(world.icb_specialist, alert)
    assert db.session.get(Alert, alert_id) is None
    assert db.session.scalar(select(func.count(AlertAction.id))) == 0
    last = _trail(alert_id)[-1]
    assert (last.action, last.actor_id) == ("alert:delete", world.icb_specialist.id)
    assert last.changes["reference"] == {"before": "NatPSA/2026/001", "after": None}
    assert last.changes["actions"] == {"before": 1, "after": None}


def test_a_delete_from_an_older_version_is_refused(world):
    alert = _draft(world)
    _edit(world.icb_specialist, alert, title="Changed since")
    with pytest.raises(ChangedBySomeoneElse):
        _delete(world.icb_specialist, alert, version=1)
    assert db.session.get(Alert, alert.id) is not None


def test_an_issued_alert_is_neither_changed_nor_deleted(world):
    alert = record(world.icb_specialist, world.icb, kinds=("practice",))
    with pytest.raises(InputError):
        _edit(world.icb_specialist, alert, title="Changed after issue")
    with pytest.raises(InputError):
        _delete(world.icb_specialist, alert)
    db.session.refresh(alert)
    assert (alert.title, alert.state) == ("Risk of harm from a look-alike medicine", "issued")


@pytest.mark.parametrize("who", ["icb_quality_other", "panel", "lead"])
def test_only_those_who_manage_it_change_or_delete_a_draft(world, who):
    alert = _draft(world)
    user = world.panel if who == "panel" else world.lead if who == "lead" else world.other_panel
    with pytest.raises(policy.NotPermitted):
        _edit(user, alert, title="Not theirs")
    with pytest.raises(policy.NotPermitted):
        _delete(user, alert)
    assert db.session.get(Alert, alert.id).title == "Risk of harm from a look-alike medicine"


# ---- the pages -----------------------------------------------------------------------------------


def _form(alert, **changes) -> dict:
    data = {
        "version": str(alert.version_id),
        "reference": alert.reference,
        "title": alert.title,
        "link": alert.link,
        "service_kinds": alert.kinds,
        **date_fields("issued_on", alert.issued_on),
    }
    return data | changes


def test_the_edit_page_shows_the_details_and_saves_a_change(world, sign_in):
    alert = _draft(world)
    client = sign_in(world.icb_specialist)
    shown = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert f"/alerts/{alert.id}/edit" in shown and f"/alerts/{alert.id}/delete" in shown
    page = client.get(f"/alerts/{alert.id}/edit").get_data(as_text=True)
    assert 'value="Risk of harm from a look-alike medicine"' in page
    saved = client.post(f"/alerts/{alert.id}/edit", data=_form(alert, title="Look-alike pens"))
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).title == "Look-alike pens"


def test_a_refused_edit_keeps_what_was_typed_and_shows_the_error_summary(world, sign_in):
    alert = _draft(world)
    client = sign_in(world.icb_specialist)
    refused = client.post(
        f"/alerts/{alert.id}/edit",
        data=_form(alert, title="Typed title", link="http://example.org/x"),
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert shows_one_error_summary(page)
    assert "Enter the link as a web address starting with https://" in page
    assert 'value="Typed title"' in page
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).link == LINK


def test_a_stale_edit_is_told_with_what_was_typed_kept(world, sign_in):
    alert = _draft(world)
    client = sign_in(world.icb_specialist)
    stale = _form(alert, title="From an old tab")
    _edit(world.icb_specialist, alert, title="Changed meanwhile")
    answer = client.post(f"/alerts/{alert.id}/edit", data=stale)
    assert answer.status_code == 409
    assert 'value="From an old tab"' in answer.get_data(as_text=True)


def test_the_delete_page_asks_then_deletes_the_draft(world, sign_in):
    alert = _draft(world)
    client = sign_in(world.icb_specialist)
    asked = client.get(f"/alerts/{alert.id}/delete").get_data(as_text=True)
    assert "Delete the draft" in asked and "It has not been sent to any service" in asked
    deleted = client.post(f"/alerts/{alert.id}/delete", data={"version": str(alert.version_id)})
    assert deleted.status_code == 302 and deleted.location.endswith("/alerts")
    assert db.session.scalar(select(func.count(Alert.id))) == 0


def test_an_issued_alerts_pages_offer_no_change(world, sign_in):
    alert = record(world.icb_specialist, world.icb, kinds=("practice",))
    client = sign_in(world.icb_specialist)
    assert f"/alerts/{alert.id}/edit" not in client.get(f"/alerts/{alert.id}").get_data(
        as_text=True
    )
    assert (
        "<form"
        not in client.get(f"/alerts/{alert.id}/edit").get_data(as_text=True).split("<main", 1)[1]
    )
    refused = client.post(f"/alerts/{alert.id}/delete", data={"version": str(alert.version_id)})
    assert refused.status_code == 400
    assert "can no longer be deleted" in refused.get_data(as_text=True)
    assert db.session.get(Alert, alert.id) is not None


# ---- the API -------------------------------------------------------------------------------------


def test_the_api_changes_some_details_and_keeps_the_rest(world, client):
    alert = _draft(world)
    headers = bearer(token_for(world.icb_specialist))
    answer = client.patch(
        f"/api/v1/alerts/{alert.id}",
        json={"title": "Look-alike pens", "issued_on": "2026-03-01"},
        headers={**headers, "If-Match": '"v1"'},
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["title"], body["issued_on"], body["reference"], body["version"]) == (
        "Look-alike pens",
        "2026-03-01",
        "NatPSA/2026/001",
        2,
    )
    assert answer.headers["ETag"] == '"v2"'
    stale = client.patch(
        f"/api/v1/alerts/{alert.id}", json={"title": "Again", "version": 1}, headers=headers
    )
    assert stale.status_code == 409


def test_the_api_takes_an_issue_date_the_form_would_take_and_no_later(world, client):
    alert = _draft(world)
    headers = {**bearer(token_for(world.icb_specialist)), "If-Match": '"v1"'}
    for issued_on, refusal in (
        ("2199-01-01", "must be today or in the past"),
        ("2200-01-01", "The year must be 2199 or earlier"),
        ("1899-12-31", "The year must be 1900 or later"),
    ):
        answer = client.patch(
            f"/api/v1/alerts/{alert.id}", json={"issued_on": issued_on}, headers=headers
        )
        assert answer.status_code == 422
        assert refusal in answer.get_json()["errors"]["issued_on"][0]
    db.session.refresh(alert)
    assert alert.version_id == 1


def test_the_api_deletes_a_draft_from_its_etag_and_never_an_issued_alert(world, client):
    draft = _draft(world)
    issued = record(world.icb_specialist, world.icb, kinds=("practice",), reference="NatPSA/I")
    headers = bearer(token_for(world.icb_specialist))
    assert client.delete(f"/api/v1/alerts/{draft.id}", headers=headers).status_code == 428
    deleted = client.delete(f"/api/v1/alerts/{draft.id}", headers={**headers, "If-Match": '"v1"'})
    assert deleted.status_code == 204
    assert client.get(f"/api/v1/alerts/{draft.id}", headers=headers).status_code == 404
    refused = client.delete(
        f"/api/v1/alerts/{issued.id}",
        headers={**headers, "If-Match": f'"v{issued.version_id}"'},
    )
    assert refused.status_code == 422
    assert db.session.get(Alert, issued.id) is not None
