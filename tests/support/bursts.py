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
