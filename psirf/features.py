"""The composition root: wires every feature into the workflow engine, which knows none of them.

Importing a feature's `workflow_rules` module registers its guards, actions, editable parts, role
resolvers and state-name constants; the policy becomes the engine's authoriser. `create_app` and
the workflow commands call `load()` before the workflow files are parsed and checked, so a file
naming an unknown guard, or a constant naming a state no file declares, fails at start.
"""

from __future__ import annotations

from psirf import policy
from psirf.actions import workflow_rules as actions_rules
from psirf.plans import workflow_rules as plans_rules
from psirf.responses import workflow_rules as responses_rules
from psirf.workflow import registry

# Every feature that runs a workflow; a new one joins here.
FEATURES = (responses_rules, actions_rules, plans_rules)


def load() -> None:
    """Register every feature with the engine (idempotent: the registrations ran on import)."""
    registry.authorise_with(policy.require_can_fire)
