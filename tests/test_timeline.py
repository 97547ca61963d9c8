"""The one timeline builder: audit records read in each feature's words, keyed by field name."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

import pytest

from psirf import audit, timeline
from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.engagement import services as engagement
from psirf.responses import contributors
from psirf.responses import services as responses
from psirf.responses.models import Contributor
from psirf.timeline import Change, Vocabulary
from psirf.workflow import definitions
from tests.support.engagement import affected_person
from tests.support.factories import ResponseFactory
from tests.support.queries import counting_queries

AT = datetime(2026, 3, 2, 9, 30)


def _record(action: str, changes: dict, actor_id: int | None = None) -> AuditRecord:
    """A record as the ledger holds it; the builder reads records, it does not write them."""
    return AuditRecord(
        occurred_at=AT,
        actor_id=actor_id,
        action=action,
        subject_type="learning_responses",
        subject_id=1,
        changes=changes,
    )


def test_fields_read_by_their_label_or_their_name_and_values_by_their_formatter(session):
    words = Vocabulary(
        actions={"thing:edit": "Thing changed"},
        fields={"due_on": "Target date"},
        values={"due_on": lambda v: f"the {v}"},
    )
    (entry,) = timeline.build(
        session,
        [
            _record(
                "thing:edit",
                {
                    "due_on": {"before": None, "after": "3rd"},
                    "support_notes": {"before": "", "after": "Offered"},
                },
            )
        ],
        words,
    )
    assert entry.action == "Thing changed" and entry.occurred_at == AT
    assert entry.changes == [
        Change("Target date", "(none)", "the 3rd"),
        Change("Support notes", "(none)", "Offered"),
    ]


def test_an_unknown_action_reads_as_written_and_an_old_label_key_as_it_was(session):
    (entry,) = timeline.build(
        session, [_record("thing:new", {"Due date": {"before": 1, "after": 2}})], Vocabulary()
    )
    assert entry.action == "thing:new" and entry.changes == [Change("Due date", "1", "2")]


def test_a_qualified_change_names_what_it_was_about(session):
    words = Vocabulary(fields={"contribution": "Contribution from {of}"})
    change = {"before": None, "after": "Notes", "of": "Southfields"}
    (entry,) = timeline.build(session, [_record("edit", {"contribution": change})], words)
    assert entry.changes == [Change("Contribution from Southfields", "(none)", "Notes")]


def test_people_are_named_in_one_query_for_actors_and_account_fields_alike(session, world):
    records = [
        _record("a", {"owner_user_id": {"before": None, "after": world.panel.id}}, world.lead.id),
        _record("b", {"owner_user_id": {"before": world.panel.id, "after": -1}}, -2),
        _record("c", {}),
    ]
    words = Vocabulary(people={"owner_user_id"}, nobody="The system")
    with counting_queries() as queries:
        entries = timeline.build(session, records, words)
    assert len(queries) == 1
    assert [e.actor for e in entries] == ["Lee Lead", "Unknown", "The system"]
    assert entries[0].changes == [Change("Owner user id", "(none)", "Pat Panel")]
    assert entries[1].changes == [Change("Owner user id", "Pat Panel", "An account")]


def test_the_actor_hook_may_replace_a_name(session, world):
    (entry,) = timeline.build(
        session,
        [_record("a", {}, world.reporter.id)],
        Vocabulary(),
        actor=lambda record, name: "Identity protected",
    )
    assert entry.actor == "Identity protected"


def test_a_workflows_steps_and_states_read_by_their_labels(session):
    definition = definitions.get("after_action_review")
    words = timeline.workflow_vocabulary(definition)
    (entry,) = timeline.build(
        session,
        [_record("transition:approve", {"state": {"before": "panel_review", "after": "closed"}})],
        words,
    )
    assert entry.action == definition.transition("approve").label
    assert entry.changes == [
        Change("State", definition.states["panel_review"].label, definition.states["closed"].label)
    ]


def test_merged_vocabularies_ask_the_later_first_and_keep_the_earlier_words():
    first = Vocabulary(
        actions={"a": "First A", "b": "First B"},
        action_label=lambda action: "Dynamic" if action == "d" else None,
        nobody="Nobody",
    )
    second = Vocabulary(actions={"b": "Second B"}, action_label=lambda action: None)
    words = first.merged(second)
    assert [words.action(a) for a in "abdz"] == ["First A", "Second B", "Dynamic", "z"]
    assert words.nobody == "Unknown"  # the later vocabulary's, as for every other word


def test_values_of_gathers_the_ids_a_trail_names():
    records = [
        _record("a", {"owner_organisation_id": {"before": 1, "after": 2}, "x": {"after": 9}}),
        _record("b", {"owner_organisation_id": {"before": None, "after": 3}}),
    ]
    assert timeline.values_of(records, {"owner_organisation_id"}) == {1, 2, 3}


def test_the_timeline_builder_imports_no_feature():
    """It sits beside the ledger, below the features that describe their records to it."""
    source = Path(timeline.__file__).read_text()
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert {m for m in imported if m.startswith("psirf")} == {"psirf.audit"}


def test_the_response_timeline_reads_field_names_as_the_page_always_showed_them(session, world):
    """Services key their changes by field name; the response page still reads in plain English."""
    response = ResponseFactory(organisation=world.practice, lead_id=world.lead.id)
    person = affected_person(response)
    with unit_of_work(session):
        responses.save_section(
            session, world.lead, response, "plan", {"conductor": "Dr Jones"}, None
        )
    with unit_of_work(session):
        engagement.update_person(
            session,
            world.lead,
            response,
            person,
            {
                "kind": "family_member",
                "name": "Jo Bloggs",
                "involvement": "fully",
                "language": "Welsh",
            },
            None,
        )
    shown = {
        (e.action, c.field, c.after)
        for e in responses.timeline(session, world.lead, response)
        for c in e.changes
    }
    plan = definitions.get("after_action_review").sections["plan"]
    assert (f"{plan.label} updated", plan.field("conductor").label, "Dr Jones") in shown
    assert (
        "Engagement preferences or support updated",
        "Family member: Language",
        "changed",
    ) in shown


def test_a_contribution_reads_with_the_organisation_it_came_from(session, world):
    response = ResponseFactory(
        method="cross_organisational",
        state="contributions",
        organisation=world.practice,
        contributors=[Contributor(organisation_id=world.other_practice.id)],
    )
    with unit_of_work(session):
        contributors.contribute(session, world.other_lead, response, "Our part", None)
    (entry,) = responses.timeline(session, world.lead, response)
    assert entry.action == "Contribution recorded"
    assert entry.changes == [Change("Contribution from Southfields", "(none)", "Our part")]


def test_the_ledger_refuses_a_change_keyed_by_a_label(session, world):
    with pytest.raises(ValueError, match="field name"):
        audit.record(
            session,
            actor_id=world.lead.id,
            action="thing:edit",
            subject=world.lead,
            organisation_id=None,
            changes={"Due date": {"before": None, "after": "2026-03-01"}},
        )
