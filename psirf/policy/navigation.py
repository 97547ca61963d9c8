"""Which sections of the service a person may reach, in the order the header lists them.

The web layer maps each key to its page and label; whether a person sees a section is decided
here, beside the rules of the pages it leads to.
"""

from __future__ import annotations

from psirf.accounts.models import Role
from psirf.policy.alerts import may_use_alerts
from psirf.policy.bulletins import may_read_bulletins
from psirf.policy.dashboards import may_see_dashboards
from psirf.policy.family import is_family
from psirf.policy.nearmiss import may_log_near_misses
from psirf.policy.roles import CASEWORK_ROLES, ICB_ROLES, has_role, is_staff

FAMILY_PORTAL = "family"
REPORT_EVENT = "report_event"
MY_REPORTS = "my_reports"
NEAR_MISSES = "near_misses"
TRIAGE = "triage"
RESPONSES = "responses"
OVERDUE_RESPONSES = "overdue_responses"
DASHBOARDS = "dashboards"
SAFETY_ACTIONS = "safety_actions"
IMPROVEMENT_PLANS = "improvement_plans"
PSIRF_PLANS = "psirf_plans"
LIBRARY = "library"
BULLETINS = "bulletins"
ORGANISATIONS = "organisations"
ACCOUNTS = "accounts"
ALERTS = "alerts"


def sections(user) -> list[str]:
    """The section keys `user` may reach; none for someone signed out."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if is_family(user):
        return [FAMILY_PORTAL]
    found = []
    # Reporting happens at a service (a practice, pharmacy...), not at a PCN or an ICB.
    if is_staff(user) and any(r.organisation.kind_enum.is_service for r in user.roles):
        found += [REPORT_EVENT, MY_REPORTS]
    # A community pharmacy's staff keep its near-miss log at the bench.
    if may_log_near_misses(user):
        found.append(NEAR_MISSES)
    if has_role(user, Role.PATIENT_SAFETY_LEAD):
        found.append(TRIAGE)
    if has_role(user, Role.PATIENT_SAFETY_LEAD, Role.REVIEW_PANEL_MEMBER, *ICB_ROLES):
        found.append(RESPONSES)
    if has_role(user, *ICB_ROLES):
        found.append(OVERDUE_RESPONSES)
    if may_see_dashboards(user):
        found.append(DASHBOARDS)
    # Anyone working in care may own a safety action and reads the shared learning; an
    # administrator alone does neither.
    works_in_care = has_role(user, *CASEWORK_ROLES, Role.REPORTER)
    if works_in_care:
        found.append(SAFETY_ACTIONS)
    if has_role(user, *CASEWORK_ROLES):
        found += [IMPROVEMENT_PLANS, PSIRF_PLANS]
    if works_in_care:
        found.append(LIBRARY)
    # Learning bulletins: read by everyone working in an area, written by its panel or the ICB.
    if may_read_bulletins(user):
        found.append(BULLETINS)
    if has_role(user, Role.ADMINISTRATOR):
        found += [ORGANISATIONS, ACCOUNTS]
    # National patient safety alerts: who records, oversees or confirms them.
    if may_use_alerts(user):
        found.append(ALERTS)
    return found


def landing_section(user) -> str:
    """The section a signed-in person lands on: the work their main role does first.

    Not simply the first of `sections`: a lead at a practice may report events, but their day
    starts at the triage queue. Anyone else falls back to their own reports.
    """
    if is_family(user):
        return FAMILY_PORTAL
    if has_role(user, Role.PATIENT_SAFETY_LEAD):
        return TRIAGE
    if has_role(user, Role.REVIEW_PANEL_MEMBER, *ICB_ROLES):
        return RESPONSES
    if has_role(user, Role.ADMINISTRATOR):
        return ORGANISATIONS
    return MY_REPORTS
