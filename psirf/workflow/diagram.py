"""Workflow diagrams drawn from the same definitions the runner uses.

- `svg(definition, current_state)`: the picture on each response page. Graphviz `dot` draws it on
  the server, so it needs no JavaScript, and the result is cleaned for the Content Security Policy
  (`style-src 'self'`): no `style` attributes, no <style> elements, no comments, no XML prolog.
  Graphviz's presentation attributes (fill=, stroke=, font-family=) are not styles and stay.
- `mermaid(definition, current)`: Mermaid text, drawn by `transitions`, for the CLI.
"""

from __future__ import annotations

import logging
import textwrap
import xml.etree.ElementTree as ET
from functools import lru_cache

import graphviz
from markupsafe import Markup
from transitions.extensions.diagrams import GraphMachine

from psirf.workflow.definitions import WorkflowDef

log = logging.getLogger(__name__)

NHS_BLUE = "#005eb8"
NHS_BLACK = "#212b32"
NHS_GREY_4 = "#d8dde0"
NHS_WHITE = "#ffffff"
FONT = "Arial"
TITLE_ID = "psirf-diagram-title"
CURRENT_CLASS = "psirf-diagram__current"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


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


# ---- SVG for the pages ---------------------------------------------------------------------


def title_text(definition: WorkflowDef, current_state: str | None) -> str:
    text = f"Workflow diagram: {definition.label}"
    if current_state:
        text += f", current step: {definition.state(current_state).label}"
    return text


def svg(definition: WorkflowDef, current_state: str | None) -> Markup:
    """The workflow as inline SVG, the current state filled in NHS blue; cached per
    (workflow name, version, current state), which is all the drawing depends on.

    Returns empty markup (and logs an error) if Graphviz's `dot` is not installed, so a page
    still shows the plain list of steps.
    """
    if current_state is not None:
        definition.state(current_state)  # an unknown state is a KeyError, not a blank picture
    try:
        return Markup(_cached(_Key(definition, current_state)))
    except graphviz.ExecutableNotFound:
        log.error(
            "Graphviz 'dot' is not installed: workflow diagrams are not drawn (make graphviz)"
        )
        return Markup("")


class _Key:
    """Hashes and compares by (name, version, state) but carries the definition to draw."""

    __slots__ = ("definition", "state", "_id")

    def __init__(self, definition: WorkflowDef, state: str | None):
        self.definition = definition
        self.state = state
        self._id = (definition.name, definition.version, state)

    def __hash__(self) -> int:
        return hash(self._id)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Key) and other._id == self._id


@lru_cache(maxsize=512)
def _cached(key: _Key) -> str:
    return _clean(
        _digraph(key.definition, key.state).pipe(format="svg", encoding="utf-8"),
        title_text(key.definition, key.state),
    )


def cache_clear() -> None:
    _cached.cache_clear()


def _wrap(text: str, width: int) -> str:
    """Graphviz label text: wrapped onto centred lines, backslashes kept literal."""
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]
    return graphviz.nohtml("\\n".join(line.replace("\\", "\\\\") for line in lines))


def _digraph(definition: WorkflowDef, current_state: str | None) -> graphviz.Digraph:
    dot = graphviz.Digraph(name="workflow")
    dot.attr(
        "graph",
        rankdir="TB",
        bgcolor="transparent",
        nodesep="0.4",
        ranksep="0.45",
        fontname=FONT,
        pad="0.1",
    )
    dot.attr(
        "node",
        shape="box",
        style="rounded,filled",
        fillcolor=NHS_WHITE,
        color=NHS_BLACK,
        fontcolor=NHS_BLACK,
        fontname=FONT,
        fontsize="12",
        margin="0.15,0.08",
        penwidth="1.2",
    )
    dot.attr(
        "edge", color=NHS_BLACK, fontcolor=NHS_BLACK, fontname=FONT, fontsize="10", arrowsize="0.7"
    )
    dot.node(
        "__start",
        label="",
        shape="circle",
        style="filled",
        fillcolor=NHS_BLACK,
        width="0.15",
        height="0.15",
        fixedsize="true",
    )
    dot.edge("__start", definition.initial)
    for state in definition.ordered_states():
        attrs = {}
        if state.final:
            attrs["peripheries"] = "2"
        if state.name == current_state:
            attrs.update(
                fillcolor=NHS_BLUE,
                color=NHS_BLUE,
                fontcolor=NHS_WHITE,
                penwidth="2",
                **{"class": CURRENT_CLASS},
            )
        dot.node(state.name, label=_wrap(state.label, 22), **attrs)
    for t in definition.transitions:
        for source in t.sources:
            dot.edge(source, t.dest, label=_wrap(t.label, 24))
    return dot


def _clean(raw: str, title: str) -> str:
    """Graphviz SVG -> one <svg> element safe to inline under the CSP, with an accessible name."""
    root = ET.fromstring(raw.encode("utf-8"))  # drops the prolog, DOCTYPE and comments
    for element in root.iter():
        element.attrib.pop("style", None)
        element.attrib.pop("id", None)  # graph0, node1...: would clash with ids on the page
    for parent in list(root.iter()):
        for child in list(parent):
            # <style> would need 'unsafe-inline'; graphviz's own <title>s name internal ids.
            if child.tag in (f"{{{SVG_NS}}}style", f"{{{SVG_NS}}}title"):
                parent.remove(child)
    heading = ET.Element(f"{{{SVG_NS}}}title", {"id": TITLE_ID})
    heading.text = title
    root.insert(0, heading)
    root.set("role", "img")
    root.set("aria-labelledby", TITLE_ID)
    root.set("class", "psirf-diagram__svg")
    root.set("focusable", "false")
    return ET.tostring(root, encoding="unicode")
