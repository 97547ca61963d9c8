"""The oversight dashboards and ICB-wide lists: a PCN's or federation's for its panel and its
ICB, an ICB's for its quality committee and patient safety specialists."""

from __future__ import annotations

from psirf.accounts.models import Role
from psirf.organisations.models import Organisation
from psirf.policy.casework import roles_covering
from psirf.policy.roles import ICB_ROLES, NotPermitted, NotVisible, grants, has_role


def may_see_icb_oversight(user) -> bool:
    return has_role(user, *ICB_ROLES)


def require_icb_oversight(user) -> None:
    """The ICB-wide lists (overdue responses, overdue candour) are for the ICB's roles."""
    if not may_see_icb_oversight(user):
        raise NotPermitted(
            "Only the ICB's quality committee and patient safety specialists see this list."
        )


def panel_groups(user) -> list[int]:
    """The PCNs and federations on whose review panel `user` sits: their dashboards and their plans."""
    return [g.organisation_id for g in grants(user) if g.role is Role.REVIEW_PANEL_MEMBER]


def require_group_oversight(user, group: Organisation) -> None:
    """A PCN's or federation's dashboard: its review panel, and its ICB's roles."""
    if not group.kind_enum.is_group:
        raise NotVisible("Page not found")
    if group.id in panel_groups(user):
        return
    if any(g.role in ICB_ROLES and g.organisation_id == group.icb_id for g in grants(user)):
        return
    if roles_covering(user, group) or any(g.organisation_id == group.icb_id for g in grants(user)):
        raise NotPermitted("Only the review panel and the ICB see this dashboard.")
    raise NotVisible("Page not found")


def oversight_icbs(user) -> list[int]:
    """The ICBs whose dashboard `user` sees: its quality committee and patient safety specialists."""
    return [g.organisation_id for g in grants(user) if g.role in ICB_ROLES]


def may_see_dashboards(user) -> bool:
    """A review panel's members see their group's dashboard; the ICB's roles see the ICB's."""
    return bool(panel_groups(user) or oversight_icbs(user))


def require_dashboards_viewer(user) -> None:
    if not may_see_dashboards(user):
        raise NotPermitted(
            "Only a review panel and the ICB's quality committee and patient safety specialists see dashboards."
        )
