"""The header's sections come from the policy: each role reaches its own, and every link it is
given opens for it (a link that answered 403 or 404 would mean the two rulebooks had drifted)."""

from __future__ import annotations

import pytest
from flask import url_for

from psirf import policy
from psirf.web.views import NAVIGATION

EXPECTED = {
    "lead": [
        policy.REPORT_EVENT,
        policy.MY_REPORTS,
        policy.TRIAGE,
        policy.RESPONSES,
        policy.SAFETY_ACTIONS,
        policy.IMPROVEMENT_PLANS,
        policy.PSIRF_PLANS,
        policy.LIBRARY,
        policy.BULLETINS,
        policy.ALERTS,
    ],
    "reporter": [
        policy.REPORT_EVENT,
        policy.MY_REPORTS,
        policy.SAFETY_ACTIONS,
        policy.LIBRARY,
        policy.BULLETINS,
    ],
    "panel": [
        policy.RESPONSES,
        policy.DASHBOARDS,
        policy.SAFETY_ACTIONS,
        policy.IMPROVEMENT_PLANS,
        policy.PSIRF_PLANS,
        policy.LIBRARY,
        policy.BULLETINS,
        policy.ALERTS,
    ],
    "icb_quality": [
        policy.RESPONSES,
        policy.OVERDUE_RESPONSES,
        policy.DASHBOARDS,
        policy.SAFETY_ACTIONS,
        policy.IMPROVEMENT_PLANS,
        policy.PSIRF_PLANS,
        policy.LIBRARY,
        policy.BULLETINS,
        policy.ALERTS,
    ],
    "admin": [policy.BULLETINS, policy.ORGANISATIONS, policy.ACCOUNTS, policy.ALERTS],
}


def test_each_role_reaches_its_sections(world):
    assert {who: policy.sections(getattr(world, who)) for who in EXPECTED} == EXPECTED
    assert policy.sections(None) == []


def test_every_section_has_a_page_and_a_label():
    keys = {
        value
        for name, value in vars(policy.navigation).items()
        if name.isupper() and isinstance(value, str)
    }
    assert keys == set(NAVIGATION)


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_every_link_a_person_is_given_opens_for_them(app, world, sign_in, who):
    client = sign_in(getattr(world, who))
    with app.test_request_context():
        urls = [url_for(NAVIGATION[key][0]) for key in policy.sections(getattr(world, who))]
    # A section's index may send the person on (one dashboard of one); where it lands must open.
    answers = {url: client.get(url, follow_redirects=True).status_code for url in urls}
    assert {url: code for url, code in answers.items() if code != 200} == {}


# Where each person's day starts: the lead at triage although they may also report events.
LANDING = {
    "lead": policy.TRIAGE,
    "reporter": policy.MY_REPORTS,
    "panel": policy.RESPONSES,
    "icb_quality": policy.RESPONSES,
    "admin": policy.ORGANISATIONS,
}


def test_each_role_lands_on_its_main_work(world):
    assert {who: policy.landing_section(getattr(world, who)) for who in LANDING} == LANDING


@pytest.mark.parametrize("who", sorted(LANDING))
def test_the_home_page_sends_each_person_to_their_landing_section(app, world, sign_in, who):
    client = sign_in(getattr(world, who))
    with app.test_request_context():
        landing = url_for(NAVIGATION[LANDING[who]][0])
    answer = client.get("/")
    assert answer.status_code == 302 and answer.headers["Location"] == landing
