"""National patient safety alerts: who records them, who sees an alert and whose progress on it,
and who confirms a service's actions.

- The ICB's quality committee, patient safety specialists and administrators record alerts for the
  ICB; a PCN's or federation's review panel records them for its members.
- A draft is seen by those who record alerts for its organisation; an issued alert by them, the
  ICB's roles and administrators, and the services it applies to (their patient safety and
  executive leads) and their PCN's or federation's panel.
- Progress (a service's confirmations) is seen within the person's casework scope (their own
  service, a panel's members, the ICB's services) or an administrator's ICB.
- A service's actions are confirmed by its patient safety lead or PSIRF executive lead.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select

from psirf.accounts.models import Role
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.policy.administration import administered_icbs
from psirf.policy.casework import casework_scope, roles_covering
from psirf.policy.roles import ICB_ROLES, OWN_ORGANISATION_ROLES, NotPermitted, NotVisible, grants

ISSUED = "issued"  # psirf.alerts.models.AlertState.ISSUED (the policy imports no feature's models)


def alert_issuers(user) -> list[int]:
    """The organisations `user` records alerts for: ICBs (their ICB roles and administrators) and
    PCNs or federations (their review panels)."""
    found = []
    for g in grants(user):
        if g.role in ICB_ROLES or g.role is Role.ADMINISTRATOR:
            found.append(g.organisation_id)
        elif g.role is Role.REVIEW_PANEL_MEMBER:
            found.append(g.organisation_id)
    return sorted(set(found))


def may_record_alerts(user) -> bool:
    return bool(alert_issuers(user))


def require_may_record_alerts(user) -> list[int]:
    issuers = alert_issuers(user)
    if not issuers:
        raise NotPermitted(
            "Only the ICB (its quality committee, patient safety specialists and administrators) "
            "or a PCN's review panel records patient safety alerts."
        )
    return issuers


def _oversight_icbs(user) -> list[int]:
    return sorted(
        {g.organisation_id for g in grants(user) if g.role in ICB_ROLES}
        | set(administered_icbs(user))
    )


def _own(user) -> list[int]:
    return sorted({g.organisation_id for g in grants(user) if g.role in OWN_ORGANISATION_ROLES})


def _panels(user) -> list[int]:
    return sorted({g.organisation_id for g in grants(user) if g.role is Role.REVIEW_PANEL_MEMBER})


def may_use_alerts(user) -> bool:
    """Whether the alerts pages are for `user` at all: who records, oversees or confirms them."""
    return bool(alert_issuers(user) or _own(user))


def require_alerts_user(user) -> None:
    if not may_use_alerts(user):
        raise NotPermitted("Patient safety alerts are for leads, review panels and the ICB.")


def alert_scope(user, alert, recipient) -> ColumnElement[bool]:
    """SQL over the Alert model and the AlertRecipient model: the alerts `user` sees."""
    issuers = alert_issuers(user)
    conditions = []
    if issuers:
        conditions.append(alert.organisation_id.in_(issuers))
    icbs = _oversight_icbs(user)
    if icbs:
        conditions.append(and_(alert.state == ISSUED, alert.icb_id.in_(icbs)))
    own, panels = _own(user), _panels(user)
    if own or panels:
        covered = []
        if own:
            covered.append(recipient.organisation_id.in_(own))
        if panels:
            members = select(OrganisationMembership.member_id).where(
                OrganisationMembership.group_id.in_(panels)
            )
            covered.append(recipient.organisation_id.in_(members))
        applies = select(recipient.id).where(recipient.alert_id == alert.id, or_(*covered)).exists()
        conditions.append(and_(alert.state == ISSUED, applies))
    return or_(*conditions) if conditions else false()


def may_see_alert(user, alert, recipients: list[Organisation]) -> bool:
    """The rule `alert_scope` writes in SQL, for one alert and its services."""
    if alert.organisation_id in alert_issuers(user):
        return True
    if alert.state != ISSUED:
        return False
    if alert.icb_id in _oversight_icbs(user):
        return True
    own, panels = set(_own(user)), set(_panels(user))
    return any(o.id in own or any(group.id in panels for group in o.groups) for o in recipients)


def require_alert_visible(user, alert, recipients: list[Organisation]) -> None:
    if not may_see_alert(user, alert, recipients):
        raise NotVisible("Page not found")


def may_manage_alert(user, alert) -> bool:
    """Adds actions to a draft and issues it: whoever records alerts for its organisation."""
    return alert.organisation_id in alert_issuers(user)


def require_may_manage_alert(user, alert) -> None:
    if not may_manage_alert(user, alert):
        raise NotPermitted("Only those who record alerts for its organisation change this alert.")


def alert_progress_scope(user, org_column) -> ColumnElement[bool]:
    """SQL on an organisation id column: the services whose confirmations `user` sees."""
    conditions = [casework_scope(user, org_column)]
    admin_icbs = administered_icbs(user)
    if admin_icbs:
        in_icb = select(Organisation.id).where(Organisation.icb_id.in_(admin_icbs))
        conditions.append(org_column.in_(in_icb))
    return or_(*conditions)


def may_see_alert_progress(user, organisation: Organisation) -> bool:
    """The rule `alert_progress_scope` writes in SQL, for one service."""
    return bool(roles_covering(user, organisation)) or organisation.icb_id in administered_icbs(
        user
    )


def require_alert_progress_visible(user, organisation: Organisation) -> None:
    if not may_see_alert_progress(user, organisation):
        raise NotVisible("Page not found")


def may_confirm_alert_actions(user, organisation: Organisation) -> bool:
    return any(
        g.role in OWN_ORGANISATION_ROLES and g.organisation_id == organisation.id
        for g in grants(user)
    )


def require_may_confirm_alert_actions(user, organisation: Organisation) -> None:
    if not may_confirm_alert_actions(user, organisation):
        raise NotPermitted(
            "Only the service's patient safety lead or PSIRF executive lead confirms its actions."
        )
