"""State names that code relies on are constants checked against the workflow files: a new
version that renames such a state fails when the workflows load, naming the constant."""

import shutil
from dataclasses import replace

import pytest
import yaml

from psirf.actions.states import ActionState
from psirf.workflow import definitions, registry
from psirf.workflow.definitions import WORKFLOW_DIR, WorkflowError, read_directory
from psirf.workflow.states import StateNames, undeclared

CONSTANT = "psirf.actions.states.ActionState.CANCELLED"


def _rename_state(data: dict, old: str, new: str) -> None:
    data["states"] = {(new if k == old else k): v for k, v in data["states"].items()}
    for t in data["transitions"]:
        t["dest"] = new if t["dest"] == old else t["dest"]
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        t["source"] = [new if s == old else s for s in sources]


@pytest.fixture
def renamed_cancelled(tmp_path, monkeypatch):
    """safety_action's next version, its `cancelled` state renamed `withdrawn`, released as a
    maintainer would: the current version kept in versions/."""
    shutil.copytree(WORKFLOW_DIR, tmp_path, dirs_exist_ok=True)
    current = tmp_path / "safety_action.yaml"
    data = yaml.safe_load(current.read_text())
    shutil.copy(current, tmp_path / "versions" / f"safety_action.v{data['version']}.yaml")
    data["version"] += 1
    _rename_state(data, ActionState.CANCELLED, "withdrawn")
    current.write_text(yaml.safe_dump(data, sort_keys=False))
    monkeypatch.setattr(definitions, "WORKFLOW_DIR", tmp_path)
    monkeypatch.setattr(definitions.read_directory, "__defaults__", (tmp_path,))
    return tmp_path


def test_every_state_constant_names_a_state_of_the_newest_workflows():
    assert undeclared(registry.STATE_NAMES, read_directory()) == []
    assert ActionState in registry.STATE_NAMES


def test_a_renamed_state_fails_loading_naming_the_constant(renamed_cancelled):
    with pytest.raises(WorkflowError, match=CONSTANT.replace(".", r"\.")):
        read_directory(renamed_cancelled)


def test_a_renamed_state_fails_the_workflows_check_command_naming_the_constant(
    app, renamed_cancelled
):
    result = app.test_cli_runner().invoke(args=["workflows", "check"])
    assert result.exit_code != 0
    assert f"{CONSTANT} names state 'cancelled', which safety_action version" in result.output


def test_an_older_version_without_the_state_does_not_fail():
    """Only the newest version must declare it: responses keep the rules they started under."""
    found = read_directory()
    name, version = "safety_action", max(v for n, v in found if n == "safety_action")
    old = found[(name, version)]
    states = {k: v for k, v in old.states.items() if k != ActionState.CANCELLED}
    found[(name, version - 1)] = replace(old, version=version - 1, states=states)
    assert undeclared([ActionState], found) == []


def test_a_constant_for_a_workflow_no_file_declares_fails():
    class Nowhere(StateNames, workflows=["no_such_workflow"]):
        OPEN = "open"

    assert undeclared([Nowhere], read_directory()) == [
        f"{Nowhere.__module__}.{Nowhere.__qualname__} names workflow 'no_such_workflow', "
        "which no file declares"
    ]


def test_the_engine_refuses_every_step_until_an_authoriser_is_registered(monkeypatch):
    monkeypatch.setattr(registry, "_authoriser", [])
    with pytest.raises(registry.NotWired):
        registry.authorise(object(), object(), "anything")


def test_a_workflow_no_feature_claims_fails_when_loaded(monkeypatch):
    monkeypatch.delitem(registry.ROLE_RESOLVERS, "safety_action")
    with pytest.raises(WorkflowError, match="no feature says who acts in workflow"):
        read_directory()
