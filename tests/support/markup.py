"""Markup in every free-text field: which columns a person types into, and filling them.

Every String, Text and JSON column of every mapped table gets markup naming its field (a <meta>
refresh that would send the reader to another site, and a <b> whose id names the column), but for
the columns listed in NOT_FREE_TEXT with the reason. The JSON records are filled field by field.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, String, Text, select, update

from psirf import audit
from psirf.engagement.models import CandourRecord, ContactAttempt
from psirf.accounts.models import User
from psirf.events.models import EventPatient, EventRevision, ReporterUpdate, SafetyEvent
from psirf.extensions import Base, db
from psirf.improvement.models import MeasureReading, PlanItem
from psirf.learning.models import ContributoryFactor, Finding
from psirf.notifications.models import Notification, OutboxMessage
from psirf.plans.models import PlanRevision
from psirf.responses.models import ResponseLink, ResponseMethod
from psirf.workflow import definitions
from tests.support.api_routes import token_of
from tests.support.factories import ResponseFactory, SafetyActionFactory, SafetyEventFactory
from tests.support.bulletins import route_bulletin
from tests.support.alert_routes import alert_rows
from tests.support.import_routes import import_id
from tests.support.nearmiss_routes import near_miss_id
from tests.support.readiness_routes import READINESS_NOT_FREE_TEXT, readiness_rows

EVIL = '<meta http-equiv="refresh" content="0;url=https://evil.example/?a=1&b=2">'
LIVE_PREFIX = "x-"


TYPED_PREFIX = f"{LIVE_PREFIX}typed."


def typed(name: str) -> str:
    """The markup a person types into a form's field, named by the field."""
    return markup(TYPED_PREFIX.removeprefix(LIVE_PREFIX) + name)


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
    **dict.fromkeys(
        (
            "affected_people.kind",
            "affected_people.involvement",
            "affected_people.contact_by",
            "audit_records.action",
            "audit_records.subject_type",
            "candour_records.decision",
            "candour_records.criteria",
            "candour_records.notified_means",
            "candour_records.test",
            "candour_records.unreachable",
            "contact_attempts.purpose",
            "contact_attempts.means",
            "contributory_factors.factor",
            "engagement_steps.kind",
            "event_counts.theme",
            "theme_rollups.theme",
            "event_counts.record_type",
            "event_counts.harm",
            "equality_rollups.characteristic",
            "equality_rollups.value",
            "event_patients.physical_harm",
            "event_patients.psychological_harm",
            "event_patients.age_band",
            "event_patients.gender",
            "event_patients.ethnicity",
            "findings.kind",
            "improvement_plan_items.kind",
            "improvement_plan_items.source_key",
            "invitations.means",
            "learning_responses.method",
            "learning_responses.workflow_name",
            "learning_responses.state",
            "library_entries.kind",
            "library_entries.theme",
            "library_entries.method",
            "library_entries.service_kind",
            "notifications.kind",
            "organisations.kind",
            "outbox_messages.kind",
            "outbox_messages.status",
            "psirf_plans.workflow_name",
            "psirf_plans.state",
            "reporter_updates.kind",
            "response_links.kind",
            "response_method_stages.method",
            "response_method_stages.workflow_name",
            "response_method_stages.state_reached",
            "response_method_stages.went_on_as",
            "role_assignments.role",
            "safety_actions.measure_kind",
            "safety_actions.strength",
            "safety_actions.effect",
            "safety_actions.workflow_name",
            "safety_actions.state",
            "safety_events.record_type",
            "safety_events.theme",
            "safety_events.service_area",
            "safety_events.location",
            "safety_events.agents",
            "safety_events.processes",
            "safety_events.physical_harm",
            "safety_events.psychological_harm",
            "safety_events.never_event_type",
            "safety_events.repeat_presentation",
            "safety_events.national_flags",
            "safety_events.status",
            "safety_events.triage_recommendation",
            "safety_events.reporter_kind",
            "shared_documents.kind",
            "shared_documents.media_type",
            "users.kind",
            "user_sessions.end_reason",
            "api_tokens.scope",
            "lfpse_exports.state",
            "event_imports.source_format",
            "event_imports.state",
            "bulletins.state",
            "bulletin_points.section",
            "near_misses.error_type",
            "near_misses.stage",
            "near_misses.cause",
            "alerts.service_kinds",
            "alerts.state",
            "alert_confirmations.status",
            "alert_confirmation_log.status",
        ),
        "a code or a state",
    ),
    # Identifiers the forms check against their format: an ODS code, an email address, an NHS number.
    **dict.fromkeys(
        (
            "organisations.ods_code",
            "users.email",
            "invitations.email",
            "outbox_messages.to_address",
            "event_patients.nhs_number",
            "event_imports.organisation_ods_code",
            "near_misses.dmd_code",
        ),
        "an identifier checked against its format",
    ),
    # References the app numbers itself, and file names it makes from them.
    **dict.fromkeys(
        (
            "learning_responses.reference",
            "safety_events.reference",
            "shared_documents.filename",
            "api_tokens.prefix",
            "bulletin_points.source",
        ),
        "made by the app",
    ),
    # Secrets and their hashes, never shown.
    **dict.fromkeys(
        (
            "users.password_hash",
            "users.session_token",
            "invitations.secret_hash",
            "safety_events.follow_code_hash",
            "psirf_plans.public_token",
            "user_sessions.key_hash",
            "public_report_drafts.key_hash",
            "api_tokens.secret_hash",
            "api_token_reveals.pad",
        ),
        "a secret",
    ),
    # The app's own paths and keys: a link is a path the app made with url_for, a key dedupes reminders.
    **dict.fromkeys(
        (
            "event_imports.report_path",
            "notifications.link",
            "notifications.dedupe_key",
            "outbox_messages.link",
            "outbox_messages.dedupe_key",
        ),
        "the app's own path or key",
    ),
    # The public report's answers between its pages: the test types markup into every page of that
    # journey and reads the check page, rather than writing a draft row behind it.
    "public_report_drafts.answers": "typed into the public report's pages by the test",
    # An imported event's reference in the system it came from: unique at its service, so one text
    # cannot fill every row; no page shows it yet.
    "safety_events.source_reference": "the sending system's key, unique per service",
    # An alert's reference is unique among its organisation's alerts, so one text cannot fill every
    # row; it is shown beside the title, which is filled, in the same places.
    "alerts.reference": "unique per organisation recording alerts",
    # Figures frozen from the events when a plan is generated; its labels are the code lists' labels.
    "psirf_plans.profile": "figures the app computed",
    # The medicine lowered, to group the summary by: the medicine itself is what pages show.
    "near_misses.medicine_key": "the app's grouping key of a free-text column shown as typed",
    **READINESS_NOT_FREE_TEXT,
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
        return {
            k: v
            if k in PLAN_CODE_KEYS
            else _fill_plan_content(
                v, f"{path}.{k}" if named_by_path else path, written, named_by_path
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_fill_plan_content(v, path, written, named_by_path) for v in value]
    if isinstance(value, str):
        written.add(path)
        return markup(path)
    return value


def record_fields(response, table: str = "learning_responses"):
    """(section, field, its name) for every line and text field the workflow declares that the
    response (or an earlier method of it, from `response_method_stages`) ran under."""
    definition = definitions.get(response.workflow_name, response.workflow_version)
    for section in definition.sections.values():
        for f in section.fields:
            if f.type in ("line", "text"):
                yield section, f, f"{table}.record.{section.name}.{f.name}"


def _fill_record(response, written: set, table: str = "learning_responses") -> dict:
    """Every line and text field of the response's record; its choices and dates kept."""
    record = dict(response.record or {})
    words: dict = {}
    for section, f, name in record_fields(response, table):
        written.add(name)
        words.setdefault(section, {})[f.name] = markup(name)
    for section, values in words.items():
        if section.repeatable:
            record[section.name] = [values]
        else:
            record[section.name] = {**(record.get(section.name) or {}), **values}
    return record


def _fill_source(written: set) -> dict:
    """A recommendation's source: its plan's name and its row's label are words people typed."""
    name = "safety_events.triage_recommendation_source"
    written |= {f"{name}.document", f"{name}.label"}
    return {
        "kind": "local_priority",
        "document": markup(f"{name}.document"),
        "row": 1,
        "key": "added_1",
        "label": markup(f"{name}.label"),
        "plan_id": None,
    }


JSON_FILLERS = {
    "safety_events.triage_recommendation_source": lambda row, written: _fill_source(written),
    "learning_responses.record": lambda row, written: _fill_record(row, written),
    "response_method_stages.record": lambda row, written: _fill_record(
        row, written, "response_method_stages"
    ),
    "psirf_plans.content": lambda row, written: _fill_plan_content(
        row.content, "psirf_plans.content", written
    ),
    # A submitted version is shown only where it differs from the next, and only the parts compared:
    # any of its text shown proves the comparison escapes it.
    "psirf_plan_revisions.content": lambda row, written: _fill_plan_content(
        row.content, "psirf_plan_revisions.content", written, named_by_path=False
    ),
}


def _model_of(table):
    return next(m.class_ for m in Base.registry.mappers if m.local_table is table)


def fill_every_free_text_column(session, subjects) -> set[str]:
    """Markup in every free-text column of every row; returns the names of the fields written."""
    written: set[str] = set()
    empty = []
    for table, column in free_text_columns():
        name = f"{table.name}.{column.name}"
        if table.name in APPEND_ONLY:
            continue  # written fresh below
        if not session.scalar(select(table.c.id).limit(1)):
            empty.append(table.name)
            continue
        if isinstance(column.type, JSON):
            assert name in JSON_FILLERS, (
                f"say how to fill the JSON column {name}, or why it holds no free text"
            )
            for row in session.scalars(select(_model_of(table))):
                setattr(row, column.name, JSON_FILLERS[name](row, written))
        else:
            session.execute(update(table).values({column.name: markup(name, column.type.length)}))
            written.add(name)
    assert not empty, f"build a row of each of these, so their text is tried: {sorted(set(empty))}"
    # The audit trail refuses changes to its rows: each subject gets a record holding markup instead.
    for subject in subjects:
        audit.record(
            session,
            actor_id=None,
            action="edited",
            subject=subject,
            organisation_id=None,
            changes={
                "description": {
                    "before": markup("audit_records.changes"),
                    "after": markup("audit_records.changes"),
                }
            },
            comment=markup("audit_records.comment"),
        )
    written |= {"audit_records.changes", "audit_records.comment"}
    for event in (s for s in subjects if isinstance(s, SafetyEvent)):
        _revise_with_markup(session, event)
    written |= {"event_revisions.reason", "event_revisions.changes"}
    session.commit()
    return written


# Tables the database refuses to update: their rows with markup are added instead.
APPEND_ONLY = {"audit_records", "event_revisions"}


def _revise_with_markup(session, event: SafetyEvent) -> None:
    """A correction of `event` whose reason and changed text are markup: its page shows them."""
    event.revision += 1
    session.add(
        EventRevision(
            event_id=event.id,
            number=event.revision,
            actor_id=session.scalar(select(User.id).limit(1)),
            reason=markup("event_revisions.reason"),
            changes={
                "description": {
                    "before": markup("event_revisions.changes"),
                    "after": markup("event_revisions.changes"),
                }
            },
        )
    )


# ---- rows of every kind, beyond the route table's ----------------------------------------------------


def more_rows(objects) -> None:
    """The rows the route table does not build, so every table with text has one: a response of every
    method (each has its own page sections and PDF layout), findings, notes and messages."""
    world = objects["world"]
    people = objects["people"]
    aar = objects["aar"]
    by_method = {
        m.value: ResponseFactory(organisation=world.practice, method=m.value)
        for m in ResponseMethod
        if m.value != "after_action_review"
    }
    event = objects["event"]
    import_id(objects)  # an import, whose file name and error its page shows
    route_bulletin(objects)  # a learning bulletin, whose texts and points its page and PDF show
    near_miss_id(objects)  # a pharmacy's near miss, whose medicine and note its page shows
    alert_rows(objects)  # an alert, a draft and a confirmation given twice
    readiness_rows(objects)  # named people, staff and their training, a commitment recorded
    # Decided events show the triage's reasons; a referred one, the body and its reference.
    SafetyEventFactory(
        organisation=world.practice, status="learning_response", learning_response_id=aar.id
    )
    SafetyEventFactory(organisation=world.practice, status="referred", referred_on=date(2026, 3, 1))
    session = db.session
    objects["question"].answered_on = date(2026, 3, 3)  # its answer is filled below
    for response in [aar, *by_method.values()]:
        finding = Finding(response_id=response.id, text="finding")
        finding.factors.append(ContributoryFactor(factor="tasks", description="factor"))
        session.add(finding)
        SafetyActionFactory(response=response)
    session.add_all(
        [
            EventPatient(event_id=event.id, physical_harm="low"),
            ReporterUpdate(event_id=objects["own_event"].id, kind="acknowledged", body="body"),
            ResponseLink(from_id=aar.id, to_id=by_method["psii"].id, kind="related"),
            CandourRecord(
                response_id=aar.id,
                decision="applies",
                criteria=[],
                reason="reason",
                decided_on=date(2026, 3, 1),
                notified_on=date(2026, 3, 2),
                notified_means="phone",
                notified_by="someone",
                # Dated, so the page shows the words typed for them.
                record_kept_on=date(2026, 3, 3),
                support_offered_on=date(2026, 3, 2),
            ),
            ContactAttempt(
                response_id=aar.id,
                purpose="engagement",
                person_id=objects["affected"].id,
                attempted_on=date(2026, 3, 2),
                means="phone",
                outcome="outcome",
            ),
            PlanItem(
                plan_id=objects["improvement_plan"].id, kind="priority", source_key="k", text="text"
            ),
            MeasureReading(
                plan_id=objects["improvement_plan"].id,
                measured_on=date(2026, 3, 1),
                value=3,
                note="note",
                recorded_by_id=world.panel.id,
            ),
            *[
                Notification(
                    user_id=person.id, kind="step_due", title="title", body="body", link="/"
                )
                for person in people.values()
            ],
            OutboxMessage(
                to_address="someone@example.org",
                subject="subject",
                body="body",
                kind="step_due",
                status="failed",
                last_error="error",
            ),
        ]
    )
    # An API token's name shows on its holder's and the administrators' lists.
    token_of(objects, "lead")
    plan = objects["psirf_plan"]
    session.add(
        PlanRevision(
            plan_id=plan.id,
            number=1,
            content=plan.content,
            note="note",
            created_by_id=world.panel.id,
        )
    )
    session.commit()
