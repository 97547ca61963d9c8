"""Issue 18's figures: the readiness map (the ICB's and a PCN's, its gaps and CSV), an alert's
progress across the ICB and the overdue views, a pharmacy's near-miss summaries, and drafting a
learning bulletin for a PCN and for the ICB with its PDF.

The pages go through gunicorn beside a bare query doing the same aggregation in the baseline app
(bench/baseline.py, RAW); drafting runs in-process, timed and its statements counted, each draft
rolled back. Timings are reported, never asserted.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from bench import baseline
from bench.figures import Run, add_latency, ms, signed_in, statements
from bench.client import Client
from bench.load import percentile, serving, timings
from psirf.extensions import db

PAGE_TARGET_MS = 100  # a dashboard-like page, as the ICB dashboard
DRAFT_TARGET_S = 1.0  # drafted and drawn as a PDF, as a plan is
SAME, FIXED = "the same for a PCN and the ICB", "fixed, whatever the data"


def _last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def subjects(run: Run) -> dict:
    """Who and what the pages are about: the first PCN, the alert with overdue answers, the
    pharmacy with the most overdue answers (its lead's overdue view), and a pharmacy's reporter."""
    from psirf.alerts.models import AlertConfirmation
    from psirf.alerts.services import overdue_clause

    seeded = run.seeded
    pharmacies = [s for s in seeded.service_ids if seeded.kinds[s] == "pharmacy"]
    late = db.session.execute(
        select(AlertConfirmation.organisation_id, func.count())
        .where(overdue_clause(run.today), AlertConfirmation.organisation_id.in_(pharmacies))
        .group_by(AlertConfirmation.organisation_id)
        .order_by(func.count().desc(), AlertConfirmation.organisation_id)
        .limit(1)
    ).first()
    return {
        "pcn": seeded.pcn_ids[0],
        "alert": seeded.alert_ids[1],
        "late_pharmacy": late[0] if late else pharmacies[0],
        "pharmacy": pharmacies[0],
    }


def pages(run: Run, app: Flask) -> None:
    o, seeded, today = run.options, run.seeded, run.today
    with app.app_context():
        s = subjects(run)
        db.session.remove()
    month = _last_month(today)
    first = (month.replace(day=1) - timedelta(days=334)).replace(day=1)
    after = (month + timedelta(days=32)).replace(day=1)
    icb, pcn = f"icb={seeded.icb_id}", f"group={s['pcn']}"
    pages = [
        # (figure, who, path, the baseline's query and its parameters)
        ("ICB readiness map /readiness", seeded.quality, "/readiness", "readiness", icb),
        ("PCN readiness map /readiness", seeded.panel[s["pcn"]], "/readiness",
         "readiness_group", pcn),
        ("ICB readiness gaps: patient safety partners", seeded.quality,
         "/readiness/gaps/patient_safety_partners", "readiness_gaps", icb),
        ("ICB readiness CSV", seeded.quality, "/readiness/map.csv", "readiness_csv", icb),
        ("alert progress across the ICB", seeded.quality, f"/alerts/{s['alert']}", "alert",
         f"alert={s['alert']}&today={today}"),
        ("alert progress, overdue only", seeded.quality, f"/alerts/{s['alert']}?show=overdue",
         "alert_overdue", f"alert={s['alert']}&today={today}"),
        ("alert progress CSV", seeded.quality, f"/alerts/{s['alert']}/progress.csv",
         "alert_csv", f"alert={s['alert']}"),
        ("ICB's overdue alert actions", seeded.quality, "/alerts/overdue", "overdue_icb",
         f"{icb}&today={today}"),
        ("PCN's overdue alert actions", seeded.panel[s["pcn"]], "/alerts/overdue",
         "overdue_group", f"{pcn}&today={today}"),
        ("a pharmacy's overdue alert actions", seeded.leads[s["late_pharmacy"]],
         "/alerts/overdue", "overdue_org", f"org={s['late_pharmacy']}&today={today}"),
        ("near-miss summary by month and medicine",
         dict(seeded.reporters[s["pharmacy"]][0]), f"/near-misses/summary?month={month:%Y-%m}",
         "nearmiss", f"org={s['pharmacy']}&first={first}&month={month}&after={after}"),
    ]  # fmt: skip
    with serving("baseline", run.url, run.folder, 1) as bare:
        base = Client(bare.port)
        raws = {
            name: timings(base, [f"/raw/{name}?{q}"], o.samples, o.slow_budget)
            for _, _, _, name, q in pages
        }
    with serving("app", run.url, run.folder, 1) as server:
        clients: dict[int, Client] = {}
        for figure, person, path, name, _ in pages:
            if person["id"] not in clients:
                clients[person["id"]] = signed_in(server.port, person)
            found = timings(clients[person["id"]], [path], o.samples, o.slow_budget)
            add_latency(run, figure, 1, found, raws[name], PAGE_TARGET_MS)
    for figure, person, path, target in (
        ("ICB readiness map statements", seeded.quality, "/readiness", SAME),
        ("PCN readiness map statements", seeded.panel[s["pcn"]], "/readiness", SAME),
        ("alert progress statements", seeded.quality, f"/alerts/{s['alert']}", FIXED),
    ):
        n, status = statements(app, person, "GET", path)
        run.add(figure, 1, n, "statements", target=target, note=f"status {status}")


# ---- drafting a bulletin, in-process ------------------------------------------------------------


def drafting(run: Run, app: Flask, repeats: int = 3) -> None:
    """A PCN's and the ICB's bulletin for the last whole quarter: drafted through the service and
    drawn as a PDF, the median of `repeats` after one warm-up, each rolled back; and how many
    statements a draft reads with (fixed, whatever the area's size: nothing read a row at a time;
    its points' INSERTs are one statement each on SQLite, one for them all on PostgreSQL)."""
    seeded = run.seeded
    bare = baseline.bare_pdf_seconds()
    for label, area, author in (
        ("PCN", seeded.pcn_ids[0], seeded.panel[seeded.pcn_ids[0]]),
        ("ICB", seeded.icb_id, seeded.quality),
    ):
        drafts, pdfs, (reads, written), size = _drafts(app, run.today, area, author["id"], repeats)
        draft, pdf = percentile(drafts[1:], 50), percentile(pdfs[1:], 50)
        target = f"draft + PDF <{DRAFT_TARGET_S * 1000:g} ms"
        row = run.add(f"bulletin drafting: {label} quarter", 1, ms(draft), "ms", None, target)
        row.met = draft + pdf < DRAFT_TARGET_S
        row.note = f"median of {repeats} after one warm-up ({ms(drafts[0])} ms)"
        row = run.add(f"bulletin PDF: {label} quarter", 1, ms(pdf), "ms", ms(bare), target)
        row.met = draft + pdf < DRAFT_TARGET_S
        row.note = f"{size} bytes; baseline: a bare 10-page reportlab document"
        row = run.add(f"bulletin drafting reads: {label}", 1, reads, "statements", target=FIXED)
        row.note = (
            f"{written} statements in all, with the bulletin's and its points' INSERTs; one read"
            " fewer when the library's entries fill the good care points"
        )


def _drafts(app: Flask, today: date, area: int, author: int, repeats: int):
    from psirf.accounts.models import User
    from psirf.bulletins import periods
    from psirf.bulletins import services as bulletins
    from psirf.bulletins.reports import build_pdf

    start, end = periods.default_period(today)
    drafts, pdfs, counts, size = [], [], [], 0
    with app.test_request_context():
        session = db.session
        engine = db.engine
        for _ in range(repeats + 1):
            user = session.get(User, author)
            count = [0, 0]  # reads, all

            def counted(_conn, _cursor, statement, *_args, count=count):
                count[0] += statement.lstrip().upper().startswith("SELECT")
                count[1] += 1

            sa_event.listen(engine, "before_cursor_execute", counted)
            started = time.perf_counter()
            try:
                bulletin = bulletins.generate(session, user, area, start, end, today)
            finally:
                sa_event.remove(engine, "before_cursor_execute", counted)
            drafts.append(time.perf_counter() - started)
            counts.append(tuple(count))
            started = time.perf_counter()
            size = len(build_pdf(bulletin, bulletins.period_label(bulletin),
                                 bulletins.previous_label(bulletin)))  # fmt: skip
            pdfs.append(time.perf_counter() - started)
            session.rollback()
        session.remove()
    return drafts, pdfs, counts[-1], size
