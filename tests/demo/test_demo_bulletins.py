"""The issue's "done when" on the demo data: North PCN's quarterly bulletin drafts with its themes
and learning points, and nothing identifiable, whatever day the demo was seeded (its events are
placed relative to that day, so the quarter is read from the same clock)."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from psirf.accounts.models import User
from psirf.bulletins import periods, services
from psirf.bulletins.reports import build_pdf
from psirf.learning.redact import Kind, redact
from psirf.timeutil import utcnow


def test_north_pcns_quarterly_bulletin_drafts_from_the_demo_with_themes_and_learning(demo):
    session, by_code, _ = demo
    panel = session.scalar(select(User).where(User.email == "panel@demo-icb.example.org"))
    today = utcnow().date()
    start, end = periods.default_period(today)
    try:
        bulletin = services.generate(session, panel, by_code["U00001"].id, start, end, today)
        sections = {p.section for p in bulletin.points}
        assert {"themes", "good_care"} <= sections
        assert len(bulletin.points_in("themes")) >= 3 and bulletin.events_total > 100
        text = "\n".join(
            p.extract_text()
            for p in PdfReader(
                io.BytesIO(
                    build_pdf(
                        bulletin,
                        services.period_label(bulletin),
                        services.previous_label(bulletin),
                    )
                )
            ).pages
        )
        assert bulletin.points_in("themes")[0].title.split(" (")[0] in text
        assert bulletin.points_in("good_care")[0].title in text
        assert not [f for f in redact(text).found if f.kind is Kind.NHS_NUMBER]
    finally:
        session.rollback()
