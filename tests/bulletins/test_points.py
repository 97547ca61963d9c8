"""A point's own words edited, by the service, the page and the API: redacted as they are saved,
from the version the person read, audited; a theme keeps its text; another bulletin's point is
not found; a published bulletin's points are not changed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from psirf.audit import AuditRecord
from psirf.bulletins import services
from psirf.db import ChangedBySomeoneElse
from psirf.extensions import db
from psirf.policy import NotPermitted, NotVisible
from psirf.problems import InputError
from tests.support.api import bearer, token_for
from tests.support.bulletins import make_bulletin
from tests.support.library import NHS_NUMBER, PATIENT


def learning_point(bulletin):
    return bulletin.points_in("learning")[0]


def test_a_point_is_saved_redacted_versioned_and_audited_without_what_was_typed(world):
    bulletin = make_bulletin(world.pcn, world.panel)
    point, version = learning_point(bulletin), bulletin.version_id
    replaced = services.edit_point(
        db.session,
        world.panel,
        bulletin,
        point.id,
        {"title": "Check the dose twice", "body": f"{PATIENT}, NHS number {NHS_NUMBER}, was safe."},
        version,
    )
    db.session.commit()
    assert replaced == ["Text"]
    assert point.title == "Check the dose twice"
    assert point.body == "[name], NHS number [NHS number], was safe."
    assert bulletin.version_id == version + 1
    record = db.session.scalars(
        select(AuditRecord).where(
            AuditRecord.subject_type == "bulletins",
            AuditRecord.subject_id == bulletin.id,
            AuditRecord.action == "bulletin:edit_point",
        )
    ).one()
    assert record.changes[f"points[{point.id}].title"] == {
        "before": "Check the dose",
        "after": "Check the dose twice",
    }
    assert PATIENT not in str(record.changes) and NHS_NUMBER not in str(record.changes)

    # The tab that read the old version is refused; what it sent is not saved.
    with pytest.raises(ChangedBySomeoneElse):
        services.edit_point(
            db.session, world.panel, bulletin, point.id, {"title": "Old tab"}, version
        )
    db.session.rollback()
    assert learning_point(bulletin).title == "Check the dose twice"


def test_an_unchanged_point_is_no_change_and_an_empty_title_is_refused(world):
    bulletin = make_bulletin(world.pcn, world.panel)
    point, version = learning_point(bulletin), bulletin.version_id
    services.edit_point(
        db.session, world.panel, bulletin, point.id, {"title": point.title, "body": None}, version
    )
    db.session.commit()
    assert bulletin.version_id == version
    with pytest.raises(InputError) as refused:
        services.edit_point(db.session, world.panel, bulletin, point.id, {"title": "  "}, version)
    assert refused.value.field == "title"


def test_only_the_bulletins_own_points_of_a_draft_are_edited_by_its_authors(world):
    bulletin = make_bulletin(world.pcn, world.panel)
    other = make_bulletin(world.other_pcn, world.other_panel)
    with pytest.raises(NotVisible):
        services.edit_point(
            db.session, world.panel, bulletin, other.points[0].id, {"title": "x"}, None
        )
    with pytest.raises(NotVisible):
        services.edit_point(
            db.session, world.lead, bulletin, bulletin.points[0].id, {"title": "x"}, None
        )
    published = make_bulletin(world.pcn, world.panel, state="published", end=bulletin.period_start)
    with pytest.raises(NotPermitted):
        services.edit_point(
            db.session, world.panel, published, published.points[0].id, {"title": "x"}, None
        )


def test_the_page_edits_a_point_and_keeps_what_was_typed_when_refused(world, sign_in):
    bulletin = make_bulletin(world.pcn, world.panel)
    point = learning_point(bulletin)
    panel = sign_in(world.panel)
    url = f"/bulletins/{bulletin.id}/points/{point.id}/edit"
    assert url in panel.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    form = panel.get(url).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', form).group(1)

    empty = panel.post(url, data={"version": version, "title": "", "body": "Kept words"})
    assert empty.status_code == 400
    html = empty.get_data(as_text=True)
    assert "Enter the point&#39;s title" in html and "Kept words" in html

    saved = panel.post(
        url, data={"version": version, "title": "Dose checks", "body": f"Thanks to {PATIENT}."}
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#learning")
    shown = panel.get(saved.headers["Location"]).get_data(as_text=True)
    assert "were replaced in: Text" in shown and "Dose checks" in shown
    assert "Thanks to [name]." in shown and PATIENT not in shown

    stale = panel.post(url, data={"version": version, "title": "Second thoughts", "body": ""})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "changed by someone else" in html and "Second thoughts" in html


def test_a_themes_page_offers_its_title_alone(world, sign_in):
    bulletin = make_bulletin(world.pcn, world.panel)
    theme = bulletin.points_in("themes")[0]
    panel = sign_in(world.panel)
    url = f"/bulletins/{bulletin.id}/points/{theme.id}/edit"
    form = panel.get(url).get_data(as_text=True)
    assert 'name="title"' in form and 'name="body"' not in form
    version = re.search(r'name="version"[^>]*value="(\d+)"', form).group(1)
    assert (
        panel.post(url, data={"version": version, "title": "Medicines", "body": "ignored"})
    ).status_code == 302
    db.session.expire_all()
    theme = db.session.get(type(theme), theme.id)
    assert theme.title == "Medicines" and theme.body == "3 events"


def test_a_title_is_kept_on_one_line_so_the_pdf_lays_out(world, sign_in):
    bulletin = make_bulletin(world.pcn, world.panel)
    theme = bulletin.points_in("themes")[0]
    services.edit_point(
        db.session,
        world.panel,
        bulletin,
        theme.id,
        {"title": "Medicines\n" + "and\r\n" * 45},
        bulletin.version_id,
    )
    db.session.commit()
    assert theme.title == "Medicines" + " and" * 45
    pdf = sign_in(world.panel).get(f"/bulletins/{bulletin.id}/bulletin.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_api_edits_a_point_from_the_version_read(client, world):
    bulletin = make_bulletin(world.pcn, world.panel)
    point = learning_point(bulletin)
    panel = bearer(token_for(world.panel))
    url = f"/api/v1/bulletins/{bulletin.id}"
    read = client.get(url, headers=panel)
    edited = client.post(
        f"{url}/points/{point.id}",
        json={"body": f"NHS number {NHS_NUMBER}."},
        headers={**panel, "If-Match": read.headers["ETag"]},
    )
    assert edited.status_code == 200, edited.json
    mine = next(p for p in edited.json["points"] if p["id"] == point.id)
    assert mine["body"] == "NHS number [NHS number]." and mine["title"] == "Check the dose"
    stale = client.post(
        f"{url}/points/{point.id}",
        json={"title": "Late"},
        headers={**panel, "If-Match": read.headers["ETag"]},
    )
    assert stale.status_code == 409
    lead = bearer(token_for(world.lead))
    refused = client.post(
        f"{url}/points/{point.id}", json={"title": "x", "version": 2}, headers=lead
    )
    assert refused.status_code == 404
