"""The bench's own databases, made for a run and dropped after it: a PostgreSQL database on the
local server and an SQLite file in a temporary folder. Never instance/ nor the test databases.

Each schema is made by the app's own migrations (`flask db upgrade` with DATABASE_URL), and every
process the bench starts against it (the migration, gunicorn, `flask counts check`) gets the same
environment from `app_environment`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# The job queue and throttles on Redis, as in production (README, "Running beyond one machine"): a
# queue in a SQLite file would add an fsync to every recording. A database number of the bench's own,
# emptied after each run, so a running test suite (database 0) never sees the bench's tasks.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
# Argon2's cheapest cost: the bench signs in thousands of people, and a sign-in is not a figure.
PASSWORD_HASH_COST = "1,8,1"


def app_environment(url: str, folder: Path) -> dict:
    """What the app reads from the environment (psirf/config.py) for a bench run on `url`."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "PSIRF_INSTANCE_DIR": str(folder),
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "PASSWORD_HASH_COST": PASSWORD_HASH_COST,
        # The load generator signs in hundreds of people from one address.
        "SIGN_IN_LIMIT_PER_ADDRESS": "1000000 per minute",
        "SIGN_IN_LIMIT_PER_ACCOUNT": "1000000 per minute",
        "PYTHONPATH": str(ROOT),
    }


def flask_command(url: str, folder: Path, *args: str, **run) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=app_environment(url, folder),
        check=True,
        capture_output=True,
        text=True,
        **run,
    )


@contextmanager
def fresh(backend: str):
    """(url, folder) of a new, migrated database of `backend`, dropped when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix=f"psirf-bench-{backend}-"))
    name = f"psirf_bench_{uuid.uuid4().hex[:8]}"
    admin = None
    try:
        if backend == "postgres":
            admin = create_engine(make_url(POSTGRES_SERVER), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{folder / 'bench.sqlite3'}"
        flask_command(url, folder, "db", "upgrade")
        yield url, folder
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)
        empty_redis()


def empty_redis() -> None:
    """The run's queued notifications and throttle counts go with its database."""
    from redis import Redis

    with Redis.from_url(REDIS_URL) as redis:
        redis.flushdb()
