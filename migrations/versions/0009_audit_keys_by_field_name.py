"""Audit changes keyed by field name: the English labels stored as keys become field names

Until now some services keyed an audit record's changes by the label a page showed ("Due date",
"Contribution from North Practice"), others by the field name. The timeline now finds each field's
label itself, so the labels already stored are rewritten into the names the services now write. A
label that named an organisation or a kind of person keeps it, under "of", beside before and after.
A section's field is found by its label in the workflow version the response ran under.

The audit table refuses UPDATE (0001's triggers). This revision lifts that guard for its own
rewrite and restores it in the same transaction: on PostgreSQL by disabling and enabling the row
trigger (ALTER TABLE holds an exclusive lock on the table meanwhile, so no other writer slips in);
on SQLite, which cannot disable a trigger, by dropping the update trigger and creating it again.
Run it as the schema's owner, like every migration (0008). Nothing else in a record changes.

Revision ID: 0009_audit_keys_by_field_name
Revises: 0008_audit_trail_stays
"""

import re
from pathlib import Path

import sqlalchemy as sa
import yaml
from alembic import op

revision = "0009_audit_keys_by_field_name"
down_revision = "0008_audit_trail_stays"
branch_labels = None
depends_on = None

AUDIT_REFUSAL = "audit records are append-only"  # as 0001 wrote it
WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"

# The labels as they were written when this revision was made, by audit action: frozen here, so a
# later change of wording does not change what this revision does.
SAFETY_ACTION_DETAILS = {
    "What will change": "description",
    "Area for improvement": "finding_id",
    "Owner": "owner",
    "Owner's account": "owner_user_id",
    "Owner's organisation": "owner_organisation_id",
    "Due date": "due_on",
    "Kind of measure": "measure_kind",
    "Measure": "measure",
    "Strength": "strength",
    "Review date": "review_on",
}
CANDOUR_STEPS = {
    "Notified in person or by phone": "notified_on",
    "Means of notification": "notified_means",
    "Notified by": "notified_by",
    "Apology given": "apology_given",
    "Written notification": "written_on",
    "Results of enquiries shared": "results_shared_on",
}
PERSON = {
    "Kind": "kind",
    "Name": "name",
    "Relationship to the patient": "relationship_to_patient",
    "How to contact": "contact_by",
    "When to contact": "contact_when",
    "Language": "language",
    "Interpreter": "interpreter_needed",
    "Accessibility needs": "accessibility_needs",
    "How involved": "involvement",
    "Engagement lead": "engagement_lead_id",
    "Supporter": "supporter",
    "Wellbeing signposting": "wellbeing_signposted",
    "Support notes": "support_notes",
}
FIXED = {
    "edit:safety_action": {"Safety action": "safety_action"},
    "action:details": SAFETY_ACTION_DETAILS,
    "action:evidence": {"Evidence of completion": "evidence"},
    "action:effect": {"Whether it worked": "effect", "What the measure showed": "effect_notes"},
    "edit:extension": {"Target date": "due_on"},
    "edit:contributor": {"Contributor": "contributor"},
    "edit:finding": {
        "Finding": "finding",
        "Area for improvement": "area_for_improvement",
        "What went well": "went_well",
    },
    "edit:factor": {"Contributory factor": "contributory_factor"},
    "improvement:create": {"Title": "title", "Organisation": "organisation"},
    "improvement:add_item": {
        "Priority from the PSIRF plan": "priority",
        "Good care to spread": "good_care",
    },
    "improvement:add_reading": {"Measure reading": "reading"},
    "improvement:add_actions": {"Safety actions": "actions"},
    "improvement:remove_action": {"Safety actions": "actions"},
    "account:end_sessions": {"open sign-ins": "open_sign_ins"},
    "account:password_change": {"other sign-ins ended": "other_sign_ins_ended"},
    "candour:decided": {"Duty of candour": "candour"},
    "candour:steps": CANDOUR_STEPS,
    "candour:attempt": {"Contact attempt": "contact_attempt"},
    "engagement:attempt": {"Contact attempt": "contact_attempt"},
    "engagement:person_added": {"Person affected": "person"},
    "engagement:step": {"Engagement step": "engagement_step"},
    "engagement:answer": {"Answer to a question": "answer"},
    "engagement:invited": {"Invitation to the family portal": "invitation"},
    "engagement:invitation_withdrawn": {"Invitation to the family portal": "invitation"},
    "family:joined": {"Family portal": "family_portal"},
    "family:linked": {"Family portal": "family_portal"},
}
_PERSON = "|".join(re.escape(label) for label in PERSON)
# Labels that named something: (pattern, field name or None for the person's field, how it read).
QUALIFIED = {
    "edit:contribution": [(re.compile(r"Contribution from (?P<of>.+)"), "contribution")],
    "edit:agreement": [(re.compile(r"Agreement of (?P<of>.+)"), "agreement")],
    "engagement:person_updated": [(re.compile(rf"(?P<of>.+): (?P<label>{_PERSON})"), None)],
    "family:preferences": [(re.compile(rf"(?P<of>.+): (?P<label>{_PERSON})"), None)],
    "family:question": [(re.compile(r"Question from a (?P<of>.+)"), "question")],
    "family:comment": [(re.compile(r"Comments on the draft from a (?P<of>.+)"), "comment")],
    "engagement:document_shared": [(re.compile(r"(?P<of>.+) shared"), "document")],
}
REVERSED_QUALIFIED = {
    "contribution": "Contribution from {of}",
    "agreement": "Agreement of {of}",
    "question": "Question from a {of}",
    "comment": "Comments on the draft from a {of}",
    "document": "{of} shared",
    **{name: "{of}: " + label for label, name in PERSON.items()},
}

audit_records = sa.table(
    "audit_records",
    sa.column("id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("subject_type", sa.String),
    sa.column("subject_id", sa.Integer),
    sa.column("changes", sa.JSON),
)
learning_responses = sa.table(
    "learning_responses",
    sa.column("id", sa.Integer),
    sa.column("workflow_name", sa.String),
    sa.column("workflow_version", sa.Integer),
)


def _workflow_sections(name: str, version: int) -> dict:
    """{section: {label: name}} for one workflow version, the section's own label included."""
    for path in (WORKFLOWS / f"{name}.yaml", WORKFLOWS / "versions" / f"{name}.v{version}.yaml"):
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text()) or {}
        if data.get("version") != version:
            continue
        return {
            section: {
                spec.get("label", section): section,
                **{f["label"]: f["name"] for f in spec.get("fields") or [] if "label" in f},
            }
            for section, spec in (data.get("sections") or {}).items()
        }
    return {}


def renamed(action: str, changes: dict, sections: dict) -> dict:
    """The changes keyed by field name; keys that are already names stay as they are."""
    fixed = FIXED.get(action, {})
    if action.startswith("edit:") and action[5:] in sections:
        fixed = {**sections[action[5:]], **fixed}
    result = {}
    for key, change in changes.items():
        if key in fixed:
            result[fixed[key]] = change
            continue
        for pattern, name in QUALIFIED.get(action, []):
            found = pattern.fullmatch(key)
            if found and isinstance(change, dict):
                name = name or PERSON[found["label"]]
                result[name] = {**change, "of": found["of"]}
                break
        else:
            result[key] = change
    return result


def labelled(action: str, changes: dict, sections: dict) -> dict:
    """The reverse of `renamed`, for a downgrade: field names back to the labels once stored."""
    fixed = FIXED.get(action, {})
    if action.startswith("edit:") and action[5:] in sections:
        fixed = {**sections[action[5:]], **fixed}
    names = {name: label for label, name in fixed.items()}
    result = {}
    for key, change in changes.items():
        if isinstance(change, dict) and "of" in change and key in REVERSED_QUALIFIED:
            rest = {k: v for k, v in change.items() if k != "of"}
            result[REVERSED_QUALIFIED[key].format(of=change["of"])] = rest
        else:
            result[names.get(key, key)] = change
    return result


def _rewrite(rewrite) -> None:
    bind = op.get_bind()
    workflows = {
        row.id: (row.workflow_name, row.workflow_version)
        for row in bind.execute(sa.select(learning_responses))
    }
    cache: dict = {}
    # Only the actions that ever wrote a label: transitions, reports and triage never did.
    rows = bind.execute(
        sa.select(
            audit_records.c.id,
            audit_records.c.action,
            audit_records.c.subject_type,
            audit_records.c.subject_id,
            audit_records.c.changes,
        ).where(
            sa.or_(
                audit_records.c.action.in_([*FIXED, *QUALIFIED]),
                audit_records.c.action.like("edit:%"),
            )
        )
    ).all()
    for row in rows:
        if not row.changes:
            continue
        sections = {}
        if row.subject_type == "learning_responses" and row.subject_id in workflows:
            key = workflows[row.subject_id]
            if key not in cache:
                cache[key] = _workflow_sections(*key)
            sections = cache[key]
        changes = rewrite(row.action, row.changes, sections)
        if changes != row.changes:
            bind.execute(
                audit_records.update().where(audit_records.c.id == row.id).values(changes=changes)
            )


def _with_the_guard_lifted(rewrite) -> None:
    if op.get_bind().dialect.name == "postgresql":
        # DDL is transactional here: if the rewrite fails, the trigger's disabling is undone too.
        op.execute("ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only")
        _rewrite(rewrite)
        op.execute("ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only")
        return
    # Alembic runs SQLite's DDL outside a transaction: the guard comes back whatever happens.
    op.execute("DROP TRIGGER IF EXISTS audit_records_no_update")
    try:
        _rewrite(rewrite)
    finally:
        op.execute(
            "CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records "
            f"BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSAL}'); END"
        )


def upgrade():
    _with_the_guard_lifted(renamed)


def downgrade():
    _with_the_guard_lifted(labelled)
