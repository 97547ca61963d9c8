"""PSIRF plans: generated from a group's insight, edited by its panel, decided by its ICB, and in
force for its member services' triage once published. Plain functions over a session."""

from __future__ import annotations

import copy
import secrets
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, func, select, union_all
from sqlalchemy.orm import Session, joinedload

from psirf import audit, policy
from psirf.db import check_version, record_change
from psirf.accounts.models import Role, RoleAssignment, User
from psirf.events.lfpse import HARM_SEVERITY, RecordType, Theme, insight_theme_choices
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.organisations import services as organisation_services
from psirf.plans import content as sections
from psirf.plans.insight import organisations_of, profile as draw_profile
from psirf.plans.models import IN_FORCE, PlanRevision, PsirfPlan
from psirf.plans.states import PLAN_APPROVAL, PlanState
from psirf.timeutil import utcnow
from psirf.triage.recommend import SERIOUS, LocalFocus, PlanRef, load_local_focus
from psirf.web import dates
from psirf.web.pagination import Page, keyset_page
from psirf.workflow import definitions, runner
from psirf.problems import InputError

# A plan is marked "review due" this long before its review date, so the next one is ready in time.
REVIEW_NOTICE_DAYS = 90
# Hours a month a lead is assumed to have for learning responses until the authors say otherwise.
DEFAULT_LEAD_HOURS = 8


def get(session: Session, plan_id: int) -> PsirfPlan | None:
    return session.get(PsirfPlan, plan_id)


def by_public_token(session: Session, token: str) -> PsirfPlan | None:
    if not token:
        return None
    plan = session.scalar(select(PsirfPlan).where(PsirfPlan.public_token == token))
    return plan if plan is not None and plan.effective_from is not None else None


def listing(session: Session, user, cursor: str | None, size: int) -> Page:
    """A page of the plans the person may see, newest first, each with its organisation joined in."""
    stmt = (
        select(PsirfPlan)
        .where(policy.plan_scope(user, PsirfPlan))
        .options(joinedload(PsirfPlan.organisation))
    )
    return keyset_page(session, stmt, PsirfPlan, cursor, size)


def authored_groups(session: Session, user) -> list[Organisation]:
    ids = policy.panel_groups(user)
    return organisation_services.by_ids(session, ids)


def in_force(session: Session, group_id: int) -> PsirfPlan | None:
    return session.scalar(
        select(PsirfPlan)
        .where(PsirfPlan.organisation_id == group_id, PsirfPlan.state.in_(IN_FORCE))
        .order_by(PsirfPlan.number.desc())
        .limit(1)
    )


# ---- generating ---------------------------------------------------------------------------------


def _leads(session: Session, group: Organisation) -> list[dict]:
    """Who could lead learning responses: the member services' patient safety leads and the panel."""
    members = select(OrganisationMembership.member_id).where(
        OrganisationMembership.group_id == group.id
    )
    rows = session.execute(
        select(User.name, Organisation.name, RoleAssignment.role)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(Organisation, Organisation.id == RoleAssignment.organisation_id)
        .where(
            User.active.is_(True),
            (
                (
                    RoleAssignment.organisation_id.in_(members)
                    & (RoleAssignment.role == Role.PATIENT_SAFETY_LEAD.value)
                )
                | (
                    (RoleAssignment.organisation_id == group.id)
                    & (RoleAssignment.role == Role.REVIEW_PANEL_MEMBER.value)
                )
            ),
        )
        .order_by(Organisation.name, User.name)
    ).all()
    return [
        {
            "name": name,
            "role": f"{Role.label_for(role)}, {organisation}",
            "trained": True,
            "hours_per_month": DEFAULT_LEAD_HOURS,
        }
        for name, organisation, role in rows
    ]


def _members(session: Session, group: Organisation) -> list[dict]:
    return [
        {"ods_code": o.ods_code, "name": o.name, "kind": o.kind_label}
        for o in organisations_of(session, group)
    ]


def generate(
    session: Session,
    user,
    group: Organisation,
    *,
    period_months: int,
    lookback_months: int,
    starts_on: date,
    today: date,
) -> PsirfPlan:
    policy.require_plan_author(user, group)
    if period_months not in sections.PERIODS:
        raise InputError("period_months", "Choose a period of 12, 18 or 24 months.")
    if lookback_months not in sections.LOOKBACKS:
        raise InputError("lookback_months", "Choose a look-back of 12, 24 or 36 months.")
    if starts_on < today:
        raise InputError("starts_on", "The plan cannot start in the past.")
    number = (
        session.scalar(
            select(func.max(PsirfPlan.number)).where(PsirfPlan.organisation_id == group.id)
        )
        or 0
    ) + 1
    insight = draw_profile(session, group, lookback_months, today)
    definition = definitions.get(PLAN_APPROVAL)
    plan = PsirfPlan(
        organisation=group,
        number=number,
        period_months=period_months,
        lookback_months=lookback_months,
        starts_on=starts_on,
        profile=insight,
        content=sections.draft_content(
            group_name=group.name,
            members=_members(session, group),
            leads=_leads(session, group),
            profile=insight,
            starts_on=starts_on,
            period_months=period_months,
        ),
        workflow_name=definition.name,
        workflow_version=definition.version,
        state=definition.initial,
        supersedes=in_force(session, group.id),
        created_by_id=user.id,
    )
    session.add(plan)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="plan:generate",
        subject=plan,
        organisation_id=group.id,
        changes={"state": {"before": None, "after": plan.state}},
    )
    return plan


# ---- editing ------------------------------------------------------------------------------------


def state_of(plan: PsirfPlan):
    """The workflow state the plan is in, as its own workflow version defines it."""
    return runner.definition_of(plan).state(plan.state)


def editable(plan: PsirfPlan) -> bool:
    return "plan" in state_of(plan).edits


def check_edit(user, plan: PsirfPlan, expected_version: int | None) -> None:
    """The policy decides whether `user` may edit the plan now; a stale version is refused here."""
    policy.require_may_edit_plan(user, plan, state_of(plan))
    check_version(plan, expected_version)


def _fields(value, path: str) -> dict:
    """A section's content as {field name: value}: nested parts named by their path, list rows by
    their key where they have one (a priority), else by their place (a lead, 1 being the first)."""
    if isinstance(value, dict):
        return {
            name: v
            for key, part in value.items()
            for name, v in _fields(part, f"{path}.{key}").items()
        }
    if isinstance(value, list) and all(isinstance(row, dict) for row in value) and value:
        return {
            name: v
            for number, row in enumerate(value, start=1)
            for name, v in _fields(row, f"{path}[{row.get('key', number)}]").items()
        }
    return {path: value}


def _change(session: Session, user, plan: PsirfPlan, what: str, change) -> None:
    """Apply `change` to a copy of the content and store it whole (JSON columns track assignment);
    the audit record keeps each changed field's before and after."""
    content = copy.deepcopy(plan.content)
    before = copy.deepcopy(content)
    change(content)
    changes = audit.diff(_fields(before, "content"), _fields(content, "content"))
    if not changes:
        return
    plan.content = content
    record_change(
        session,
        plan,
        actor_id=user.id,
        action=f"plan:edit:{what}",
        changes={name.removeprefix("content."): both for name, both in changes.items()},
    )


TEXT_SECTIONS = {
    "introduction": "Introduction",
    "services": "Our services",
    "engagement": "Engagement commitments",
}


def save_text(
    session: Session, user, plan: PsirfPlan, section: str, text: str, expected_version: int | None
) -> None:
    check_edit(user, plan, expected_version)
    if section not in TEXT_SECTIONS:
        raise InputError(None, "That section cannot be edited as text.")
    text = (text or "").strip()
    if not text:
        raise InputError("text", f"Write the {TEXT_SECTIONS[section].lower()} section.")
    _change(session, user, plan, section, lambda c: c.__setitem__(section, text))


def save_involved(
    session: Session,
    user,
    plan: PsirfPlan,
    people: str,
    partners: str,
    expected_version: int | None,
) -> None:
    check_edit(user, plan, expected_version)
    _change(
        session,
        user,
        plan,
        "involved",
        lambda c: c.__setitem__(
            "involved", {"people": (people or "").strip(), "partners": (partners or "").strip()}
        ),
    )


def save_sources(
    session: Session, user, plan: PsirfPlan, rows: dict[str, dict], expected_version: int | None
) -> None:
    """rows: {source key: {"used": bool, "count": int | None, "notes": str}}."""
    check_edit(user, plan, expected_version)
    for key, row in rows.items():
        if row.get("count") is not None and row["count"] < 0:
            raise InputError(f"count_{key}", "A count cannot be negative.")

    def change(content):
        for source in content["sources"]:
            row = rows.get(source["key"])
            if row is not None:
                source.update(
                    used=bool(row.get("used")),
                    count=row.get("count"),
                    notes=(row.get("notes") or "").strip(),
                )

    _change(session, user, plan, "sources", change)


MAX_RECIPIENTS, MAX_RECIPIENT_LENGTH = 30, 200


def save_distribution(
    session: Session, user, plan: PsirfPlan, text: str, expected_version: int | None
) -> None:
    """Who receives the plan, one a line as typed: blank lines and repeats dropped, order kept."""
    check_edit(user, plan, expected_version)
    recipients = list(dict.fromkeys(line.strip() for line in (text or "").splitlines()))
    recipients = [r for r in recipients if r]
    if not recipients:
        raise InputError("distribution", "List who receives the plan, one a line.")
    if len(recipients) > MAX_RECIPIENTS:
        raise InputError("distribution", f"List no more than {MAX_RECIPIENTS} recipients.")
    if any(len(r) > MAX_RECIPIENT_LENGTH for r in recipients):
        raise InputError(
            "distribution", f"Write each recipient in {MAX_RECIPIENT_LENGTH} characters or fewer."
        )
    _change(
        session,
        user,
        plan,
        "control",
        lambda c: c.__setitem__("control", {"distribution": recipients}),
    )


def save_leads(
    session: Session, user, plan: PsirfPlan, leads: list[dict], expected_version: int | None
) -> None:
    """leads: [{"name", "role", "trained", "hours_per_month"}]; rows without a name are dropped."""
    check_edit(user, plan, expected_version)
    kept = []
    for number, lead in enumerate(leads, start=1):
        if not (lead.get("name") or "").strip():
            continue
        hours = lead.get("hours_per_month")
        if hours is None or hours < 0 or hours > 200:
            raise InputError(
                f"hours_{number}", f"Give lead {number}'s hours a month as a number from 0 to 200."
            )
        kept.append(
            {
                "name": lead["name"].strip(),
                "role": (lead.get("role") or "").strip(),
                "trained": bool(lead.get("trained")),
                "hours_per_month": hours,
            }
        )
    _change(session, user, plan, "capacity", lambda c: c.__setitem__("capacity", {"leads": kept}))


# ---- the local focus ----------------------------------------------------------------------------


def _check_priority(label: str, method: str, route: str) -> None:
    if not (label or "").strip():
        raise InputError("label", "Say what the incident type or issue is.")
    if method not in sections.PLANNED_METHODS:
        raise InputError("method", "Choose the planned response.")
    if not (route or "").strip():
        raise InputError("improvement_route", "Say what the anticipated improvement route is.")


def update_priority(
    session: Session,
    user,
    plan: PsirfPlan,
    key: str,
    *,
    label: str,
    method: str,
    route: str,
    expected_version: int | None,
) -> None:
    check_edit(user, plan, expected_version)
    _check_priority(label, method, route)

    def change(content):
        row = next((r for r in content["local_focus"] if r["key"] == key), None)
        if row is None:
            raise InputError(None, "That priority is no longer in the plan.")
        row.update(label=label.strip(), method=method, improvement_route=route.strip())

    _change(session, user, plan, "local_focus", change)


def remove_priority(
    session: Session, user, plan: PsirfPlan, key: str, expected_version: int | None
) -> None:
    check_edit(user, plan, expected_version)
    _change(
        session,
        user,
        plan,
        "local_focus",
        lambda c: c.__setitem__("local_focus", [r for r in c["local_focus"] if r["key"] != key]),
    )


def add_priority(
    session: Session,
    user,
    plan: PsirfPlan,
    *,
    label: str,
    theme: str,
    min_harm: str | None,
    method: str,
    route: str,
    expected_version: int | None,
) -> None:
    check_edit(user, plan, expected_version)
    _check_priority(label, method, route)
    if theme not in {value for value, _ in insight_theme_choices()}:
        raise InputError("theme", "Choose the theme it covers.")
    if min_harm and min_harm not in HARM_SEVERITY:
        raise InputError("min_harm", "Choose a harm level from the list.")
    # The profile's figures for the theme chosen (repeat presentation too), as a suggestion has.
    figures = sections.figures_of(theme, plan.profile or {})

    def change(content):
        content["local_focus"].append(
            {
                "key": _new_key(content["local_focus"]),
                "label": label.strip(),
                "method": method,
                "improvement_route": route.strip(),
                "why": "",
                "figures": " ".join(filter(None, ["Added by the plan's authors.", figures])),
                "match": {
                    "theme": theme,
                    "record_types": ["incident", "outcome"],
                    "min_harm": min_harm or None,
                    "max_harm": None,
                    "keywords": [],
                },
            }
        )

    _change(session, user, plan, "local_focus", change)


def _new_key(rows: list[dict]) -> str:
    """A key for a row the authors add, unlike any in its table."""
    taken = {r["key"] for r in rows}
    return next(f"added_{n}" for n in range(1, len(taken) + 2) if f"added_{n}" not in taken)


# ---- the events that need no further response ---------------------------------------------------

NO_RESPONSE = "no_further_response"


def add_no_response_row(
    session: Session,
    user,
    plan: PsirfPlan,
    *,
    label: str,
    record_type: str | None,
    theme: str | None,
    max_harm: str | None,
    handled_by: str,
    expected_version: int | None,
) -> None:
    """Add a kind of event the plan says needs no further response, and what handles it instead:
    the only rows (beside a priority planned as a thematic review) from which triage recommends
    no further response."""
    check_edit(user, plan, expected_version)
    if not (label or "").strip():
        raise InputError("label", "Say which events need no further response.")
    if record_type and record_type not in {r.value for r in RecordType}:
        raise InputError("record_type", "Choose a record type from the list.")
    if theme and theme not in {t.value for t in Theme}:
        raise InputError("theme", "Choose a theme from the list.")
    if not (record_type or theme):
        raise InputError("record_type", "Choose the record type, the theme or both.")
    if max_harm and HARM_SEVERITY.get(max_harm, SERIOUS) >= SERIOUS:
        raise InputError("max_harm", "Choose a harm level from the list.")
    if not (handled_by or "").strip():
        raise InputError("handled_by", "Say what handles these events instead.")

    def change(content):
        rows = content.setdefault(NO_RESPONSE, [])
        rows.append(
            {
                "key": _new_key(rows),
                "label": label.strip(),
                "handled_by": handled_by.strip(),
                "why": "",
                "match": {
                    "theme": theme or None,
                    "record_types": [record_type] if record_type else [],
                    "min_harm": None,
                    "max_harm": max_harm or None,
                    "keywords": [],
                },
            }
        )

    _change(session, user, plan, NO_RESPONSE, change)


def remove_no_response_row(
    session: Session, user, plan: PsirfPlan, key: str, expected_version: int | None
) -> None:
    check_edit(user, plan, expected_version)
    _change(
        session,
        user,
        plan,
        NO_RESPONSE,
        lambda c: c.__setitem__(
            NO_RESPONSE, [r for r in c.get(NO_RESPONSE) or [] if r["key"] != key]
        ),
    )


# ---- the committee's decision and coming into force -----------------------------------------------


def record_decision(
    session: Session,
    user,
    plan: PsirfPlan,
    *,
    decided_on: date | None,
    minute_reference: str,
    today: date,
    expected_version: int | None,
) -> None:
    policy.require_plan_approver(user, plan)
    if plan.state != PlanState.UNDER_REVIEW:
        raise InputError(
            None, "The committee's decision is recorded while the plan is under review."
        )
    check_version(plan, expected_version)
    if decided_on is None:
        raise InputError("decided_on", "Enter the date of the committee's decision.")
    if decided_on > today:
        raise InputError("decided_on", "The decision date cannot be in the future.")
    if not (minute_reference or "").strip():
        raise InputError("minute_reference", "Enter the minute reference of the decision.")
    fields = ("decided_on", "minute_reference")
    before = audit.snapshot(plan, fields)
    plan.decided_on, plan.minute_reference, plan.decided_by_id = (
        decided_on,
        minute_reference.strip(),
        user.id,
    )
    record_change(
        session,
        plan,
        actor_id=user.id,
        action="plan:decision",
        changes=audit.diff(before, audit.snapshot(plan, fields)),
    )


def keep_revision(session: Session, plan: PsirfPlan, actor) -> None:
    """What the committee will see, kept as it was submitted."""
    plan.revision += 1
    plan.revisions.append(
        PlanRevision(
            number=plan.revision, content=copy.deepcopy(plan.content), created_by_id=actor.id
        )
    )


def put_in_force(session: Session, plan: PsirfPlan, actor) -> None:
    """Publication: in force from its start (or today, if later), until the end of its period; the
    plan it replaces is superseded in the same transaction."""
    today = utcnow().date()
    plan.effective_from = max(plan.starts_on, today)
    plan.review_on = sections.period_of(plan.starts_on, plan.period_months)[1]
    plan.public_token = secrets.token_urlsafe(32)
    earlier = session.scalars(
        select(PsirfPlan).where(
            PsirfPlan.organisation_id == plan.organisation_id,
            PsirfPlan.id != plan.id,
            PsirfPlan.state.in_(IN_FORCE),
        )
    ).all()
    for old in earlier:
        runner.fire(
            session,
            old,
            "supersede",
            policy.SYSTEM_ACTOR,
            None,
            comment=f"Replaced by plan version {plan.version_label}.",
        )


def mark_reviews_due(session: Session, today: date) -> list[PsirfPlan]:
    """Plans whose review date is near move to "review due" (run daily; a second run finds none)."""
    plans = session.scalars(
        select(PsirfPlan).where(
            PsirfPlan.state == PlanState.PUBLISHED,
            PsirfPlan.review_on <= today + timedelta(days=REVIEW_NOTICE_DAYS),
        )
    ).all()
    for plan in plans:
        runner.fire(
            session,
            plan,
            "mark_review_due",
            policy.SYSTEM_ACTOR,
            None,
            comment=f"The review date, {dates.day(plan.review_on)}, is within {REVIEW_NOTICE_DAYS} days.",
        )
    return list(plans)


# ---- the ICB's overview ----------------------------------------------------------------------------


def icb_overview(session: Session, groups: list[Organisation]) -> list[tuple]:
    """Each PCN's or federation's latest plan: (group, plan or None, status, review date), in the
    groups' order. A draft not yet submitted shows only that one is being prepared."""
    plans = session.scalars(
        select(PsirfPlan)
        .where(
            PsirfPlan.organisation_id.in_([g.id for g in groups]),
            PsirfPlan.state != PlanState.SUPERSEDED,
        )
        .order_by(PsirfPlan.number.desc())
    ).all()
    latest: dict[int, PsirfPlan] = {}
    for plan in plans:
        latest.setdefault(plan.organisation_id, plan)
    rows = []
    for group in groups:
        plan = latest.get(group.id)
        if plan is None:
            rows.append((group, None, "No plan yet", None))
        elif plan.revision == 0:
            rows.append((group, None, "Being prepared (not yet submitted)", None))
        else:
            rows.append(
                (group, plan, runner.definition_of(plan).state(plan.state).label, plan.review_on)
            )
    return rows


# ---- what triage follows ------------------------------------------------------------------------


def local_focus_for(
    session: Session, organisation: Organisation, today: date | None = None
) -> LocalFocus:
    """The local focus of the plans in force for the organisation's PCN or federation (each of its
    groups', newest in force first; a group's own for a PCN or federation), or the default until one
    is. A published plan is in force from its effective date."""
    return local_focus_by_organisation(session, [organisation], today)[organisation.id]


@cache
def _plans_followed() -> Select:
    """The plans in force that each organisation follows, by the parameters "groups", "members"
    and "today": built once, since building it cost more than running it on every triage queue
    (issue 16)."""
    # Which groups' plans each organisation follows: its own as a group, else its groups'.
    follows = union_all(
        select(Organisation.id.label("reader"), Organisation.id.label("group_id")).where(
            Organisation.id.in_(bindparam("groups", expanding=True))
        ),
        select(
            OrganisationMembership.member_id.label("reader"),
            OrganisationMembership.group_id.label("group_id"),
        ).where(OrganisationMembership.member_id.in_(bindparam("members", expanding=True))),
    ).subquery()
    return (
        select(follows.c.reader, PsirfPlan)
        .join(PsirfPlan, PsirfPlan.organisation_id == follows.c.group_id)
        .where(PsirfPlan.state.in_(IN_FORCE), PsirfPlan.effective_from <= bindparam("today"))
        .order_by(follows.c.reader, PsirfPlan.effective_from.desc(), PsirfPlan.id.desc())
    )


def local_focus_by_organisation(
    session: Session, organisations: list[Organisation], today: date | None = None
) -> dict[int, LocalFocus]:
    """`local_focus_for` of several organisations at once (a triage queue's), in one statement."""
    groups = [o.id for o in organisations if o.kind_enum.is_group]
    members = [o.id for o in organisations if not o.kind_enum.is_group]
    rows = session.execute(
        _plans_followed(),
        {"groups": groups, "members": members, "today": today or utcnow().date()},
    ).all()
    plans: dict[int, list[PsirfPlan]] = {o.id: [] for o in organisations}
    for reader, plan in rows:
        plans[reader].append(plan)
    return {organisation_id: _focus_of(found) for organisation_id, found in plans.items()}


def _focus_of(plans: list[PsirfPlan]) -> LocalFocus:
    if not plans:
        return load_local_focus()
    first = plans[0]
    source = f"from {first.organisation.name}'s PSIRF plan, in force from {dates.day(first.effective_from)}"
    each = [
        sections.local_focus_of(plan.content, f"plan {plan.id}", source, plan_ref(plan))
        for plan in plans
    ]
    return LocalFocus(
        priorities=tuple(p for focus in each for p in focus.priorities),
        swarm_within_days=load_local_focus().swarm_within_days,
        source=source,
        no_further_response=tuple(r for focus in each for r in focus.no_further_response),
        plans=tuple(focus.plans[0] for focus in each),
    )


def plan_ref(plan: PsirfPlan) -> PlanRef:
    """How triage names the plan a row came from: its group, and the version in force."""
    return PlanRef(f"{plan.organisation.name}'s PSIRF plan, version {plan.version_label}", plan.id)


# ---- comparing versions -------------------------------------------------------------------------


def previous_content(plan: PsirfPlan, revision: int | None) -> tuple[str, dict] | None:
    """What to compare a revision (or, with None, the plan as it stands) with: the revision before
    it, or the approved text of the plan it replaces."""
    earlier = [r for r in plan.revisions if revision is None or r.number < revision]
    if earlier:
        last = earlier[-1]
        return f"version {plan.number}.{last.number}", last.content
    if plan.supersedes is not None and plan.supersedes.revisions:
        old = plan.supersedes
        return (
            f"version {old.number}.{old.revisions[-1].number} (the previous plan)",
            old.revisions[-1].content,
        )
    return None
