"""Mermaid stateDiagram-v2 text drawn by `transitions` from the same definitions the runner uses."""

from __future__ import annotations

from transitions.extensions.diagrams import GraphMachine

from psirf.workflow.definitions import WorkflowDef


class _Holder:
    """A bare model for the drawing machine, so nothing is bound to a real response."""


def mermaid(definition: WorkflowDef, current: str | None = None) -> str:
    holder = _Holder()
    machine = GraphMachine(
        model=holder,
        states=list(definition.states),
        transitions=[
            {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
            for t in definition.transitions
        ],
        initial=definition.initial,
        auto_transitions=False,
        graph_engine="mermaid",
        show_state_attributes=False,
        title=definition.label,
    )
    if current:
        machine.set_state(current, model=holder)
    return holder.get_graph(force_new=True).draw(None)
