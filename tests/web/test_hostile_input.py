"""Every form of every role, sent hostile values, and every address with an id, sent one out of range.

Driven by the route table (tests/test_route_access.py): each POST route is sent by the role allowed
to use it, with the form as its page really shows it (read from the HTML, so selects, radios,
boxes, NHS.UK date parts and the hidden version are all there), one hostile value at a time. The
public forms, which the table leaves out, are listed here. A new route is covered as it is added
(or fails `test_every_form_is_tried` until it is).

Nothing may answer 5xx. A refusal (4xx) writes nothing: no row, no audit record, no new version.
Values that are never right (too long, not a date, out of range) must be refused, with the
error summary on a form's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from sqlalchemy import Integer, func, select

from psirf.extensions import Base, db
from tests.support.alert_routes import ALERT_FORM_PAGES
from tests.support.routes import ROUTES, route_objects
from tests.support.page_forms import (
    TEXT_KINDS,
    PageForm,
    baseline,
    forms_on,
    number_targets,
    text_targets,
    visible,
)

# ---- the hostile values ---------------------------------------------------------------------------

# Each tried in one box at a time, the others as a careful person fills them, so it reaches the
# column behind that box: past every short column (String(n)) a form must bound, and the longest
# any field takes.
ONE_BOX = {"1,000 characters": "a" * 1_000, "20,000 characters": "b" * 20_000}
# Each tried in every box at once.
TEXT = {
    "100,000 characters": "c" * 100_000,  # past every field
    "markup and SQL": "<b id='x'>bold</b><script>alert(1)</script>'; DROP TABLE users; -- \" OR 1=1",
    "a NUL and controls": "before\x00after\x01\x1b[31m\x7f",
    "right-to-left": "\u202etxt.exe\u202c \u05e9\u05dc\u05d5\u05dd \u200f",
}
TOO_LONG_NUMBER = "40 digits"
NUMBER = {"-1": "-1", TOO_LONG_NUMBER: "9" * 40}
DATES = {
    "30 February": ("30", "2", "2025"),
    "a 40-digit year": ("1", "1", "9" * 40),
    "year 99999": ("1", "1", "99999"),
}
# Never right wherever it goes: the form must refuse it.
REFUSED = {"100,000 characters", *NUMBER, *DATES}

# The public forms the route table leaves out: the page that shows each, as a visitor reaches it.
PUBLIC_PAGES = {
    "accounts.sign_in": "/sign-in",
    "events_public.service": "/report/service?q=Riverside",
    "events_public.kind": "/report/kind",
    "events_public.when": "/report/when",
    "events_public.what": "/report/what-happened",
    "events_public.harm": "/report/harm",
    "events_public.theme": "/report/theme",
    "events_public.about_you": "/report/about-you",
    "events_public.contact": "/report/contact",
    "events_follow.follow": "/follow",
    "family_join.code": "/join",
}
# Public POST routes whose form needs a visit in progress; each is tried by a test of its own below.
JOURNEYS = {
    "events_public.check": "test_the_public_report_is_sent_with_hostile_answers",
    "family_join.set_password": "test_joining_with_hostile_values",
    # The header's button: no field but the token, and it ends the client's session.
    "accounts.sign_out": "none: it has no field to fill",
    # An administrator's button, shown beside a person signed in somewhere: no field but the token.
    "accounts.end_sessions": "none: it has no field to fill",
}


@dataclass
class Tried:
    endpoint: str
    who: str | None  # None: a visitor, not signed in
    form: PageForm


# ---- the world, once for the module --------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(database):
    """One database and one signed-in client per person; throttles that every value tried many times
    over stays within."""
    from tests.support.app import running_app, signed_in_clients

    within = "100000 per minute"
    limits = {
        name: within
        for name in (
            "SIGN_IN_LIMIT_PER_ACCOUNT",
            "SIGN_IN_LIMIT_PER_ADDRESS",
            "PUBLIC_REPORT_LIMIT",
            "JOIN_LIMIT_PER_ADDRESS",
            "PUBLIC_FOLLOW_LIMIT",
        )
    }
    with running_app(database, **limits) as app:
        objects = route_objects()
        _show_every_form(objects)
        signed_in = signed_in_clients(app, objects["people"])

        def client_of(who: str | None):
            return app.test_client() if who is None else signed_in(who)

        yield app, objects, client_of


def _show_every_form(o: dict) -> None:
    """What the table's objects lack for some forms to be shown at all: a harmful event and a duty
    of candour that applies, a finding to link a factor to, a notification, a contribution at
    sign-off, a closed response with a report whose reporter is still to be told what changed."""
    from datetime import date

    from psirf.engagement import candour, notifiable
    from psirf.learning import services as learning
    from psirf.notifications.models import NotificationKind
    from psirf.notifications.services import notify
    from tests.support.factories import SafetyEventFactory

    world = o["world"]
    SafetyEventFactory(
        organisation=world.practice, learning_response_id=o["aar"].id, physical_harm="moderate"
    )
    SafetyEventFactory(organisation=world.practice, learning_response_id=o["closed_aar"].id)
    criteria = [c.key for c in notifiable.applied_to(o["aar"]).test.criteria][:1]
    candour.decide_candour(
        db.session,
        world.lead,
        o["aar"],
        decision="applies",
        criteria=criteria,
        reason=None,
        decided_on=date(2024, 3, 1),
        expected_version=None,
        today=date(2024, 3, 1),
    )
    learning.add_finding(
        db.session,
        world.lead,
        o["aar_in_review"],
        "The check was skipped.",
        None,
        kind="area_for_improvement",
    )
    for who in ("reporter", "family"):
        notify(
            db.session,
            o["people"][who],
            NotificationKind.REPORT_UPDATE,
            "News",
            link="/notifications",
        )
    signing = o["cross_org_contributing"]
    signing.state = "sign_off"
    signing.contributors[0].contribution = "What Southfields found."
    db.session.commit()


# Forms the route's own object does not show (what changed is told once a response has ended).
OTHER_PAGES = {
    "reporter_feedback.what_changed": lambda o: f"/responses/{o['closed_aar'].id}",
    **ALERT_FORM_PAGES,  # a draft alert's forms (the route table's alert is issued)
}


def _post_routes(app) -> list[str]:
    # The JSON API takes no form: schemathesis sends it hostile values (tests/api/test_contract.py).
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods
        and rule.endpoint != "static"
        and not rule.endpoint.startswith("api.")
    )


def _candidate_pages(url: str) -> list[str]:
    """Where a POST route's form may be shown: its own address, each address above it, and the
    edit page of each (a plan's sections are edited on /plans/<id>/edit)."""
    path = url.split("?")[0]
    parts = path.strip("/").split("/")
    above = ["/" + "/".join(parts[:n]) for n in range(len(parts), 0, -1)]
    return [url] + [p for a in above for p in (a, a + "/edit")]


def _find_form(client, url: str, pages: list[str]) -> PageForm | None:
    for page in pages:
        answer = client.get(page)
        if answer.status_code != 200 or answer.mimetype != "text/html":
            continue
        for form in forms_on(page, answer.get_data(as_text=True)):
            if form.method == "post" and form.action.split("?")[0] == url.split("?")[0]:
                return form
    return None


def _route_form(app, objects, client_of, endpoint: str) -> Tried | None:
    if endpoint in PUBLIC_PAGES:
        page = PUBLIC_PAGES[endpoint]
        client = client_of(None)
        forms = [
            f for f in forms_on(page, client.get(page).get_data(as_text=True)) if f.method == "post"
        ]
        with app.test_request_context():
            from flask import url_for

            target = url_for(endpoint)
        found = next((f for f in forms if f.action.split("?")[0] == target), None)
        return Tried(endpoint, None, found) if found else None
    case = ROUTES[endpoint]
    who = case.allowed[0]
    url = case.url(objects)
    found = _find_form(client_of(who), url, _candidate_pages(url))
    if found is None and endpoint in OTHER_PAGES:
        page = OTHER_PAGES[endpoint](objects)
        adapter = app.url_map.bind("localhost")
        found = next(
            (
                f
                for f in forms_on(page, client_of(who).get(page).get_data(as_text=True))
                if f.method == "post"
                and adapter.match(f.action.split("?")[0], method="POST")[0] == endpoint
            ),
            None,
        )
    return Tried(endpoint, who, found) if found else None


# ---- nothing written -----------------------------------------------------------------------------


def _state() -> dict[str, int]:
    """Rows in every table, and the sum of every versioned record's version: one query."""
    columns = []
    for table in Base.metadata.sorted_tables:
        columns.append(
            select(func.count()).select_from(table).scalar_subquery().label(f"rows:{table.name}")
        )
        if "version_id" in table.c and isinstance(table.c.version_id.type, Integer):
            columns.append(
                select(func.coalesce(func.sum(table.c.version_id), 0))
                .scalar_subquery()
                .label(f"versions:{table.name}")
            )
    with db.engine.connect() as connection:
        row = connection.execute(select(*columns)).one()
    return dict(row._mapping)


# ---- sending ---------------------------------------------------------------------------------------


def _variants(form: PageForm):
    """(name, what to send) for each hostile value, one kind of control at a time."""
    base = baseline(form)
    texts, numbers, dates = text_targets(form), number_targets(form), sorted(form.date_groups())
    # What must be refused first: once a value is accepted, some records move on (an event triaged)
    # and their form is gone.
    everything_empty = {
        name: [""] for name in base if form.names()[name][0].kind not in ("radio", "checkbox")
    }
    yield "every field empty", everything_empty
    if numbers:
        for label, value in NUMBER.items():
            yield label, {**base, **{name: [value] for name in numbers}}
    # A number typed alone, the rest as the page filled it: with every control at once, the version's
    # own refusal would hide a box that takes any size of number.
    for name in numbers:
        if form.names()[name][0].kind == "number":
            yield f"{TOO_LONG_NUMBER} in {name}", {**base, name: [NUMBER[TOO_LONG_NUMBER]]}
    for label, (day, month, year) in DATES.items():
        if dates:
            parts = {
                f"{d}[{p}]": [v]
                for d in dates
                for p, v in (("day", day), ("month", month), ("year", year))
            }
            yield label, {**base, **parts}
    if texts:
        for label, value in TEXT.items():
            yield label, {**base, **{name: [value] for name in texts}}
    for label, value in ONE_BOX.items():
        for name in texts:
            yield f"{label} in {name}", {**base, name: [value]}


def _send(client, form: PageForm, data: dict) -> tuple[int, str, str | None]:
    """(status, body, the error if the app raised instead of answering)."""
    try:
        if form.method == "post":
            answer = client.post(form.action, data=data)
        else:
            answer = client.get(form.action.split("?")[0] + "?" + urlencode(data, doseq=True))
    except Exception as error:  # an unhandled error: what a person would see as a 500
        return 500, "", f"{type(error).__name__}: {str(error)[:300]}"
    return (
        answer.status_code,
        answer.get_data(as_text=True) if answer.mimetype == "text/html" else "",
        None,
    )


def _problems(tried: Tried, client) -> list[str]:
    problems = []
    form = tried.form
    typed = [n for n in visible(form) if form.names()[n][0].kind in TEXT_KINDS]
    # The last reading of the database, while nothing has been sent since: the next value's before.
    read = None
    for label, data in _variants(form):
        before = read if read is not None else _state()
        status, body, raised = _send(client, form, data)
        where = f"{tried.endpoint} ({tried.who or 'visitor'}), {label}"
        if status >= 500:
            problems.append(f"{where}: {status} {raised or ''}")
            read = None
            continue
        after = read = _state()
        refused = status >= 400 or "nhsuk-error-summary" in body
        if refused and after != before:
            changed = sorted(k for k in after if after[k] != before[k])
            problems.append(f"{where}: refused ({status}) but wrote {changed}")
        never_right = label.split(" in ")[0] in REFUSED and (label not in TEXT or typed)
        if never_right and not refused:
            problems.append(f"{where}: accepted ({status})")
        if status in (400, 422) and visible(form) and "nhsuk-error-summary" not in body:
            problems.append(f"{where}: {status} without the error summary")
        if status == 200 and refused and form.method == "post":
            problems.append(f"{where}: refused with 200 rather than 4xx")
        if status < 400 and not refused:
            # It was saved: later values go to the record as it now is (its new version), if the
            # record still takes them (a triaged event does not).
            form = _find_form(client, form.action, [form.page])
            read = None
            if form is None:
                break
    return problems


# ---- the tests -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forms(hostile) -> dict[str, Tried | None]:
    """Each POST route's form as its page shows it, found once, before any form is sent (so a change
    one makes, a plan submitted or a review approved, does not hide another's form)."""
    app, objects, client_of = hostile
    return {
        e: _route_form(app, objects, client_of, e) for e in _post_routes(app) if e not in JOURNEYS
    }


def test_every_form_is_tried(forms):
    untried = [endpoint for endpoint, tried in forms.items() if tried is None]
    assert untried == [], (
        f"no page shows a form for these POST routes to the role allowed to use them: {untried}"
    )


def test_every_form_refuses_hostile_values_with_a_4xx_and_writes_nothing(hostile, forms):
    app, objects, client_of = hostile
    # The steps last: taking one changes what the other forms of the record may do.
    tried = sorted(
        (t for t in forms.values() if t),
        key=lambda t: (t.endpoint.endswith((".fire", ".decide")), t.endpoint),
    )
    problems = [p for t in tried for p in _problems(t, client_of(t.who))]
    assert problems == [], "\n".join(problems)


def test_every_search_and_filter_takes_hostile_values(hostile):
    """The GET forms (queues' filters, the library's search, the public service search)."""
    app, objects, client_of = hostile
    pages = [
        (case.allowed[0], case.url(objects)) for case in ROUTES.values() if case.method == "GET"
    ]
    pages += [(None, "/report/service"), (None, "/follow")]
    problems, seen = [], set()
    for who, page in pages:
        client = client_of(who)
        answer = client.get(page)
        if answer.mimetype != "text/html":
            continue
        for form in forms_on(page, answer.get_data(as_text=True)):
            if form.method != "get" or (form.action, who) in seen:
                continue
            seen.add((form.action, who))
            for label, data in _variants(form):
                status, _, raised = _send(client, form, data)
                if status >= 500:
                    problems.append(
                        f"{form.action} ({who or 'visitor'}), {label}: {status} {raised or ''}"
                    )
    assert seen, "no search or filter form found"
    assert problems == [], "\n".join(problems)


def _route_cases(objects):
    for endpoint, case in sorted(ROUTES.items()):
        yield endpoint, case.method, case.allowed[0], case.url(objects)


def test_every_address_with_an_id_answers_404_for_one_out_of_range(hostile):
    """Each id in each address, one at a time, past what the database's integers hold: 404, and
    the query is never made (it would raise on PostgreSQL, and on SQLite past 64 bits)."""
    app, objects, client_of = hostile
    problems, tried = [], 0
    for endpoint, method, who, url in _route_cases(objects):
        path, _, query = url.partition("?")
        parts = path.split("/")
        for i, part in enumerate(parts):
            if not part.isdigit():
                continue
            tried += 1
            wrong = "/".join([*parts[:i], "9" * 20, *parts[i + 1 :]]) + (
                f"?{query}" if query else ""
            )
            status = (
                client_of(who)
                .open(wrong, method=method, data={} if method == "POST" else None)
                .status_code
            )
            if status != 404:
                problems.append(f"{endpoint} {method} {wrong} as {who}: {status}")
    assert tried > 50
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "address",
    [
        "/public/plans/%00",
        "/public/plans/%00/plan.pdf",
        "/public/plans/" + "x" * 5000,
        "/join/%00",
        "/events/%00",
        "/report/service%00",
        "/responses/-1",
        "/responses/0",
    ],
)
def test_an_address_that_names_nothing_answers_404(hostile, address):
    app, objects, client_of = hostile
    answer = client_of("lead").get(address)
    assert answer.status_code == 404
    assert "Page not found" in answer.get_data(as_text=True)


PUBLIC_STEPS = [
    "/report/service?q=Riverside",
    "/report/kind",
    "/report/when",
    "/report/what-happened",
    "/report/harm",
    "/report/theme",
    "/report/about-you",
    "/report/contact",
]


@pytest.mark.parametrize("label", [*TEXT, *ONE_BOX])
def test_the_public_report_is_sent_with_hostile_answers(hostile, label):
    """The answers typed on each page are sent together from the check page."""
    app, objects, client_of = hostile
    value = {**TEXT, **ONE_BOX}[label]
    visitor = client_of(None)
    for page in PUBLIC_STEPS:
        form = next(
            f
            for f in forms_on(page, visitor.get(page).get_data(as_text=True))
            if f.method == "post"
        )
        data = {**baseline(form), **{name: [value] for name in text_targets(form) if name != "q"}}
        answer = visitor.post(form.action, data=data)
        assert answer.status_code < 500, f"{page}: {answer.status_code}"
        if answer.status_code != 302:  # refused on its own page (too long): nothing to send
            assert "nhsuk-error-summary" in answer.get_data(as_text=True)
            return
    answer = visitor.post("/report/check")
    assert answer.status_code == 302, answer.status_code
    from psirf.events.models import SafetyEvent

    sent = db.session.scalars(select(SafetyEvent).order_by(SafetyEvent.id.desc()).limit(1)).one()
    assert "\x00" not in sent.description and "\x1b" not in sent.description
    if label == "right-to-left":
        assert sent.description == TEXT[label]  # text in any direction is kept as typed


def test_joining_with_hostile_values(hostile):
    """The family portal's join pages: the code from a letter, then choosing a password."""
    from psirf.engagement import invitations
    from psirf.timeutil import utcnow

    app, objects, client_of = hostile
    db.session.expire_all()  # the pages have changed the review since the module began
    aar, person = objects["aar"], objects["affected"]
    invited = invitations.invite(
        db.session,
        objects["world"].lead,
        aar,
        person.id,
        means="letter",
        email=None,
        expected_version=None,
        now=utcnow(),
        link_days=7,
        letter_days=28,
        organisation_name="Riverside",
    )
    db.session.commit()
    visitor = client_of(None)
    assert visitor.post("/join", data={"code": invited.code}).status_code == 302
    form = _find_form(visitor, "/join/set-password", ["/join/set-password"])
    assert form is not None
    assert _problems(Tried("family_join.set_password", None, form), visitor) == []
