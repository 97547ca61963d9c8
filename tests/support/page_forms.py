"""The forms a page really shows, read from its HTML: every control a browser would send, with the
value it would send, so a test can post what a person could (or a hostile one would)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

DATE_PART = re.compile(r"^(?P<name>.+)\[(?P<part>day|month|year)\]$")
TEXT_KINDS = {"text", "textarea", "email", "password", "search", "tel", "url"}


@dataclass
class Control:
    name: str
    kind: str  # an input's type, "textarea", "select" or "button"
    value: str = ""
    checked: bool = False
    secondary: bool = False  # a button styled as the page's lesser action
    options: list[str] = field(default_factory=list)  # a select's option values
    selected: list[str] = field(default_factory=list)


@dataclass
class PageForm:
    page: str  # the address of the page it was found on
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)

    def names(self) -> dict[str, list[Control]]:
        grouped: dict[str, list[Control]] = {}
        for control in self.controls:
            grouped.setdefault(control.name, []).append(control)
        return grouped

    def date_groups(self) -> set[str]:
        return {m["name"] for c in self.controls if (m := DATE_PART.match(c.name))}


class _FormReader(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._textarea: Control | None = None
        self._select: Control | None = None
        self._option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = urldefrag(urljoin(self.page, a.get("action") or self.page))[0]
            self._form = PageForm(
                self.page,
                action.removeprefix("http://localhost"),
                (a.get("method") or "get").lower(),
            )
            self.forms.append(self._form)
            return
        if tag == "option" and self._select is not None:
            value = a.get("value")
            self._select.options.append(value if value is not None else "")
            if "selected" in a:
                self._select.selected.append(self._select.options[-1])
            return
        if self._form is None or "name" not in a or "disabled" in a:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if a.get("inputmode") in ("numeric", "decimal") and not DATE_PART.match(a["name"]):
                kind = "number"
            if kind in ("submit", "image", "reset", "file"):
                return
            self._form.controls.append(Control(a["name"], kind, a.get("value", ""), "checked" in a))
        elif tag == "textarea":
            self._textarea = Control(a["name"], "textarea")
            self._form.controls.append(self._textarea)
        elif tag == "select":
            self._select = Control(a["name"], "select")
            self._form.controls.append(self._select)
        elif tag == "button" and a.get("type", "submit") == "submit":
            secondary = "secondary" in a.get("class", "")
            self._form.controls.append(
                Control(a["name"], "button", a.get("value", ""), secondary=secondary)
            )

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def forms_on(page: str, html: str) -> list[PageForm]:
    reader = _FormReader(page)
    reader.feed(html)
    return reader.forms


# ---- what a person would send -------------------------------------------------------------------

FILLERS = {
    "email": "someone@example.org",
    "password": "correct-horse-battery-staple",
    "number": "1",
}
# Boxes whose blank a careful person fills in a particular way (a name's part after its form's prefix).
NAMED = {
    "nhs_number": "9434765919",
    "owner_email": "",
    "count": "3",
    "hours_per_month": "8",
    "value": "12",
    "ods_code": "U12345",
}
# A real date in the past, whatever day the test runs (most dates say when something happened),
# and one far ahead for the dates that must be to come (a due date, a plan's start).
DATE = {"day": "1", "month": "3", "year": "2024"}
FUTURE_DATE = {"day": "1", "month": "1", "year": "2100"}
FUTURE = {"due_on", "review_on", "starts_on", "new_due_on"}


def is_version(control: Control) -> bool:
    return control.kind == "hidden" and (
        control.name == "version" or control.name.endswith("-version")
    )


def as_shown(form: PageForm) -> dict[str, list[str]]:
    """What a browser would send as the page stands, nothing filled in and no button pressed."""
    sent: dict[str, list[str]] = {}
    for name, controls in form.names().items():
        kind = controls[0].kind
        if kind == "button":
            continue
        if kind in ("radio", "checkbox"):
            chosen = [c.value for c in controls if c.checked]
        elif kind == "select":
            chosen = controls[0].selected[:1]
        else:
            chosen = [controls[0].value]
        if chosen:
            sent[name] = chosen
    return sent


def baseline(form: PageForm) -> dict[str, list[str]]:
    """What a browser would send as the page stands, blanks filled in as a careful person would."""
    sent: dict[str, list[str]] = {}
    for name, controls in form.names().items():
        first = controls[0]
        date = DATE_PART.match(name)
        if first.kind == "radio":
            chosen = [c.value for c in controls if c.checked] or [first.value]
        elif first.kind == "checkbox":
            chosen = [c.value for c in controls if c.checked] or [first.value]
        elif first.kind == "select":
            chosen = (
                first.selected[:1]
                if first.selected and first.selected[0]
                else [o for o in first.options if o][:1]
            )
        elif first.kind == "button":
            # The page's main button (a secondary one previews or checks); a name only secondary
            # buttons carry (an organisation's "Search") is not pressed to save.
            if all(c.secondary for c in controls) and len(form.names()) > 1:
                continue
            chosen = [next((c.value for c in controls if not c.secondary), first.value)]
        elif date:
            future = date["name"].rsplit("-", 1)[-1] in FUTURE
            chosen = [first.value or (FUTURE_DATE if future else DATE)[date["part"]]]
        elif first.kind == "hidden":
            chosen = [first.value]
        elif first.value:
            chosen = [first.value]
        else:
            own = name.rsplit("-", 1)[-1]
            chosen = [
                NAMED[own]
                if own in NAMED
                else FILLERS.get(first.kind, "Looked into and written up")
            ]
        sent[name] = chosen or [""]
    return sent


def text_targets(form: PageForm) -> list[str]:
    """The controls a person types into, and the hidden ones a page fills (but its version and token)."""
    return [
        name
        for name, controls in form.names().items()
        if not DATE_PART.match(name)
        and name != "csrf_token"
        and (
            controls[0].kind in TEXT_KINDS
            or (controls[0].kind == "hidden" and not is_version(controls[0]))
        )
    ]


def visible(form: PageForm) -> list[str]:
    """The controls a person sees and fills in (not hidden ones, not buttons)."""
    return [
        name
        for name, controls in form.names().items()
        if controls[0].kind not in ("hidden", "button")
    ]


def number_targets(form: PageForm) -> list[str]:
    """The controls whose value is a number or a choice: versions, numbers, selects, radios, boxes."""
    return [
        name
        for name, controls in form.names().items()
        if not DATE_PART.match(name)
        and (
            is_version(controls[0]) or controls[0].kind in ("number", "select", "radio", "checkbox")
        )
    ]
