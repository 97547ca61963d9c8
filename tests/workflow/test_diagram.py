"""The workflow diagram: server-drawn SVG that the Content Security Policy allows."""

import xml.etree.ElementTree as ET

import pytest

from psirf.workflow import diagram
from psirf.workflow.definitions import parse, read_directory

SVG = "{http://www.w3.org/2000/svg}"

AAR_LIKE = {
    "name": "diagram_test",
    "version": 1,
    "label": "After action review",
    "method": "after_action_review",
    "initial": "planning",
    "states": {
        "planning": {"label": "Planning the review"},
        "in_review": {"label": "Review held, recording the learning"},
        "panel_review": {"label": "With the review panel"},
        "returned": {"label": "Returned for more work"},
        "closed": {"label": "Approved & closed <finally>", "final": True},
    },
    "transitions": [
        {
            "trigger": "hold_review",
            "label": "Mark the review as held",
            "source": "planning",
            "dest": "in_review",
        },
        {
            "trigger": "send_to_panel",
            "label": "Send to the review panel",
            "source": ["in_review", "returned"],
            "dest": "panel_review",
        },
        {
            "trigger": "return_to_lead",
            "label": "Return for more work",
            "source": "panel_review",
            "dest": "returned",
        },
        {
            "trigger": "approve",
            "label": "Approve and close",
            "source": "panel_review",
            "dest": "closed",
        },
    ],
}


@pytest.fixture
def definition():
    return parse(AAR_LIKE, "test")


def parsed(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def node_texts(root) -> dict[str, ET.Element]:
    """Each node group by the text it shows (wrapped lines joined with spaces)."""
    found = {}
    for g in root.iter(f"{SVG}g"):
        if "node" in g.get("class", "").split():
            text = " ".join(t.text for t in g.iter(f"{SVG}text") if t.text)
            found[text] = g
    return found


def test_the_svg_is_one_xml_element_with_an_accessible_name(definition):
    markup = diagram.svg(definition, "panel_review")
    text = str(markup)
    assert text.startswith("<svg")
    assert "<?xml" not in text and "<!DOCTYPE" not in text and "<!--" not in text
    root = parsed(markup)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert root.get("aria-labelledby") == title.get("id")
    assert (
        title.text == "Workflow diagram: After action review, current step: With the review panel"
    )
    assert root.get("class") == "psirf-diagram__svg"
    assert root.get("viewBox")


def test_the_svg_has_no_styles_the_csp_would_block(definition):
    root = parsed(diagram.svg(definition, "planning"))
    assert not [e for e in root.iter() if "style" in e.attrib]
    assert not list(root.iter(f"{SVG}style"))
    assert not list(root.iter(f"{SVG}script"))
    assert len(list(root.iter(f"{SVG}title"))) == 1, "graphviz's own titles name internal ids"


def test_every_state_label_is_drawn_and_only_the_current_state_is_filled_blue(definition):
    root = parsed(diagram.svg(definition, "panel_review"))
    nodes = node_texts(root)
    for state in definition.ordered_states():
        assert state.label in nodes, state.label
    current = nodes["With the review panel"]
    assert diagram.CURRENT_CLASS in current.get("class")
    assert current.find(f"{SVG}path").get("fill") == diagram.NHS_BLUE
    assert {t.get("fill") for t in current.iter(f"{SVG}text")} == {diagram.NHS_WHITE}
    others = [g for label, g in nodes.items() if label != "With the review panel"]
    assert not [g for g in others if diagram.CURRENT_CLASS in g.get("class")]
    assert not [
        g for g in others for p in g.iter(f"{SVG}path") if p.get("fill") == diagram.NHS_BLUE
    ]


def test_transition_labels_are_drawn_and_final_states_have_a_double_border(definition):
    text = " ".join(
        t.text for t in parsed(diagram.svg(definition, None)).iter(f"{SVG}text") if t.text
    )
    for t in definition.transitions:
        # a label may wrap onto two lines; every word is there
        assert all(word in text for word in t.label.split()), t.label
    closed = node_texts(parsed(diagram.svg(definition, None)))["Approved & closed <finally>"]
    assert len(list(closed.iter(f"{SVG}path"))) == 2
    planning = node_texts(parsed(diagram.svg(definition, None)))["Planning the review"]
    assert len(list(planning.iter(f"{SVG}path"))) == 1


def test_without_a_current_state_the_title_names_only_the_workflow(definition):
    root = parsed(diagram.svg(definition, None))
    assert root.find(f"{SVG}title").text == "Workflow diagram: After action review"
    assert diagram.CURRENT_CLASS not in str(diagram.svg(definition, None))


def test_an_unknown_state_is_an_error_not_a_blank_picture(definition):
    with pytest.raises(KeyError):
        diagram.svg(definition, "nowhere")


def test_the_drawing_is_cached_per_workflow_version_and_state(definition, monkeypatch):
    diagram.cache_clear()
    first = diagram.svg(definition, "returned")
    calls = []
    monkeypatch.setattr(diagram, "_digraph", lambda *a: calls.append(a))
    assert diagram.svg(parse(AAR_LIKE, "again"), "returned") == first
    assert calls == [], "the second call should not run dot again"
    assert diagram._cached.cache_info().hits >= 1


def test_a_missing_dot_gives_empty_markup_and_the_page_keeps_its_list(definition, monkeypatch):
    import graphviz

    diagram.cache_clear()

    def no_dot(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Digraph, "pipe", no_dot)
    assert str(diagram.svg(definition, "planning")) == ""
    diagram.cache_clear()


@pytest.mark.parametrize(
    "workflow",
    sorted(read_directory().values(), key=lambda d: (d.name, d.version)),
    ids=lambda d: f"{d.name}-v{d.version}",
)
def test_every_workflow_file_draws_with_each_state_current(workflow):
    for state in workflow.ordered_states():
        root = parsed(diagram.svg(workflow, state.name))
        assert not [e for e in root.iter() if "style" in e.attrib]
        nodes = node_texts(root)
        assert set(s.label for s in workflow.ordered_states()) <= set(nodes)
        assert diagram.CURRENT_CLASS in nodes[state.label].get("class")


def test_the_mermaid_text_for_the_cli_still_draws(definition):
    text = diagram.mermaid(definition, "planning")
    assert "stateDiagram" in text and "panel_review" in text


def test_the_diagram_partial_renders_a_figure_with_a_caption(app, definition):
    from types import SimpleNamespace

    from flask import render_template_string

    with app.test_request_context():
        html = render_template_string(
            '{% include "responses/_diagram.html" %}',
            definition=definition,
            response=SimpleNamespace(state="returned"),
            diagram_svg=diagram.svg(definition, "returned"),
        )
    assert html.strip().startswith('<figure class="psirf-diagram">')
    assert "<svg" in html and "<figcaption" in html
    assert "The current step, Returned for more work, is filled in blue" in html
    assert 'style="' not in html and "<style" not in html
