from __future__ import annotations

from wtforms import BooleanField, Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from psirf.events.lfpse import Theme
from psirf.library import reading
from psirf.web.forms import MultiCheckboxField, PsirfForm, strip


def _at_least_one(form, field):
    if not field.data:
        raise ValidationError("Choose who can read it")


class ShareForm(PsirfForm):
    """The summary to share, who may read it and, before it is published, the lead's confirmation."""

    title = StringField(
        "Title", filters=[strip], validators=[DataRequired("Enter a title"), Length(max=200)]
    )
    summary = TextAreaField(
        "Summary of the learning",
        filters=[strip],
        validators=[DataRequired("Write the summary of the learning"), Length(max=20_000)],
    )
    audiences = MultiCheckboxField("Who can read it?", validators=[_at_least_one])
    confirmed = BooleanField("I have read the summary and it identifies nobody")

    def __init__(self, *args, audiences: list[tuple[str, str]], publishing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.audiences.choices = audiences
        self.publishing = publishing

    def validate_confirmed(self, field):
        if self.publishing and not field.data:
            raise ValidationError("Confirm that you have read the summary and it identifies nobody")


class FilterForm(Form):
    """The library's filters, read from the query string: no CSRF token, nothing is changed."""

    q = StringField("Search titles and summaries", filters=[strip], validators=[Length(max=200)])
    theme = SelectField("Theme", choices=[("", "Any theme")] + Theme.choices())
    method = SelectField("Method", choices=[("", "Any method")] + reading.method_choices())
    service = SelectField(
        "Type of service", choices=[("", "Any type of service")] + reading.service_choices()
    )
    period = SelectField("When it happened", choices=[("", "Any time")] + reading.period_choices())

    def filters(self) -> reading.Filters:
        """What was asked for; a value that is not one of the choices is ignored, not an error."""

        def chosen(field) -> str | None:
            return (
                field.data if field.data and field.data in {v for v, _ in field.choices} else None
            )

        months = chosen(self.period)
        return reading.Filters(
            text=(self.q.data or None) and self.q.data[:200],
            theme=chosen(self.theme),
            method=chosen(self.method),
            service=chosen(self.service),
            months=int(months) if months else None,
        )
