"""The family portal's forms: a question, comments on a draft, preferences, and joining. Plain
English throughout: the people filling them in are patients and families, not staff."""

from __future__ import annotations

from wtforms import EmailField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from psirf.engagement.forms import YES_NO, _radio, from_yes_no
from psirf.engagement.models import ContactMeans, Involvement
from psirf.web.forms import MultiCheckboxField, PsirfForm, TickBox, strip


class QuestionForm(PsirfForm):
    question = TextAreaField(
        "Your question",
        filters=[strip],
        validators=[
            DataRequired("Write your question"),
            Length(max=5000, message="Your question is too long"),
        ],
    )
    in_report = TickBox("You can put my question in the report, in my own words")


class ReportChoiceForm(PsirfForm):
    """Put one of their accounts or questions in the report, or take it out."""

    in_report = HiddenField(validators=[AnyOf(["yes", "no"], message="Choose yes or no")])


class CommentForm(PsirfForm):
    comments = TextAreaField(
        "Your comments on the draft report",
        filters=[strip],
        validators=[
            DataRequired("Write your comments"),
            Length(max=5000, message="Your comments are too long"),
        ],
    )


class PreferencesForm(PsirfForm):
    contact_by = MultiCheckboxField(
        "How would you like us to contact you?", choices=ContactMeans.choices()
    )
    contact_when = StringField(
        "When is a good time to contact you? (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=500)],
    )
    language = StringField(
        "Which language would you like us to use? (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=100)],
    )
    interpreter_needed = _radio(
        "Do you need an interpreter?", YES_NO, "Say if you need an interpreter", default="no"
    )
    accessibility_needs = TextAreaField(
        "Is there anything that would help you? (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
    )
    involvement = _radio(
        "How much do you want to take part?",
        [
            (Involvement.FULLY.value, "I want to take part fully"),
            (Involvement.KEPT_INFORMED.value, "Just keep me up to date"),
            (Involvement.NOT_NOW.value, "Not at the moment"),
        ],
        "Choose how much you want to take part",
    )

    def values(self) -> dict:
        return {
            "contact_by": self.contact_by.data or [],
            "contact_when": self.contact_when.data,
            "language": self.language.data,
            "interpreter_needed": from_yes_no(self.interpreter_needed.data),
            "accessibility_needs": self.accessibility_needs.data,
            "involvement": self.involvement.data,
        }


class CodeForm(PsirfForm):
    code = StringField(
        "Your code", filters=[strip], validators=[DataRequired("Enter the code from your letter")]
    )


class JoinForm(PsirfForm):
    email = EmailField(
        "Your email address", filters=[strip], validators=[Optional(), Length(max=254)]
    )
    password = PasswordField("Choose a password", validators=[DataRequired("Enter a password")])
    confirm = PasswordField("Type the password again", validators=[Optional()])


class LetterEmailForm(PsirfForm):
    """The address a letter's code sends its link to (psirf/family/join_views.py)."""

    email = EmailField(
        "Your email address",
        filters=[strip],
        validators=[DataRequired("Enter your email address"), Length(max=254)],
    )
