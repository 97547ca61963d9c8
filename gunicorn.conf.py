"""gunicorn's settings for `make serve` and production: `gunicorn --config gunicorn.conf.py`.

Each setting comes from the environment, so every web host runs the same file:
- GUNICORN_BIND (default 127.0.0.1:8000): behind a load balancer on another machine, 0.0.0.0:8000.
- WEB_CONCURRENCY (default two per core, plus one): worker processes, each with its own
  database pool (SQLAlchemy's default: 5 connections, 15 at peak).
- GUNICORN_TIMEOUT (default 30): seconds before a silent worker is restarted.

Logs go to stdout and stderr. Their lines are redacted by the handlers psirf/web/logging.py wraps
when each worker loads the app, so the app is not preloaded: it loads after gunicorn's loggers
exist, and no database connection is made before the fork and then shared by the workers.
"""

import multiprocessing
import os

wsgi_app = "app:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
preload_app = False
accesslog = "-"
errorlog = "-"
# The client's address and scheme are the app's to decide, from TRUSTED_PROXIES (ProxyFix):
# gunicorn's own trust of a local proxy's X-Forwarded-* headers would be a second, different rule.
forwarded_allow_ips = ""
# Workers' heartbeats in memory, not on a disk that may be slow or shared.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
