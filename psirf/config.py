"""Settings, read from the environment once at start-up."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("PSIRF_INSTANCE_DIR", PROJECT_ROOT / "instance"))


SQLITE_BUSY_SECONDS = 30

# Argon2id's cost for passwords (psirf/accounts/passwords.py): Argon2's own default, RFC 9106's
# low-memory choice of 3 passes over 64 MiB in 4 lanes. Slow on purpose; only a test asks for less.
PASSWORD_HASH_COST = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}


class ConfigurationError(RuntimeError):
    """Start-up cannot go on: the message says what to set."""


def _development_secret_key() -> str:
    # Generated once and kept, so sessions survive a restart of `make run`.
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def password_hash_cost() -> dict:
    """PASSWORD_HASH_COST="time_cost,memory_cost,parallelism" (KiB), or Argon2's default cost.

    The test suite sets "1,8,1", Argon2's cheapest: its hundreds of sign-ins would otherwise each
    take as long as a real one should.
    """
    raw = os.environ.get("PASSWORD_HASH_COST")
    if not raw:
        return dict(PASSWORD_HASH_COST)
    try:
        time_cost, memory_cost, parallelism = (int(part) for part in raw.split(","))
    except ValueError:
        raise ConfigurationError(
            f"PASSWORD_HASH_COST is {raw!r}: give three whole numbers, "
            "time_cost,memory_cost,parallelism (for example 3,65536,4)."
        ) from None
    return {"time_cost": time_cost, "memory_cost": memory_cost, "parallelism": parallelism}


def candour_results_target() -> int | None:
    """CANDOUR_RESULTS_TARGET_WORKING_DAYS: a whole number of working days, or unset for "when the
    response closes"."""
    raw = os.environ.get("CANDOUR_RESULTS_TARGET_WORKING_DAYS", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(
            f"CANDOUR_RESULTS_TARGET_WORKING_DAYS is {raw!r}: give a whole number of working days "
            "(for example 60), or leave it unset for when the response closes."
        )
    return int(raw)


def load(overrides: dict | None = None) -> dict:
    env = os.environ.get("PSIRF_ENV", "development")
    production = env == "production"
    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigurationError(
                "SECRET_KEY is not set. In production set SECRET_KEY to a long random value "
                "(for example the output of `python3 -c 'import secrets; print(secrets.token_hex(32))'`)."
            )
        secret_key = _development_secret_key()
    session_max_hours = int(os.environ.get("SESSION_MAX_HOURS", "12"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'psirf.sqlite3'}"
    config = {
        "PSIRF_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Statement errors then carry no values: a traceback in the log shows no patient's details.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_HASH_COST": password_hash_cost(),
        # Compiled templates kept across apps (a jinja2.BytecodeCache), or None to compile them in
        # each app as it first renders them: the test suite shares one across its apps.
        "TEMPLATE_BYTECODE_CACHE": None,
        # A sign-in ends after this long without a request, and this long after it began, whatever
        # happens (psirf/accounts/sessions.py). The signed cookie itself expires with the second.
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": session_max_hours,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=session_max_hours),
        # How many proxies in front of the app set X-Forwarded-For and X-Forwarded-Proto: with none
        # (the default) the headers are ignored, since anyone could send them. Behind one TLS proxy, 1.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Where throttles count (psirf/web/throttle.py): memory suits one process; production with
        # several gunicorn workers sets RATELIMIT_STORAGE_URI=redis://... so every worker counts together.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "SIGN_IN_LIMIT_PER_ACCOUNT": os.environ.get(
            "SIGN_IN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"
        ),
        "SIGN_IN_LIMIT_PER_ADDRESS": os.environ.get(
            "SIGN_IN_LIMIT_PER_ADDRESS", "20 per 15 minutes"
        ),
        # Public reports need no account, so each address may send only so many.
        "PUBLIC_REPORT_LIMIT": os.environ.get("PUBLIC_REPORT_LIMIT", "10 per hour"),
        # A local target for the duty of candour's notifications, in working days from the date the
        # duty was confirmed. Regulation 20 sets no day count: this is never a legal deadline.
        "CANDOUR_TARGET_WORKING_DAYS": int(os.environ.get("CANDOUR_TARGET_WORKING_DAYS", "10")),
        # The results of enquiries have their own, longer, local target: when the response closes
        # (unset, the default), or this many working days from the confirmation.
        "CANDOUR_RESULTS_TARGET_WORKING_DAYS": candour_results_target(),
        # Attempts at an invitation link or letter code to the family portal, per address.
        "JOIN_LIMIT_PER_ADDRESS": os.environ.get("JOIN_LIMIT_PER_ADDRESS", "10 per 15 minutes"),
        # Following a report with its reference and private code: guesses per address.
        "PUBLIC_FOLLOW_LIMIT": os.environ.get("PUBLIC_FOLLOW_LIMIT", "10 per 15 minutes"),
        # Email (psirf/notifications/delivery.py). With no MAIL_SERVER nothing is sent: emails are
        # kept in the development outbox page (/outbox) instead.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "true").lower() in ("1", "true", "yes"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "PSIRF responses <no-reply@psirf.invalid>"),
        # The job queue that sends it (psirf/notifications/queue.py): Redis when set, else a SQLite file.
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "HUEY_SQLITE_PATH": os.environ.get("HUEY_SQLITE_PATH")
        or str(INSTANCE_DIR / "huey.sqlite3"),
        "PAGE_SIZE": int(os.environ.get("PSIRF_PAGE_SIZE", "25")),
        # Requests one API token may make (psirf/api/auth.py), counted where the throttles count.
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "300 per minute"),
        # API tokens that were not good (unknown, expired, revoked), per client address: guessing.
        "API_TOKEN_LIMIT_PER_ADDRESS": os.environ.get(
            "API_TOKEN_LIMIT_PER_ADDRESS", "30 per 15 minutes"
        ),
        # The LFPSE export (psirf/lfpse/senders.py): "outbox" (the default) writes one JSON file per
        # event revision into LFPSE_OUTBOX_DIR; "http" POSTs it to LFPSE_URL with LFPSE_API_KEY in
        # the LFPSE_API_KEY_HEADER header, giving up when one network operation waits
        # LFPSE_TIMEOUT_SECONDS or the whole send takes LFPSE_DEADLINE_SECONDS (less than half the
        # claim's 15-minute lease, so a send cannot outlive its claim).
        "LFPSE_SENDER": os.environ.get("LFPSE_SENDER", "outbox"),
        "LFPSE_OUTBOX_DIR": os.environ.get("LFPSE_OUTBOX_DIR")
        or str(INSTANCE_DIR / "lfpse-outbox"),
        "LFPSE_URL": os.environ.get("LFPSE_URL") or None,
        "LFPSE_API_KEY": os.environ.get("LFPSE_API_KEY") or None,
        "LFPSE_API_KEY_HEADER": os.environ.get("LFPSE_API_KEY_HEADER", "Ocp-Apim-Subscription-Key"),
        "LFPSE_TIMEOUT_SECONDS": float(os.environ.get("LFPSE_TIMEOUT_SECONDS", "10")),
        "LFPSE_DEADLINE_SECONDS": float(os.environ.get("LFPSE_DEADLINE_SECONDS", "60")),
        # The address people use to reach the service: emails carry full links built on it.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # How long an invitation to the family portal stays usable.
        "INVITATION_LINK_DAYS": int(os.environ.get("INVITATION_LINK_DAYS", "7")),
        "INVITATION_LETTER_DAYS": int(os.environ.get("INVITATION_LETTER_DAYS", "28")),
        # Request bodies (psirf/web/inputs.py): the largest form, five answers of 20,000 characters
        # in a four-byte script as a browser encodes them, is about 1.2 MB. Larger is refused (413)
        # from its Content-Length, before it is read.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # One field of a multipart form, held in memory while it is parsed.
        "MAX_FORM_MEMORY_SIZE": 256 * 1024,
        # Bulk import (psirf/imports): uploads and reports are kept in this folder (the worker
        # reads the upload, so it must be shared with the web processes); the upload page alone
        # takes a body this large (Werkzeug streams the file to disk, not memory).
        "IMPORT_FOLDER": os.environ.get("IMPORT_FOLDER") or str(INSTANCE_DIR / "imports"),
        "IMPORT_MAX_BYTES": int(os.environ.get("IMPORT_MAX_BYTES", str(512 * 1024 * 1024))),
    }
    if overrides:
        config.update(overrides)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite has one write lock and writers queue for it: under load a queue of ten outlasts
        # the driver's 5 seconds, and a writer that gives up shows the "service unavailable" page.
        options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {
            "timeout": SQLITE_BUSY_SECONDS,
            **options.get("connect_args", {}),
        }
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    return config
