"""The WSGI entry point: `gunicorn app:app`, `flask --app app ...`."""

from psirf import create_app

app = create_app()
