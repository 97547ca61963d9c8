"""Each figure of issue 16, measured on one database beside its baseline from the same run.

HTTP figures go through gunicorn (bench.load); statement counts, plan generation and transitions
run in-process against the same database, as the brief allows. Nothing here asserts a timing: a
row says met or missed, and only a broken harness or inexact rollups stop the run.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from bench import baseline
from bench.client import Client, with_answers
from bench.databases import ROOT, app_environment
from bench.load import Job, percentile, rss_mb, run_load, serving, split, timings
from bench.seed import Seeded
from psirf import create_app
from psirf.events import counts
from psirf.events.forms import HARMED_RECORD_TYPES
from psirf.extensions import db


@dataclass
class Row:
    figure: str
    database: str
    workers: int | str
    value: float | str
    unit: str
    baseline: float | str | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if isinstance(self.value, (int, float)) and isinstance(self.baseline, (int, float)):
            return self.value / self.baseline if self.baseline else None
        return None


@dataclass
class Options:
    load_seconds: float = 12
    samples: int = 60
    slow_budget: float = 20  # seconds for the samples of a slow page (a dashboard)
    dashboards: int = 1_000  # requests before reading the worker's memory
    memory_budget: float = 180
    burst_recordings: int = 1_000
    burst_revisions: int = 200
    burst_services: int = 100
    http: bool = True  # False: in-process figures only (the smoke test)
    # The import's figures (bench/importing.py): rows timed, and the file sizes whose peak memory
    # the command is measured at.
    import_rows: int = 100_000
    import_sizes: tuple[int, ...] = (100_000, 1_000_000)


@dataclass
class Run:
    backend: str
    url: str
    folder: Path
    seeded: Seeded
    today: date
    options: Options
    rows: list[Row] = field(default_factory=list)

    def add(self, *args, **kwargs) -> Row:
        row = Row(args[0], self.backend, *args[1:], **kwargs)
        self.rows.append(row)
        return row


def in_process_app(url: str, folder: Path) -> Flask:
    """The app on the bench database for in-process figures (forms without CSRF, as the suite)."""
    env = app_environment(url, folder)
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "REDIS_URL": env["REDIS_URL"],
            "RATELIMIT_STORAGE_URI": env["RATELIMIT_STORAGE_URI"],
            "PASSWORD_HASH_COST": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
            "SIGN_IN_LIMIT_PER_ADDRESS": env["SIGN_IN_LIMIT_PER_ADDRESS"],
            "SIGN_IN_LIMIT_PER_ACCOUNT": env["SIGN_IN_LIMIT_PER_ACCOUNT"],
        }
    )


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


# ---- what the pages are about ----------------------------------------------------------------------


def subjects(run: Run) -> dict:
    """A service with events awaiting triage, one of its events and one of its responses."""
    from psirf.events.models import SafetyEvent
    from psirf.responses.models import LearningResponse

    session = db.session
    response = (
        session.scalars(
            select(LearningResponse)
            .where(LearningResponse.state != "closed")
            .order_by(LearningResponse.id)
        ).first()
        or session.scalars(select(LearningResponse)).first()
    )
    service = response.organisation_id if response else run.seeded.service_ids[0]
    event_id = session.scalar(
        select(SafetyEvent.id)
        .where(SafetyEvent.organisation_id == service)
        .order_by(SafetyEvent.id.desc())
    )
    pcn = run.seeded.pcn_ids[0]
    return {
        "service": service,
        "event": event_id,
        "response": response.id if response else None,
        "pcn": pcn,
    }


def event_answers(person: dict, n: int) -> dict:
    day = date.today() - timedelta(days=1 + n % 20)
    themes = ["medication", "diagnosis", "referral", "test_results", "communication", "access"]
    return {
        "record_type": "incident",
        "organisation_id": str(person["service"]),
        "occurred_on[day]": str(day.day),
        "occurred_on[month]": str(day.month),
        "occurred_on[year]": str(day.year),
        "description": f"Benchmark recording {n}: a repeat prescription issued at the wrong dose.",
        "theme": themes[n % len(themes)],
        "patients-0-physical_harm": ["none", "low", "moderate"][n % 3],
        "patients-0-psychological_harm": "none",
    }


def read_event_form(client: Client, person: dict) -> None:
    client.event_form = client.form("/events/new")


def record(client: Client, person: dict, n: int) -> int:
    if not hasattr(client, "event_form"):
        read_event_form(client, person)
    return client.post("/events/new", with_answers(client.event_form, event_answers(person, n)))[0]


def correct(client: Client, person: dict, n: int) -> int:
    """Corrects the next of the person's events not yet corrected (two at once would be refused)."""
    path = f"/events/{person['events'].pop(0)}/correct"
    fields = client.form(path)
    return client.post(path, with_answers(fields, correction_answers(fields, n)))[0]


def correction_answers(fields: list[tuple[str, str]], n: int) -> dict:
    """What a lead changes on the correction form as shown: the theme, to one it is not (a
    correction that changes nothing is refused); and the harm the form asks for to any patient
    shown without one (an incident recorded with nobody named shows one blank patient)."""
    shown = dict(fields)
    themes = ["safeguarding", "screening", "premises"]
    answers = {"theme": next(t for t in themes[n % 3 :] + themes if t != shown.get("theme")),
               "action": "save", "reason": "The benchmark corrects the theme."}  # fmt: skip
    if shown.get("record_type") in HARMED_RECORD_TYPES:
        patients = {re.match(r"patients-(\d+)-", name) for name, _ in fields} - {None}
        for prefix in {m.group(0) for m in patients}:
            for harm in ("physical_harm", "psychological_harm"):
                answers.setdefault(prefix + harm, shown.get(prefix + harm, "none"))
    return answers


def bare_insert(client: Client, person: dict, n: int) -> int:
    return client.post(
        "/insert", {"organisation_id": person["service"], "description": f"row {n}"}
    )[0]


def getter(path: str):
    def get(client: Client, person: dict, n: int) -> int:
        return client.get(path)[0]

    return get


def reporters(run: Run, count: int) -> list[dict]:
    """One reporter each at `count` services spread across the ICB."""
    services = run.seeded.service_ids
    step = max(1, len(services) // count)
    return [dict(run.seeded.reporters[s][0], service=s) for s in services[::step][:count]]


def signed_in(port: int, person: dict) -> Client:
    client = Client(port)
    client.sign_in(person["email"], person["password"])
    return client


# ---- HTTP figures ------------------------------------------------------------------------------------


def recording(run: Run, baseline_rates: dict) -> None:
    o = run.options
    rates = {}
    for workers in (1, 2):
        with serving("app", run.url, run.folder, workers) as server:
            processes = 2 * workers + 1
            jobs = [Job(server.port, people, record, o.load_seconds, prepare=read_event_form)
                    for people in split(reporters(run, 20 * processes), processes)]  # fmt: skip
            result = run_load(jobs)
            rates[workers] = result["per_second"]
            row = run.add("record a staff event POST /events/new", workers, round(result["per_second"], 1),
                          "req/s", round(baseline_rates[workers], 1), "≥0.5× bare insert")  # fmt: skip
            row.met = result["per_second"] >= 0.5 * baseline_rates[workers]
            row.note = f"{result['requests']} recorded, failed: {result['failed'] or 'none'}"
            if workers == 1:
                person = reporters(run, 1)[0]
                client = signed_in(server.port, person)
                read_event_form(client, person)
                times = []
                for n in range(o.samples):
                    started = time.perf_counter()
                    record(client, person, n)
                    times.append(time.perf_counter() - started)
                add_latency(run, "record a staff event, unloaded", 1, times, None, None)
    row = run.add("record: 2 workers over 1", 2, round(rates[2] / rates[1], 2), "×", None, "≥1.5×")
    row.met = rates[2] / rates[1] >= 1.5


def add_latency(run: Run, figure: str, workers, times, base_times, limit_ms: float | None) -> None:
    for p in (50, 95):
        value = ms(percentile(times, p))
        base = ms(percentile(base_times, p)) if base_times else None
        target = f"p95 <{limit_ms:g} ms" if limit_ms and p == 95 else ""
        row = run.add(f"{figure} p{p}", workers, value, "ms", base, target)
        if target:
            row.met = value < limit_ms
        if p == 95 and len(times) < run.options.samples:
            row.note = f"{len(times)} requests: the slow page's time budget ran out"


def pages(run: Run, s: dict, base_port: int) -> None:
    o, seeded = run.options, run.seeded
    base = Client(base_port)
    raw = lambda name, q: timings(base, [f"/raw/{name}?{q}"], o.samples, o.slow_budget)  # noqa: E731
    since = (run.today.replace(day=1) - timedelta(days=335)).replace(day=1).isoformat()
    with serving("app", run.url, run.folder, 1) as server:
        lead = signed_in(server.port, seeded.leads[s["service"]])
        add_latency(run, "triage queue", 1, timings(lead, ["/triage"], o.samples, o.slow_budget),
                    raw("triage", f"org={s['service']}"), 25)  # fmt: skip
        add_latency(run, "event page", 1, timings(lead, [f"/events/{s['event']}"], o.samples, o.slow_budget),
                    raw("event", f"event={s['event']}"), 25)  # fmt: skip
        if s["response"]:
            add_latency(run, "response page", 1,
                        timings(lead, [f"/responses/{s['response']}"], o.samples, o.slow_budget),
                        raw("response", f"response={s['response']}"), 25)  # fmt: skip
        quality = signed_in(server.port, seeded.quality)
        status, page, _ = quality.get("/dashboards/icb")
        add_latency(run, "ICB dashboard /dashboards/icb", 1,
                    timings(quality, ["/dashboards/icb"], o.samples, o.slow_budget),
                    raw("icb", f"icb={seeded.icb_id}&since={since}"), 100)  # fmt: skip
        for table in sorted(set(re.findall(r"icb\.csv\?table=(\w+)", page.decode()))):
            path = f"/dashboards/icb.csv?table={table}"
            add_latency(
                run,
                f"ICB CSV {table}",
                1,
                timings(quality, [path], o.samples, o.slow_budget),
                None,
                100,
            )
        add_latency(run, "SPC chart of a theme (diagnosis)", 1,
                    timings(quality, ["/dashboards/icb.csv?table=spc&theme=diagnosis"], o.samples, o.slow_budget),
                    raw("xmr", f"icb={seeded.icb_id}&theme=diagnosis"), 100)  # fmt: skip
        panel = signed_in(server.port, seeded.panel[s["pcn"]])
        path = f"/dashboards/groups/{s['pcn']}"
        add_latency(run, "group dashboard", 1, timings(panel, [path], o.samples, o.slow_budget),
                    raw("group", f"group={s['pcn']}&since={since}"), 100)  # fmt: skip
        status, body, _ = quality.get("/actions/icb")
        run.add("/actions/icb page size", 1, len(body), "bytes", note=f"status {status}")
        hello = timings(base, ["/hello"], o.samples, o.slow_budget)
        leads = [
            seeded.leads[x]
            for x in seeded.service_ids[:: max(1, len(seeded.service_ids) // 12)][:12]
        ]
        result = run_load(
            [
                Job(server.port, people, getter("/triage"), o.load_seconds)
                for people in split(leads, 3)
            ]
        )
    hello_rate = 1 / (sum(hello) / len(hello))
    row = run.add("triage queue req/s a worker", 1, round(result["per_second"], 1), "req/s",
                  round(hello_rate, 1), "≥250 req/s")  # fmt: skip
    row.met = result["per_second"] >= 250
    row.note = "baseline: bare GET /hello, one client"


def worker_memory(run: Run, base_rss: float) -> None:
    o = run.options
    with serving("app", run.url, run.folder, 1) as server:
        [pid] = server.worker_pids()
        quality = signed_in(server.port, run.seeded.quality)
        for _ in range(10):
            quality.get("/dashboards/icb")
        warm = rss_mb(pid)
        done, deadline = 10, time.monotonic() + o.memory_budget
        while done < o.dashboards and time.monotonic() < deadline:
            quality.get("/dashboards/icb")
            done += 1
        after = rss_mb(pid)
    row = run.add(
        f"web worker RSS after {done} dashboards",
        1,
        round(after, 1),
        "MB",
        round(base_rss, 1),
        "<160 MB",
    )
    row.met = after < 160
    if done < o.dashboards:
        row.note = (
            f"stopped at {done} of {o.dashboards}: the time budget ({o.memory_budget:g} s) ran out"
        )
    growth = run.add("web worker RSS growth", 1, round(after - warm, 1), "MB", None, "<5 MB")
    growth.met = after - warm < 5
    growth.note = f"from the 10th to the {done}th request"


def burst(run: Run, app: Flask) -> None:
    """Recordings and corrections across many services at once over HTTP (2 workers), each
    correction of an event nobody else is correcting; then every rollup must equal the raw count."""
    from psirf.events.models import EventRevision, SafetyEvent

    o, seeded = run.options, run.seeded
    services = seeded.service_ids[:: max(1, len(seeded.service_ids) // o.burst_services)][
        : o.burst_services
    ]
    processes = 10
    per = (o.burst_recordings + o.burst_revisions) // processes
    every = max(2, round((o.burst_recordings + o.burst_revisions) / max(1, o.burst_revisions)))
    leads = [dict(seeded.leads[s], service=s, events=[]) for s in services]
    groups = split(leads, processes)
    # Each process takes its people in turn: count the corrections each will make.
    wanted = {id(person): 0 for person in leads}
    for people in groups:
        for n in range(every - 1, per, every):
            wanted[id(people[n % len(people)])] += 1
    with app.app_context():
        for person in leads:
            person["events"] = db.session.scalars(
                select(SafetyEvent.id).where(SafetyEvent.organisation_id == person["service"],
                                             SafetyEvent.status != "awaiting_triage")
                .order_by(SafetyEvent.id).limit(wanted[id(person)])
            ).all()  # fmt: skip
        revisions_before = db.session.scalar(select(func.count()).select_from(EventRevision))
        db.session.remove()

    def act(client, person, n):
        if n % every == every - 1 and person["events"]:
            return correct(client, person, n)
        return record(client, person, n)

    with serving("app", run.url, run.folder, 2) as server:
        jobs = [Job(server.port, people, act, 3600, per, read_event_form) for people in groups]
        result = run_load(jobs)
    with app.app_context():
        left = counts.differences(db.session)
        revisions = db.session.scalar(select(func.count()).select_from(EventRevision))
        db.session.remove()
    scheduled, found = sum(wanted.values()), sum(len(p["events"]) for p in leads)
    row = run.add("burst: corrections saved", 2, revisions - revisions_before, "", None,
                  f"all {scheduled}")  # fmt: skip
    row.met = revisions - revisions_before == scheduled
    row.note = f"{found} distinct events found for {scheduled} corrections"
    row = run.add("burst: rollups equal raw counts", 2, "pass" if not left else f"{len(left)} differ", "",
                  None, "pass")  # fmt: skip
    row.met = not left
    row.note = f"{result['requests']} requests (failed: {result['failed'] or 'none'}) across {len(services)} services"
    if left:
        raise RuntimeError(f"rollups are not exact after the burst: {left[:5]}")


# ---- in-process figures --------------------------------------------------------------------------


def statements(app: Flask, person: dict, method: str, path: str, data=None) -> tuple[int, int]:
    """(statements, status) of one request through the test client, signed in as `person`."""
    client = app.test_client()
    client.post("/sign-in", data={"email": person["email"], "password": person["password"]})
    count = [0]

    def counted(*_args):
        count[0] += 1

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", counted)
    try:
        answer = client.open(path, method=method, data=data)
    finally:
        sa_event.remove(engine, "before_cursor_execute", counted)
    return count[0], answer.status_code


def statement_counts(run: Run, app: Flask, s: dict) -> None:
    seeded = run.seeded
    n, status = statements(app, seeded.admin, "GET", "/admin/organisations")
    run.add("/admin/organisations statements", 1, n, "statements", note=f"status {status}",
            target="fixed, whatever the data")  # fmt: skip
    if s["response"]:
        n, status = statements(
            app, seeded.leads[s["service"]], "GET", f"/responses/{s['response']}"
        )
        run.add("response page statements", 1, n, "statements", note=f"status {status}",
                target="fixed, whatever the data")  # fmt: skip
    person = dict(reporters(run, 1)[0])
    form = with_answers([], event_answers(person, 0))
    n, status = statements(app, person, "POST", "/events/new", form)
    run.add("record a staff event statements", 1, n, "statements", note=f"status {status}")


def plan_generation(run: Run, app: Flask, s: dict, repeats: int = 3) -> None:
    """A PCN's plan generated and drawn as a PDF: the median of a few runs after one to warm up
    (the first reads its group's rows from disk), each rolled back."""
    from psirf.accounts.models import User
    from psirf.organisations.models import Organisation
    from psirf.plans import services as plans
    from psirf.plans.document import document
    from psirf.plans.reports import plan_pdf

    insights, renderings = [], []
    with app.test_request_context():
        session = db.session
        for _ in range(repeats + 1):
            user = session.get(User, run.seeded.panel[s["pcn"]]["id"])
            group = session.get(Organisation, s["pcn"])
            started = time.perf_counter()
            plan = plans.generate(session, user, group, period_months=12, lookback_months=36,
                                  starts_on=run.today + timedelta(days=1), today=run.today)  # fmt: skip
            insights.append(time.perf_counter() - started)
            started = time.perf_counter()
            pdf = plan_pdf(document(plan))
            renderings.append(time.perf_counter() - started)
            session.rollback()
    insight, rendering = percentile(insights[1:], 50), percentile(renderings[1:], 50)
    bare = baseline.bare_pdf_seconds()
    row = run.add("plan generation: insight", 1, ms(insight), "ms", None, "insight + PDF <1000 ms")
    row.met = insight + rendering < 1
    row.note = f"median of {repeats} after one warm-up ({ms(insights[0])} ms)"
    row = run.add(
        "plan generation: PDF", 1, ms(rendering), "ms", ms(bare), "insight + PDF <1000 ms"
    )
    row.met = insight + rendering < 1
    row.note = f"{len(pdf)} bytes; baseline: a bare 10-page reportlab document"


def transition(run: Run, app: Flask, repeats: int = 20) -> None:
    """A persisted `hold_review` on after action reviews in planning, beside the bare trigger."""
    from psirf.accounts.models import User
    from psirf.responses.models import LearningResponse
    from psirf.workflow import runner

    plan = {"timing": "hot", "conductor": "A Conductor", "participants": "The team",
            "review_on": run.today.isoformat()}  # fmt: skip
    times = []
    with app.test_request_context():
        session = db.session
        chosen = session.scalars(
            select(LearningResponse).where(LearningResponse.state == "planning",
                                           LearningResponse.method == "after_action_review").limit(repeats)
        ).all()  # fmt: skip
        for response in chosen:
            response.record = {"plan": dict(plan)}
        session.commit()
        for response in chosen:
            actor = session.get(User, response.lead_id)
            started = time.perf_counter()
            runner.fire(session, response, "hold_review", actor, response.version_id)
            session.commit()
            times.append(time.perf_counter() - started)
        session.remove()
    if not times:
        run.add(
            "persisted workflow transition (median)",
            1,
            "n/a",
            "",
            note="no after action review in planning",
        )
        return
    bare = baseline.bare_transition_seconds(run.url, repeats)
    value = percentile(times, 50)
    row = run.add(
        "persisted workflow transition (median)", 1, ms(value), "ms", ms(bare), "≥0.5× bare speed"
    )
    row.met = bare / value >= 0.5
    row.note = "baseline: bare transitions trigger + UPDATE + audit INSERT"


def counts_check(run: Run) -> None:
    """`flask counts check` as its own process: its time and peak memory."""
    measure = (
        "import resource, subprocess, sys, time; t = time.perf_counter();"
        " code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode;"
        " print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
    )
    answer = subprocess.run(
        [sys.executable, "-c", measure, sys.executable, "-m", "flask", "--app", "app", "counts", "check"],
        cwd=ROOT, env=app_environment(run.url, run.folder), capture_output=True, text=True, check=True,
    )  # fmt: skip
    seconds, peak_kb, code = answer.stdout.split()
    row = run.add(
        "flask counts check time", 1, round(float(seconds), 2), "s", None, "", note=f"exit {code}"
    )
    row.met = code == "0"
    row = run.add(
        "flask counts check peak memory",
        1,
        round(int(peak_kb) / 1024, 1),
        "MB",
        None,
        "flat as events grow",
    )
    row.met = None
