"""The markup written out by hand for speed (the layout's header and footer, the form helpers'
inputs, text areas, radios, checkboxes, selects, date inputs and buttons) is the NHS.UK components' markup: rendered beside the components' own
macros, given the same input, the two read the same, tag for tag and word for word."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_login import login_user
from werkzeug.datastructures import MultiDict
from wtforms import Form, IntegerField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms import TextAreaField

from psirf.web.forms import NhsDateField, TickBox
from tests.support.factories import UserFactory

# The components, called as the form helpers called them before they were written out.
BY_MACRO = """
{% from "nhsuk/components/select/macro.jinja" import select as nhsukSelect %}
{% from "nhsuk/components/date-input/macro.jinja" import dateInput as nhsukDateInput %}
{% macro select(field, hint=none, label_size=none) %}
  {% set items = [] %}
  {% for value, label in field.choices %}
    {% set _ = items.append({"value": value, "text": label, "selected": (field.data|string) == (value|string) and field.data is not none}) %}
  {% endfor %}
  {{ nhsukSelect({
    "id": field.id, "name": field.name,
    "label": {"text": field.label.text, "classes": ("nhsuk-label--" ~ label_size) if label_size else "", "isPageHeading": label_size == "l"},
    "hint": {"text": hint} if hint else none,
    "items": items,
    "errorMessage": {"text": field.errors[0]} if field.errors else none,
  }) }}
{% endmacro %}
{% macro date_input(field, hint=none, legend_size="s", page_heading=false) %}
  {% set parts = field.parts() %}
  {% set error_class = " nhsuk-input--error" if field.errors else "" %}
  {{ nhsukDateInput({
    "id": field.id, "namePrefix": field.name,
    "fieldset": {"legend": {"text": field.label.text, "classes": "nhsuk-fieldset__legend--" ~ legend_size, "isPageHeading": page_heading}},
    "hint": {"text": hint or "For example, 15 3 2026"},
    "items": [
      {"name": "day", "label": "Day", "classes": "nhsuk-input--width-2" ~ error_class, "value": parts.day, "inputmode": "numeric"},
      {"name": "month", "label": "Month", "classes": "nhsuk-input--width-2" ~ error_class, "value": parts.month, "inputmode": "numeric"},
      {"name": "year", "label": "Year", "classes": "nhsuk-input--width-4" ~ error_class, "value": parts.year, "inputmode": "numeric"},
    ],
    "errorMessage": {"text": field.errors[0]} if field.errors else none,
  }) }}
{% endmacro %}
"""

# The fields' own helpers, as they called the components before they were written out.
FIELDS_BY_MACRO = """
{% from "nhsuk/components/input/macro.jinja" import input as nhsukInput %}
{% from "nhsuk/components/textarea/macro.jinja" import textarea as nhsukTextarea %}
{% from "nhsuk/components/radios/macro.jinja" import radios as nhsukRadios %}
{% from "nhsuk/components/checkboxes/macro.jinja" import checkboxes as nhsukCheckboxes %}
{% from "nhsuk/components/button/macro.jinja" import button as nhsukButton %}
{% macro text_input(field, hint=none, width=none, type="text", autocomplete=none, label_size=none, spellcheck=none, classes=none, inputmode=none) %}
  {{ nhsukInput({
    "label": {"text": field.label.text, "classes": ("nhsuk-label--" ~ label_size) if label_size else "", "isPageHeading": label_size == "l"},
    "hint": {"text": hint} if hint else none,
    "id": field.id, "name": field.name, "value": field.data if field.data is not none else "",
    "type": type, "width": width, "autocomplete": autocomplete, "spellcheck": spellcheck, "classes": classes,
    "inputmode": inputmode,
    "errorMessage": {"text": field.errors[0]} if field.errors else none,
  }) }}
{% endmacro %}
{% macro text_area(field, hint=none, rows=5, label_size=none) %}
  {{ nhsukTextarea({
    "label": {"text": field.label.text, "classes": ("nhsuk-label--" ~ label_size) if label_size else "", "isPageHeading": label_size == "l"},
    "hint": {"text": hint} if hint else none,
    "id": field.id, "name": field.name, "value": field.data or "", "rows": rows,
    "errorMessage": {"text": field.errors[0]} if field.errors else none,
  }) }}
{% endmacro %}
{% macro radios(field, hint=none, legend_size="s", inline=false, page_heading=false) %}
  {% set items = [] %}
  {% for value, label in field.choices if value != "" %}
    {% set _ = items.append({"value": value, "text": label, "checked": field.data == value}) %}
  {% endfor %}
  {{ nhsukRadios({
    "idPrefix": field.id, "name": field.name, "classes": "nhsuk-radios--inline" if inline else "",
    "fieldset": {"legend": {"text": field.label.text, "classes": "nhsuk-fieldset__legend--" ~ legend_size, "isPageHeading": page_heading}},
    "hint": {"text": hint} if hint else none,
    "items": items,
    "errorMessage": {"text": field.errors[0]} if field.errors else none,
  }) }}
{% endmacro %}
{% macro checkboxes(field, hint=none, legend_size="s", page_heading=false) %}
  {% set items = [] %}
  {% for value, label in field.choices %}
    {% set _ = items.append({"value": value, "text": label, "checked": field.data and value in field.data}) %}
  {% endfor %}
  {{ nhsukCheckboxes({
    "idPrefix": field.id, "name": field.name,
    "fieldset": {"legend": {"text": field.label.text, "classes": "nhsuk-fieldset__legend--" ~ legend_size, "isPageHeading": page_heading}},
    "hint": {"text": hint} if hint else none,
    "items": items,
    "errorMessage": {"text": field.errors[0]} if field.errors else none,
  }) }}
{% endmacro %}
{% macro checkbox(field, hint=none) %}
  {{ nhsukCheckboxes({
    "idPrefix": field.id, "name": field.name,
    "items": [{"value": field.TICKED, "text": field.label.text, "checked": field.data, "hint": hint}],
    "errorMessage": {"text": field.errors[0]} if field.errors else none,
  }) }}
{% endmacro %}
{% macro button(text, classes=none) %}{{ nhsukButton({"text": text, "classes": classes}) }}{% endmacro %}
"""

WRITTEN_OUT = '{% from "web/forms.html" import select, date_input %}'
FIELDS_WRITTEN_OUT = (
    '{% from "web/forms.html" import text_input, text_area, radios, checkboxes, checkbox, button %}'
)

HEADER_AND_FOOTER_BY_MACRO = """
{% from "nhsuk/components/header/macro.jinja" import header %}
{% from "nhsuk/components/footer/macro.jinja" import footer %}
{% set account_items = [] %}
{% if current_user.is_authenticated %}
  {% set unread = unread_notifications %}
  {% set account_items = [
    {"icon": true, "html": (current_user.name ~ ((", " ~ header_role) if header_role else ""))|e},
    {"href": url_for("notifications.index"), "text": "Notifications" ~ ((" (" ~ unread ~ " unread)") if unread else "")},
    {"href": url_for("accounts.change_password"), "text": "Change password"},
    {"html": sign_out_form()},
  ] %}
{% else %}
  {% set account_items = [{"href": url_for("accounts.sign_in"), "text": "Sign in"}] %}
{% endif %}
{{ header({
  "service": {"text": "Patient safety responses", "href": url_for("web.home")},
  "account": {"items": account_items},
  "navigation": {"items": navigation_items()},
}) }}
{{ footer({
  "meta": {"items": [
    {"href": url_for("events_public.start"), "text": "Tell us about a patient safety event"},
    {"href": url_for("web.accessibility"), "text": "Accessibility statement"},
  ]},
  "copyright": {"text": "NHS Demo ICB - open-source software"},
}) }}
"""


def same_reading(html: str) -> str:
    """Markup as a browser reads it: the whitespace between and around tags does not count."""
    html = re.sub(r"\s+", " ", html)
    html = re.sub(r"\s*(<[^>]+>)\s*", r"\1", html)
    return html.replace("<h1 ", "<h1 ").strip()


def rendered(source: str, call: str, **context) -> str:
    return same_reading(render_template_string(source + call, **context))


class Filters(Form):
    status = SelectField("Status", choices=[("", "Any status"), ("open", "Open"), ("1", "One")])
    when = NhsDateField("When did it happen?")


def filters(**data) -> Filters:
    form = Filters(MultiDict(data))
    form.validate()
    return form


@pytest.mark.parametrize(
    "data, errors, call",
    [
        ({}, [], "{{ select(form.status) }}"),
        ({"status": "open"}, [], "{{ select(form.status) }}"),
        ({"status": "1"}, ["Select a status"], "{{ select(form.status, hint='Pick one') }}"),
        ({"status": "<b>"}, [], "{{ select(form.status, label_size='l') }}"),
        ({}, [], "{{ select(form.status, label_size='m', hint='<i>hint</i>') }}"),
    ],
)
def test_the_select_is_the_components_markup(app, data, errors, call):
    with app.test_request_context():
        form = filters(**data)
        form.status.errors = errors
        assert rendered(WRITTEN_OUT, call, form=form) == rendered(BY_MACRO, call, form=form)


@pytest.mark.parametrize(
    "data, call",
    [
        ({}, "{{ date_input(form.when) }}"),
        (
            {"when[day]": "3", "when[month]": "11", "when[year]": "2025"},
            "{{ date_input(form.when, hint='For example, 1 4 2026') }}",
        ),
        ({"when[day]": "<x>", "when[month]": "", "when[year]": ""}, "{{ date_input(form.when) }}"),
        ({}, "{{ date_input(form.when, legend_size='l', page_heading=true) }}"),
    ],
)
def test_the_date_input_is_the_components_markup(app, data, call):
    with app.test_request_context():
        form = filters(**data)
        if data.get("when[day]") == "<x>":
            assert form.when.errors, "the case with an error shows the error"
        assert rendered(WRITTEN_OUT, call, form=form) == rendered(BY_MACRO, call, form=form)


class Person(Form):
    name = StringField("Their <name>")
    age = IntegerField("Age")
    notes = TextAreaField("Notes")
    kind = RadioField(
        "Who they are", choices=[("", "Choose"), ("family", "Family"), ("s<", "Staff & <b>")]
    )
    contact_by = SelectMultipleField(
        "How to contact them", choices=[("phone", "Phone"), ("email", "Email")]
    )
    in_report = TickBox("Quote it in the report")


def person(errors: bool = False, **data) -> Person:
    form = Person(MultiDict(data))
    if errors:
        for field in form:
            field.errors = [f"Enter <{field.name}>"]
    return form


FIELD_CALLS = [
    "{{ text_input(form.name) }}",
    "{{ text_input(form.name, hint='Their <full> name', width=20, autocomplete='off') }}",
    "{{ text_input(form.name, type='email', spellcheck=false, label_size='l', inputmode='email') }}",
    "{{ text_input(form.age, width=3, label_size='m', classes='extra', spellcheck=true) }}",
    "{{ text_input(form.age, width=7) }}",
    "{{ text_area(form.notes) }}",
    "{{ text_area(form.notes, hint='In their words', rows=2, label_size='l') }}",
    "{{ radios(form.kind) }}",
    "{{ radios(form.kind, hint='Pick <one>', inline=true, legend_size='m', page_heading=true) }}",
    "{{ checkboxes(form.contact_by) }}",
    "{{ checkboxes(form.contact_by, hint='Any', legend_size='l', page_heading=true) }}",
    "{{ checkbox(form.in_report) }}",
    "{{ checkbox(form.in_report, hint='Only if they <agreed>') }}",
    "{{ button('Save') }}",
    "{{ button('Add <it>', classes='nhsuk-button--secondary') }}",
]
FIELD_DATA = [
    {},
    {"name": 'Jo "JB" <Bloggs>', "age": "41", "notes": "Line one\n<two>", "kind": "s<"},
    {"kind": "family", "contact_by": ["email", "phone"], "in_report": "y"},
]


@pytest.mark.parametrize("call", FIELD_CALLS)
@pytest.mark.parametrize("data", FIELD_DATA)
@pytest.mark.parametrize("errors", [False, True])
def test_the_field_helpers_are_the_components_markup(app, call, data, errors):
    with app.test_request_context():
        form = person(errors, **data)
        by_macro = rendered(FIELDS_BY_MACRO, call, form=form)
        assert rendered(FIELDS_WRITTEN_OUT, call, form=form) == by_macro


# Choices with hints of their own, as the action's strength and the candour criteria offer them.
HINTED = [("family", "Family", "Their <kin>"), ("s<", "Staff & <b>", None)]
HINTED_CALLS = [
    (
        "{{ radios(form.kind, hint='Pick', hinted=hinted) }}",
        "nhsukRadios",
        "radios",
        "{'value': field.data}",
    ),
    (
        "{{ checkboxes(form.contact_by, hint='Any', hinted=hinted) }}",
        "nhsukCheckboxes",
        "checkboxes",
        "{'values': field.data or []}",
    ),
]


@pytest.mark.parametrize("call, component, module, chosen", HINTED_CALLS)
@pytest.mark.parametrize("errors", [False, True])
def test_choices_with_their_own_hints_are_the_components_markup(
    app, call, component, module, chosen, errors
):
    by_component = (
        f'{{% from "nhsuk/components/{module}/macro.jinja" import {module} as {component} %}}'
        f"{{% set items = [] %}}{{% for value, text, hint in hinted %}}"
        "{% set _ = items.append({'value': value, 'text': text, 'hint': {'text': hint} if hint else none}) %}"
        f"{{% endfor %}}{{{{ {component}(dict(items=items, idPrefix=field.id, name=field.name, "
        "fieldset={'legend': {'text': field.label.text, 'classes': 'nhsuk-fieldset__legend--s'}}, "
        "hint={'text': hint}, errorMessage={'text': field.errors[0]} if field.errors else none, "
        f"**{chosen})) }}}}"
    )
    with app.test_request_context():
        form = person(errors, kind="s<", contact_by=["family"])
        field, hint = (form.kind, "Pick") if module == "radios" else (form.contact_by, "Any")
        written_out = rendered(FIELDS_WRITTEN_OUT, call, form=form, hinted=HINTED)
        assert written_out == rendered(by_component, "", field=field, hint=hint, hinted=HINTED)
        assert "Their &lt;kin&gt;" in written_out


def layout_parts(html: str) -> str:
    """The header and the footer of a page."""
    header = re.search(r"<header.*?</header>", html, re.S).group(0)
    footer = re.search(r"<footer.*?</footer>", html, re.S).group(0)
    return same_reading(header + footer)


@pytest.mark.parametrize("signed_in", [True, False])
def test_the_layouts_header_and_footer_are_the_components_markup(app, session, signed_in):
    user = UserFactory(name="Ann <Lead>")
    session.commit()
    with app.test_request_context():
        if signed_in:
            login_user(user)
        page = render_template_string(
            '{% extends "layout.html" %}{% block title %}A page{% endblock %}'
        )
        by_macro = render_template_string(HEADER_AND_FOOTER_BY_MACRO)
        # The sign-out form carries a CSRF token, the same one within a request.
        assert layout_parts(page) == layout_parts(by_macro)


PAGE_BY_TEMPLATE = """{% extends "nhsuk/template.jinja" %}
{% set cspNonce = csp_nonce() %}
{% block pageTitle %}A page - PSIRF responses - NHS{% endblock %}
{% block head %}
  <link rel="stylesheet" href="{{ url_for('static', filename='vendor/nhsuk/nhsuk-frontend-10.6.1.min.css') }}">
  <link rel="stylesheet" href="{{ url_for('static', filename='psirf.css') }}">
  <script type="module" src="{{ url_for('static', filename='init.js') }}"></script>
{% endblock %}
{% block header %}<header></header>{% endblock %}
{% block beforeContent %}<p>Back</p>{% endblock %}
{% block content %}<h1>A page</h1>{% endblock %}
{% block footer %}<footer></footer>{% endblock %}
"""


def test_the_layout_is_the_nhsuk_page_template(app):
    with app.test_request_context():
        page = render_template_string(
            '{% extends "layout.html" %}{% block title %}A page{% endblock %}'
            "{% block back %}<p>Back</p>{% endblock %}{% block page %}<h1>A page</h1>{% endblock %}"
        )
        by_template = render_template_string(PAGE_BY_TEMPLATE)
    page = re.sub(r"<header.*?</header>", "<header></header>", page, flags=re.S)
    page = re.sub(r"<footer.*?</footer>", "<footer></footer>", page, flags=re.S)
    assert same_reading(page) == same_reading(by_template)


ROWS = [
    {"key": {"text": "Reference"}, "value": {"text": "PSE-2026-000001"}},
    {"key": {"text": "What <happened>"}, "value": {"text": "A <b>fall</b> & a slip"}},
    {"key": {"text": "Why"}, "value": {"html": "<p>One</p>"}},
    {"key": {"text": "Done straight away"}, "value": {"html": "Not given"}},
    {"key": {"text": "Empty"}, "value": {"text": ""}},
]


@pytest.mark.parametrize("card", [False, True])
def test_the_summary_list_is_the_components_markup(app, card):
    with app.test_request_context():
        rows = [dict(row) for row in ROWS]
        rows[2]["value"] = {"html": render_template_string("{{ '<p>One</p>' | safe }}")}
        written_out = render_template_string(
            '{% from "web/summary_list.html" import summary_list %}{{ summary_list(rows, card=card) }}',
            rows=rows,
            card=card,
        )
        by_macro = render_template_string(
            '{% from "nhsuk/components/summary-list/macro.jinja" import summaryList %}'
            "{{ summaryList({'rows': rows, 'card': {'title': {'text': 'A card'}} if card else none}) }}",
            rows=rows,
            card=card,
        )
        assert same_reading(written_out) == same_reading(by_macro)


@pytest.mark.parametrize(
    "text, classes", [("Open", "nhsuk-tag--blue"), ("Past <the> target", None), (" Due ", "a b")]
)
def test_the_tag_is_the_components_markup(app, text, classes):
    with app.test_request_context():
        written_out = render_template_string(
            '{% from "web/tag.html" import tag %}{{ tag(text, classes) }}',
            text=text,
            classes=classes,
        )
        by_macro = render_template_string(
            '{% from "nhsuk/components/tag/macro.jinja" import tag %}'
            "{{ tag({'text': text, 'classes': classes}) }}",
            text=text,
            classes=classes,
        )
        assert written_out == by_macro.strip()


def test_a_summary_list_card_shows_its_heading_as_the_component_does(app):
    with app.test_request_context():
        written_out = render_template_string(
            '{% from "web/summary_list.html" import summary_list %}'
            '{{ summary_list(rows, card=true, heading="Patient 1") }}',
            rows=ROWS,
        )
        by_macro = render_template_string(
            '{% from "nhsuk/components/summary-list/macro.jinja" import summaryList %}'
            "{{ summaryList({'rows': rows, 'card': {'heading': 'Patient 1', 'headingLevel': 3}}) }}",
            rows=ROWS,
        )
        assert '<h3 class="nhsuk-card__heading">' in written_out
        assert same_reading(written_out) == same_reading(by_macro)
