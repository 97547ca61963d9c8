from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.widgets import HiddenInput
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from psirf.web.forms import DateRequired, NhsDateField, strip


class VersionedForm(FlaskForm):
    """Carries the response's version, so a stale tab is refused like a simultaneous click."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class PlanForm(VersionedForm):
    conductor = StringField("Who will conduct the review?", filters=[strip], validators=[Length(max=200)])
    participants = TextAreaField("Who will take part?", filters=[strip], validators=[Optional(), Length(max=5000)])
    review_on = NhsDateField("When will the review be held?")


class ReviewForm(VersionedForm):
    expected = TextAreaField("What was expected to happen?", filters=[strip])
    actual = TextAreaField("What actually happened?", filters=[strip])
    difference = TextAreaField("Why was there a difference?", filters=[strip])
    learned = TextAreaField("What can be learned?", filters=[strip])
    learning_summary = TextAreaField("Summary of the learning to share", filters=[strip])


class SafetyActionForm(VersionedForm):
    description = TextAreaField(
        "What will change?", filters=[strip], validators=[DataRequired("Describe the safety action"), Length(max=5000)]
    )
    owner = StringField(
        "Who owns this action?", filters=[strip], validators=[DataRequired("Name who owns the action"), Length(max=200)]
    )
    due_on = NhsDateField("When is it due?", validators=[DateRequired("Enter the date the action is due")])


class TransitionForm(VersionedForm):
    comment = TextAreaField("Comment", filters=[strip], validators=[Optional(), Length(max=5000)])
