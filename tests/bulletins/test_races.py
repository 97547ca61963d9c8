"""Two authors at once on one draft bulletin, each from what their page showed (real threads, each
with its own session and transaction): publishing while the text, a point or the points change,
and the same period drafted twice. One lands; the other is refused as changed by someone else,
and what was published is what its readers read."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from psirf.accounts.models import Role, User
from psirf.audit import AuditRecord
from psirf.bulletins import services
from psirf.bulletins.models import Bulletin, BulletinPoint
from psirf.db import ChangedBySomeoneElse
from psirf.extensions import db
from tests.support.bulletins import END, START, TODAY, make_bulletin
from tests.support.bursts import run_together
from tests.support.factories import UserFactory

NOW = datetime(2026, 11, 16, 10, 0)


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _read(user_id: int, bulletin_id: int):
    def read():
        bulletin = db.session.get(Bulletin, bulletin_id)
        bulletin.points  # the page shows them  # noqa: B018
        return db.session.get(User, user_id), bulletin, bulletin.version_id

    return read


def _publish(seen):
    user, bulletin, version = seen
    services.publish(db.session, user, bulletin, version, NOW)


def _save_text(seen):
    user, bulletin, version = seen
    services.save_text(db.session, user, bulletin, {"introduction": "Edited meanwhile"}, version)


def _edit_point(seen):
    user, bulletin, version = seen
    point = bulletin.points_in("learning")[0]
    services.edit_point(
        db.session, user, bulletin, point.id, {"title": "Edited meanwhile"}, version
    )


def _remove_point(seen):
    user, bulletin, version = seen
    services.remove_point(db.session, user, bulletin, bulletin.points_in("learning")[0].id, version)


EDITS = {"save the text": _save_text, "edit a point": _edit_point, "remove a point": _remove_point}


@pytest.mark.parametrize("in_turn", [True, False], ids=["one after the other", "at once"])
@pytest.mark.parametrize("edit", list(EDITS))
def test_publishing_while_the_draft_is_edited_keeps_one_of_them(app, world, edit, in_turn):
    bulletin = make_bulletin(world.pcn, world.panel)
    colleague = UserFactory(role=(Role.REVIEW_PANEL_MEMBER, world.pcn))
    outcome = run_together(
        app,
        [
            (_read(world.panel.id, bulletin.id), _publish),
            (_read(colleague.id, bulletin.id), EDITS[edit]),
        ],
        in_turn,
    )
    assert sorted(e is None for e in outcome) == [False, True], outcome
    assert all(isinstance(e, ChangedBySomeoneElse) for e in outcome if e is not None), outcome
    published = outcome[0] is None
    db.session.expire_all()
    kept = db.session.get(Bulletin, bulletin.id)
    assert kept.state == ("published" if published else "draft")
    assert kept.version_id == 2
    learning = [p.title for p in kept.points_in("learning")]
    changed = {
        "save the text": kept.introduction == "Edited meanwhile",
        "edit a point": learning == ["Edited meanwhile"],
        "remove a point": learning == [],
    }[edit]
    assert changed is not published
    assert _count(BulletinPoint) == (1 if edit == "remove a point" and not published else 2)
    assert _count(AuditRecord) == 1


def test_the_same_period_drafted_twice_at_once_makes_one_bulletin(app, world):
    colleague = UserFactory(role=(Role.REVIEW_PANEL_MEMBER, world.pcn))

    def read_as(user_id):
        return lambda: db.session.get(User, user_id)

    def draft(user):
        services.generate(db.session, user, world.pcn.id, START, END, TODAY)

    outcome = run_together(app, [(read_as(world.panel.id), draft), (read_as(colleague.id), draft)])
    assert sorted(e is None for e in outcome) == [False, True], outcome
    refused = next(e for e in outcome if e is not None)
    # Whoever comes second is told: someone else drafted it, or (having waited) that it exists.
    assert isinstance(refused, ChangedBySomeoneElse) or "already has a bulletin" in str(refused)
    assert _count(Bulletin) == 1
