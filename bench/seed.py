"""A synthetic ICB of a chosen size, written in big batches with SQLAlchemy Core into the app's own
tables (a migrated, empty database), deterministic from a seed and dated from an injected `today`.

Bulk inserts bypass the ORM listeners that keep the rollups, so the seeder finishes with the app's
own `counts.repair` and proves `counts.differences` empty: the figures then read exact rollups.
"""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Table, bindparam, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from psirf.accounts import passwords
from psirf.accounts.models import RoleAssignment, User
from psirf.actions.models import SafetyAction
from psirf.alerts.models import (
    Alert,
    AlertAction,
    AlertConfirmation,
    AlertRecipient,
    ConfirmationEntry,
)
from psirf.audit import AuditRecord
from psirf.events import counts
from psirf.events.lfpse import AgeBand, Ethnicity
from psirf.events.models import EventPatient, SafetyEvent
from psirf.nearmiss.models import NearMiss, medicine_key
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.readiness import commitments
from psirf.readiness.models import CommitmentRecord, NamedPerson, StaffMember, SyllabusCompletion
from psirf.readiness.services import status_from
from psirf.responses.models import LearningResponse
from psirf.timeutil import add_months
from psirf.workflow import definitions

BATCH = 10_000
PASSWORD = "bench-password-1"
YEARS = 3

# (kind, share of services, events a service reports relative to a practice's)
SERVICE_KINDS = [("practice", 0.35, 1.0), ("pharmacy", 0.35, 0.5), ("dental", 0.18, 0.3),
                 ("optometry", 0.12, 0.2)]  # fmt: skip
SERVICE_AREA = {"practice": "general_practice", "pharmacy": "community_pharmacy",
                "dental": "community_dentistry", "optometry": "community_optometry"}  # fmt: skip
LOCATION = {"practice": "practice_building", "pharmacy": "pharmacy", "dental": "dental_surgery",
            "optometry": "opticians"}  # fmt: skip
RECORD_TYPES = (["incident", "outcome", "risk", "good_care"], [70, 8, 12, 10])
THEME_WEIGHTS = {"diagnosis": 18, "medication": 24, "referral": 12, "test_results": 9,
                 "communication": 10, "access": 6, "administration": 6, "it_systems": 3,
                 "safeguarding": 2, "screening": 2, "treatment": 4, "premises": 1, "other": 3}  # fmt: skip
PHYSICAL = (["none", "low", "moderate", "severe", "fatal"], [60, 28, 9, 2.5, 0.5])
PSYCHOLOGICAL = (["none", "low", "moderate", "severe"], [70, 22, 6.5, 1.5])
PATIENTS_PER_EVENT = ([0, 1, 2], [11.5, 83.3, 5.2])  # 0.937 patients an event
# ~2.4% of events start a learning response: 24,000 at a million.
STATUSES = (["no_further_response", "learning_response", "referred"], [97.1, 2.4, 0.5])
METHODS = (["swarm_huddle", "after_action_review", "mdt_review", "thematic_review", "psii",
            "cross_organisational"], [35, 35, 15, 5, 5, 5])  # fmt: skip
ACTIONS_PER_RESPONSE = ([0, 1, 2, 3], [30, 35, 25, 10])
AWAITING_DAYS = 21  # events recorded in the last three weeks are mostly still awaiting triage
# Every row of a batch names the same columns: an executemany compiles one statement.
UNTRIAGED = dict.fromkeys(["triaged_by_id", "triaged_at", "triage_rationale", "triage_recommendation",
                           "learning_response_id", "referral_body", "referred_on"])  # fmt: skip
WRITE_ORDER = ["users", "role_assignments", "learning_responses", "safety_events", "event_patients",
               "safety_actions", "audit_records", "readiness_records", "readiness_named_people",
               "readiness_staff", "readiness_syllabus_completions", "alerts", "alert_actions",
               "alert_recipients", "alert_confirmations", "alert_confirmation_log",
               "near_misses"]  # fmt: skip
AGE_BANDS = [a.value for a in AgeBand]
ETHNICITIES = [e.value for e in Ethnicity]


@dataclass(frozen=True)
class Size:
    events: int = 1_000_000
    services: int = 1_000
    pcns: int = 50


@dataclass
class Seeded:
    """What the measuring needs to find again, and how long the seeding took."""

    icb_id: int
    pcn_ids: list[int]
    service_ids: list[int]
    # people by role: {"lead": {service_id: user}, "reporters": {service_id: [user]}, ...}
    leads: dict[int, dict] = field(default_factory=dict)
    reporters: dict[int, list[dict]] = field(default_factory=dict)
    panel: dict[int, dict] = field(default_factory=dict)
    quality: dict = field(default_factory=dict)
    admin: dict = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)
    # Issue 18: the ICB's alerts, newest first (the second has deadlines passed and overdue answers).
    alert_ids: list[int] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


class _Writer:
    """Rows in batches of BATCH through one connection; counts what it wrote."""

    def __init__(self, conn: Connection, seeded: Seeded):
        self.conn, self.seeded = conn, seeded
        self.pending: dict[Table, list[dict]] = {}

    def add(self, table: Table, row: dict) -> None:
        rows = self.pending.setdefault(table, [])
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Every pending table, those referred to first (the foreign keys are checked per row)."""
        for table in sorted(self.pending, key=lambda t: WRITE_ORDER.index(t.name)):
            rows = self.pending.pop(table)
            self.conn.execute(table.insert(), rows)
            self.seeded.rows[table.name] = self.seeded.rows.get(table.name, 0) + len(rows)


def seed(engine: Engine, size: Size, today: date, seed_value: int = 16) -> Seeded:
    """Writes the ICB into the empty database behind `engine` (the app's context must be pushed:
    the password is hashed by the app's hasher, once)."""
    rng = random.Random(seed_value)
    password_hash = passwords.hash_password(PASSWORD)
    started = time.perf_counter()
    with engine.begin() as conn:
        writer = _Writer(conn, seeded := _organisations(conn, size))
        _people(writer, seeded, password_hash)
        writer.flush()
        seeded.seconds["organisations and people"] = time.perf_counter() - started
        events_started = time.perf_counter()
        _events(writer, seeded, size, today, rng)
        writer.flush()
        seeded.seconds["events, responses, actions, audit"] = time.perf_counter() - events_started
        strategy_started = time.perf_counter()
        # Issue 18's records from a stream of their own: the events above stay as they were.
        _strategy(writer, seeded, today, random.Random(seed_value + 18))
        writer.flush()
        _library(conn, seeded)
        seeded.seconds["readiness, alerts, near misses, library"] = (
            time.perf_counter() - strategy_started
        )
        _restart_sequences(conn)
    return seeded


def make_exact(session: Session) -> float:
    """The app rebuilds every rollup from the raw rows; the harness stops if any still differs."""
    started = time.perf_counter()
    counts.repair(session)
    session.commit()
    left = counts.differences(session)
    if left:
        raise RuntimeError(f"{len(left)} rollup rows differ from the raw counts after repair")
    readiness = readiness_differences(session)
    if readiness:
        raise RuntimeError(f"readiness records differ from what they count: {readiness[:5]}")
    # A database in use has its planner statistics (autovacuum keeps them); one just bulk-loaded
    # has none until this, and would be measured with plans no real database runs.
    session.execute(text("ANALYZE"))
    session.commit()
    return time.perf_counter() - started


# ---- organisations and people ------------------------------------------------------------------


def _organisations(conn: Connection, size: Size) -> Seeded:
    orgs = Organisation.__table__
    now = datetime(2020, 1, 1)
    conn.execute(orgs.insert(), [{"id": 1, "ods_code": "QBM", "name": "Bench ICB", "kind": "icb",
                                  "icb_id": None, "created_at": now}])  # fmt: skip
    pcn_ids = list(range(2, 2 + size.pcns))
    conn.execute(
        orgs.insert(),
        [{"id": i, "ods_code": f"U{i:05d}", "name": f"Bench PCN {i - 1:03d}", "kind": "pcn",
          "icb_id": 1, "created_at": now} for i in pcn_ids],
    )  # fmt: skip
    first = 2 + size.pcns
    service_ids = list(range(first, first + size.services))
    kinds = _service_kinds(size.services)
    conn.execute(
        orgs.insert(),
        [{"id": i, "ods_code": f"S{i:05d}", "name": f"Bench {kinds[n]} {n + 1:04d}",
          "kind": kinds[n], "icb_id": 1, "created_at": now} for n, i in enumerate(service_ids)],
    )  # fmt: skip
    conn.execute(
        OrganisationMembership.__table__.insert(),
        [{"member_id": s, "group_id": pcn_ids[n % size.pcns]} for n, s in enumerate(service_ids)],
    )
    seeded = Seeded(icb_id=1, pcn_ids=pcn_ids, service_ids=service_ids)
    seeded.kinds.update(zip(service_ids, kinds))
    seeded.rows["organisations"] = 1 + size.pcns + size.services
    return seeded


def _service_kinds(n: int) -> list[str]:
    """Kinds in their shares, interleaved so every PCN holds some of each."""
    kinds: list[str] = []
    for kind, share, _weight in SERVICE_KINDS:
        kinds += [kind] * round(n * share)
    kinds = (kinds + ["practice"] * n)[:n]
    return [kinds[(i * 7919) % n] for i in range(n)] if n % 7919 else kinds


def _person(writer: _Writer, user_id: int, name: str, password_hash: str) -> dict:
    writer.add(
        User.__table__,
        {"id": user_id, "email": f"user{user_id}@bench.invalid", "name": name,
         "password_hash": password_hash, "kind": "staff", "active": True,
         "session_token": secrets.token_hex(16), "created_at": datetime(2020, 1, 1)},
    )  # fmt: skip
    return {"id": user_id, "email": f"user{user_id}@bench.invalid", "password": PASSWORD}


def _role(writer: _Writer, user_id: int, organisation_id: int, role: str) -> None:
    writer.add(
        RoleAssignment.__table__,
        {"user_id": user_id, "organisation_id": organisation_id, "role": role},
    )


def _people(writer: _Writer, seeded: Seeded, password_hash: str) -> None:
    """A patient safety lead and two reporters at every service, two panel members a PCN, and the
    ICB's quality committee member and administrator."""
    next_id = iter(range(1, 10_000_000))
    for service in seeded.service_ids:
        lead = _person(writer, next(next_id), f"Lead {service}", password_hash)
        _role(writer, lead["id"], service, "patient_safety_lead")
        seeded.leads[service] = lead
        seeded.reporters[service] = []
        for n in range(2):
            reporter = _person(writer, next(next_id), f"Reporter {service}-{n}", password_hash)
            _role(writer, reporter["id"], service, "reporter")
            seeded.reporters[service].append(reporter)
    for pcn in seeded.pcn_ids:
        for n in range(2):
            member = _person(writer, next(next_id), f"Panel {pcn}-{n}", password_hash)
            _role(writer, member["id"], pcn, "review_panel_member")
            seeded.panel.setdefault(pcn, member)
    seeded.quality = _person(writer, next(next_id), "ICB quality", password_hash)
    _role(writer, seeded.quality["id"], seeded.icb_id, "icb_quality_committee")
    seeded.admin = _person(writer, next(next_id), "ICB administrator", password_hash)
    _role(writer, seeded.admin["id"], seeded.icb_id, "administrator")


# ---- events and what follows from them ------------------------------------------------------------


def _events(writer: _Writer, seeded: Seeded, size: Size, today: date, rng: random.Random) -> None:
    services = seeded.service_ids
    weights = [dict((k, w) for k, _s, w in SERVICE_KINDS)[seeded.kinds[s]] for s in services]
    themes, theme_weights = list(THEME_WEIGHTS), list(THEME_WEIGHTS.values())
    days = YEARS * 365
    counter = _Ids()
    for event_id in range(1, size.events + 1):
        service = rng.choices(services, weights)[0]
        occurred = today - timedelta(days=rng.randrange(days))
        created = min(
            datetime.combine(occurred, datetime.min.time())
            + timedelta(days=rng.randrange(4), minutes=rng.randrange(600, 1080)),
            datetime.combine(today, datetime.min.time()),
        )
        reporter = rng.choice(seeded.reporters[service])
        patients = _patients(rng)
        record_type = rng.choices(*RECORD_TYPES)[0]
        status = _status(rng, today, created)
        if event_id == 1:
            # The first event always opens the first response (see _response), at any size.
            status = "learning_response"
        theme = rng.choices(themes, theme_weights)[0]
        row = {
            "id": event_id, "reference": f"PSE-{created.year}-{event_id:06d}",
            "organisation_id": service, "record_type": record_type,
            "theme": theme, "occurred_on": occurred,
            "repeat_presentation": _repeat_presentation(record_type, theme, event_id),
            "service_area": SERVICE_AREA[seeded.kinds[service]],
            "location": LOCATION[seeded.kinds[service]],
            "description": "A synthetic event written by the benchmark.",
            "immediate_actions": None, "agents": [], "processes": [],
            "physical_harm": _worst([p["physical_harm"] for p in patients], PHYSICAL[0]),
            "psychological_harm": _worst(
                [p["psychological_harm"] for p in patients], PSYCHOLOGICAL[0]),
            "never_event": False, "national_flags": [], "status": status,
            "reporter_kind": "staff", "reporter_user_id": reporter["id"],
            "identity_protected": False, "revision": 1, "version_id": 1,
            "created_at": created, "updated_at": created, **UNTRIAGED,
        }  # fmt: skip
        if status != "awaiting_triage":
            row.update(triaged_by_id=seeded.leads[service]["id"],
                       triaged_at=created + timedelta(days=2), triage_rationale="Triaged.",
                       triage_recommendation="no_further_response")  # fmt: skip
        if status == "learning_response":
            row["learning_response_id"] = _response(writer, seeded, service, created, today,
                                                    rng, counter)  # fmt: skip
        if status == "referred":
            row.update(referral_body="CQC", referred_on=created.date() + timedelta(days=2))
        writer.add(SafetyEvent.__table__, row)
        for n, patient in enumerate(patients, start=1):
            writer.add(EventPatient.__table__, {"event_id": event_id, "sequence": n, **patient})
        _audit(writer, reporter["id"], "event:create", "safety_events", event_id, service, created)


class _Ids:
    def __init__(self):
        self.response = 0
        self.action = 0


def _status(rng: random.Random, today: date, created: datetime) -> str:
    if (today - created.date()).days < AWAITING_DAYS and rng.random() < 0.7:
        return "awaiting_triage"
    return rng.choices(*STATUSES)[0]


def _repeat_presentation(record_type: str, theme: str, event_id: int) -> str | None:
    """An incident's or poor outcome's answer when about diagnosis (issue 18 part 6), from its id,
    drawing nothing from the random stream (the rest of the ICB stays as before): one in eight a
    repeat presentation."""
    if theme != "diagnosis" or record_type not in ("incident", "outcome"):
        return None
    return ("yes", "no", "no", "not_known", "no", "no", "no", "no")[event_id % 8]


def _patients(rng: random.Random) -> list[dict]:
    found = []
    for _ in range(rng.choices(*PATIENTS_PER_EVENT)[0]):
        found.append({
            "physical_harm": rng.choices(*PHYSICAL)[0],
            "psychological_harm": rng.choices(*PSYCHOLOGICAL)[0],
            "age_band": rng.choice(AGE_BANDS) if rng.random() < 0.9 else None,
            "gender": rng.choice(["female", "male", "female", "male", "unknown"])
            if rng.random() < 0.92 else None,
            "ethnicity": _ethnicity(rng),
            "nhs_number": None,
        })  # fmt: skip
    return found


def _ethnicity(rng: random.Random) -> str | None:
    if rng.random() < 0.2:
        return None  # not recorded: a fifth, as in practice
    values = ETHNICITIES
    return values[0] if rng.random() < 0.7 else rng.choice(values)


def _worst(levels: list[str], order: list[str]) -> str | None:
    return max(levels, key=order.index) if levels else None


def _response(writer, seeded, service, created, today, rng, ids) -> int:
    ids.response += 1
    response_id = ids.response
    method = rng.choices(*METHODS)[0]
    opened = created + timedelta(days=2)
    closed = (today - opened.date()).days > 120 or rng.random() < 0.4
    if response_id == 1:
        # An after action review left in planning, so a transition can be timed at any size.
        method, closed = "after_action_review", False
    definition = definitions.for_method(method)
    closed_at = min(opened + timedelta(days=rng.randrange(10, 90)), opened + timedelta(days=200))
    closed_at = closed_at if closed and closed_at.date() < today else None
    writer.add(
        LearningResponse.__table__,
        {"id": response_id, "reference": f"LR-{opened.year}-{response_id:06d}", "method": method,
         "organisation_id": service, "workflow_name": definition.name,
         "workflow_version": definition.version,
         "state": "closed" if closed_at else definition.initial, "version_id": 1,
         "lead_id": seeded.leads[service]["id"], "record": {},
         "due_on": opened.date() + timedelta(days=42), "due_at": None,
         "closed_at": closed_at, "created_at": opened, "updated_at": closed_at or opened},
    )  # fmt: skip
    lead = seeded.leads[service]["id"]
    _audit(writer, lead, "response:open", "learning_responses", response_id, service, opened)
    if closed_at:
        _audit(writer, lead, "transition:approve", "learning_responses", response_id, service,
               closed_at)  # fmt: skip
    for _ in range(rng.choices(*ACTIONS_PER_RESPONSE)[0]):
        _action(writer, seeded, service, response_id, opened, closed_at, today, rng, ids)
    return response_id


def _action(writer, seeded, service, response_id, opened, closed_at, today, rng, ids) -> None:
    ids.action += 1
    definition = definitions.get("safety_action")
    due = opened.date() + timedelta(days=rng.randrange(30, 180))
    done = closed_at is not None and rng.random() < 0.8
    writer.add(
        SafetyAction.__table__,
        {"id": ids.action, "response_id": response_id, "organisation_id": service,
         "description": "A synthetic safety action.", "owner": "Practice manager",
         "owner_user_id": seeded.leads[service]["id"], "owner_organisation_id": service,
         "due_on": due, "measure_kind": "process", "measure": "Audit monthly.",
         "strength": rng.choice(["stronger", "intermediate", "weaker"]),
         "workflow_name": definition.name, "workflow_version": definition.version,
         "state": "reviewed" if done else rng.choice([definition.initial, "in_progress"]),
         "version_id": 1, "completed_at": closed_at if done else None,
         "closed_at": closed_at if done else None, "created_at": opened, "updated_at": opened},
    )  # fmt: skip
    _audit(writer, seeded.leads[service]["id"], "action:create", "safety_actions", ids.action,
           service, opened)  # fmt: skip


def _audit(writer, actor, action, subject_type, subject_id, organisation, at) -> None:
    writer.add(
        AuditRecord.__table__,
        {"occurred_at": at, "actor_id": actor, "action": action, "subject_type": subject_type,
         "subject_id": subject_id, "organisation_id": organisation, "changes": {},
         "comment": None},
    )  # fmt: skip


# ---- issue 18: readiness, alerts, near misses and the learning library --------------------------

STAFF_A_SERVICE = (6, 14)  # about 10 a service
LEAVERS = 0.05  # kept with their training, not counted
LEVEL_1, LEVEL_2 = 0.8, 0.65  # shares trained: level 2 of those with level 1
PARTNERS = ([0, 1, 2, 3], [30, 25, 35, 10])
HAND_STATUSES = (["not_started", "in_progress", "met"], [20, 25, 55])
ALERTS = 12  # one every two months, the newest ten days old
ALERT_KINDS = ["pharmacy", "practice,pharmacy", "practice"]
DEADLINES = (14, 28, 56)  # days after an alert is sent: its actions' deadlines
NEAR_MISSES_A_WEEK = (2.0, 4.0)  # each pharmacy's rate, for three years
MEDICINES = ["Amlodipine 5mg tablets", "Amlodipine 10mg tablets", "Atorvastatin 20mg tablets",
             "Atorvastatin 40mg tablets", "Omeprazole 20mg capsules", "Lansoprazole 30mg capsules",
             "Metformin 500mg tablets", "Ramipril 5mg capsules", "Levothyroxine 50microgram tablets",
             "Levothyroxine 100microgram tablets", "Bisoprolol 2.5mg tablets", "Sertraline 50mg tablets",
             "Citalopram 20mg tablets", "Co-codamol 30mg/500mg tablets", "Paracetamol 500mg tablets",
             "Salbutamol 100micrograms inhaler", "Prednisolone 5mg tablets", "Warfarin 1mg tablets",
             "Apixaban 5mg tablets", "Gabapentin 300mg capsules", "Pregabalin 75mg capsules",
             "Amitriptyline 10mg tablets", "Mirtazapine 15mg tablets", "Furosemide 40mg tablets",
             "Methotrexate 2.5mg tablets", "Insulin aspart 100units/ml", "Propranolol 10mg tablets",
             "Simvastatin 40mg tablets", "Losartan 50mg tablets", "Tamsulosin 400microgram capsules"]  # fmt: skip
ERROR_TYPES = (["wrong_medicine", "wrong_strength", "wrong_form", "wrong_quantity", "wrong_patient",
                "wrong_label", "out_of_date", "other"], [22, 30, 8, 18, 5, 10, 3, 4])  # fmt: skip
STAGES = (["accuracy_check", "clinical_check", "hand_out", "by_patient"], [70, 15, 10, 5])
CAUSES = (["look_alike", "picking", "labelling", "busy", "prescription", "other"],
          [30, 25, 15, 20, 6, 4])  # fmt: skip
LIBRARY_EVERY = 3  # one closed response in three is shared in the library; good care one in fifty


def _strategy(writer: _Writer, seeded: Seeded, today: date, rng: random.Random) -> None:
    _readiness(writer, seeded, today, rng)
    _alerts(writer, seeded, today, rng)
    _near_misses(writer, seeded, today, rng)


def _readiness(writer: _Writer, seeded: Seeded, today: date, rng: random.Random) -> None:
    """Every service and PCN: its staff and their syllabus training, its named leads and partners,
    and a record per commitment, the counted ones equal to the rows they count (`readiness_check`)."""
    staff_ids = iter(range(1, 10_000_000))
    recorded = datetime.combine(today - timedelta(days=30), datetime.min.time())
    for organisation in seeded.service_ids + seeded.pcn_ids:
        kind = seeded.kinds.get(organisation, "pcn")
        lead = (
            seeded.leads[organisation]
            if organisation in seeded.leads
            else seeded.panel[organisation]
        )
        people = rng.randint(*STAFF_A_SERVICE) if kind != "pcn" else rng.randint(2, 4)
        here, trained = 0, {1: 0, 2: 0}
        for _ in range(people):
            member_id = next(staff_ids)
            left = rng.random() < LEAVERS
            writer.add(StaffMember.__table__, {
                "id": member_id, "organisation_id": organisation, "name": f"Staff {member_id}",
                "email": f"staff{member_id}@bench.invalid", "user_id": None,
                "left_on": today - timedelta(days=rng.randrange(1, 300)) if left else None,
                "created_at": recorded})  # fmt: skip
            here += not left
            levels = [1] if rng.random() < LEVEL_1 else []
            if levels and rng.random() < LEVEL_2:
                levels.append(2)
            for level in levels:
                writer.add(SyllabusCompletion.__table__, {
                    "staff_member_id": member_id, "level": level,
                    "completed_on": today - timedelta(days=rng.randrange(1, 700)),
                    "source": rng.choice(["self", "lead", "import"]), "recorded_by_id": lead["id"],
                    "created_at": recorded})  # fmt: skip
                trained[level] += not left
        named = {"patient_safety_lead": int(rng.random() < 0.9),
                 "patient_safety_partners": rng.choices(*PARTNERS)[0]}  # fmt: skip
        for key, count in named.items():
            for n in range(count):
                writer.add(NamedPerson.__table__, {
                    "organisation_id": organisation, "commitment": key,
                    "name": f"Named {organisation}-{key[15:19]}-{n}", "since": None,
                    "added_by_id": lead["id"], "created_at": recorded})  # fmt: skip
        for commitment in commitments.all_commitments():
            if not commitment.applies(kind):
                continue
            row = {"organisation_id": organisation, "commitment": commitment.key, "count": None,
                   "total": None, "route": None, "note": None, "evidence_on": None,
                   "evidence_url": None, "recorded_by_id": None, "recorded_at": None,
                   "confirmed_by_id": None, "confirmed_at": None, "created_at": recorded,
                   "updated_at": recorded, "version_id": 1}  # fmt: skip
            if commitment.measure == "named":
                count = named[commitment.key]
                row.update(count=count, status=status_from(count, commitment.minimum))
            elif commitment.measure == "syllabus":
                count = trained[commitment.level]
                row.update(count=count, total=here, status=status_from(count, here))
            else:
                row.update(_hand_recorded(commitment, lead, recorded, rng))
            if row["status"] == "met" and rng.random() < 0.4:
                row.update(confirmed_by_id=seeded.admin["id"], confirmed_at=recorded)
            writer.add(CommitmentRecord.__table__, row)


def _hand_recorded(commitment, lead: dict, recorded: datetime, rng: random.Random) -> dict:
    status = rng.choices(*HAND_STATUSES)[0]
    found = {"status": status, "recorded_by_id": lead["id"], "recorded_at": recorded}
    if status == "met":
        found.update(note="Minutes of the practice meeting.", evidence_on=recorded.date(),
                     evidence_url="https://intranet.bench.invalid/evidence",
                     route=commitment.options[0].key if commitment.options else None)  # fmt: skip
    return found


def _alerts(writer: _Writer, seeded: Seeded, today: date, rng: random.Random) -> None:
    """The ICB's alerts, each sent to every service of its kinds with each service's answer to each
    action: the older the alert the fewer left unanswered, and those past their deadline overdue."""
    confirmation_ids = iter(range(1, 10_000_000))
    action_ids = iter(range(1, 10_000_000))
    for n in range(ALERTS):
        alert_id = n + 1
        seeded.alert_ids.append(alert_id)
        sent = datetime.combine(today - timedelta(days=10 + 60 * n), datetime.min.time())
        kinds = ALERT_KINDS[n % len(ALERT_KINDS)]
        writer.add(Alert.__table__, {
            "id": alert_id, "icb_id": seeded.icb_id, "organisation_id": seeded.icb_id,
            "reference": f"NatPSA/BENCH/{alert_id:03d}", "title": f"Benchmark alert {alert_id}",
            "issued_on": sent.date() - timedelta(days=3),
            "link": "https://www.cas.mhra.gov.uk/bench", "service_kinds": kinds,
            "state": "issued", "created_by_id": seeded.quality["id"], "created_at": sent,
            "updated_at": sent, "sent_at": sent, "sent_by_id": seeded.quality["id"],
            "version_id": 1})  # fmt: skip
        actions = []
        for days in DEADLINES[: 2 + n % 2]:
            actions.append((next(action_ids), sent.date() + timedelta(days=days)))
            writer.add(AlertAction.__table__, {
                "id": actions[-1][0], "alert_id": alert_id,
                "description": f"Action due {days} days after the alert.",
                "deadline": actions[-1][1], "created_at": sent})  # fmt: skip
        unanswered = 0.15 / (1 + n / 3)
        for service in seeded.service_ids:
            if seeded.kinds[service] not in kinds.split(","):
                continue
            writer.add(AlertRecipient.__table__, {"alert_id": alert_id, "organisation_id": service})
            for action_id, deadline in actions:
                _confirmation(writer, seeded, next(confirmation_ids), (alert_id, action_id),
                              service, deadline, sent, today, unanswered, rng)  # fmt: skip


def _confirmation(writer, seeded, confirmation_id, alert_action, service, deadline, sent, today,
                  unanswered, rng) -> None:  # fmt: skip
    passed = deadline < today
    weights = [1 - unanswered - 0.1, 0.06, 0.04, unanswered] if passed else [30, 5, 20, 45]
    status = rng.choices(["done", "not_applicable", "in_progress", "awaiting"], weights)[0]
    answered = min(sent + timedelta(days=rng.randrange(1, 40)),
                   datetime.combine(today, datetime.min.time()))  # fmt: skip
    answer = {"status": status, "note": None,
              "reason": "We do not stock it." if status == "not_applicable" else None,
              "expected_on": today + timedelta(days=14) if status == "in_progress" else None,
              "done_on": answered.date() if status == "done" else None}  # fmt: skip
    by = seeded.leads[service]["id"] if status != "awaiting" else None
    writer.add(AlertConfirmation.__table__, {
        "id": confirmation_id, "alert_id": alert_action[0], "action_id": alert_action[1],
        "organisation_id": service, "deadline": deadline, **answer, "confirmed_by_id": by,
        "confirmed_at": answered if by else None, "created_at": sent,
        "updated_at": answered if by else sent, "version_id": 2 if by else 1})  # fmt: skip
    if by:
        writer.add(ConfirmationEntry.__table__, {"confirmation_id": confirmation_id, **answer,
                                                 "confirmed_by_id": by, "confirmed_at": answered})  # fmt: skip


def _near_misses(writer: _Writer, seeded: Seeded, today: date, rng: random.Random) -> None:
    """Every pharmacy's log over three years, a few a week, the common medicines most often."""
    weights = [1 / (n + 1) for n in range(len(MEDICINES))]
    days = YEARS * 365
    for service in seeded.service_ids:
        if seeded.kinds[service] != "pharmacy":
            continue
        for _ in range(round(rng.uniform(*NEAR_MISSES_A_WEEK) * days / 7)):
            occurred = today - timedelta(days=rng.randrange(days))
            medicine = rng.choices(MEDICINES, weights)[0]
            writer.add(NearMiss.__table__, {
                "organisation_id": service, "occurred_on": occurred,
                "error_type": rng.choices(*ERROR_TYPES)[0], "stage": rng.choices(*STAGES)[0],
                "medicine": medicine, "medicine_key": medicine_key(medicine), "dmd_code": None,
                "cause": rng.choices(*CAUSES)[0], "note": None,
                "recorded_by_id": rng.choice(seeded.reporters[service])["id"],
                "created_at": datetime.combine(occurred, datetime.min.time())
                + timedelta(minutes=rng.randrange(540, 1080)),
                "event_id": None, "promoted_at": None, "promoted_by_id": None,
                "version_id": 1})  # fmt: skip


def _library(conn: Connection, seeded: Seeded) -> None:
    """Closed responses (one in LIBRARY_EVERY) and good care records (one in fifty) shared with
    their PCN and the ICB, in two INSERT ... SELECTs over the rows written above."""
    shared = {
        "response": (
            "SELECT 'response', r.id, NULL, r.organisation_id, 'Learning from a response',"
            " 'The team changed how results are checked before they are filed.', e.theme,"
            " r.method, o.kind, e.occurred_on, m.group_id, o.icb_id, r.lead_id, r.closed_at"
            " FROM learning_responses r JOIN safety_events e ON e.learning_response_id = r.id"
            f" JOIN organisations o ON o.id = r.organisation_id"
            f" JOIN organisation_memberships m ON m.member_id = r.organisation_id"
            f" WHERE r.state = 'closed' AND r.id % {LIBRARY_EVERY} = 0"
        ),
        "good care": (
            "SELECT 'good_care', NULL, e.id, e.organisation_id, 'Good care worth sharing',"
            " 'A receptionist noticed a worried carer and found a clinician at once.', e.theme,"
            " NULL, o.kind, e.occurred_on, m.group_id, o.icb_id, e.reporter_user_id, e.created_at"
            " FROM safety_events e JOIN organisations o ON o.id = e.organisation_id"
            " JOIN organisation_memberships m ON m.member_id = e.organisation_id"
            " WHERE e.record_type = 'good_care' AND e.id % 50 = 0"
        ),
    }
    columns = ("kind, response_id, event_id, organisation_id, title, summary, theme, method,"
               " service_kind, learned_on, audience_group_id, audience_icb_id, published_by_id,"
               " published_at")  # fmt: skip
    for select_sql in shared.values():
        written = conn.execute(text(f"INSERT INTO library_entries ({columns}) {select_sql}"))
        seeded.rows["library_entries"] = seeded.rows.get("library_entries", 0) + written.rowcount


def readiness_differences(session: Session) -> list[tuple]:
    """(organisation, commitment, kept, counted) of every counted readiness record that differs
    from the rows it counts: the names, the staff still there and their training."""
    named = (
        "SELECT r.organisation_id, r.commitment, r.count, (SELECT count(*) FROM"
        " readiness_named_people p WHERE p.organisation_id = r.organisation_id"
        " AND p.commitment = r.commitment) FROM readiness_records r"
        " WHERE r.commitment IN :named"
    )
    here = "s.organisation_id = r.organisation_id AND s.left_on IS NULL"
    syllabus = (
        "SELECT r.organisation_id, r.commitment, r.count || '/' || r.total,"
        " (SELECT count(*) FROM readiness_syllabus_completions c JOIN readiness_staff s"
        f" ON s.id = c.staff_member_id WHERE {here} AND c.level = :level)"
        f" || '/' || (SELECT count(*) FROM readiness_staff s WHERE {here})"
        " FROM readiness_records r WHERE r.commitment = :key"
    )
    found = []
    keys = tuple(c.key for c in commitments.named())
    rows = session.execute(
        text(named).bindparams(bindparam("named", expanding=True)), {"named": keys}
    )
    found += [tuple(r) for r in rows if r[2] != r[3]]
    for commitment in commitments.syllabus():
        rows = session.execute(text(syllabus), {"level": commitment.level, "key": commitment.key})
        found += [tuple(r) for r in rows if str(r[2]) != str(r[3])]
    return found


def publish_bulletins(session: Session, seeded: Seeded, today: date, quarters: int = 2) -> int:
    """A few published bulletins, drafted and published by the app's own service from the exact
    rollups: the first three PCNs' and the ICB's, for the quarters before the one a bench drafts."""
    from psirf.bulletins import periods
    from psirf.bulletins import services as bulletins

    start, _ = periods.default_period(today)
    authors = [(pcn, seeded.panel[pcn]["id"]) for pcn in seeded.pcn_ids[:3]]
    authors.append((seeded.icb_id, seeded.quality["id"]))
    written = 0
    for n in range(1, quarters + 1):
        first = add_months(start, -3 * n)
        for area, author in authors:
            user = session.get(User, author)
            bulletin = bulletins.generate(session, user, area, first, add_months(first, 3), today)
            bulletins.publish(session, user, bulletin, bulletin.version_id,
                              datetime.combine(add_months(first, 3), datetime.min.time()))  # fmt: skip
            written += 1
    session.commit()
    seeded.rows["bulletins"] = written
    return written


def _restart_sequences(conn: Connection) -> None:
    """PostgreSQL numbers new rows from its sequences: move them past the ids written here."""
    if conn.dialect.name != "postgresql":
        return
    for table in ("organisations", "users", "safety_events", "learning_responses",
                  "safety_actions", "readiness_staff", "alerts", "alert_actions",
                  "alert_confirmations"):  # fmt: skip
        top = conn.scalar(select(func.max(text("id"))).select_from(text(table))) or 1
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {top})"))
