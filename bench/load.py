"""Serving and loading: gunicorn (sync workers on 127.0.0.1, a free port) for the app or the bare
baseline, and a load generator of processes, each a keep-alive client signed in as its own people.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.client import Client
from bench.databases import ROOT, app_environment


@dataclass
class Server:
    port: int
    process: subprocess.Popen

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in path.read_text().split()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(target: str, url: str, folder: Path, workers: int):
    """gunicorn serving `target` ("app": the app with its gunicorn.conf.py; "baseline": the bare app)."""
    port = free_port()
    env = app_environment(url, folder) | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_TIMEOUT": "300",
    }
    if target == "app":
        command = ["--config", "gunicorn.conf.py"]
    else:
        command = ["bench.baseline:app", "--bind", env["GUNICORN_BIND"], "--workers", str(workers)]
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--worker-class", "sync", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / f"gunicorn-{target}.log", "a"),
    )
    server = Server(port, process)
    try:
        _wait_for(server, workers)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(server: Server, workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("gunicorn stopped at start-up: see its log in the bench folder")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                if len(server.worker_pids()) >= workers:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start within a minute")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


# ---- unloaded: one client, one request at a time -------------------------------------------------


def timings(client: Client, paths: list[str], samples: int, budget_seconds: float) -> list[float]:
    """Seconds taken by each of up to `samples` GETs (cycling through `paths`), stopping early when
    the budget is spent (a slow page still gets five); the first request of each path warms up."""
    for path in paths:
        _ok(client.get(path), path)
    found: list[float] = []
    deadline = time.monotonic() + budget_seconds
    while len(found) < samples and (len(found) < 5 or time.monotonic() < deadline):
        path = paths[len(found) % len(paths)]
        found.append(_ok(client.get(path), path)[2])
    return found


def _ok(answer, path: str):
    status = answer[0]
    if status not in (200, 302):
        raise RuntimeError(f"{path} answered {status}")
    return answer


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# ---- loaded: processes, each signed in as its own people, for a fixed time -----------------------


@dataclass(frozen=True)
class Job:
    """What one load process does: sign in as `people`, then `action` until `seconds` pass (or it
    has done `limit` requests). `action(client, person, n)` makes one request and returns its answer."""

    port: int
    people: list[dict]
    action: object
    seconds: float
    limit: int | None = None
    prepare: object = None  # prepare(client, person) after signing in, before the clock starts


def _run(job: Job, results) -> None:
    clients = []
    try:
        for person in job.people:
            client = Client(job.port)
            if person.get("email"):
                client.sign_in(person["email"], person["password"])
            if job.prepare:
                job.prepare(client, person)
            clients.append((client, person))
    except Exception as error:  # the parent reports it and stops the run
        results.put(f"sign-in failed: {error}")
        return
    results.put("ready")
    done, failed, n = 0, Counter(), 0
    started = time.perf_counter()
    while time.perf_counter() - started < job.seconds and (job.limit is None or n < job.limit):
        client, person = clients[n % len(clients)]
        status = job.action(client, person, n)
        n += 1
        if status in (200, 302):
            done += 1
        else:
            failed[status] += 1
    results.put((done, failed, time.perf_counter() - started))
    for client, _ in clients:
        client.close()


def run_load(jobs: list[Job]) -> dict:
    """Runs the jobs at once (each in its own process, started together once all have signed in):
    {"requests", "failed": {status: how many}, "per_second"}."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_run, args=(job, results)) for job in jobs]
    for p in processes:
        p.start()
    # Each process signs in before it counts: the clock runs from its own first request.
    for _ in processes:
        answer = results.get(timeout=600)
        if answer != "ready":
            raise RuntimeError(answer)
    outcomes = [results.get(timeout=900) for _ in processes]
    for p in processes:
        p.join()
        if p.exitcode:
            raise RuntimeError(f"a load process failed (exit {p.exitcode})")
    done = sum(o[0] for o in outcomes)
    seconds = max(o[2] for o in outcomes)
    failed = sum((o[1] for o in outcomes), Counter())
    return {"requests": done, "failed": dict(failed), "per_second": done / seconds}


def split(items: list, parts: int) -> list[list]:
    return [items[i::parts] for i in range(parts) if items[i::parts]]
