"""Markup typed into any field is shown as text, never obeyed: on every page, in every PDF and CSV.

Every free-text column of every table holds markup naming its field (tests/web/markup.py). Then
every page of the route table, and every page linked from them, is fetched by every person, with
the public pages and the family portal, every learning response's page and PDF, the plans' pages
and PDFs and every dashboard CSV; a parser looks for live elements (tests/web/rendered.py), and
each field's escaped form must appear somewhere, so the test proves the fields were rendered.
Last, every kind of form met on those pages is sent with markup in each field a person types into,
and the page that comes back is read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from psirf.actions.models import SafetyAction
from psirf.events.models import SafetyEvent
from psirf.extensions import db
from psirf.improvement.models import ImprovementPlan
from psirf.library.models import LibraryEntry
from psirf.plans.models import PsirfPlan
from psirf.responses.models import LearningResponse
from tests.support.plan_factories import PlanFactory
from tests.support.routes import ROUTES
from tests.support.markup import (
    LIVE_PREFIX,
    NOT_SHOWN,
    TYPED_PREFIX,
    fill_every_free_text_column,
    more_rows,
    record_fields,
    typed,
)
from tests.support.rendered import (
    TYPED_KINDS,
    Fetched,
    Form,
    forms_on,
    read_csv,
    read_html,
    read_pdf,
)

# ---- fetching everything once -------------------------------------------------------------------------

PUBLIC_TOKEN = "escaping-test-published-plan"
# Addresses a crawl leaves alone: files served as they are, and a document shared with a family
# (stored bytes, not built by the app).
NOT_CRAWLED = re.compile(r"^/(static|assets)/|^/your-response/\d+/documents/")
# The public pages, read by the public: signed in, they are the same pages again but for the header.
SIGNED_IN_SKIPS = re.compile(
    NOT_CRAWLED.pattern + r"|^/(report|follow|join|accessibility|sign-in|public)(/|$)"
)
LINK = re.compile(r'href="(/[^"#]*)')


@dataclass
class Site:
    """What the crawl read, and what it needs to read it and to send the forms it met after."""

    written: set[str]
    fetched: list[Fetched] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # addresses that failed to answer
    public_report: Fetched | None = None
    # Each response's PDF, and the fields of its record it must show.
    reports: dict[str, set[str]] = field(default_factory=dict)
    # Each form with a field to type into, met first by whom, and everyone's client.
    forms: dict[tuple, tuple[str, Form]] = field(default_factory=dict)
    clients: dict = field(default_factory=dict)


def _address(href: str) -> str:
    """A link as the crawl follows it: a page's own query (filters, paging) left off, except the
    table a CSV download names."""
    path, _, query = href.replace("&amp;", "&").partition("?")
    if path.endswith(".csv"):
        return f"{path}?{query}"
    return path


DOCUMENT = re.compile(r"\.(pdf|csv)(\?|$)")


def crawl(site: Site, client, who: str, seeds: list[str], skip: re.Pattern = NOT_CRAWLED) -> None:
    """Every page reachable from the seeds by in-app links, fetched by one person. A PDF or CSV is
    the same for everyone who may have it: it is read once, by the first who reaches it."""
    seen = {f.url for f in site.fetched if DOCUMENT.search(f.url)}
    queue = [url for url in dict.fromkeys(seeds) if url not in seen and not skip.search(url)]
    seen |= set(seeds)
    while queue:
        url = queue.pop(0)
        try:
            answer = client.get(url)
        except Exception as error:  # the test app raises what a server would answer with a 500
            site.broken.append(f"{url} as {who}: {error!r}"[:300])
            continue
        if answer.status_code >= 500:
            site.broken.append(f"{url} as {who}: {answer.status_code}")
            continue
        if answer.status_code != 200:
            if (
                answer.mimetype == "text/html"
            ):  # an error page, with the person's name in its header
                site.fetched.append(read_html(url, who, answer.get_data(as_text=True)))
            continue
        kind = answer.mimetype
        if kind == "application/pdf":
            site.fetched.append(read_pdf(url, who, answer.get_data()))
        elif kind == "text/csv":
            site.fetched.append(read_csv(url, who, answer))
        elif kind == "text/html":
            body = answer.get_data(as_text=True)
            site.fetched.append(read_html(url, who, body))
            for form in forms_on(url, body):
                # One of each kind of form: the same form for another row adds nothing.
                key = (form.method, re.sub(r"\d+", "N", form.action.split("?")[0]), form.typed)
                if form.typed and key not in site.forms:
                    site.forms[key] = (who, form)
            for href in LINK.findall(body):
                link = _address(href)
                if link not in seen and not skip.search(link):
                    seen.add(link)
                    queue.append(link)


def send_public_report(site: Site, client, practice) -> None:
    """The public report, every answer typed as markup, to its check page, its done page and the
    follow page that shows its news."""
    steps = [
        ("/report/service", {"q": practice.ods_code, "organisation_id": str(practice.id)}),
        ("/report/kind", {"record_type": "incident"}),
        (
            "/report/when",
            {"occurred_on[day]": "2", "occurred_on[month]": "3", "occurred_on[year]": "2025"},
        ),
        ("/report/what-happened", {"description": typed("description")}),
        ("/report/harm", {"physical_harm": "moderate"}),
        ("/report/theme", {"theme": "medication"}),
        ("/report/about-you", {"reporter_kind": "family"}),
        (
            "/report/contact",
            {
                "reporter_name": typed("reporter_name"),
                "reporter_contact": typed("reporter_contact"),
            },
        ),
    ]
    for url, data in steps:
        site.fetched.append(read_html(url, "the public", client.get(url).get_data(as_text=True)))
        answer = client.post(url, data=data)
        assert answer.status_code == 302, (url, answer.get_data(as_text=True))
    check = client.get("/report/check")
    site.public_report = read_html("/report/check", "the public", check.get_data(as_text=True))
    site.fetched.append(site.public_report)
    assert client.post("/report/check").status_code == 302
    done = client.get("/report/done").get_data(as_text=True)
    site.fetched.append(read_html("/report/done", "the public", done))
    reference = re.search(r"PSE-\d{4}-\d{6}", done).group(0)
    code = re.search(r'id="follow-code">([A-Z0-9-]+)<', done).group(1)
    followed = client.post("/follow", data={"reference": reference, "code": code})
    site.fetched.append(
        read_html("/follow (its news)", "the public", followed.get_data(as_text=True))
    )
    search = client.get("/report/service", query_string={"q": typed("q")})
    site.fetched.append(
        read_html("/report/service?q=", "the public", search.get_data(as_text=True))
    )


# Each row's own page, so a row no list links to is still read.
OWN_PAGES = {
    SafetyEvent: "/events/{}",
    LearningResponse: "/responses/{}",
    SafetyAction: "/actions/{}",
    PsirfPlan: "/plans/{}",
    ImprovementPlan: "/improvement-plans/{}",
    LibraryEntry: "/library/{}",
}


# Who reads every row's own page: between them they may see every row; the others reach what
# they may see by the links on their pages.
SEE_EVERY_ROW = ("lead", "panel", "icb_quality", "icb_specialist")


def own_pages(session) -> list[str]:
    return [
        page.format(row_id)
        for model, page in OWN_PAGES.items()
        for row_id in session.scalars(select(model.id))
    ]


@pytest.fixture(scope="module")
def site(request):
    app, objects, signed_in = request.getfixturevalue("shared")
    world = objects["world"]
    more_rows(objects)
    PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        state="published",
        revision=1,
        effective_from=date(2027, 1, 1),
        review_on=date(2027, 12, 1),
        decided_on=date(2026, 12, 1),
        public_token=PUBLIC_TOKEN,
    )
    subjects = [objects["aar"], objects["event"], objects["psirf_plan"], objects["action"]]
    site = Site(written=fill_every_free_text_column(db.session, subjects))
    site.reports = {
        f"/responses/{r.id}/report.pdf": {LIVE_PREFIX + name for _, _, name in record_fields(r)}
        for r in db.session.scalars(select(LearningResponse))
    }

    send_public_report(site, app.test_client(), world.practice)
    anyone = site.clients["the public"] = app.test_client()
    crawl(
        site,
        anyone,
        "the public",
        [
            "/report",
            "/follow",
            "/join",
            "/join/not-a-token",
            "/accessibility",
            f"/public/plans/{PUBLIC_TOKEN}",
            f"/public/plans/{PUBLIC_TOKEN}/plan.pdf",
        ],
    )
    rows = own_pages(db.session)
    for who in objects["people"]:
        # The route table's pages, but for those it refuses this person (tests/test_route_access.py).
        seeds = [
            case.url(objects)
            for case in ROUTES.values()
            if case.method == "GET" and case.refused.get(who, 200) < 400
        ]
        site.clients[who] = signed_in(who)
        crawl(
            site,
            site.clients[who],
            who,
            seeds + (rows if who in SEE_EVERY_ROW else []),
            SIGNED_IN_SKIPS,
        )
    return site


# ---- typing markup into every form ------------------------------------------------------------------------


@dataclass
class Sent:
    """Every form sent with markup in each field a person types into, and what came back."""

    sent: list[str] = field(default_factory=list)
    fetched: list[Fetched] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    # Forms whose only typed fields are passwords, which a page never shows back.
    passwords_only: set[str] = field(default_factory=set)


def send(sent: Sent, client, who: str, form: Form) -> None:
    """The form as its page filled it, but for markup in every field a person types into; then the
    page that came back, or the page it sent the person on to (with any message about it)."""
    data = MultiDict(
        [(name, typed(name) if kind in TYPED_KINDS else value) for name, kind, value in form.fields]
    )
    label = f"{form.method.upper()} {form.action}"
    try:
        if form.method == "post":
            answer = client.post(form.action, data=data)
        else:
            answer = client.get(form.action, query_string=data)
        label += f" {answer.status_code}"
        if answer.status_code in (302, 303):
            label += f" then {answer.headers['Location']}"
            answer = client.get(answer.headers["Location"])
    except Exception as error:  # the test app raises what a server would answer with a 500
        sent.broken.append(f"{label} as {who}: {error!r}"[:300])
        return
    sent.sent.append(label)
    if {kind for _, kind, _ in form.fields} & TYPED_KINDS <= {"password"}:
        sent.passwords_only.add(label)
    if answer.status_code >= 500:
        sent.broken.append(f"{label} as {who}: {answer.status_code}")
    elif answer.mimetype == "text/html":
        sent.fetched.append(read_html(label, who, answer.get_data(as_text=True)))


@pytest.fixture(scope="module")
def forms_sent(site):
    """After the pages are read (sending forms changes what they show)."""
    sent = Sent()
    # A step of a workflow last: it may end what the other forms change.
    for who, form in sorted(site.forms.values(), key=lambda met: "/transitions/" in met[1].action):
        send(sent, site.clients[who], who, form)
    return sent


# ---- the tests ------------------------------------------------------------------------------------------


def test_no_page_pdf_or_csv_obeys_markup_typed_into_a_field(site):
    assert not site.broken, "\n".join(site.broken)
    leaks = [f"{f.url} as {f.who}: {live}" for f in site.fetched for live in f.live]
    assert not leaks, "\n".join(leaks)


def test_every_free_text_field_is_shown_as_text_somewhere(site):
    shown = set().union(*(f.shown for f in site.fetched))
    fields = {m.removeprefix(LIVE_PREFIX) for m in shown}
    missing = sorted(site.written - fields - set(NOT_SHOWN))
    assert not missing, "never shown as text: " + ", ".join(missing)
    assert sorted(fields & set(NOT_SHOWN)) == [], "shown after all: take these off NOT_SHOWN"


def test_every_response_report_shows_each_field_of_its_record_as_typed(site):
    read = {f.url: f.shown for f in site.fetched if f.url in site.reports}
    assert sorted(set(site.reports) - set(read)) == [], "these reports were not read"
    missing = {
        url: sorted(fields - read[url])
        for url, fields in site.reports.items()
        if fields - read[url]
    }
    assert not missing


def test_the_public_report_shows_each_answer_as_typed_on_its_check_page(site):
    answers = {TYPED_PREFIX + name for name in ("description", "reporter_name", "reporter_contact")}
    assert answers <= site.public_report.shown


@pytest.mark.parametrize("kind", ["pdf", "csv"])
def test_the_downloads_hold_the_markup_as_plain_text(site, kind):
    documents = [
        f
        for f in site.fetched
        if DOCUMENT.search(f.url) and DOCUMENT.search(f.url).group(1) == kind
    ]
    shown = set().union(*(f.shown for f in documents))
    assert documents and LIVE_PREFIX + "organisations.name" in shown


def test_markup_typed_into_every_form_comes_back_as_text(forms_sent):
    assert not forms_sent.broken, "\n".join(forms_sent.broken)
    assert len(forms_sent.fetched) == len(forms_sent.sent), "every form answers with a page"
    leaks = [f"{f.url} as {f.who}: {live}" for f in forms_sent.fetched for live in f.live]
    assert not leaks, "\n".join(leaks)
    # Refused, the form shows what was typed; saved, the page it leads to shows what was saved.
    unshown = [
        f"{f.url} as {f.who}"
        for f in forms_sent.fetched
        if f.url not in forms_sent.passwords_only
        and not any(m.startswith(TYPED_PREFIX) for m in f.shown)
    ]
    assert not unshown, "\n".join(unshown)
