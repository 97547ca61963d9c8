from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from psirf.organisations.models import OrganisationKind
from psirf.web.forms import MultiCheckboxField, PsirfForm, strip


class NewOrganisationForm(PsirfForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[DataRequired("Enter the organisation's name"), Length(max=200)],
    )
    ods_code = StringField(
        "ODS code", filters=[strip], validators=[DataRequired("Enter the ODS code")]
    )
    kind = SelectField(
        "Kind of organisation",
        choices=[("", "Choose a kind")] + [c for c in OrganisationKind.choices() if c[0] != "icb"],
        validators=[DataRequired("Choose the kind of organisation")],
    )
    groups = MultiCheckboxField("PCNs and federations it belongs to", choices=[])
