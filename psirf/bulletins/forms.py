from __future__ import annotations

from datetime import date

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from psirf.bulletins.services import TEXT_LIMIT, TITLE_LIMIT
from psirf.web.forms import PsirfForm, VersionedForm, strip


class GenerateForm(PsirfForm):
    organisation_id = SelectField(
        "PCN, federation or ICB",
        coerce=str,
        validate_choice=False,
        validators=[DataRequired("Choose whose bulletin to draft")],
    )
    period = SelectField(
        "Period",
        coerce=str,
        validate_choice=False,
        validators=[DataRequired("Choose the period the bulletin covers")],
    )


def period_value(start: date, end: date) -> str:
    return f"{start.isoformat()}/{end.isoformat()}"


def parse_period(value: str | None) -> tuple[date | None, date | None]:
    try:
        start, end = (value or "").split("/")
        return date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return None, None


def _text(label: str):
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            Length(max=TEXT_LIMIT, message=f"{label} must be {TEXT_LIMIT:,} characters or fewer")
        ],
    )


class TextForm(VersionedForm):
    introduction = _text("Introduction")
    themes_text = _text("Themes and trends")
    learning_text = _text("Learning from responses")
    good_care_text = _text("Good care")
    actions_text = _text("Safety actions taken")


class PointForm(VersionedForm):
    """A point's own words. A theme's point is its title alone (its figures come from the records),
    so its form has no text: `without_body` takes the field away."""

    title = StringField(
        "Title",
        filters=[strip],
        validators=[
            DataRequired("Enter the point's title"),
            Length(max=TITLE_LIMIT, message=f"Title must be {TITLE_LIMIT} characters or fewer"),
        ],
    )
    body = _text("Text")

    def without_body(self) -> PointForm:
        del self.body
        return self
