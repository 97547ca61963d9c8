"""Running what the notification queue holds: as a worker would, or with a real huey consumer."""

from __future__ import annotations

import signal
import time
from contextlib import contextmanager

from tests.support.app import pause


def run_queued(queue) -> list:
    """Dequeue and execute every task waiting, through huey's own API, as a worker would; the
    results in order. Tasks that enqueue more (the sweep) have those run too."""
    results = []
    while (task := queue.huey.dequeue()) is not None:
        results.append(queue.huey.execute(task))
    return results


@contextmanager
def running_consumer(queue, workers: int = 2):
    """A real huey consumer, its worker threads polling the queue, stopped (gracefully) after."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = queue.huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=False,
        initial_delay=0.01,
        max_delay=0.05,
        check_worker_health=False,
    )
    consumer.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        for s, handler in saved.items():  # the consumer installs its own; give pytest its back
            signal.signal(s, handler)


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        pause(0.02)
