"""A year of fictional safety events and after action reviews for the demo ICB's services.

Everything is drawn from seed/events.yaml with a fixed random seed, dated relative to the
time of seeding, so a fresh demo always tells the same story. The step is skipped when the
demo services already hold any event, which makes `seed demo` safe to run again.

Rows are built directly (not through the triage services or the workflow runner) so that
3,000 events load in a second or two; the after action reviews' histories are checked
against the workflow definition, and their audit records are written as the runner would.
"""

from __future__ import annotations

import calendar
import random
import string
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from psirf.accounts.models import Role, RoleAssignment
from psirf.demo import history
from psirf.demo.organisations import read_seed
from psirf.events.lfpse import AgeBand, Ethnicity, Gender, RecordType, RepeatPresentation
from psirf.events.services import asks_repeat_presentation
from psirf.events.models import EventPatient, EventStatus, SafetyEvent
from psirf.organisations.models import Organisation, OrganisationKind, SERVICE_KINDS
from psirf.responses.models import LearningResponse
from psirf.timeutil import utcnow

HARMFUL = ("low", "moderate", "severe", "fatal")
# Primary care sees more older patients; most records state White British, as the population does.
_AGE_BANDS = [band.value for band in AgeBand]
_AGE_WEIGHTS = [2, 4, 6, 6, 14, 20, 18, 18, 12]
_GENDERS = (
    [Gender.FEMALE.value] * 5
    + [Gender.MALE.value] * 4
    + [Gender.UNKNOWN.value, Gender.WITHHELD.value]
)
_ETHNICITIES = [e.value for e in Ethnicity]
_ETHNICITY_WEIGHTS = [
    70 if e is Ethnicity.WHITE_BRITISH else 8 if e is Ethnicity.NOT_KNOWN else 2 for e in Ethnicity
]
_FORMATTER = string.Formatter()


@dataclass
class _Draft:
    """One event before it becomes a row: the skeleton first, the words later."""

    organisation: Organisation
    created_at: datetime
    record_type: str
    physical_harm: str | None
    theme: str | None = None
    spike: bool = False
    fixed: dict = field(default_factory=dict)
    text: str | None = None  # the template of a risk, poor outcome or good care record

    @property
    def kind(self) -> str:
        return self.organisation.kind

    @property
    def harmful_incident(self) -> bool:
        return self.record_type == "incident" and self.physical_harm in HARMFUL


def demo_services(by_code: dict[str, Organisation]) -> list[Organisation]:
    return [o for o in by_code.values() if OrganisationKind(o.kind) in SERVICE_KINDS]


def events_present(session: Session, by_code: dict[str, Organisation]) -> bool:
    ids = [o.id for o in demo_services(by_code)]
    return (
        session.scalar(select(SafetyEvent.id).where(SafetyEvent.organisation_id.in_(ids)).limit(1))
        is not None
    )


def load_events(
    session: Session, by_code: dict[str, Organisation], now: datetime | None = None
) -> int:
    """Load the demo events and after action reviews; return how many events were added (0 if present)."""
    if events_present(session, by_code):
        return 0
    return _Builder(session, by_code, read_seed("events.yaml"), now or utcnow()).build()


class _Builder:
    def __init__(
        self, session: Session, by_code: dict[str, Organisation], params: dict, now: datetime
    ):
        self.session = session
        self.by_code = by_code
        self.p = params
        self.now = now.replace(microsecond=0)
        self.today = self.now.date()
        self.rng = random.Random(params["random_seed"])
        services = demo_services(by_code)
        self.services = [o for o in services if o.ods_code in params["service_weights"]]
        self.users = self._users_by_role(
            {o.id for o in services} | {o.id for o in by_code.values()}
        )

    # ---- people ---------------------------------------------------------------------------

    def _users_by_role(self, organisation_ids: set[int]) -> dict[tuple[str, int], int]:
        rows = self.session.execute(
            select(RoleAssignment.role, RoleAssignment.organisation_id, RoleAssignment.user_id)
            .where(RoleAssignment.organisation_id.in_(organisation_ids))
            .order_by(RoleAssignment.id)
        )
        found: dict[tuple[str, int], int] = {}
        for role, organisation_id, user_id in rows:
            found.setdefault((role, organisation_id), user_id)
        return found

    def lead_for(self, organisation: Organisation) -> int | None:
        return self.users.get((Role.PATIENT_SAFETY_LEAD.value, organisation.id))

    def panel_for(self, organisation: Organisation) -> int | None:
        for group in organisation.groups:
            user_id = self.users.get((Role.REVIEW_PANEL_MEMBER.value, group.id))
            if user_id:
                return user_id
        return None

    def panel_for_group(self, group: Organisation) -> int | None:
        return self.users.get((Role.REVIEW_PANEL_MEMBER.value, group.id))

    def reporter_for(self, organisation: Organisation) -> int | None:
        return self.users.get((Role.REPORTER.value, organisation.id))

    # ---- drawing ----------------------------------------------------------------------------

    def pick(self, weights: dict):
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def fill(self, template: str) -> str:
        words = self.p["words"]
        names = {name for _, name, _, _ in _FORMATTER.parse(template) if name}
        values = {}
        if names & {"condition", "missed"}:
            # Who presented, with what, and what it was: drawn together so the story holds.
            values["age"], values["condition"], values["missed"] = self.rng.choice(
                words["presentation"]
            )
        for name in sorted(names - set(values)):
            values[name] = self.rng.choice(words[name])
        text = template.format(**values)
        return text[:1].upper() + text[1:]

    def moment(self, day: date) -> datetime:
        """A time in the working day; never in the future."""
        at = datetime.combine(day, time(8, 0)) + timedelta(minutes=self.rng.randrange(0, 630))
        if at > self.now:
            at = self.now - timedelta(minutes=self.rng.randrange(5, 240))
        return at

    def base_days(self, count: int) -> list[date]:
        days = [self.today - timedelta(days=d) for d in range(self.p["days_back"])]
        weights = []
        for day in days:
            weight = 0.2 if day.weekday() >= 5 else 1.0  # services are mostly shut at weekends
            weight *= 1.15 if day.month in (12, 1, 2) else 0.92 if day.month in (7, 8) else 1.0
            weights.append(weight)
        return self.rng.choices(days, weights=weights, k=count)

    def month_start(self, months_ago: int) -> date:
        year, month = self.today.year, self.today.month - months_ago
        while month <= 0:
            year, month = year - 1, month + 12
        return date(year, month, 1)

    # ---- the skeletons ------------------------------------------------------------------------

    def drafts(self) -> list[_Draft]:
        p = self.p
        fixed_count = len(p["journeys"]) + len(p["after_action_reviews"])
        spike = p["spike"]
        base_count = p["total_events"] - fixed_count - spike["extra_events"]
        weights = p["service_weights"]
        organisations = self.rng.choices(
            self.services, weights=[weights[o.ods_code] for o in self.services], k=base_count
        )
        drafts = []
        for organisation, day in zip(organisations, self.base_days(base_count)):
            record_type = self.pick(p["record_types"])
            if organisation.kind != OrganisationKind.PRACTICE.value and record_type != "incident":
                if not self._templates_for(record_type, organisation.kind):
                    record_type = "incident"
            harm = self._harm(record_type)
            drafts.append(_Draft(organisation, self.moment(day), record_type, harm))

        # The spike: a month of extra medication events across one PCN's services.
        group = self.by_code[spike["group"]]
        members = [o for o in self.services if any(g.id == group.id for g in o.groups)]
        first = self.month_start(spike["months_ago"])
        month_days = [
            first + timedelta(days=i)
            for i in range(calendar.monthrange(first.year, first.month)[1])
        ]
        working = [d for d in month_days if d.weekday() < 5]
        for _ in range(spike["extra_events"]):
            organisation = self.rng.choices(
                members, weights=[weights[o.ods_code] for o in members]
            )[0]
            drafts.append(
                _Draft(
                    organisation,
                    self.moment(self.rng.choice(working)),
                    "incident",
                    self.pick(spike["harm"]),
                    theme="medication",
                    spike=True,
                )
            )

        for spec in p["journeys"]:
            organisation = self.by_code[spec["organisation"]]
            created = self.moment(self.today - timedelta(days=spec["days_ago"]))
            drafts.append(
                _Draft(
                    organisation,
                    created,
                    spec["record_type"],
                    spec["physical_harm"],
                    spec["theme"],
                    fixed=dict(spec, kind="journey"),
                )
            )
        for spec in p["after_action_reviews"]:
            organisation = self.by_code[spec["organisation"]]
            event = spec["event"]
            created = self.moment(self.today - timedelta(days=event["days_ago"]))
            drafts.append(
                _Draft(
                    organisation,
                    created,
                    "incident",
                    event["physical_harm"],
                    event["theme"],
                    fixed=dict(spec, kind="aar"),
                )
            )
        return drafts

    def _harm(self, record_type: str) -> str | None:
        if record_type == "incident":
            return self.pick(self.p["incident_harm"])
        if record_type == "outcome":
            return self.pick(self.p["outcome_harm"])
        return None

    def _templates_for(self, record_type: str, kind: str) -> list[dict]:
        return [t for t in self.p[record_type] if kind in t.get("kinds", ["practice"])]

    def assign_themes(self, drafts: list[_Draft]) -> None:
        """Harmful incidents by quota (Avery et al.'s shares); everything else by weight."""
        p = self.p
        allowed = p["harmful_themes_allowed"]
        harmful = [d for d in drafts if d.harmful_incident]
        for d in harmful:
            if d.theme is None and allowed.get(d.kind) == ["medication"]:
                d.theme = "medication"
        shares = p["harmful_theme_shares"]
        targets = {theme: round(len(harmful) * share) for theme, share in shares.items()}
        targets["diagnosis"] += len(harmful) - sum(targets.values())
        for d in harmful:
            if d.theme is not None:
                targets[d.theme] = targets.get(d.theme, 0) - 1
        pool = [theme for theme, n in targets.items() for _ in range(max(n, 0))]
        self.rng.shuffle(pool)
        # Services that only do some kinds of care take their share first, from what they can do.
        for d in sorted(
            (d for d in harmful if d.theme is None), key=lambda d: d.kind in allowed, reverse=True
        ):
            permitted = allowed.get(d.kind)
            index = next(
                (i for i, t in enumerate(pool) if permitted is None or t in permitted), None
            )
            d.theme = pool.pop(index) if index is not None else (permitted or ["diagnosis"])[0]

        for d in drafts:
            if d.theme is None and d.record_type == "incident":
                d.theme = self.pick(p["theme_weights"][d.kind])

    # ---- the rows ---------------------------------------------------------------------------

    def description(self, d: _Draft) -> str:
        p = self.p
        if d.record_type != "incident":
            return self.fill(d.text)
        if d.spike:
            text = self.fill(self.rng.choice(p["spike"]["templates"]))
        else:
            by_kind = p["incident_by_kind"].get(d.kind, {})
            templates = by_kind.get(d.theme) or p["incident"].get(d.theme) or p["incident"]["other"]
            text = self.fill(self.rng.choice(templates))
        endings = (
            p["harm_endings_by_kind"].get(d.kind, {}).get(d.physical_harm)
            or p["harm_endings_by_theme"].get(d.theme, {}).get(d.physical_harm)
            or p["harm_endings"][d.physical_harm]
        )
        ending = self.fill(self.rng.choice(endings))
        return f"{text} {ending}"

    def repeat_presentation(self, d: _Draft, theme: str, description: str) -> str | None:
        """The repeat presentation answer of an incident or poor outcome about diagnosis, read from
        its story (drawing nothing, so the rest of the demo year is as before): "yes" when it
        tells of repeated consultations, "no" for any other incident, "not known" for a poor
        outcome. Risks and good care are not asked."""
        if not asks_repeat_presentation(d.record_type, theme):
            return None
        spec = d.fixed if d.fixed.get("kind") == "journey" else {}
        if spec.get("repeat_presentation"):
            return spec["repeat_presentation"]
        if description.startswith(tuple(self.p["repeat_presentation_stories"])):
            return RepeatPresentation.YES.value
        if d.record_type == RecordType.INCIDENT.value:
            return RepeatPresentation.NO.value
        return RepeatPresentation.NOT_KNOWN.value

    def place(self, organisation: Organisation) -> tuple[str, str]:
        spec = self.p["places"][organisation.kind]
        return spec["service_area"], self.pick(spec["locations"])

    def rationale(self, d: _Draft) -> str:
        choices = self.p["triage_rationales"]
        if d.record_type != "incident":
            group = "other_records"
        elif d.physical_harm in ("severe", "fatal"):
            group = "severe_or_fatal"
        elif d.physical_harm == "moderate":
            group = "moderate"
        else:
            group = "low_or_none"
        return self.rng.choice(choices[group])

    def patient(self, harm: str | None, psychological: str | None) -> EventPatient:
        rng = self.rng
        return EventPatient(
            sequence=1,
            physical_harm=harm,
            psychological_harm=psychological,
            age_band=rng.choices(_AGE_BANDS, weights=_AGE_WEIGHTS)[0]
            if rng.random() < 0.7
            else None,
            gender=rng.choice(_GENDERS) if rng.random() < 0.7 else None,
            ethnicity=rng.choices(_ETHNICITIES, weights=_ETHNICITY_WEIGHTS)[0]
            if rng.random() < 0.45
            else None,
        )

    def event_row(self, d: _Draft) -> SafetyEvent:
        rng, p = self.rng, self.p
        fixed = d.fixed
        if d.record_type in ("risk", "outcome", "good_care") and not fixed:
            template = rng.choice(self._templates_for(d.record_type, d.kind))
            d.theme, d.text = template["theme"], template["text"]
        service_area, location = self.place(d.organisation)
        theme = d.theme
        agents = [rng.choice(p["agents"].get(theme, p["agents"]["default"]))]
        processes = rng.sample(
            p["processes"][theme], k=min(len(p["processes"][theme]), rng.choice([1, 1, 2]))
        )
        psychological = None
        if d.record_type in ("incident", "outcome"):
            psychological = (
                None if d.physical_harm == "fatal" else self.pick(p["psychological_harm"])
            )
        occurred = d.created_at.date() - timedelta(days=rng.choice([0, 0, 0, 1, 1, 2, 3, 5, 7]))
        reporter_kind = self.pick(p["reporter_kinds"])
        protected = reporter_kind == "staff" and rng.random() < p["identity_protected_share"]

        if fixed.get("kind") in ("journey", "aar"):
            spec = fixed if fixed["kind"] == "journey" else dict(fixed["event"], location=None)
            description = spec["description"]
            immediate = spec.get("immediate_actions")
            if spec.get("location"):
                location = spec["location"]
            agents = spec.get("agents", agents)
            processes = spec.get("processes", processes)
            psychological = spec.get("psychological_harm", "none")
            occurred = d.created_at.date() - timedelta(days=spec.get("occurred_days_before", 1))
            reporter_kind, protected = "staff", False
        else:
            description = self.description(d)
            immediate = self.fill(rng.choice(p["immediate_actions"])) or None

        event = SafetyEvent(
            organisation_id=d.organisation.id,
            record_type=d.record_type,
            theme=theme,
            occurred_on=occurred,
            service_area=service_area,
            location=location,
            description=description,
            immediate_actions=immediate,
            agents=agents,
            processes=processes,
            physical_harm=d.physical_harm,
            psychological_harm=psychological,
            never_event=bool(fixed.get("never_event")),
            never_event_type=fixed.get("never_event_type"),
            repeat_presentation=self.repeat_presentation(d, theme, description),
            reporter_kind=reporter_kind,
            reporter_user_id=self.reporter_for(d.organisation)
            if reporter_kind == "staff"
            else None,
            identity_protected=protected,
            created_at=d.created_at,
            updated_at=d.created_at,
        )
        if d.record_type in ("incident", "outcome") or (
            d.record_type == "good_care" and rng.random() < 0.5
        ):
            patient = self.patient(d.physical_harm, psychological)
            spec_patient = fixed.get("patient") if fixed.get("kind") == "journey" else None
            if spec_patient:
                patient.age_band = spec_patient.get("age_band")
                patient.gender = spec_patient.get("gender")
                patient.ethnicity = spec_patient.get("ethnicity")
            event.patients.append(patient)

        # Triage: the recent ones wait in the queue; nearly all older ones were closed for insight.
        age = self.now - d.created_at
        if not fixed and age > timedelta(days=p["awaiting_triage_days"]) and rng.random() > 0.01:
            event.status = EventStatus.NO_FURTHER_RESPONSE.value
            event.triage_rationale = self.rationale(d)
            event.triaged_by_id = self.lead_for(d.organisation)
            event.triaged_at = min(
                d.created_at + timedelta(hours=rng.randrange(2, 24 * 8)), self.now
            )
            event.updated_at = event.triaged_at
        else:
            event.status = EventStatus.AWAITING_TRIAGE.value
        return event

    # ---- all together -------------------------------------------------------------------------

    def build(self) -> int:
        drafts = self.drafts()
        self.assign_themes(drafts)
        drafts.sort(key=lambda d: d.created_at)
        events, responses, pending_audits = [], [], []
        for d in drafts:
            event = self.event_row(d)
            events.append(event)
            if d.fixed.get("kind") == "aar":
                response, audits = history.review_rows(self, d.fixed, event)
                responses.append(response)
                pending_audits.extend(audits)
        self.session.add_all(events)
        self.session.add_all(responses)
        self.session.flush()

        # The app's rule: flush for the id, then the reference from the year and the id. One
        # executemany, keeping each row's own updated_at (and a response's version) as seeded.
        self._set_references(SafetyEvent, events, "PSE")
        self._set_references(LearningResponse, responses, "LR")

        records = history.audit_records(events, pending_audits)
        records.sort(key=lambda r: r.occurred_at)
        self.session.add_all(records)
        self.session.flush()
        return len(events)

    def _set_references(self, model, rows: list, prefix: str) -> None:
        if not rows:
            return
        table = model.__table__
        values = []
        for row in rows:
            reference = f"{prefix}-{row.created_at.year}-{row.id:06d}"
            values.append({"row_id": row.id, "ref": reference, "stamp": row.updated_at})
            set_committed_value(row, "reference", reference)
        self.session.execute(
            table.update()
            .where(table.c.id == bindparam("row_id"))
            .values(reference=bindparam("ref"), updated_at=bindparam("stamp")),
            values,
        )
