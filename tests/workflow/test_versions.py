"""A response keeps the workflow version it started under; a changed file is a new version."""

import shutil

import pytest
import yaml

from psirf.db import unit_of_work
from psirf.workflow import definitions, runner
from psirf.workflow.definitions import WORKFLOW_DIR, read_directory
from tests.support.factories import ResponseFactory


RELEASED = definitions.get("after_action_review").version


@pytest.fixture
def second_version(tmp_path, monkeypatch):
    """after_action_review's next version in place, the released one kept in versions/, as a maintainer would release it."""
    shutil.copytree(WORKFLOW_DIR, tmp_path, dirs_exist_ok=True)
    current = tmp_path / "after_action_review.yaml"
    shutil.copy(current, tmp_path / "versions" / f"after_action_review.v{RELEASED}.yaml")
    data = yaml.safe_load(current.read_text())
    data["version"] = RELEASED + 1
    data["states"]["panel_review"]["label"] = "With the PCN panel"
    data["transitions"][0]["guards"] = ["complete:plan"]
    data["sections"]["plan"]["fields"].append(
        {"name": "venue", "label": "Where will it be held?", "type": "line", "required": True}
    )
    current.write_text(yaml.safe_dump(data, sort_keys=False))
    monkeypatch.setattr(definitions, "_CACHE", read_directory(tmp_path))
    return tmp_path


def test_every_released_version_is_recorded_and_unchanged():
    found = read_directory()
    assert definitions.changed_without_new_version(found) == []
    assert {f"{n}@{v}" for n, v in found} <= set(definitions.recorded_fingerprints())


def test_editing_a_released_version_in_place_is_caught(tmp_path):
    shutil.copytree(WORKFLOW_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "after_action_review.yaml"
    path.write_text(path.read_text().replace("Approved and closed", "Approved"))
    assert definitions.changed_without_new_version(read_directory(tmp_path), tmp_path) == [
        f"after_action_review version {RELEASED}"
    ]


def test_a_response_started_on_the_old_version_finishes_under_it(session, world, second_version):
    from tests.support.factories import COMPLETE_AAR_RECORD

    old = ResponseFactory(
        organisation=world.practice,
        workflow_version=RELEASED,
        record={"plan": dict(COMPLETE_AAR_RECORD["plan"])},
    )
    new = ResponseFactory(organisation=world.practice)
    assert new.workflow_version == RELEASED + 1
    with unit_of_work(session):
        runner.fire(
            session, old, "hold_review", world.lead, old.version_id
        )  # the released version asks nothing of a venue
    with pytest.raises(runner.TransitionRefused) as refused:
        new.record = {"plan": dict(COMPLETE_AAR_RECORD["plan"])}
        runner.fire(session, new, "hold_review", world.lead, new.version_id)
    assert refused.value.problems == ["Answer 'Where will it be held?'."]
    assert runner.definition_of(old).state("panel_review").label == "With the review panel"
    assert runner.definition_of(new).state("panel_review").label == "With the PCN panel"
