"""The lists that grow without bound come a page at a time by keyset: walking the pages from the
newest shows every row once, none missed or repeated, rows made in the same instant included."""

from __future__ import annotations

import re
from datetime import datetime

from psirf.accounts.models import Role
from psirf.extensions import db
from psirf.plans.models import PsirfPlan
from tests.support.factories import UserFactory, one_commit
from tests.support.plans import generated_plan

SAME_INSTANT = datetime(2026, 3, 2, 9, 0)


def _walk(client, url: str, noun: str, row: str) -> list[str]:
    """Every row's key on each page in turn, following the "Older ..." link to the end."""
    seen = []
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += re.findall(row, page)
        older = re.search(rf'<a href="([^"]*)">Older {noun}</a>', page)
        url = older.group(1).replace("&amp;", "&") if older else None
    return seen


def test_the_accounts_pages_show_every_person_once(app, sign_in, world):
    with one_commit():
        made = [
            UserFactory(role=(Role.REPORTER, world.practice), created_at=SAME_INSTANT)
            for _ in range(6)
        ]
    app.config["PAGE_SIZE"] = 4
    emails = _walk(
        sign_in(world.admin), "/admin/accounts", "accounts", r"<td[^>]*>([^<@]+@[^<]+)</td>"
    )
    everyone = [p.email for p in world.people().values() if p is not world.outsider_icb_quality]
    assert sorted(emails) == sorted(everyone + [p.email for p in made])


def _copies(plan: PsirfPlan, n: int) -> list[PsirfPlan]:
    """More versions of `plan`'s group's plan, all made in one instant."""
    columns = [c.key for c in PsirfPlan.__table__.columns if c.key not in ("id", "public_token")]
    copies = []
    for i in range(n):
        values = {key: getattr(plan, key) for key in columns}
        copies.append(
            PsirfPlan(**{**values, "number": plan.number + 1 + i, "created_at": SAME_INSTANT})
        )
    db.session.add_all(copies)
    db.session.commit()
    return copies


def test_the_plans_pages_show_every_plan_once(app, sign_in, world):
    plan = generated_plan(world)
    plans = [plan, *_copies(plan, 5)]
    app.config["PAGE_SIZE"] = 4
    shown = _walk(sign_in(world.panel), "/plans", "plans", r'href="/plans/(\d+)"')
    assert sorted(int(i) for i in shown) == sorted(p.id for p in plans)
