"""Personal API tokens: who may hold one, with which scopes, and whose tokens a person may see.

A token acts as its holder, never as more: every API route then asks the same rules as the pages.
"""

from __future__ import annotations

from psirf.accounts.models import TokenScope
from psirf.policy.family import is_family
from psirf.policy.roles import NotPermitted, NotVisible, grants


def token_scopes(user) -> list[TokenScope]:
    """The scopes `user` may give a token of their own. A patient's or family member's account reads
    only: what it may write (a question, a comment) is written in the portal, where they see it."""
    if is_family(user):
        return [TokenScope.READ]
    if grants(user):
        return [TokenScope.READ, TokenScope.WRITE]
    return []


def require_token_holder(user) -> list[TokenScope]:
    scopes = token_scopes(user)
    if not scopes:
        raise NotPermitted("Your account cannot hold API tokens.")
    return scopes


def require_own_token(user, token) -> None:
    """A person's own tokens only: anyone else's does not exist for them."""
    if token is None or token.user_id != getattr(user, "id", None):
        raise NotVisible("Page not found")
