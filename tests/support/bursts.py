"""Jobs run at once from real threads, for the tests that count after a burst: each thread its own
app context (so its own session), every job its own transaction, all errors returned."""

from __future__ import annotations

import queue
import threading

from psirf.db import unit_of_work
from psirf.extensions import db


def run_at_once(app, jobs: list, threads: int) -> list[BaseException]:
    work: queue.Queue = queue.Queue()
    for job in jobs:
        work.put(job)
    errors: list[BaseException] = []
    start = threading.Barrier(threads, timeout=30)

    def worker():
        with app.app_context():
            start.wait()
            try:
                while True:
                    try:
                        job = work.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        with unit_of_work(db.session):
                            job()
                    except Exception as error:  # noqa: BLE001  (reported below, all of them)
                        errors.append(error)
            finally:
                db.session.remove()

    running = [threading.Thread(target=worker) for _ in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join(120)
    return errors


def run_together(app, jobs: list[tuple], in_turn: bool = False) -> list[BaseException | None]:
    """Two people (or more) at once: each job is (read, change), run in a thread of its own with
    its own session and transaction; every job reads what its page showed before any changes it
    (`change(read())`). `in_turn`: each change waits for the one before it to end (committed or
    refused), so the order is the jobs' and every later one was read before the earlier landed.
    Returns what each raised, None for each that went through."""
    outcome: list[BaseException | None] = [None] * len(jobs)
    all_read = threading.Barrier(len(jobs), timeout=30)
    ended = [threading.Event() for _ in jobs]

    def worker(i, read, change):
        with app.app_context():
            try:
                with unit_of_work(db.session):
                    seen = read()
                    all_read.wait()
                    if in_turn and i:
                        ended[i - 1].wait(30)
                    change(seen)
            except Exception as error:  # noqa: BLE001  (each job's outcome is the test's to judge)
                outcome[i] = error
            finally:
                db.session.remove()
                ended[i].set()

    running = [threading.Thread(target=worker, args=(i, *job)) for i, job in enumerate(jobs)]
    for t in running:
        t.start()
    for t in running:
        t.join(120)
    return outcome
