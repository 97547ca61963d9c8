"""One contract suite, run against every workflow file."""

import pytest

from psirf import policy
from psirf.workflow import definitions
from psirf.workflow.definitions import WorkflowError, parse, read_directory
from psirf.accounts.models import Role

ALL = sorted(read_directory().values(), key=lambda d: (d.name, d.version))


@pytest.fixture(params=ALL, ids=lambda d: f"{d.name}-v{d.version}")
def workflow(request):
    return request.param


def test_every_trigger_has_a_rule_in_the_policy(workflow):
    for t in workflow.transitions:
        assert (workflow.name, t.trigger) in policy.TRANSITION_RULES, t.trigger


def test_every_state_is_reachable_from_the_initial_state(workflow):
    reached, frontier = {workflow.initial}, [workflow.initial]
    while frontier:
        state = frontier.pop()
        for t in workflow.available_from(state):
            if t.dest not in reached:
                reached.add(t.dest)
                frontier.append(t.dest)
    assert reached == set(workflow.states)


def test_every_final_state_is_a_dead_end_and_every_other_state_has_a_way_out(workflow):
    for state in workflow.states.values():
        assert bool(workflow.available_from(state.name)) != state.final, state.name


# Who acts on a safety action or a plan is decided by the object, not by a role someone is given.
PSEUDO_ROLES = (policy.ACTION_OWNER, policy.ACTION_LEAD, policy.PLAN_AUTHOR, policy.PLAN_APPROVER)
NOT_RESPONSES = ("safety_action", "plan_approval")


def test_every_acting_role_is_a_real_role_or_one_decided_by_the_object(workflow):
    for state in workflow.states.values():
        if state.acts and state.acts not in PSEUDO_ROLES:
            Role(state.acts)


def test_the_method_names_a_response_method_a_safety_action_or_a_plan(workflow):
    from psirf.responses.models import ResponseMethod

    if workflow.method not in NOT_RESPONSES:
        ResponseMethod(workflow.method)


def test_only_the_system_takes_the_steps_nobody_takes_by_hand():
    system = {
        trigger
        for (name, trigger), role in policy.TRANSITION_RULES.items()
        if role == policy.SYSTEM
    }
    assert system == {"mark_review_due", "supersede"}


def test_every_response_workflow_closes_only_with_smart_safety_actions(workflow):
    """Each transition into the `closed` state checks that every action is SMART and agreed."""
    if workflow.method in NOT_RESPONSES or workflow.version < 2:
        return
    closing = [t for t in workflow.transitions if t.dest == "closed"]
    assert closing
    for t in closing:
        assert "actions_smart" in {g.name for g in t.guards}, t.trigger


BASE = {
    "name": "x",
    "version": 1,
    "label": "X",
    "method": "after_action_review",
    "initial": "a",
    "states": {"a": {"label": "A"}, "b": {"label": "B", "final": True}},
}


@pytest.mark.parametrize(
    "transition, message",
    [
        (
            {"trigger": "go", "source": "a", "dest": "b", "guards": ["no_such_guard"]},
            "unknown guard 'no_such_guard'",
        ),
        (
            {"trigger": "go", "source": "a", "dest": "b", "actions": ["no_such_action"]},
            "unknown action 'no_such_action'",
        ),
        ({"trigger": "go", "source": "a", "dest": "nowhere"}, "unknown state 'nowhere'"),
    ],
)
def test_a_workflow_naming_something_unknown_fails_when_loaded(transition, message):
    with pytest.raises(WorkflowError, match=message):
        parse(dict(BASE, transitions=[transition]), "broken.yaml")


def test_the_workflows_check_command_reports_every_file(app):
    result = app.test_cli_runner().invoke(args=["workflows", "check"])
    assert result.exit_code == 0
    assert "ok  after_action_review v1" in result.output


def test_the_workflows_check_command_fails_on_a_broken_file(app, tmp_path, monkeypatch):
    (tmp_path / "broken.yaml").write_text("name: broken\nversion: 1\n")
    monkeypatch.setattr(definitions, "WORKFLOW_DIR", tmp_path)
    monkeypatch.setattr(definitions.read_directory, "__defaults__", (tmp_path,))
    result = app.test_cli_runner().invoke(args=["workflows", "check"])
    assert result.exit_code != 0
    assert "broken.yaml: missing 'label'" in result.output


def test_the_workflows_show_command_prints_states_transitions_and_a_mermaid_diagram(app):
    result = app.test_cli_runner().invoke(args=["workflows", "show", "after_action_review"])
    assert result.exit_code == 0
    assert "planning: Planning the review" in result.output
    assert "send_to_panel: in_review, returned -> panel_review" in result.output
    assert "stateDiagram-v2" in result.output
    assert "panel_review --> closed: approve" in result.output


def test_a_response_keeps_the_version_it_started_under():
    assert definitions.get("after_action_review", 1).version == 1
    with pytest.raises(WorkflowError):
        definitions.get("after_action_review", 999)


def test_a_closing_state_is_reachable_from_every_state(workflow):
    finals = {s.name for s in workflow.states.values() if s.final}
    for start in workflow.states:
        reached, frontier = {start}, [start]
        while frontier:
            for t in workflow.available_from(frontier.pop()):
                if t.dest not in reached:
                    reached.add(t.dest)
                    frontier.append(t.dest)
        assert reached & finals, f"{start} cannot reach a closing state"


def test_every_part_a_state_edits_is_declared(workflow):
    from psirf.workflow.definitions import PARTS

    for state in workflow.states.values():
        for part in state.edits:
            assert part in workflow.sections or part in PARTS, (state.name, part)


def test_every_guard_names_sections_the_workflow_declares(workflow):
    for t in workflow.transitions:
        for call in t.guards:
            if call.name == "complete":
                assert set(call.args) <= set(workflow.sections), t.trigger


@pytest.mark.parametrize(
    "name",
    [
        "after_action_review",
        "swarm_huddle",
        "mdt_review",
        "thematic_review",
        "psii",
        "cross_organisational",
    ],
)
def test_every_method_has_a_workflow_the_show_command_draws(app, name):
    result = app.test_cli_runner().invoke(args=["workflows", "show", name])
    assert result.exit_code == 0, result.output
    assert "stateDiagram-v2" in result.output


def test_a_guard_naming_an_undeclared_section_fails_when_loaded():
    with pytest.raises(WorkflowError, match="unknown sections"):
        parse(
            dict(
                BASE,
                transitions=[
                    {"trigger": "go", "source": "a", "dest": "b", "guards": ["complete:nothing"]}
                ],
            ),
            "x.yaml",
        )
