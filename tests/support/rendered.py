"""Reading what the app sent back as a browser, a PDF reader or a spreadsheet would: the markup
it would obey, and the fields it shows as text."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from pypdf import PdfReader

from tests.support.markup import EVIL, LIVE_PREFIX

TAG = re.compile(r"</?[a-zA-Z][^>]*>")
TWICE = re.compile(r"&(?:amp|lt|gt|quot|#\d+);")
MARKER = re.compile(r'<b\s*id="(' + LIVE_PREFIX + r'[^"]+)">')


class Reading(HTMLParser):
    """A page as a browser builds it: the elements it would make live, and the words it would show."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if (values.get("id") or "").startswith(LIVE_PREFIX):
            self.live.append(f"<{tag} id={values['id']}>")
        if tag == "meta" and "http-equiv" in values:
            self.live.append(f"<meta http-equiv={values['http-equiv']}>")
        # A value in an attribute (a form field's, say) is shown as text too.
        self.words.extend(v for v in values.values() if v)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.words.append(data)


@dataclass
class Fetched:
    """What one address gave one person: the live elements found, and the fields shown as text."""

    url: str
    who: str
    live: list[str] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)


def read_html(url: str, who: str, body: str) -> Fetched:
    page = Reading()
    page.feed(body)
    page.close()
    words = " ".join(page.words)
    live = list(page.live)
    if EVIL in body or f'<b id="{LIVE_PREFIX}' in body:
        live.append("the markup, unescaped, in the source")
    # Escaped twice, a reader would see the entities themselves: "&amp;lt;" shows as "&lt;".
    live += [f"escaped twice: {entity}" for entity in sorted(set(TWICE.findall(words)))]
    # The app's own markup, escaped where it was meant to be markup, shows its tags as words.
    live += [
        f"a tag shown as text: {tag}"
        for tag in sorted(set(TAG.findall(MARKER.sub("", words.replace(EVIL, "")))))
    ]
    return Fetched(url, who, live, set(MARKER.findall(words)))


def read_pdf(url: str, who: str, data: bytes) -> Fetched:
    """reportlab reads <b>, <font> and <a> as its own markup: typed markup must come out as text."""
    # Lines wrap anywhere in a long word: read the text without its white space.
    text = "".join(
        "".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )
    shown = set(MARKER.findall(text))
    return Fetched(
        url, who, [] if "".join(EVIL.split()) in text else ["the markup is not in its text"], shown
    )


def read_csv(url: str, who: str, answer) -> Fetched:
    """A download, never a page: its cells hold the markup as plain text."""
    problems = []
    if not answer.headers.get("Content-Disposition", "").startswith("attachment;"):
        problems.append("not sent as an attachment")
    cells = [cell for row in csv.reader(io.StringIO(answer.get_data(as_text=True))) for cell in row]
    return Fetched(url, who, problems, set(MARKER.findall(" ".join(cells))))


# ---- the forms on a page ------------------------------------------------------------------------------

# The fields a person types into (a number or a date field takes typed text too, whatever a
# browser's keyboard offers).
TYPED_KINDS = {"text", "search", "email", "tel", "url", "password", "number", "date", "textarea"}


@dataclass
class Form:
    """A form as the page gave it: where it goes, how, and its fields with the values the page set."""

    action: str
    method: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, kind, value)

    @property
    def typed(self) -> tuple[str, ...]:
        return tuple(name for name, kind, _ in self.fields if kind in TYPED_KINDS)


class FormReader(HTMLParser):
    """Every form on a page, with what a browser would send if nothing were changed: hidden values,
    checked boxes, the chosen (or first) option of each list, and the first named button."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: list | None = None  # [name, first option, chosen option]

    def handle_starttag(self, tag, attrs):
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action") or self.page_url, (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[1] = value if self._select[1] is None else self._select[1]
            self._select[2] = value if "selected" in a else self._select[2]
        elif not a.get("name"):
            return
        elif tag == "select":
            self._select = [a["name"], None, None]
        elif tag == "textarea":
            self._form.fields.append((a["name"], "textarea", ""))
        elif tag == "button" or (tag == "input" and a.get("type") in ("submit", "image")):
            if not any(kind == "button" for _, kind, _ in self._form.fields):
                self._form.fields.append((a["name"], "button", a.get("value", "")))
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind not in ("checkbox", "radio") or "checked" in a:
                self._form.fields.append(
                    (a["name"], kind, a.get("value", "on" if kind == "checkbox" else ""))
                )

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            name, first, chosen = self._select
            self._form.fields.append(
                (name, "select", chosen if chosen is not None else first or "")
            )
            self._select = None
        elif tag == "form":
            self._form = None


def forms_on(url: str, body: str) -> list[Form]:
    reader = FormReader(url)
    reader.feed(body)
    reader.close()
    return reader.forms
