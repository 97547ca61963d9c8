"""`python -m bench [--events N --services N --pcns N --databases postgres,sqlite ...]`.

Seeds each database afresh, measures every figure, prints the table and writes bench/results.json.
Exits 0 whether or not targets are met; non-zero only when the harness breaks or rollups differ.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date

# Before the app is imported: its settings never reach for instance/ (psirf/config.py).
os.environ.setdefault("PSIRF_INSTANCE_DIR", tempfile.mkdtemp(prefix="psirf-bench-instance-"))
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")

from bench import databases, exporting, figures, importing, report, seed, strategy  # noqa: E402
from bench.load import Job, rss_mb, run_load, serving, split, timings  # noqa: E402
from bench.client import Client  # noqa: E402
from psirf.extensions import db  # noqa: E402


# What is measured after seeding, each on its own: "figures" (statement counts, plan generation,
# a transition), "export" (the LFPSE export to files), "http" (the pages and recordings through
# gunicorn, the burst, the counts check), "strategy" (issue 18's pages through gunicorn and bulletin
# drafting, bench/strategy.py), "import" (bench/importing.py: rows a second, the five bad rows, peak
# memory); e.g. `--phases import,export` to measure the import and export alone.
PHASES = ("figures", "export", "http", "strategy", "import")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--services", type=int, default=1_000)
    parser.add_argument("--pcns", type=int, default=50)
    parser.add_argument("--databases", default="postgres,sqlite")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--load-seconds", type=float, default=12)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--slow-budget", type=float, default=20)
    parser.add_argument("--dashboards", type=int, default=1_000)
    parser.add_argument("--memory-budget", type=float, default=180)
    parser.add_argument("--burst", type=int, default=1_000, help="recordings in the burst")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the timed import")
    parser.add_argument("--import-sizes", default="100000,1000000",
                        help="file sizes (rows) the import's peak memory is measured at")  # fmt: skip
    parser.add_argument("--phases", default=",".join(PHASES),
                        help=f"the phases measured after seeding, of {', '.join(PHASES)}")  # fmt: skip
    args = parser.parse_args()
    args.phases = {p.strip() for p in args.phases.split(",") if p.strip()}
    if args.phases - set(PHASES):
        parser.error(f"--phases: no phase {', '.join(sorted(args.phases - set(PHASES)))}")
    return args


def seeded_run(backend: str, url, folder, args, options) -> tuple[figures.Run, object]:
    app = figures.in_process_app(url, folder)
    size = seed.Size(events=args.events, services=args.services, pcns=args.pcns)
    with app.app_context():
        started = time.perf_counter()
        seeded = seed.seed(db.engine, size, args.today, args.seed)
        seeding = time.perf_counter() - started
        rebuild = seed.make_exact(db.session)
        seed.publish_bulletins(db.session, seeded, args.today)
        db.session.remove()
    run = figures.Run(backend, url, folder, seeded, args.today, options)
    rows = ", ".join(f"{n:,} {t}" for t, n in sorted(seeded.rows.items()))
    run.add(
        "seeding",
        "-",
        round(seeding, 1),
        "s",
        note=f"{rows}; {sum(seeded.rows.values()) / seeding:,.0f} rows/s",
    )
    row = run.add(
        "rollups rebuilt by counts.repair, differences empty", "-", round(rebuild, 1), "s"
    )
    row.met = True
    return run, app


def measure(run: figures.Run, app, phases=frozenset(PHASES)) -> None:
    if "figures" in phases:
        with app.app_context():
            subjects = figures.subjects(run)
            db.session.remove()
        figures.statement_counts(run, app, subjects)
        figures.plan_generation(run, app, subjects)
        figures.transition(run, app)
    if "export" in phases:
        exporting.lfpse_export(run, app)  # in-process: the queue's sender writing 100,000 files
    if "http" in phases and run.options.http:
        _http(run, app)
    if "strategy" in phases:
        strategy.drafting(run, app)
        if run.options.http:
            strategy.pages(run, app)
    if "import" in phases:
        # Last: the import adds its rows' events to the database the figures above read.
        importing.figures(run, app, run.options.import_rows, run.options.import_sizes)


def _http(run: figures.Run, app) -> None:
    with app.app_context():
        subjects = figures.subjects(run)
        db.session.remove()
    rates = {}
    for workers in (1, 2):
        with serving("baseline", run.url, run.folder, workers) as bare:
            people = [
                {"service": p["service"]} for p in figures.reporters(run, 20 * (2 * workers + 1))
            ]
            jobs = [
                Job(bare.port, p, figures.bare_insert, run.options.load_seconds)
                for p in split(people, 2 * workers + 1)
            ]
            rates[workers] = run_load(jobs)["per_second"]
    with serving("baseline", run.url, run.folder, 1) as bare:
        figures.pages(run, subjects, bare.port)
        timings(Client(bare.port), ["/hello"], 200, 30)
        base_rss = rss_mb(bare.worker_pids()[0])
    figures.recording(run, rates)
    figures.worker_memory(run, base_rss)
    figures.burst(run, app)
    figures.counts_check(run)


def main() -> None:
    args = arguments()
    options = figures.Options(
        load_seconds=args.load_seconds, samples=args.samples, slow_budget=args.slow_budget,
        dashboards=args.dashboards, memory_budget=args.memory_budget,
        burst_recordings=args.burst, burst_revisions=args.burst // 5,
        burst_services=min(100, args.services), import_rows=args.import_rows,
        import_sizes=tuple(int(n) for n in args.import_sizes.split(",")),
    )  # fmt: skip
    rows: list[figures.Row] = []
    started = time.perf_counter()
    for backend in args.databases.split(","):
        print(
            f"==> {backend}: seeding {args.events:,} events across {args.services:,} services",
            flush=True,
        )
        with databases.fresh(backend) as (url, folder):
            run, app = seeded_run(backend, url, folder, args, options)
            print(f"    seeded in {run.rows[0].value} s; measuring", flush=True)
            try:
                measure(run, app, args.phases)
            finally:
                rows += run.rows
                with app.app_context():
                    db.engine.dispose()
    meta = {"events": args.events, "services": args.services, "pcns": args.pcns, "today": args.today,
            "seconds": round(time.perf_counter() - started)}  # fmt: skip
    print(report.table(rows))
    report.write(rows, meta)
    print(f"\nWritten {report.RESULTS} in {meta['seconds']} s.")


if __name__ == "__main__":
    main()
