"""Markup typed into any field is shown as text, never obeyed: on every page, in every PDF and CSV.

Every free-text column of every table (and every text field of the JSON records) is filled with
markup naming its field: a <meta> refresh that would send the reader to another site, and a <b>
whose id names the column. Then every page of the route table is fetched by every person who may
see it, with the public pages and the family portal, every learning response's page and PDF, the
plans' pages and PDFs, and every dashboard CSV. A parser looks for live elements; and each field's
escaped form must appear somewhere, so the test proves the fields were rendered, not just absent.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader
from sqlalchemy import JSON, String, Text, select, update

from psirf import audit
from psirf.actions.models import SafetyAction
from psirf.engagement.models import CandourRecord, ContactAttempt
from psirf.events.models import EventPatient, ReporterUpdate, SafetyEvent
from psirf.extensions import Base, db
from psirf.improvement.models import ImprovementPlan, MeasureReading, PlanItem
from psirf.learning.models import ContributoryFactor, Finding
from psirf.library.models import LibraryEntry
from psirf.notifications.models import Notification, OutboxMessage
from psirf.plans.models import PlanRevision, PsirfPlan
from psirf.responses.models import LearningResponse, ResponseLink, ResponseMethod
from psirf.workflow import definitions
from tests.factories import ResponseFactory, SafetyActionFactory, SafetyEventFactory
from tests.plans.factories import PlanFactory
from tests.test_route_access import ROUTES, shared  # noqa: F401  (shared is the route table's fixture)

EVIL = '<meta http-equiv="refresh" content="0;url=https://evil.example/?a=1&b=2">'
LIVE_PREFIX = "x-"


def markup(name: str, room: int | None = None) -> str:
    """The markup for one field; just the <b> when a short column has no room for the <meta>."""
    marker = f'<b id="{LIVE_PREFIX}{name}">'
    if room is None or len(EVIL + marker) <= room:
        return EVIL + marker
    assert len(marker) <= room, f"{name}: no room for even {marker}"
    return marker


# ---- which columns hold text a person typed ---------------------------------------------------------

# Columns that hold no free text, each with the reason. Every other String, Text or JSON column is
# filled, so a column added later is tried unless someone says here why it need not be.
NOT_FREE_TEXT = {
    # Codes from a fixed list (the forms offer choices and refuse anything else), and state names.
    **dict.fromkeys((
        "affected_people.kind", "affected_people.involvement", "affected_people.contact_by",
        "audit_records.action", "audit_records.subject_type",
        "candour_records.decision", "candour_records.criteria", "candour_records.notified_means",
        "contact_attempts.purpose", "contact_attempts.means", "contributory_factors.factor",
        "engagement_steps.kind", "event_counts.theme", "event_counts.record_type", "event_counts.harm",
        "event_patients.physical_harm", "event_patients.psychological_harm", "event_patients.age_band",
        "event_patients.gender", "event_patients.ethnicity", "findings.kind",
        "improvement_plan_items.kind", "improvement_plan_items.source_key", "invitations.means",
        "learning_responses.method", "learning_responses.workflow_name", "learning_responses.state",
        "library_entries.kind", "library_entries.theme", "library_entries.method", "library_entries.service_kind",
        "notifications.kind", "organisations.kind", "outbox_messages.kind", "outbox_messages.status",
        "psirf_plans.workflow_name", "psirf_plans.state", "reporter_updates.kind", "response_links.kind",
        "role_assignments.role", "safety_actions.measure_kind", "safety_actions.strength", "safety_actions.effect",
        "safety_actions.workflow_name", "safety_actions.state", "safety_events.record_type", "safety_events.theme",
        "safety_events.service_area", "safety_events.location", "safety_events.agents", "safety_events.processes",
        "safety_events.physical_harm", "safety_events.psychological_harm", "safety_events.never_event_type",
        "safety_events.national_flags", "safety_events.status", "safety_events.triage_recommendation",
        "safety_events.reporter_kind", "shared_documents.kind", "shared_documents.media_type", "users.kind",
    ), "a code or a state"),
    # Identifiers the forms check against their format: an ODS code, an email address, an NHS number.
    **dict.fromkeys((
        "organisations.ods_code", "users.email", "invitations.email", "outbox_messages.to_address",
        "event_patients.nhs_number",
    ), "an identifier checked against its format"),
    # References the app numbers itself, and file names it makes from them.
    **dict.fromkeys(("learning_responses.reference", "safety_events.reference", "shared_documents.filename"),
                    "made by the app"),
    # Secrets and their hashes, never shown.
    **dict.fromkeys((
        "users.password_hash", "users.session_token", "invitations.secret_hash", "safety_events.follow_code_hash",
        "psirf_plans.public_token",
    ), "a secret"),
    # The app's own paths and keys: a link is a path the app made with url_for, a key dedupes reminders.
    **dict.fromkeys((
        "notifications.link", "notifications.dedupe_key", "outbox_messages.link", "outbox_messages.dedupe_key",
    ), "the app's own path or key"),
    # Figures frozen from the events when a plan is generated; its labels are the code lists' labels.
    "psirf_plans.profile": "figures the app computed",
}

# Free-text columns that no page, PDF or CSV shows, each with the reason.
NOT_SHOWN = {
    "psirf_plan_revisions.note": "nothing in the app writes or reads it yet",
}

# Keys of a plan's content that hold codes, not words (a priority's key is in its URL).
PLAN_CODE_KEYS = {"key", "method", "kind", "ods_code", "match"}


def text_columns():
    """(table, column) for every String, Text and JSON column of every mapped table."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text, JSON)):
                yield table, column


def free_text_columns():
    return [(t, c) for t, c in text_columns() if f"{t.name}.{c.name}" not in NOT_FREE_TEXT]


# ---- filling them -------------------------------------------------------------------------------------


def _fill_plan_content(value, path: str, written: set, named_by_path: bool = True):
    """Every string of a plan's content, each named by its path (list positions left out), or all
    named by the column alone."""
    if isinstance(value, dict):
        return {k: v if k in PLAN_CODE_KEYS else _fill_plan_content(v, f"{path}.{k}" if named_by_path else path, written,
                                                                   named_by_path)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_plan_content(v, path, written, named_by_path) for v in value]
    if isinstance(value, str):
        written.add(path)
        return markup(path)
    return value


def record_fields(response: LearningResponse):
    """(section, field, its name) for every line and text field the response's workflow declares."""
    definition = definitions.get(response.workflow_name, response.workflow_version)
    for section in definition.sections.values():
        for f in section.fields:
            if f.type in ("line", "text"):
                yield section, f, f"learning_responses.record.{section.name}.{f.name}"


def _fill_record(response: LearningResponse, written: set) -> dict:
    """Every line and text field of the response's record; its choices and dates kept."""
    record = dict(response.record or {})
    words: dict = {}
    for section, f, name in record_fields(response):
        written.add(name)
        words.setdefault(section, {})[f.name] = markup(name)
    for section, values in words.items():
        if section.repeatable:
            record[section.name] = [values]
        else:
            record[section.name] = {**(record.get(section.name) or {}), **values}
    return record


JSON_FILLERS = {
    "learning_responses.record": lambda row, written: _fill_record(row, written),
    "psirf_plans.content": lambda row, written: _fill_plan_content(row.content, "psirf_plans.content", written),
    # A submitted version is shown only where it differs from the next, and only the parts compared:
    # any of its text shown proves the comparison escapes it.
    "psirf_plan_revisions.content": lambda row, written: _fill_plan_content(
        row.content, "psirf_plan_revisions.content", written, named_by_path=False),
}
JSON_MODELS = {"learning_responses": LearningResponse, "psirf_plans": PsirfPlan, "psirf_plan_revisions": PlanRevision}


def fill_every_free_text_column(session, subjects) -> set[str]:
    """Markup in every free-text column of every row; returns the names of the fields written."""
    written: set[str] = set()
    empty = []
    for table, column in free_text_columns():
        name = f"{table.name}.{column.name}"
        if table.name == "audit_records":
            continue  # append-only: written fresh below
        if not session.scalar(select(table.c.id).limit(1)):
            empty.append(table.name)
            continue
        if isinstance(column.type, JSON):
            assert name in JSON_FILLERS, f"say how to fill the JSON column {name}, or why it holds no free text"
            model = JSON_MODELS[table.name]
            for row in session.scalars(select(model)):
                setattr(row, column.name, JSON_FILLERS[name](row, written))
        else:
            session.execute(update(table).values({column.name: markup(name, column.type.length)}))
            written.add(name)
    assert not empty, f"build a row of each of these, so their text is tried: {sorted(set(empty))}"
    # The audit trail refuses changes to its rows: each subject gets a record holding markup instead.
    for subject in subjects:
        audit.record(session, actor_id=None, action="edited", subject=subject, organisation_id=None,
                     changes={"description": {"before": markup("audit_records.changes"),
                                              "after": markup("audit_records.changes")}},
                     comment=markup("audit_records.comment"))
    written |= {"audit_records.changes", "audit_records.comment"}
    session.commit()
    return written


# ---- rows of every kind, beyond the route table's ----------------------------------------------------


def more_rows(objects) -> dict:
    """The rows the route table does not build, so every table with text has one: a response of every
    method (each has its own page sections and PDF layout), findings, notes and messages."""
    world = objects["world"]
    people = objects["people"]
    aar = objects["aar"]
    by_method = {m.value: ResponseFactory(organisation=world.practice, method=m.value)
                 for m in ResponseMethod if m.value != "after_action_review"}
    event = objects["event"]
    # Decided events show the triage's reasons; a referred one, the body and its reference.
    SafetyEventFactory(organisation=world.practice, status="learning_response", learning_response_id=aar.id)
    SafetyEventFactory(organisation=world.practice, status="referred", referred_on=date(2026, 3, 1))
    session = db.session
    objects["question"].answered_on = date(2026, 3, 3)  # its answer is filled below
    for response in [aar, *by_method.values()]:
        finding = Finding(response_id=response.id, text="finding")
        finding.factors.append(ContributoryFactor(factor="tasks", description="factor"))
        session.add(finding)
        SafetyActionFactory(response=response)
    session.add_all([
        EventPatient(event_id=event.id, physical_harm="low"),
        ReporterUpdate(event_id=objects["own_event"].id, kind="acknowledged", body="body"),
        ResponseLink(from_id=aar.id, to_id=by_method["psii"].id, kind="related"),
        CandourRecord(response_id=aar.id, decision="applies", criteria=[], reason="reason", decided_on=date(2026, 3, 1),
                      notified_on=date(2026, 3, 2), notified_means="phone", notified_by="someone"),
        ContactAttempt(response_id=aar.id, purpose="engagement", person_id=objects["affected"].id,
                       attempted_on=date(2026, 3, 2), means="phone", outcome="outcome"),
        PlanItem(plan_id=objects["improvement_plan"].id, kind="priority", source_key="k", text="text"),
        MeasureReading(plan_id=objects["improvement_plan"].id, measured_on=date(2026, 3, 1), value=3,
                       note="note", recorded_by_id=world.panel.id),
        *[Notification(user_id=person.id, kind="step_due", title="title", body="body", link="/")
          for person in people.values()],
        OutboxMessage(to_address="someone@example.org", subject="subject", body="body", kind="step_due",
                      status="failed", last_error="error"),
    ])
    plan = objects["psirf_plan"]
    session.add(PlanRevision(plan_id=plan.id, number=1, content=plan.content, note="note",
                             created_by_id=world.panel.id))
    session.commit()
    return by_method


# ---- reading what came back ---------------------------------------------------------------------------

TAG = re.compile(r"</?[a-zA-Z][^>]*>")
TWICE = re.compile(r"&(?:amp|lt|gt|quot|#\d+);")
MARKER = re.compile(r'<b\s*id="(' + LIVE_PREFIX + r'[^"]+)">')


class Reading(HTMLParser):
    """A page as a browser builds it: the elements it would make live, and the words it would show."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if (values.get("id") or "").startswith(LIVE_PREFIX):
            self.live.append(f"<{tag} id={values['id']}>")
        if tag == "meta" and "http-equiv" in values:
            self.live.append(f"<meta http-equiv={values['http-equiv']}>")
        # A value in an attribute (a form field's, say) is shown as text too.
        self.words.extend(v for v in values.values() if v)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.words.append(data)


@dataclass
class Fetched:
    """What one address gave one person: the live elements found, and the fields shown as text."""

    url: str
    who: str
    live: list[str] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)


def read_html(url: str, who: str, body: str) -> Fetched:
    page = Reading()
    page.feed(body)
    page.close()
    words = " ".join(page.words)
    live = list(page.live)
    if EVIL in body or f'<b id="{LIVE_PREFIX}' in body:
        live.append("the markup, unescaped, in the source")
    # Escaped twice, a reader would see the entities themselves: "&amp;lt;" shows as "&lt;".
    live += [f"escaped twice: {entity}" for entity in sorted(set(TWICE.findall(words)))]
    # The app's own markup, escaped where it was meant to be markup, shows its tags as words.
    live += [f"a tag shown as text: {tag}" for tag in sorted(set(TAG.findall(MARKER.sub("", words.replace(EVIL, "")))))]
    return Fetched(url, who, live, set(MARKER.findall(words)))


def read_pdf(url: str, who: str, data: bytes) -> Fetched:
    """reportlab reads <b>, <font> and <a> as its own markup: typed markup must come out as text."""
    # Lines wrap anywhere in a long word: read the text without its white space.
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)
    shown = set(MARKER.findall(text))
    return Fetched(url, who, [] if "".join(EVIL.split()) in text else ["the markup is not in its text"], shown)


def read_csv(url: str, who: str, answer) -> Fetched:
    """A download, never a page: its cells hold the markup as plain text."""
    problems = []
    if not answer.headers.get("Content-Disposition", "").startswith("attachment;"):
        problems.append("not sent as an attachment")
    cells = [cell for row in csv.reader(io.StringIO(answer.get_data(as_text=True))) for cell in row]
    return Fetched(url, who, problems, set(MARKER.findall(" ".join(cells))))


# ---- fetching everything once -------------------------------------------------------------------------

PUBLIC_TOKEN = "escaping-test-published-plan"
# Addresses a crawl leaves alone: files served as they are, and a document shared with a family
# (stored bytes, not built by the app).
NOT_CRAWLED = re.compile(r"^/(static|assets)/|^/your-response/\d+/documents/")
# The public pages, read by the public: signed in, they are the same pages again but for the header.
SIGNED_IN_SKIPS = re.compile(NOT_CRAWLED.pattern + r"|^/(report|follow|join|accessibility|sign-in|public)(/|$)")
LINK = re.compile(r'href="(/[^"#]*)')


@dataclass
class Site:
    written: set[str]
    fetched: list[Fetched] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # addresses that failed to answer
    public_report: Fetched | None = None
    # Each response's PDF, and the fields of its record it must show.
    reports: dict[str, set[str]] = field(default_factory=dict)


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
            continue
        kind = answer.mimetype
        if kind == "application/pdf":
            site.fetched.append(read_pdf(url, who, answer.get_data()))
        elif kind == "text/csv":
            site.fetched.append(read_csv(url, who, answer))
        elif kind == "text/html":
            body = answer.get_data(as_text=True)
            site.fetched.append(read_html(url, who, body))
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
        ("/report/when", {"occurred_on[day]": "2", "occurred_on[month]": "3", "occurred_on[year]": "2025"}),
        ("/report/what-happened", {"description": markup("typed.description")}),
        ("/report/harm", {"physical_harm": "moderate"}),
        ("/report/theme", {"theme": "medication"}),
        ("/report/about-you", {"reporter_kind": "family"}),
        ("/report/contact", {"reporter_name": markup("typed.reporter_name"),
                             "reporter_contact": markup("typed.reporter_contact")}),
    ]
    for url, data in steps:
        answer = client.post(url, data=data)
        assert answer.status_code == 302, (url, answer.get_data(as_text=True))
    check = client.get("/report/check")
    site.public_report = read_html("/report/check", "the public", check.get_data(as_text=True))
    site.fetched.append(site.public_report)
    assert client.post("/report/check").status_code == 302
    done = client.get("/report/done").get_data(as_text=True)
    reference = re.search(r"PSE-\d{4}-\d{6}", done).group(0)
    code = re.search(r'id="follow-code">([A-Z0-9-]+)<', done).group(1)
    followed = client.post("/follow", data={"reference": reference, "code": code})
    site.fetched.append(read_html("/follow (its news)", "the public", followed.get_data(as_text=True)))
    search = client.get("/report/service", query_string={"q": markup("typed.q")})
    site.fetched.append(read_html("/report/service?q=", "the public", search.get_data(as_text=True)))


# Each row's own page, so a row no list links to is still read.
OWN_PAGES = {
    SafetyEvent: "/events/{}", LearningResponse: "/responses/{}", SafetyAction: "/actions/{}", PsirfPlan: "/plans/{}",
    ImprovementPlan: "/improvement-plans/{}", LibraryEntry: "/library/{}",
}


# Who reads every row's own page: between them they may see every row; the others reach what
# they may see by the links on their pages.
SEE_EVERY_ROW = ("lead", "panel", "icb_quality", "icb_specialist")


def own_pages(session) -> list[str]:
    return [page.format(row_id) for model, page in OWN_PAGES.items() for row_id in session.scalars(select(model.id))]


@pytest.fixture(scope="module")
def site(request):
    app, objects, signed_in = request.getfixturevalue("shared")
    world = objects["world"]
    more_rows(objects)
    PlanFactory(organisation=world.pcn, created_by=world.panel, state="published", revision=1,
                effective_from=date(2027, 1, 1), review_on=date(2027, 12, 1), decided_on=date(2026, 12, 1),
                public_token=PUBLIC_TOKEN)
    subjects = [objects["aar"], objects["event"], objects["psirf_plan"], objects["action"]]
    site = Site(written=fill_every_free_text_column(db.session, subjects))
    site.reports = {f"/responses/{r.id}/report.pdf": {LIVE_PREFIX + name for _, _, name in record_fields(r)}
                    for r in db.session.scalars(select(LearningResponse))}

    send_public_report(site, app.test_client(), world.practice)
    anyone = app.test_client()
    crawl(site, anyone, "the public", ["/report", "/follow", "/join", "/join/not-a-token", "/accessibility",
                                       f"/public/plans/{PUBLIC_TOKEN}", f"/public/plans/{PUBLIC_TOKEN}/plan.pdf"])
    rows = own_pages(db.session)
    for who in objects["people"]:
        # The route table's pages, but for those it refuses this person (it proves the refusals).
        seeds = [case.url(objects) for case in ROUTES.values() if case.method == "GET" and case.refused.get(who, 200) < 400]
        crawl(site, signed_in(who), who, seeds + (rows if who in SEE_EVERY_ROW else []), SIGNED_IN_SKIPS)
    return site


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
    missing = {url: sorted(fields - read[url]) for url, fields in site.reports.items() if fields - read[url]}
    assert not missing


def test_the_public_report_shows_each_answer_as_typed_on_its_check_page(site):
    assert {"x-typed.description", "x-typed.reporter_name", "x-typed.reporter_contact"} <= site.public_report.shown


def test_every_kind_of_document_was_read(site):
    kinds = {f.url.split("?")[0].rsplit(".", 1)[-1] for f in site.fetched if re.search(r"\.(pdf|csv)", f.url)}
    assert kinds == {"pdf", "csv"}

