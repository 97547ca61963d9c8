"""Which ICB dashboard a request asks for, checked for the person asking: one of the ICBs where
they hold an ICB role, a theme, one of its PCNs or federations, a baseline. Shared by the
dashboard pages and the JSON API, so both refuse and default alike."""

from __future__ import annotations

from datetime import datetime

from psirf import policy
from psirf.dashboards import icb
from psirf.events.lfpse import Theme, insight_theme_choices
from psirf.extensions import db
from psirf.organisations.models import Organisation

DEFAULT_THEME = Theme.MEDICATION.value
BASELINES = (6, 12)  # the limits fixed from the first 6 or 12 months shown; else from every month


def icb_dashboard(
    user,
    now: datetime,
    candour_days: int,
    *,
    icb_id: int | None = None,
    theme: str | None = None,
    group_id: int | None = None,
    baseline: int | None = None,
):
    """The ICB dashboard asked for: 403 without an ICB role; 404 for an ICB, or a group, that is
    not one of the person's; an unknown theme or baseline falls back to the default."""
    policy.require_icb_oversight(user)
    icb_ids = policy.oversight_icbs(user)
    organisation = _visible(icb_id or icb_ids[0], lambda o: o.id in icb_ids)
    if theme not in {value for value, _ in insight_theme_choices()}:
        theme = DEFAULT_THEME
    group = None
    if group_id:  # one of this ICB's PCNs or federations; any other is not found
        group = _visible(group_id, lambda g: g.icb_id == organisation.id and g.kind_enum.is_group)
    return icb.icb_dashboard(
        db.session,
        organisation,
        now,
        theme=theme,
        group=group,
        candour_days=candour_days,
        baseline=baseline if baseline in BASELINES else None,
    )


def _visible(organisation_id: int, visible) -> Organisation:
    """The organisation, or NotVisible (404) when there is none or it is not the person's to see:
    the person is the caller's `user`, not the request's, so the API and the pages alike use this
    without the web's request-bound loading (psirf/web/loading.py)."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not visible(organisation):
        raise policy.NotVisible("Page not found")
    return organisation
