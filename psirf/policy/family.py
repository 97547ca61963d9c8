"""The family portal: what a patient's or family member's account may reach, and the people
records it may see."""

from __future__ import annotations

from psirf.accounts.models import AccountKind
from psirf.policy.roles import NotPermitted, NotVisible

# What a patient's or family member's account may reach: its own portal, the in-app
# notifications, the public pages and the site's furniture. Every other page (staff pages, events
# and responses by number) is refused by a hook that reads this
# (psirf.family.views.keep_to_the_portal).
FAMILY_ENDPOINTS = frozenset(
    {
        "accounts.sign_in",
        "accounts.sign_out",
        "accounts.change_password",
        "static",
        "web.home",
        "web.assets",
        "web.accessibility",
        "web.healthz",
    }
)
FAMILY_ENDPOINT_PREFIXES = (
    "family.",
    "family_join.",
    "notifications.",
    "events_public.",
    "events_follow.",
    "plans_public.",
    # Their own API tokens (read only), and the API, which asks the policy of every object itself.
    "tokens.",
    "api.",
    "api_docs.",
)


def is_family(user) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.kind == AccountKind.FAMILY.value
    )


def family_may_reach(endpoint: str | None) -> bool:
    return endpoint is not None and (
        endpoint in FAMILY_ENDPOINTS or endpoint.startswith(FAMILY_ENDPOINT_PREFIXES)
    )


def require_family(user) -> None:
    if not is_family(user):
        raise NotPermitted("This page is for patients and families who have been invited.")


def require_family_person(user, person) -> None:
    """A family account sees only the people-records linked to it; anything else does not exist."""
    if person is None or not is_family(user) or person.account_id != user.id:
        raise NotVisible("Page not found")
