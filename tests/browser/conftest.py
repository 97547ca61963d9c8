"""A real server on a real port, a real Chromium (Debian's), and axe-core on every page visited."""

from __future__ import annotations

import json
import os
import shutil
import threading
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from psirf import create_app
from psirf.db import unit_of_work
from psirf.demo.organisations import load_accounts, load_organisations
from psirf.extensions import db
from tests.support.app import real_clock_environment

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
NHS_FONTS = "https://assets.nhs.uk/fonts/"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def live_app(database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database(), "TESTING": False, "SERVER_NAME": None})
    with app.app_context():
        with unit_of_work(db.session):
            load_accounts(db.session, load_organisations(db.session))
        db.session.remove()
    return app


@pytest.fixture
def live_db(live_app):
    """`with live_db():` lets a test build rows (with the factories) in the live server's database."""

    @contextmanager
    def session():
        with live_app.app_context():
            try:
                yield db.session
            finally:
                db.session.remove()

    return session


@pytest.fixture(scope="session")
def live_server(live_app):
    app = live_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is not installed at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # The app decides every date; Chromium keeps the real clock even under make test-any-day.
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            env=real_clock_environment(),
        )
        yield browser
        browser.close()


class Visitor:
    """Drives one page; every page it lands on is checked with axe-core and for console errors."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.checked: list[str] = []
        self.console_errors: list[str] = []
        page.on("console", self._console)

    def _console(self, message):
        # The NHS.UK stylesheet asks for Frutiger from the NHS's asset server, which the CSP allows
        # and this network cannot reach.
        if message.type == "error" and not (message.location.get("url") or "").startswith(
            NHS_FONTS
        ):
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        self.page.evaluate(AXE)
        # Only violations are wanted: axe then skips describing every node that passed.
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        violations = [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        assert violations == [], (
            f"axe found violations on {self.page.url}:\n{json.dumps(violations, indent=2)}"
        )
        assert self.console_errors == [], (
            f"console errors on {self.page.url}: {self.console_errors}"
        )
        self.checked.append(self.page.url)

    def goto(self, path: str, status: int = 200) -> None:
        """Open a page (a path or a full URL) and check it answered with `status`."""
        response = self.page.goto(path if path.startswith("http") else self.base_url + path)
        assert response.status == status, f"{path} answered {response.status}, expected {status}"
        self._expect_refusal(status)
        self.check()

    def submit(self, button_text: str, status: int | None = None) -> None:
        """Click a button that sends a form, then check the page it leads to (and its status)."""
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=button_text, exact=True).click()
        if status is not None:
            answered = navigation.value.status if navigation.value else None
            assert answered == status, f"{button_text} answered {answered}, expected {status}"
            self._expect_refusal(status)
        self.check()

    def _expect_refusal(self, status: int) -> None:
        # The browser reports a 4xx document itself as a console error; here it is the point.
        if status >= 400:
            self.console_errors = [e for e in self.console_errors if f"status of {status}" not in e]

    def follow(self, link_text: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=link_text).first.click()
        self.check()

    def sign_in(
        self, email: str, password: str = "demo-password", status: int | None = None
    ) -> None:
        self.goto("/sign-in")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.submit("Sign in", status)

    def sign_out(self) -> None:
        self.submit("Sign out")

    @property
    def text(self) -> str:
        return self.page.inner_text("main")


@contextmanager
def _visiting(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    visits: list[str] = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and visits.append(frame.url))
    v = Visitor(page, live_server)
    yield v
    unchecked = [u for u in visits if u not in v.checked]
    context.close()
    assert unchecked == [], f"pages visited but not checked with axe: {unchecked}"


@pytest.fixture
def visitor(browser, live_server):
    with _visiting(browser, live_server) as v:
        yield v


@pytest.fixture
def visitors(browser, live_server):
    """Several people at once, each in their own browser context, signed in once: `visitors(email)`."""
    with ExitStack() as stack:

        def signed_in(email: str) -> Visitor:
            v = stack.enter_context(_visiting(browser, live_server))
            v.sign_in(email)
            return v

        yield signed_in
