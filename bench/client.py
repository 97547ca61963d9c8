"""A browser's worth of HTTP for the load generator: one keep-alive connection, the session
cookie, and forms read from the page as shown (the CSRF token with them), as a person submits them.
"""

from __future__ import annotations

import http.client
import time
from html.parser import HTMLParser
from urllib.parse import urlencode


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, form: list | dict | None = None):
        """(status, body bytes, seconds taken)."""
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, ConnectionError):
            # The server closed a kept-alive connection: open another, once.
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data, elapsed

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form):
        return self.request("POST", path, form)

    def form(self, path: str, action: str | None = None) -> list[tuple[str, str]]:
        """The fields of the form posting to `action` (default `path`) on the page at `path`."""
        status, body, _ = self.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return form_fields(body.decode(), path, action or path)

    def sign_in(self, email: str, password: str) -> None:
        fields = dict(self.form("/sign-in"))
        fields.update(email=email, password=password)
        status, _, _ = self.post("/sign-in", fields)
        if status != 302:
            raise RuntimeError(f"{email} could not sign in ({status})")

    def close(self) -> None:
        self.connection.close()


class _FormReader(HTMLParser):
    def __init__(self, page: str, action: str):
        super().__init__()
        self.page, self.action, self.inside, self.fields = page, action, False, []
        self.textarea: list | None = None
        self.select: list | None = None  # [name, value] of the select being read

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            # A form without an action posts back to its own page.
            self.inside = (a.get("action") or self.page).split("?")[0] == self.action
        elif not self.inside:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append([a["name"], a.get("value") or ""])
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]
            self.fields.append(self.textarea)
        elif tag == "select" and a.get("name"):
            self.select = [a["name"], None]
            self.fields.append(self.select)
        elif tag == "option" and self.select and (self.select[1] is None or "selected" in a):
            # A browser sends the selected option, or the first when none is selected.
            self.select[1] = a.get("value") or ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None


def form_fields(html: str, page: str, action: str) -> list[tuple[str, str]]:
    reader = _FormReader(page, action)
    reader.feed(html)
    return [(name, value) for name, value in reader.fields if value is not None]


def with_answers(fields: list[tuple[str, str]], answers: dict) -> dict:
    """The form as shown, each field in `answers` replaced (a list value for several)."""
    merged: dict = {}
    for name, value in fields:
        merged.setdefault(name, []).append(value)
    merged.update({k: v if isinstance(v, list) else [v] for k, v in answers.items()})
    return merged
