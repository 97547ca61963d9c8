"""The shared form pieces: the NHS.UK date input field, and the bounds every form has."""

import importlib
import pkgutil
from datetime import date, timedelta

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Form, IntegerField, SelectField, StringField

import psirf
from psirf.web.forms import TEXT_MAX, DateRequired, NhsDateField, PsirfForm


class DateForm(Form):
    when = NhsDateField(
        "When did it happen?", not_after_today=True, validators=[DateRequired("Enter the date")]
    )


def form_with(day="", month="", year=""):
    return DateForm(MultiDict({"when[day]": day, "when[month]": month, "when[year]": year}))


def test_a_whole_date_is_read_from_its_three_boxes():
    past = date.today() - timedelta(days=40)  # the field takes no date after today
    form = form_with(str(past.day), str(past.month), str(past.year))
    assert form.validate() and form.when.data == past


@pytest.mark.parametrize(
    "parts, message, focus",
    [
        (("", "", ""), "Enter the date", "day"),
        (("3", "11", ""), "The date must include a year", "year"),
        (("3", "", ""), "The date must include a month and year", "month"),
        (("31", "2", "2026"), "Enter a real date for when did it happen", "day"),
        (("1", "1", "2999"), "The date must be today or in the past", "day"),
    ],
)
def test_a_bad_date_says_what_to_fix_keeps_what_was_typed_and_names_the_box_to_focus(
    parts, message, focus
):
    form = form_with(*parts)
    assert not form.validate()
    assert form.when.errors[0] == message
    assert (form.when.parts().day, form.when.parts().month, form.when.parts().year) == parts
    assert form.when.first_part_to_fix() == focus


class OptionalDateForm(Form):
    since = NhsDateField("When did they start? (optional)")


def test_an_optional_dates_error_names_the_date_without_its_optional_mark():
    typed = {"since[day]": "31", "since[month]": "2", "since[year]": "2026"}
    form = OptionalDateForm(MultiDict(typed))
    assert not form.validate()
    assert form.since.errors == ["Enter a real date for when did they start"]


# ---- the bounds every form has (psirf.web.forms.PsirfForm) ----------------------------------------


class BoundedForm(PsirfForm):
    class Meta:
        csrf = False

    count = IntegerField("Count")
    organisation_id = SelectField("Organisation", validate_choice=False, choices=[("1", "One")])
    notes = StringField("Notes")


def bounded(app, **values):
    with app.test_request_context(method="POST", data=values):
        form = BoundedForm()
        return form.validate(), form


@pytest.mark.parametrize("count", [str(2**31), "-" + str(2**31 + 1), "9" * 40])
def test_a_number_beyond_the_databases_integers_is_refused(app, count):
    valid, form = bounded(app, count=count)
    assert not valid and form.count.errors == ["Enter a number with fewer digits"]


@pytest.mark.parametrize("chosen", ["9" * 20, "\u0663", "\u00b2"])
def test_a_choice_that_no_row_could_have_is_refused_before_any_query(app, chosen):
    valid, form = bounded(app, organisation_id=chosen)
    assert not valid and form.organisation_id.errors == ["Choose one of the options"]


def test_text_beyond_the_longest_answer_is_refused_whatever_the_field_says(app):
    valid, form = bounded(app, notes="x" * (TEXT_MAX + 1))
    assert not valid and form.notes.errors == ["Use 20,000 characters or fewer"]
    assert bounded(app, notes="x" * TEXT_MAX, count="12", organisation_id="1")[0]


@pytest.mark.parametrize(
    "year, message",
    [
        ("9" * 40, "Enter a real date for when did it happen"),
        ("99999", "Enter a real date for when did it happen"),
        ("-1", "Enter a real date for when did it happen"),
    ],
)
def test_a_year_no_calendar_has_is_not_a_real_date(year, message):
    form = form_with("1", "1", year)
    assert not form.validate() and form.when.errors == [message]


def test_a_year_past_the_last_one_taken_is_refused():
    class Future(Form):
        when = NhsDateField("When is it due?")

    form = Future(MultiDict({"when[day]": "1", "when[month]": "1", "when[year]": "2200"}))
    assert not form.validate() and form.when.errors == ["The year must be 2199 or earlier"]


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_form_of_the_app_has_the_bounds():
    for module in pkgutil.walk_packages(psirf.__path__, "psirf."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    ours = [
        f
        for f in _all_subclasses(FlaskForm)
        if f.__module__.startswith("psirf.") and "SectionForm_" not in f.__name__
    ]
    assert len(ours) > 30
    unbounded = [f"{f.__module__}.{f.__name__}" for f in ours if not issubclass(f, PsirfForm)]
    assert unbounded == []
