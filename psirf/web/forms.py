"""WTForms pieces shared by every feature's forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import HiddenInput

from psirf.problems import InputError
from psirf.web.inputs import DB_INT_MAX, YEAR_MAX, YEAR_MIN, record_id

# The longest answer any text box takes: the longest narrative a person writes is 20,000
# characters (an event, a review's record). A field may set a shorter Length of its own.
TEXT_MAX = 20_000


def strip(value):
    return value.strip() if isinstance(value, str) else value


@dataclass
class DateParts:
    day: str = ""
    month: str = ""
    year: str = ""


class NhsDateField(Field):
    """The NHS.UK date input: day, month and year boxes posted as name[day], name[month], name[year].

    What was typed is kept, even when it is not a date, so the page can show it back.
    """

    def __init__(self, label=None, validators=None, not_after_today=False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.not_after_today = not_after_today
        self.typed = DateParts()

    def process_formdata(self, valuelist):
        pass  # the three parts arrive under their own keys; see process()

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if formdata is not None and any(
            f"{self.name}[{p}]" in formdata for p in ("day", "month", "year")
        ):
            self.typed = DateParts(
                *(strip(formdata.get(f"{self.name}[{p}]", "")) for p in ("day", "month", "year"))
            )
            self.data = self._parse()
        elif isinstance(self.data, date):
            self.typed = DateParts(str(self.data.day), str(self.data.month), str(self.data.year))

    def _parse(self) -> date | None:
        t = self.typed
        if not (t.day or t.month or t.year):
            return None
        try:
            return date(int(t.year), int(t.month), int(t.day))
        except (ValueError, OverflowError):  # 30 February, or a year of forty digits
            return None

    def pre_validate(self, form):
        t = self.typed
        # "When did they start? (optional)" is named in its error as "when did they start".
        label = self.label.text.lower().removesuffix("(optional)").strip().rstrip("?")
        if (t.day or t.month or t.year) and self.data is None:
            missing = [p for p in ("day", "month", "year") if not getattr(t, p)]
            if missing:
                raise ValidationError(f"The date must include a {' and '.join(missing)}")
            raise ValidationError(f"Enter a real date for {label}")
        if self.data and self.data.year < YEAR_MIN:
            raise ValidationError(f"The year must be {YEAR_MIN} or later")
        if self.data and self.not_after_today and self.data > date.today():
            raise ValidationError("The date must be today or in the past")
        if self.data and self.data.year > YEAR_MAX:
            raise ValidationError(f"The year must be {YEAR_MAX} or earlier")

    def parts(self) -> DateParts:
        return self.typed

    def first_part_to_fix(self) -> str:
        """The box an error summary link should focus: the first left empty, else the day."""
        return next((p for p in ("day", "month", "year") if not getattr(self.typed, p)), "day")


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class TickBox(BooleanField):
    """One box ticked to agree (templates/web/forms.html's `checkbox`, which sends "y"). Ticked or
    left empty is all it can be: any other value is refused, not read as a tick."""

    TICKED = "y"

    def pre_validate(self, form) -> None:
        if self.raw_data and self.raw_data != [self.TICKED]:
            raise StopValidation("Tick the box or leave it empty")


class DateRequired:
    """Required for NhsDateField: unlike DataRequired it keeps the field's own message about a
    part-typed or impossible date, and only speaks when nothing was typed at all."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        typed = field.parts()
        if not (typed.day or typed.month or typed.year) and field.data is None:
            raise StopValidation(self.message)


def _all_fields(fields):
    """Every field of a form, those inside its lists and sub-forms too."""
    for field in fields:
        if isinstance(field, FieldList):
            yield from _all_fields(field.entries)
        elif isinstance(field, FormField):
            yield from _all_fields(field.form)
        else:
            yield field


def error_links(form) -> list[dict]:
    """Every message on a form, its lists and sub-forms too, each linked to the box to fix: the
    error summary's list, in the form's order."""
    links = []
    for field in _all_fields(form):
        if field.errors:
            anchor = field.id + (
                f"-{field.first_part_to_fix()}" if isinstance(field, NhsDateField) else ""
            )
            links.append({"text": field.errors[0], "href": f"#{anchor}"})
    return links


def option_tags(field) -> Markup:
    """A select field's options, as templates/web/forms.html's select (and the NHS.UK select)
    writes them: in Python, since a long list of options cost a template loop iteration, two
    escapes and a comparison each, on pages drawn many times a second (the triage queue's
    filters, issue 16)."""
    chosen = str(field.data) if field.data is not None else None
    return Markup(
        "".join(
            f'<option value="{escape(value)}"{" selected" if chosen == str(value) else ""}>'
            f"{escape(label)}</option>"
            for value, label in field.choices
        )
    )


def _whole_number_out_of_range(value) -> bool:
    """A choice that looks like an id but is not one the database could hold (or is written in
    digits other than 0-9, which int() reads but no option carries)."""
    text = str(value).strip().removeprefix("-")
    return text.isdigit() and (not text.isascii() or len(text) > 10 or int(text) > DB_INT_MAX)


def _limit_problem(field) -> str | None:
    if isinstance(field, IntegerField):
        if field.data is not None and not -DB_INT_MAX - 1 <= field.data <= DB_INT_MAX:
            return "Enter a number with fewer digits"
    elif isinstance(field, (SelectField, RadioField, SelectMultipleField)):
        chosen = field.data if isinstance(field.data, (list, tuple)) else [field.data]
        if any(value is not None and _whole_number_out_of_range(value) for value in chosen):
            return "Choose one of the options"
    elif (
        isinstance(field, StringField)
        and isinstance(field.data, str)
        and len(field.data) > TEXT_MAX
    ):
        return f"Use {TEXT_MAX:,} characters or fewer"
    return None


class PsirfForm(FlaskForm):
    """Every form's base: numbers, ids and text within what the database holds, whatever the form
    declares, so nothing typed reaches a query or a column it cannot fit."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in _all_fields(self):
            problem = None if field.errors else _limit_problem(field)
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid


def offer_organisations(field, organisations, method: str) -> None:
    """A select of the organisations a person acts for, each with its kind; the only one chosen
    already when the page is first shown."""
    field.choices = [("", "Choose an organisation")] + [
        (str(o.id), f"{o.name} ({o.kind_label})") for o in organisations
    ]
    if method == "GET" and len(organisations) == 1:
        field.data = str(organisations[0].id)


def chosen_id(field) -> int | None:
    """The id a select of records sent, or None for anything but a whole number."""
    return record_id(field.data)


def show_on_form(
    form: FlaskForm, error: InputError, default: str | None = None, *, missing_ok: bool = False
) -> bool:
    """Put a service's refusal on the form field it names (or on `default`), so the page shows it
    where the person fixes it; the caller answers 400.

    Returns False when the refusal names no field (it is about the whole request), or names one
    this form lacks and `missing_ok` says the page shows such refusals on their own (a plan's
    table rows, say). Otherwise a missing field is a mistake in the code, so it is raised.
    """
    field = getattr(form, error.field or "", None) or getattr(form, default or "", None)
    if field is None:
        if error.field is None or missing_ok:
            return False
        raise LookupError(f"{type(form).__name__} has no field {error.field!r}") from error
    # Before validation a field's errors are a tuple.
    field.errors = [*field.errors, str(error)]
    return True


class VersionedForm(PsirfForm):
    """Carries the record's version, so a stale tab is refused like a simultaneous click."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class TransitionForm(VersionedForm):
    """A workflow step's button, with the comment some steps need."""

    comment = TextAreaField("Comment", filters=[strip], validators=[Optional(), Length(max=5000)])
