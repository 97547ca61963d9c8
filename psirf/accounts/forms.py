from __future__ import annotations

from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from psirf.accounts import passwords
from psirf.accounts.models import Role
from psirf.organisations.forms import organisation_choice, organisation_query
from psirf.web.forms import DateRequired, NhsDateField, PsirfForm, strip


class SignInForm(PsirfForm):
    email = EmailField(
        "Email address", filters=[strip], validators=[DataRequired("Enter your email address")]
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class NewAccountForm(PsirfForm):
    name = StringField(
        "Full name",
        filters=[strip],
        validators=[DataRequired("Enter the person's full name"), Length(max=200)],
    )
    email = EmailField(
        "Email address",
        filters=[strip],
        validators=[
            DataRequired("Enter an email address"),
            Email("Enter an email address in the correct format, like name@example.org"),
        ],
    )
    password = PasswordField(
        "Temporary password",
        validators=[
            DataRequired("Enter a temporary password"),
            Length(
                min=passwords.MIN_LENGTH,
                message=f"The password must be at least {passwords.MIN_LENGTH} characters",
            ),
        ],
    )
    role = SelectField(
        "Role",
        choices=[("", "Choose a role")] + Role.choices(),
        validators=[DataRequired("Choose a role")],
    )
    organisation_query = organisation_query()
    organisation_id = organisation_choice("Organisation", "Choose an organisation")


class ChangePasswordForm(PsirfForm):
    current = PasswordField(
        "Your current password", validators=[DataRequired("Enter your current password")]
    )
    new = PasswordField("New password", validators=[DataRequired("Enter a new password")])
    confirm = PasswordField(
        "Type the new password again", validators=[DataRequired("Type the new password again")]
    )


class NewTokenForm(PsirfForm):
    """A personal API token: its name, what it may do and the last day it works."""

    name = StringField(
        "Name",
        filters=[strip],
        validators=[DataRequired("Enter a name for the token"), Length(max=100)],
    )
    scope = RadioField("What may it do?", validate_choice=False)
    expires_on = NhsDateField(
        "Last day it works", validators=[DateRequired("Enter the last day the token works")]
    )

    def offer_scopes(self, scopes) -> None:
        """The scopes the person may give (the policy's), reading only chosen until they say."""
        self.scope.choices = [(s.value, s.label) for s in scopes]
        if not self.is_submitted():
            self.scope.data = scopes[0].value
