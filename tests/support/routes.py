"""The route table: every registered route, who may use it and what each person who must be
refused gets (tests/test_route_access.py tries them all): another organisation gets 404 (the
object's existence is not revealed), a lesser role inside the scope gets 403.

A route missing from ROUTES fails `test_every_route_is_in_the_table`, so new routes are covered
as they are added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


from psirf.responses.models import Contributor
from psirf.accounts.models import User
from psirf.extensions import db
from tests.support.engagement import (
    affected_person_with_question,
    joined_person,
    shared_document,
    waiting_invitation,
    words_of,
)
from psirf.timeutil import utcnow
from tests.support.factories import (
    AfterActionReviewFactory,
    MethodStageFactory,
    ResponseFactory,
    SafetyActionFactory,
    SafetyEventFactory,
)
from tests.support.import_routes import import_routes
from tests.support.readiness_routes import readiness_routes
from tests.support.improvement import make_plan
from tests.support.lfpse import failed_export
from tests.support.library import entry as library_entry
from tests.support.plan_factories import PlanFactory
from tests.support.world import build_world

# Open to everyone by design: the start page, sign-in, assets, health and the public report form.
PUBLIC_PREFIXES = ("events_public.", "events_follow.", "family_join.", "plans_public.")
PUBLIC = {
    "static",
    "web.home",
    "web.healthz",
    "web.assets",
    "web.accessibility",
    "accounts.sign_in",
    "accounts.sign_out",
}


@dataclass
class Case:
    method: str
    url: Callable[[dict], str]
    # Someone who may, and what they get (400 for an empty form): proves the URL passes the policy.
    allowed: tuple[str, int]
    refused: dict[str, int] = field(default_factory=dict)


NOT_SIGNED_IN = 302  # to the sign-in page
OUTSIDERS = {"other_lead": 404, "other_panel": 404, "outsider_icb_quality": 404}

# The engagement plan: only the lead organisation's patient safety lead changes it.
ENGAGEMENT_REFUSED = {**OUTSIDERS, "reporter": 404, "admin": 404, "panel": 403, "icb_quality": 403}

# What only the organisation's patient safety lead does (triage, correcting an event, telling
# reporters what changed): the rest of its casework sees the object but may not act on it.
LEAD_ONLY_REFUSED = {
    **OUTSIDERS,
    "reporter": 404,
    "admin": 404,
    "panel": 403,
    "icb_quality": 403,
    "icb_specialist": 403,
}

# A safety action is changed by the lead organisation's patient safety lead or its owner only.
ACTION_REFUSED = {**OUTSIDERS, "reporter": 404, "admin": 404, "panel": 403, "icb_quality": 403}

# A PCN's improvement plan: its member practice's lead and the ICB read it; neither changes it.
PLAN_REFUSED = {
    **OUTSIDERS,
    "reporter": 404,
    "admin": 404,
    "lead": 403,
    "icb_quality": 403,
    "icb_specialist": 403,
}

# A PCN's draft PSIRF plan: its panel writes it, its member practice's lead reads it, and the ICB
# does not see it until it is submitted.
PSIRF_PLAN_REFUSED = {**OUTSIDERS, "reporter": 404, "admin": 404, "icb_quality": 404, "lead": 403}
# Dashboards: a PCN's for its panel and its ICB; the ICB's for the ICB's roles.
GROUP_DASHBOARD_REFUSED = {
    "other_panel": 404,
    "outsider_icb_quality": 404,
    "lead": 404,
    "reporter": 404,
    "admin": 403,
}
ICB_DASHBOARD_REFUSED = {"lead": 403, "panel": 403, "reporter": 403, "admin": 403}


def _plan_url(path: str = "") -> Callable[[dict], str]:
    return lambda o: f"/plans/{o['psirf_plan'].id}{path}"


ROUTES: dict[str, Case] = {
    "plans.index": Case("GET", lambda o: "/plans", ("lead", 200), {"reporter": 403, "admin": 403}),
    "plans.new": Case(
        "GET",
        lambda o: "/plans/new",
        ("panel", 200),
        {"lead": 403, "icb_quality": 403, "reporter": 403, "admin": 403},
    ),
    "plans.show": Case("GET", _plan_url(), ("lead", 200), {**PSIRF_PLAN_REFUSED, "lead": 200}),
    "plans.read": Case(
        "GET",
        _plan_url("/document"),
        ("lead", 200),
        {**OUTSIDERS, "icb_quality": 404, "reporter": 404},
    ),
    "plans.pdf": Case(
        "GET",
        _plan_url("/plan.pdf"),
        ("panel", 200),
        {**OUTSIDERS, "icb_quality": 404, "reporter": 404},
    ),
    "plans.compare": Case(
        "GET", _plan_url("/compare"), ("lead", 200), {**OUTSIDERS, "icb_quality": 404}
    ),
    "plans.edit": Case("GET", _plan_url("/edit"), ("panel", 200), PSIRF_PLAN_REFUSED),
    "plans.save_text": Case(
        "POST", _plan_url("/sections/introduction"), ("panel", 400), PSIRF_PLAN_REFUSED
    ),
    "plans.save_involved": Case("POST", _plan_url("/involved"), ("panel", 400), PSIRF_PLAN_REFUSED),
    "plans.save_control": Case("POST", _plan_url("/control"), ("panel", 400), PSIRF_PLAN_REFUSED),
    "plans.save_sources": Case("POST", _plan_url("/sources"), ("panel", 400), PSIRF_PLAN_REFUSED),
    "plans.save_leads": Case("POST", _plan_url("/leads"), ("panel", 400), PSIRF_PLAN_REFUSED),
    "plans.add_priority": Case(
        "POST", _plan_url("/priorities"), ("panel", 400), PSIRF_PLAN_REFUSED
    ),
    "plans.update_priority": Case(
        "POST", _plan_url("/priorities/high_risk_medicines"), ("panel", 400), PSIRF_PLAN_REFUSED
    ),
    "plans.remove_priority": Case(
        "POST",
        _plan_url("/priorities/high_risk_medicines/remove"),
        ("panel", 400),
        PSIRF_PLAN_REFUSED,
    ),
    "plans.add_no_response_row": Case(
        "POST", _plan_url("/no-further-response"), ("panel", 400), PSIRF_PLAN_REFUSED
    ),
    "plans.remove_no_response_row": Case(
        "POST",
        _plan_url("/no-further-response/risks_on_register/remove"),
        ("panel", 400),
        PSIRF_PLAN_REFUSED,
    ),
    "plans.fire": Case(
        "POST", _plan_url("/transitions/submit"), ("panel", 400), PSIRF_PLAN_REFUSED
    ),
    # Only a quality committee member of the plan's own ICB records the decision.
    "plans.decide": Case(
        "POST",
        lambda o: f"/plans/{o['plan_in_review'].id}/decision",
        ("icb_quality", 400),
        {
            **OUTSIDERS,
            "reporter": 404,
            "admin": 404,
            "panel": 403,
            "lead": 403,
            "icb_specialist": 403,
        },
    ),
    "dashboards.index": Case(
        "GET", lambda o: "/dashboards", ("panel", 302), {"lead": 403, "reporter": 403, "admin": 403}
    ),
    "dashboards.group_page": Case(
        "GET",
        lambda o: f"/dashboards/groups/{o['world'].pcn.id}",
        ("panel", 200),
        GROUP_DASHBOARD_REFUSED,
    ),
    "dashboards.group_csv": Case(
        "GET",
        lambda o: f"/dashboards/groups/{o['world'].pcn.id}.csv?table=themes",
        ("icb_quality", 200),
        GROUP_DASHBOARD_REFUSED,
    ),
    "dashboards.icb_page": Case(
        "GET", lambda o: "/dashboards/icb", ("icb_quality", 200), ICB_DASHBOARD_REFUSED
    ),
    "dashboards.icb_csv": Case(
        "GET",
        lambda o: "/dashboards/icb.csv?table=spc",
        ("icb_specialist", 200),
        ICB_DASHBOARD_REFUSED,
    ),
    # Everyone signed in has their own notifications, family accounts too (whose notification it is
    # is decided inside: tests/notifications/test_pages.py). The development outbox: administrators.
    "notifications.index": Case("GET", lambda o: "/notifications", ("family", 200)),
    "notifications.open_one": Case("POST", lambda o: "/notifications/open", ("reporter", 400)),
    "notifications.read_all": Case("POST", lambda o: "/notifications/read-all", ("family", 302)),
    "notifications.outbox": Case(
        "GET",
        lambda o: "/outbox",
        ("admin", 200),
        {
            "lead": 403,
            "panel": 403,
            "reporter": 403,
            "icb_quality": 403,
            "icb_specialist": 403,
            "family": 403,
        },
    ),
    "triage.queue": Case(
        "GET",
        lambda o: "/triage",
        ("lead", 200),
        {"reporter": 403, "panel": 403, "icb_quality": 403, "admin": 403},
    ),
    "triage.decide": Case(
        "GET",
        lambda o: f"/triage/events/{o['event'].id}",
        ("lead", 200),
        LEAD_ONLY_REFUSED,
    ),
    "events.show": Case(
        "GET",
        lambda o: f"/events/{o['event'].id}",
        ("lead", 200),
        {**OUTSIDERS, "reporter": 404, "admin": 404},
    ),
    # Correcting an event: its organisation's patient safety lead (and its reporter before triage,
    # tests/events/test_revisions.py); the rest of the casework may read it but not correct it.
    "events.correct": Case(
        "GET",
        lambda o: f"/events/{o['event'].id}/correct",
        ("lead", 200),
        LEAD_ONLY_REFUSED,
    ),
    "events.new": Case(
        "GET",
        lambda o: "/events/new",
        ("reporter", 200),
        {"admin": 403, "panel": 403, "icb_quality": 403},
    ),
    # Anyone signed in sees their own reports, and only those.
    "events.my_reports": Case("GET", lambda o: "/events/mine", ("reporter", 200)),
    "events.recorded": Case(
        "GET",
        lambda o: f"/events/{o['own_event'].id}/recorded",
        ("reporter", 200),
        {**OUTSIDERS, "lead": 404, "panel": 404, "admin": 404},
    ),
    "responses.index": Case(
        "GET", lambda o: "/responses", ("icb_quality", 200), {"reporter": 403, "admin": 403}
    ),
    "responses.show": Case(
        "GET",
        lambda o: f"/responses/{o['aar'].id}",
        ("icb_specialist", 200),
        {**OUTSIDERS, "reporter": 404, "admin": 404},
    ),
    "responses.report": Case(
        "GET",
        lambda o: f"/responses/{o['aar'].id}/report.pdf",
        ("icb_quality", 200),
        {**OUTSIDERS, "reporter": 404, "admin": 404},
    ),
    "responses.save_section": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/sections/plan",
        ("lead", 400),
        {**OUTSIDERS, "reporter": 404, "admin": 404, "panel": 403, "icb_quality": 403},
    ),
    "responses.add_finding": Case(
        "POST",
        lambda o: f"/responses/{o['aar_in_review'].id}/findings",
        ("lead", 400),
        {**OUTSIDERS, "reporter": 404, "admin": 404, "panel": 403, "icb_specialist": 403},
    ),
    "responses.add_factor": Case(
        "POST",
        lambda o: f"/responses/{o['aar_in_review'].id}/factors",
        ("lead", 400),
        {**OUTSIDERS, "reporter": 404, "admin": 404, "panel": 403, "icb_quality": 403},
    ),
    "responses.add_link": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/links",
        ("lead", 400),
        {**OUTSIDERS, "reporter": 404, "admin": 404},
    ),
    "responses.extend": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/extension",
        ("lead", 400),
        {**OUTSIDERS, "reporter": 404, "admin": 404, "panel": 403, "icb_quality": 403},
    ),
    # Counting the target from a change of method: as for an extension, the lead only.
    "responses.reset_due_date": Case(
        "POST",
        lambda o: f"/responses/{o['continued'].id}/due-date/reset",
        ("lead", 400),
        {**OUTSIDERS, "reporter": 404, "admin": 404, "panel": 403, "icb_quality": 403},
    ),
    "responses.add_contributor": Case(
        "POST",
        lambda o: f"/responses/{o['cross_org'].id}/contributors",
        ("lead", 400),
        {**OUTSIDERS, "reporter": 404, "admin": 404, "panel": 403, "icb_quality": 403},
    ),
    "responses.contribute": Case(
        "POST",
        lambda o: f"/responses/{o['cross_org_contributing'].id}/contribution",
        ("other_lead", 400),
        {
            "outsider_icb_quality": 404,
            "other_panel": 404,
            "reporter": 404,
            "admin": 404,
            "lead": 403,
            "panel": 403,
            "icb_quality": 403,
        },
    ),
    "responses.agree": Case(
        "POST",
        lambda o: f"/responses/{o['cross_org_contributing'].id}/agreement",
        ("other_lead", 400),
        {
            "outsider_icb_quality": 404,
            "other_panel": 404,
            "reporter": 404,
            "admin": 404,
            "lead": 403,
            "panel": 403,
            "icb_quality": 403,
        },
    ),
    "responses.new_thematic": Case(
        "GET",
        lambda o: "/responses/thematic/new",
        ("panel", 200),
        {"lead": 403, "reporter": 403, "icb_quality": 403, "admin": 403},
    ),
    "responses.add_action": Case(
        "POST",
        lambda o: f"/responses/{o['aar_in_review'].id}/safety-actions",
        ("lead", 400),
        {**OUTSIDERS, "reporter": 404, "admin": 404, "panel": 403, "icb_quality": 403},
    ),
    "responses.fire": Case(
        "POST",
        lambda o: f"/responses/{o['aar_with_panel'].id}/transitions/approve",
        ("panel", 400),
        {
            **OUTSIDERS,
            "reporter": 404,
            "admin": 404,
            "lead": 403,
            "icb_quality": 403,
            "icb_specialist": 403,
        },
    ),
    # A reporter's own report and its news: nobody else's, whatever their role.
    "events.my_report": Case(
        "GET",
        lambda o: f"/events/mine/{o['own_event'].id}",
        ("reporter", 200),
        {**OUTSIDERS, "lead": 404, "panel": 404, "icb_quality": 404, "admin": 404},
    ),
    # What changed: the lead organisation's patient safety lead only (400: an empty form).
    "reporter_feedback.what_changed": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/what-changed",
        ("lead", 400),
        LEAD_ONLY_REFUSED,
    ),
    "dashboards.overdue": Case(
        "GET",
        lambda o: "/oversight/overdue",
        ("icb_quality", 200),
        {"lead": 403, "panel": 403, "reporter": 403, "admin": 403},
    ),
    "engagement.add_person": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/engagement/people",
        ("lead", 400),
        ENGAGEMENT_REFUSED,
    ),
    "engagement.edit_person": Case(
        "GET",
        lambda o: f"/responses/{o['aar'].id}/engagement/people/{o['affected'].id}",
        ("lead", 200),
        {**ENGAGEMENT_REFUSED, "icb_specialist": 403},
    ),
    "engagement.add_step": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/engagement/steps",
        ("lead", 400),
        ENGAGEMENT_REFUSED,
    ),
    "engagement.choose_for_report": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/engagement/steps/{o['question'].id}/report",
        ("lead", 400),
        {**ENGAGEMENT_REFUSED, "family": 404},
    ),
    "engagement.add_attempt": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/engagement/attempts",
        ("lead", 400),
        ENGAGEMENT_REFUSED,
    ),
    "engagement.answer_question": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/engagement/questions/{o['question'].id}/answer",
        ("lead", 400),
        ENGAGEMENT_REFUSED,
    ),
    "engagement.decide_candour": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/candour/decision",
        ("lead", 400),
        ENGAGEMENT_REFUSED,
    ),
    "engagement.record_candour": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/candour/steps",
        ("lead", 400),
        ENGAGEMENT_REFUSED,
    ),
    "engagement.add_candour_attempt": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/candour/attempts",
        ("lead", 400),
        ENGAGEMENT_REFUSED,
    ),
    "dashboards.candour_overdue": Case(
        "GET",
        lambda o: "/oversight/candour",
        ("icb_quality", 200),
        {"lead": 403, "panel": 403, "reporter": 403, "admin": 403},
    ),
    # The family portal. The lead invites and shares; a family account reaches only its own pages,
    # and staff never reach them (404 for a person's page: it names someone they cannot know of).
    "engagement.invite": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/engagement/people/{o['affected'].id}/invitations",
        ("lead", 400),
        {**ENGAGEMENT_REFUSED, "family": 404},
    ),
    "engagement.withdraw_invitation": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/engagement/invitations/{o['invitation'].id}/withdraw",
        ("lead", 400),
        {**ENGAGEMENT_REFUSED, "family": 404},
    ),
    "engagement.share_document": Case(
        "POST",
        lambda o: f"/responses/{o['aar'].id}/engagement/people/{o['family_person'].id}/documents",
        ("lead", 400),
        {**ENGAGEMENT_REFUSED, "family": 404},
    ),
    "family.index": Case(
        "GET",
        lambda o: "/your-response",
        ("family", 302),
        {"lead": 403, "reporter": 403, "panel": 403, "icb_quality": 403, "admin": 403},
    ),
    "family.person": Case(
        "GET",
        lambda o: f"/your-response/{o['family_person'].id}",
        ("family", 200),
        {
            **OUTSIDERS,
            "lead": 404,
            "reporter": 404,
            "panel": 404,
            "icb_specialist": 404,
            "admin": 404,
        },
    ),
    "family.ask": Case(
        "POST",
        lambda o: f"/your-response/{o['family_person'].id}/questions",
        ("family", 400),
        {"lead": 404, "reporter": 404, "panel": 404, "icb_quality": 404, "admin": 404},
    ),
    "family.comment": Case(
        "POST",
        lambda o: f"/your-response/{o['family_person'].id}/comments",
        ("family", 400),
        {"lead": 404, "reporter": 404, "panel": 404, "icb_quality": 404, "admin": 404},
    ),
    "family.choose_for_report": Case(
        "POST",
        lambda o: f"/your-response/{o['family_person'].id}/words/{o['family_words'].id}",
        ("family", 400),
        {"lead": 404, "reporter": 404, "panel": 404, "icb_quality": 404, "admin": 404},
    ),
    "family.preferences": Case(
        "GET",
        lambda o: f"/your-response/{o['family_person'].id}/preferences",
        ("family", 200),
        {**OUTSIDERS, "lead": 404, "reporter": 404, "panel": 404, "icb_quality": 404, "admin": 404},
    ),
    "family.document": Case(
        "GET",
        lambda o: f"/your-response/{o['family_person'].id}/documents/{o['family_document'].id}",
        ("family", 200),
        {**OUTSIDERS, "lead": 404, "reporter": 404, "panel": 404, "icb_quality": 404, "admin": 404},
    ),
    # Safety actions: each person's own board, each organisation's, and the ICB's view.
    "actions.index": Case("GET", lambda o: "/actions", ("reporter", 200), {"family": 403}),
    "actions.mine": Case("GET", lambda o: "/actions/mine", ("reporter", 200), {"family": 403}),
    "actions.organisation_board": Case(
        "GET",
        lambda o: f"/actions/organisations/{o['world'].practice.id}",
        ("lead", 200),
        {**OUTSIDERS, "reporter": 404, "admin": 404, "family": 404},
    ),
    "actions.icb_board": Case(
        "GET",
        lambda o: "/actions/icb",
        ("icb_quality", 200),
        {"lead": 403, "panel": 403, "reporter": 403, "admin": 403, "family": 403},
    ),
    "actions.show": Case(
        "GET",
        lambda o: f"/actions/{o['action'].id}",
        ("panel", 200),
        {**OUTSIDERS, "reporter": 404, "admin": 404, "family": 404},
    ),
    "actions.save_details": Case(
        "POST", lambda o: f"/actions/{o['draft_action'].id}/details", ("lead", 400), ACTION_REFUSED
    ),
    "actions.save_evidence": Case(
        "POST", lambda o: f"/actions/{o['action'].id}/evidence", ("lead", 400), ACTION_REFUSED
    ),
    "actions.save_effect": Case(
        "POST",
        lambda o: f"/actions/{o['completed_action'].id}/effect",
        ("lead", 400),
        ACTION_REFUSED,
    ),
    "actions.fire": Case(
        "POST",
        lambda o: f"/actions/{o['action'].id}/transitions/complete",
        ("lead", 400),
        {**ACTION_REFUSED, "icb_specialist": 403},
    ),
    # Safety improvement plans: read across the casework scope, changed only by whoever runs the
    # plan's organisation (its panel for a PCN plan).
    "improvement.index": Case(
        "GET", lambda o: "/improvement-plans", ("panel", 200), {"reporter": 403, "admin": 403}
    ),
    "improvement.new": Case(
        "GET",
        lambda o: "/improvement-plans/new",
        ("panel", 200),
        {"reporter": 403, "admin": 403, "icb_quality": 403, "icb_specialist": 403},
    ),
    "improvement.show": Case(
        "GET",
        lambda o: f"/improvement-plans/{o['improvement_plan'].id}",
        ("lead", 200),
        {**OUTSIDERS, "reporter": 404, "admin": 404},
    ),
    "improvement.add_actions": Case(
        "POST",
        lambda o: f"/improvement-plans/{o['improvement_plan'].id}/actions",
        ("panel", 400),
        PLAN_REFUSED,
    ),
    "improvement.remove_action": Case(
        "POST",
        lambda o: (
            f"/improvement-plans/{o['improvement_plan'].id}/actions/{o['plan_action'].id}/remove"
        ),
        ("panel", 400),
        PLAN_REFUSED,
    ),
    "improvement.add_item": Case(
        "POST",
        lambda o: f"/improvement-plans/{o['improvement_plan'].id}/items",
        ("panel", 400),
        PLAN_REFUSED,
    ),
    "improvement.add_reading": Case(
        "POST",
        lambda o: f"/improvement-plans/{o['improvement_plan'].id}/readings",
        ("panel", 400),
        PLAN_REFUSED,
    ),
    # The learning library: an entry is read by its audience only (North PCN here); sharing is the
    # publishing organisation's patient safety lead's.
    "library.index": Case("GET", lambda o: "/library", ("reporter", 200), {"family": 403}),
    "library.show": Case(
        "GET",
        lambda o: f"/library/{o['library_entry'].id}",
        ("panel", 200),
        {**OUTSIDERS, "icb_quality": 404, "admin": 404, "family": 404},
    ),
    # Widening an entry to the whole ICB: the publishing organisation's lead. The lead goes first, so
    # by the refusals it is ICB-wide: readers in the ICB are refused the change, not the entry.
    "library.widen_to_icb": Case(
        "POST",
        lambda o: f"/library/{o['entry_to_widen'].id}/icb",
        ("lead", 302),
        {
            "outsider_icb_quality": 404,
            "family": 404,
            "other_lead": 403,
            "other_panel": 403,
            "panel": 403,
            "reporter": 403,
            "icb_quality": 403,
            "admin": 403,
        },
    ),
    "library.share_response": Case(
        "GET",
        lambda o: f"/library/share/responses/{o['closed_aar'].id}",
        ("lead", 200),
        {
            **OUTSIDERS,
            "reporter": 404,
            "admin": 404,
            "family": 404,
            "panel": 403,
            "icb_quality": 403,
            "icb_specialist": 403,
        },
    ),
    "library.share_good_care": Case(
        "GET",
        lambda o: f"/library/share/events/{o['good_care_event'].id}",
        ("lead", 200),
        {
            **OUTSIDERS,
            "reporter": 404,
            "admin": 404,
            "family": 404,
            "panel": 403,
            "icb_quality": 403,
            "icb_specialist": 403,
        },
    ),
    "organisations.index": Case(
        "GET",
        lambda o: "/admin/organisations",
        ("admin", 200),
        {"lead": 403, "panel": 403, "icb_quality": 403, "reporter": 403},
    ),
    "organisations.new": Case(
        "GET",
        lambda o: "/admin/organisations/new",
        ("admin", 200),
        {"lead": 403, "panel": 403, "icb_specialist": 403, "reporter": 403},
    ),
    "accounts.users": Case(
        "GET",
        lambda o: "/admin/accounts",
        ("admin", 200),
        {"lead": 403, "panel": 403, "icb_quality": 403, "reporter": 403},
    ),
    "accounts.new_user": Case(
        "GET",
        lambda o: "/admin/accounts/new",
        ("admin", 200),
        {"lead": 403, "panel": 403, "icb_quality": 403, "reporter": 403},
    ),
    "accounts.set_active": Case(
        "POST",
        lambda o: f"/admin/accounts/{o['target'].id}/active",
        ("admin", 302),
        {"lead": 403, "panel": 403, "icb_quality": 403, "reporter": 403, "outsider_admin": 404},
    ),
    # Ending all of a person's sign-ins: an administrator of their ICB only.
    "accounts.end_sessions": Case(
        "POST",
        lambda o: f"/admin/accounts/{o['target'].id}/sessions/end",
        ("admin", 302),
        {
            "lead": 403,
            "panel": 403,
            "icb_quality": 403,
            "reporter": 403,
            "family": 404,
            "outsider_admin": 404,
        },
    ),
    # Everyone signed in changes their own password, family accounts too (400: an empty form).
    "accounts.change_password": Case("POST", lambda o: "/account/password", ("family", 400)),
}
ROUTES.update(import_routes(Case))  # the import pages: tests/support/import_routes.py
ROUTES.update(readiness_routes(Case))  # the readiness pages: tests/support/readiness_routes.py

from tests.support.lfpse_routes import LFPSE_ROUTES  # noqa: E402  (after Case, which it uses)

ROUTES |= LFPSE_ROUTES

from tests.support.bulletin_routes import BULLETIN_ROUTES  # noqa: E402  (after Case, which it uses)

ROUTES |= BULLETIN_ROUTES
from tests.support.alert_routes import ALERT_ROUTES  # noqa: E402  (after Case, which it uses)

ROUTES |= ALERT_ROUTES


def route_objects():
    from psirf.accounts.models import Role
    from tests.support.factories import IcbFactory, UserFactory

    world = build_world()
    other_icb = IcbFactory(name="Far ICB", ods_code="QCC")
    aar = AfterActionReviewFactory(organisation=world.practice)
    affected, question = affected_person_with_question(aar, engagement_lead_id=world.lead.id)
    family_person = joined_person(aar, name="Kim Family")
    aar_in_review = AfterActionReviewFactory(organisation=world.practice, state="in_review")
    plan_action = SafetyActionFactory(
        response=AfterActionReviewFactory(organisation=world.practice)
    )
    improvement_plan = make_plan(world.pcn, world.panel)
    improvement_plan.actions.append(plan_action)
    db.session.commit()
    return {
        "world": world,
        "psirf_plan": PlanFactory(organisation=world.pcn, created_by=world.panel),
        "plan_in_review": PlanFactory(
            organisation=world.pcn, created_by=world.panel, state="under_review", revision=1
        ),
        "event": SafetyEventFactory(organisation=world.practice, status="awaiting_triage"),
        "target": UserFactory(role=(Role.REPORTER, world.practice)),
        "own_event": SafetyEventFactory(
            organisation=world.practice, reporter_user_id=world.reporter.id
        ),
        "aar": aar,
        "plan_action": plan_action,
        "improvement_plan": improvement_plan,
        "closed_aar": AfterActionReviewFactory(
            organisation=world.practice, state="closed", closed_at=utcnow()
        ),
        "good_care_event": SafetyEventFactory(organisation=world.practice, record_type="good_care"),
        "lfpse_export": failed_export(world.practice),  # its reason shows on the lead's list
        "library_entry": library_entry(world.practice, world.lead),
        "entry_to_widen": library_entry(world.practice, world.lead),
        "affected": affected,
        "question": question,
        "family_person": family_person,
        "family_words": words_of(family_person),
        "family_document": shared_document(family_person),
        "invitation": waiting_invitation(affected),
        "aar_in_review": aar_in_review,
        "action": SafetyActionFactory(response=aar_in_review),
        "draft_action": SafetyActionFactory(response=aar_in_review, state="draft"),
        "completed_action": SafetyActionFactory(response=aar_in_review, state="completed"),
        "aar_with_panel": AfterActionReviewFactory(
            organisation=world.practice, ready_for_panel=True, state="panel_review"
        ),
        "cross_org": ResponseFactory(organisation=world.practice, method="cross_organisational"),
        # A review that began as a SWARM huddle: its target may be counted from the change.
        "continued": MethodStageFactory(
            response=AfterActionReviewFactory(organisation=world.practice)
        ).response,
        # Southfields contributes: its lead may add to this one response, and to nothing else here.
        "cross_org_contributing": ResponseFactory(
            organisation=world.practice,
            method="cross_organisational",
            state="contributions",
            contributors=[Contributor(organisation_id=world.other_practice.id)],
        ),
        "people": {
            **world.people(),
            "outsider_admin": UserFactory(role=(Role.ADMINISTRATOR, other_icb)),
            "family": db.session.get(User, family_person.account_id),
            **pharmacy_people(world),  # the near-miss log's: tests/support/nearmiss_routes.py
        },
    }


def request_case(client, case: Case, objects):
    return client.open(
        case.url(objects), method=case.method, data={} if case.method == "POST" else None
    )


# The token pages and the API's page; the API itself has a table of its own, tried with tokens.
from tests.support.api_routes import PAGE_ROUTES  # noqa: E402  (it builds on Case above)

ROUTES.update(PAGE_ROUTES)

# The pharmacy near-miss log's pages (after the API's table, which joins its API routes).
from tests.support.nearmiss_routes import NEAR_MISS_ROUTES, pharmacy_people  # noqa: E402

ROUTES.update(NEAR_MISS_ROUTES)
