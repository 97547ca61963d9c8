from __future__ import annotations

from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from psirf.organisations import search
from psirf.organisations.models import OrganisationKind
from psirf.web.forms import MultiCheckboxField, PsirfForm, strip

# The button that searches for an organisation (templates/organisations/_search.html): it submits
# the whole form, so what else was typed comes back with the matches, and nothing is saved.
FIND = "find"


def finding(formdata) -> bool:
    """Whether the form was sent by its "Search" button rather than to save."""
    return FIND in formdata


class OrganisationQuery(StringField):
    """The "Search for an organisation" box; `found` is how many matched once a search has run."""

    found: int | None = None


def organisation_query() -> OrganisationQuery:
    return OrganisationQuery(
        "Search for an organisation",
        filters=[strip],
        validators=[Optional(), Length(max=search.QUERY_MAX)],
    )


def organisation_choice(label: str, required: str | None = None) -> RadioField:
    """One organisation, chosen from the matches of a search. Any id is taken here: the service
    checks it is one the person may choose."""
    return RadioField(
        label,
        coerce=str,
        validate_choice=False,
        validators=[DataRequired(required)] if required else [Optional()],
    )


def offer(session, choice, query: OrganisationQuery, scope, label, first=()) -> None:
    """Set `choice`'s options: `first` (the usual ones, loaded already), what was chosen, then
    the matches of `query` within `scope`, each once. Two short statements at most."""
    first = list(first)
    shown = {o.id for o in first}
    chosen_ids = [i for i in search.ids_of(choice.data) if i not in shown]
    found = search.find(session, scope, query.data)
    query.found = len(found) if search.normalised(query.data) else None
    offered = []
    for organisation in [*first, *search.chosen(session, scope, chosen_ids), *found]:
        if organisation.id not in {o.id for o in offered}:
            offered.append(organisation)
    choice.choices = [(str(o.id), label(o)) for o in offered]


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
    groups = MultiCheckboxField(
        "PCNs and federations it belongs to", choices=[], validate_choice=False
    )
    groups_query = organisation_query()
