"""The bare baselines each figure is set beside: a Flask + SQLAlchemy app with no app code (served
by gunicorn like the app: `bench.baseline:app`), a bare `transitions` trigger with one UPDATE and
its audit INSERT, and a bare 10-page reportlab document. Same database, same run.
"""

from __future__ import annotations

import io
import os
import time

from flask import Flask, request
from sqlalchemy import create_engine, text


def _strategy_raw() -> dict[str, list[str]]:
    in_group = "(SELECT member_id FROM organisation_memberships WHERE group_id = :group)"
    on_map = "kind IN ('practice', 'pharmacy', 'dental', 'optometry', 'pcn', 'federation')"
    in_icb = f"SELECT id FROM organisations WHERE icb_id = :icb AND {on_map}"
    of_group = f"SELECT id FROM organisations WHERE (id = :group OR id IN {in_group}) AND {on_map}"

    def readiness(orgs: str) -> list[str]:
        return [
            f"SELECT kind, count(*) FROM organisations WHERE id IN ({orgs}) GROUP BY kind",
            "SELECT commitment, count(*) FROM readiness_records WHERE status = 'met'"
            f" AND organisation_id IN ({orgs}) GROUP BY commitment",
            "SELECT o.id, o.name, r.commitment, r.status, r.count, r.total FROM organisations o"
            " JOIN readiness_records r ON r.organisation_id = o.id WHERE o.id IN"
            f" (SELECT id FROM organisations WHERE id IN ({orgs}) ORDER BY name, id LIMIT 26)",
        ]

    unfinished = "c.status NOT IN ('done', 'not_applicable') AND c.deadline < :today"

    def overdue(where: str) -> list[str]:
        return [
            "SELECT c.id, c.deadline, c.status, a.reference, o.name FROM alert_confirmations c"
            " JOIN alerts a ON a.id = c.alert_id JOIN organisations o ON o.id = c.organisation_id"
            f" WHERE {unfinished} AND {where} ORDER BY c.deadline, c.id LIMIT 26"
        ]

    page = (
        "SELECT o.id, o.name, c.action_id, c.status, c.deadline FROM alert_confirmations c"
        " JOIN organisations o ON o.id = c.organisation_id WHERE c.alert_id = :alert"
        " AND c.organisation_id IN (SELECT r.organisation_id FROM alert_recipients r JOIN"
        " organisations o ON o.id = r.organisation_id WHERE r.alert_id = :alert {only}"
        " ORDER BY o.name, o.id LIMIT 26)"
    )
    late = f"AND r.organisation_id IN (SELECT c.organisation_id FROM alert_confirmations c WHERE c.alert_id = :alert AND {unfinished})"
    tallies = (
        "SELECT action_id, status, deadline < :today, count(*) FROM alert_confirmations"
        " WHERE alert_id = :alert GROUP BY 1, 2, 3"
    )
    return {
        "readiness": readiness(in_icb),
        "readiness_group": readiness(of_group),
        "readiness_gaps": [
            f"SELECT id, name FROM organisations WHERE id IN ({in_icb}) AND NOT EXISTS (SELECT 1"
            " FROM readiness_records r WHERE r.organisation_id = organisations.id AND"
            " r.commitment = 'patient_safety_partners' AND r.status = 'met')"
            " ORDER BY name, id LIMIT 26"
        ],
        "readiness_csv": [
            "SELECT o.name, o.ods_code, o.kind, r.commitment, r.status, r.count, r.total"
            " FROM organisations o LEFT JOIN readiness_records r ON r.organisation_id = o.id"
            f" WHERE o.id IN ({in_icb}) ORDER BY o.name, o.id"
        ],
        "alert": [tallies, page.replace("{only}", "")],
        "alert_overdue": [tallies, page.replace("{only}", late)],
        "alert_csv": [
            "SELECT o.name, o.ods_code, a.description, c.deadline, c.status, c.done_on,"
            " c.expected_on, c.reason, c.note, u.name, c.confirmed_at FROM alert_confirmations c"
            " JOIN organisations o ON o.id = c.organisation_id JOIN alert_actions a"
            " ON a.id = c.action_id LEFT JOIN users u ON u.id = c.confirmed_by_id"
            " WHERE c.alert_id = :alert ORDER BY o.name, o.id, a.deadline, a.id"
        ],
        "overdue_icb": overdue(f"c.organisation_id IN ({in_icb})"),
        "overdue_group": overdue(f"c.organisation_id IN {in_group}"),
        "overdue_org": overdue("c.organisation_id = :org"),
        "nearmiss": [
            "SELECT {month}, count(*) FROM near_misses WHERE organisation_id = :org"
            " AND occurred_on >= :first AND occurred_on < :after GROUP BY 1",
            "SELECT medicine_key, count(*) FROM near_misses WHERE organisation_id = :org"
            " AND occurred_on >= :month AND occurred_on < :after GROUP BY medicine_key"
            " ORDER BY 2 DESC LIMIT 20",
            "SELECT error_type, count(*) FROM near_misses WHERE organisation_id = :org"
            " AND occurred_on >= :month AND occurred_on < :after GROUP BY error_type",
        ],
    }


# Each page's raw query, as plain SQL over the app's tables. {month} is the dialect's month.
MONTH = {
    "postgresql": "date_trunc('month', occurred_on)",
    "sqlite": "strftime('%Y-%m', occurred_on)",
}
IN_ICB = "organisation_id IN (SELECT id FROM organisations WHERE icb_id = :icb)"
COUNTED = "record_type <> 'good_care'"
RAW = {
    "triage": [
        "SELECT id, reference, record_type, theme, occurred_on, physical_harm, created_at"
        " FROM safety_events WHERE organisation_id = :org AND status = 'awaiting_triage'"
        " ORDER BY created_at DESC, id DESC LIMIT 25"
    ],
    "event": [
        "SELECT * FROM safety_events WHERE id = :event",
        "SELECT * FROM event_patients WHERE event_id = :event",
    ],
    "response": [
        "SELECT * FROM learning_responses WHERE id = :response",
        "SELECT * FROM safety_events WHERE learning_response_id = :response",
        "SELECT * FROM safety_actions WHERE response_id = :response",
    ],
    # The ICB dashboard's raw aggregates: themes by group, responses by method, actions by group,
    # and the equality breakdowns over events and patients of the last 12 months.
    "icb": [
        "SELECT m.group_id, e.theme, count(*) FROM safety_events e"
        " JOIN organisation_memberships m ON m.member_id = e.organisation_id"
        f" WHERE e.occurred_on >= :since AND e.{COUNTED} GROUP BY m.group_id, e.theme",
        "SELECT method, count(*), sum(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END)"
        f" FROM learning_responses WHERE {IN_ICB} GROUP BY method",
        "SELECT m.group_id, state, count(*) FROM safety_actions a"
        " JOIN organisation_memberships m ON m.member_id = a.organisation_id GROUP BY m.group_id, state",
        *[
            f"SELECT p.{column}, count(*) FROM event_patients p JOIN safety_events e"
            f" ON e.id = p.event_id WHERE e.{IN_ICB} AND e.occurred_on >= :since AND e.{COUNTED}"
            f" GROUP BY p.{column}"
            for column in ("age_band", "gender", "ethnicity")
        ],
    ],
    "group": [
        "SELECT theme, count(*) FROM safety_events WHERE organisation_id IN"
        " (SELECT member_id FROM organisation_memberships WHERE group_id = :group)"
        f" AND occurred_on >= :since AND {COUNTED} GROUP BY theme"
    ],
    # Issue 18's pages (bench/strategy.py): each page's aggregation and its first page of rows.
    **_strategy_raw(),
    "xmr": [
        "SELECT {month} AS month, count(*) FROM safety_events"
        f" WHERE {IN_ICB} AND theme = :theme AND {COUNTED} GROUP BY 1"
    ],
}


def create_baseline_app(url: str) -> Flask:
    app = Flask("bare")
    engine = create_engine(url)
    month = MONTH[engine.dialect.name]
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS bench_bare_rows"
                " (id INTEGER PRIMARY KEY, organisation_id INTEGER, description TEXT)"
                if engine.dialect.name == "sqlite"
                else "CREATE TABLE IF NOT EXISTS bench_bare_rows"
                " (id SERIAL PRIMARY KEY, organisation_id INTEGER, description TEXT)"
            )
        )

    @app.get("/hello")
    def hello():
        return "Hello"

    @app.post("/insert")
    def insert():
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO bench_bare_rows (organisation_id, description) VALUES (:o, :d)"),
                {
                    "o": request.form.get("organisation_id", type=int),
                    "d": request.form["description"],
                },
            )
        return "", 302, {"Location": "/hello"}

    @app.get("/raw/<name>")
    def raw(name):
        params = {k: (int(v) if v.isdigit() else v) for k, v in request.args.items()}
        rows = 0
        with engine.connect() as conn:
            for sql in RAW[name]:
                rows += len(conn.execute(text(sql.replace("{month}", month)), params).all())
        return str(rows)

    return app


# gunicorn's entry point: `gunicorn bench.baseline:app`, on the bench database.
app = create_baseline_app(os.environ["DATABASE_URL"]) if "DATABASE_URL" in os.environ else None


# ---- in-process baselines -----------------------------------------------------------------------


def bare_transition_seconds(url: str, repeats: int) -> float:
    """The median of a bare `transitions` trigger plus one UPDATE and its audit INSERT, committed."""
    from transitions import Machine

    engine = create_engine(url)
    serial = "INTEGER PRIMARY KEY" if engine.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
    with engine.begin() as conn:
        _drop_bare_tables(conn)  # a run stopped half-way may have left them
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS bench_bare_cases (id {serial}, state TEXT)"))
        conn.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS bench_bare_audit (id {serial}, case_id INTEGER, change TEXT)"
            )
        )
        conn.execute(text("INSERT INTO bench_bare_cases (state) VALUES ('planning')"))
        case_id = conn.scalar(text("SELECT max(id) FROM bench_bare_cases"))

    class Case:
        state = "planning"

    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        case = Case()
        machine = Machine(model=case, states=["planning", "in_review"], initial="planning")
        machine.add_transition("hold_review", "planning", "in_review")
        case.hold_review()
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE bench_bare_cases SET state = :s WHERE id = :i"),
                {"s": case.state, "i": case_id},
            )
            conn.execute(
                text("INSERT INTO bench_bare_audit (case_id, change) VALUES (:i, 'hold_review')"),
                {"i": case_id},
            )
        times.append(time.perf_counter() - started)
    with engine.begin() as conn:
        _drop_bare_tables(conn)  # the database is the app's: leave it as it was found
    engine.dispose()
    return sorted(times)[len(times) // 2]


def _drop_bare_tables(conn) -> None:
    for table in ("bench_bare_audit", "bench_bare_cases"):
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))


def bare_pdf_seconds() -> float:
    """A bare 10-page reportlab document: paragraphs and a table on each page."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

    styles = getSampleStyleSheet()
    started = time.perf_counter()
    story = []
    for page in range(10):
        story.append(Paragraph(f"Section {page + 1}", styles["Heading1"]))
        story += [Paragraph("Plain words about patient safety. " * 12, styles["BodyText"])] * 6
        story.append(Table([[f"Row {r}", r, r * 2] for r in range(12)]))
        story.append(PageBreak())
    SimpleDocTemplate(io.BytesIO()).build(story)
    return time.perf_counter() - started
