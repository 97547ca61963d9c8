"""Load and authorise once per route: the object a URL names, or the answer that refuses it.

A view declares what its address names and who may reach it, and receives the object:

    @bp.get("/<int:response_id>")
    @login_required
    @loads("response_id", responses.get, policy.require_response_visible)
    def show(response):
        ...

The answers are the policy's: an object that is absent, or outside the person's organisations, is
`policy.NotVisible` (404, so an address never reveals whether the object exists); one the person
sees but may not act on is `policy.NotPermitted` (403, with the policy's reason on the page). The
error pages (psirf/web/errors.py) draw both.

`@loads` goes below `@login_required`, so a visitor who is not signed in is sent to sign in before
anything is looked up. Several stack, outermost first: a later one may name an earlier one's object
as its parent (`of="response"`), so a person of another response's plan is not found either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from flask_login import current_user

from psirf import policy
from psirf.extensions import db

Check = Callable[[Any, Any], object]


def found(obj):
    """`obj`, or NotVisible (404) when there is none: what a lookup outside any address answers."""
    if obj is None:
        raise policy.NotVisible("Page not found")
    return obj


def fetch(
    source,
    key,
    check: Check | None = None,
    *,
    scoped: bool = False,
    options: Sequence = (),
    lock: bool = False,
    before: Callable[[Any], object] | None = None,
    visible_if: Callable[[Any, Any], bool] | None = None,
):
    """The object `key` names, checked for the signed-in person; raises what refuses it.

    `source` is a model (read by primary key, with loader `options` and, when `lock`, SELECT ... FOR
    UPDATE) or a feature's own getter, called `source(session, key)`, or `source(session, user, key)`
    when `scoped` (a getter that reads through the person's scope and refuses by itself).
    `before` checks the person alone, ahead of the lookup, so a page the person may never use is a
    403 whatever the number; `visible_if` is false for an object the person is not to know of;
    `check` is the policy's word on the object (NotVisible or NotPermitted).
    """
    # A public page (a published plan) asks nothing of the person: nor is the account read for it.
    user = current_user._get_current_object() if (before or scoped or visible_if or check) else None
    if before is not None:
        before(user)
    if isinstance(source, type):
        # A lock reads the row afresh, whatever the session held: the point of taking it. Only the
        # object's own row: PostgreSQL locks nothing on the outer side of an eagerly joined relation.
        obj = db.session.get(
            source,
            key,
            options=list(options),
            with_for_update={"of": source} if lock else None,
            populate_existing=lock,
        )
    elif options or lock:
        raise TypeError("options and lock apply to a model; a getter chooses its own query")
    elif scoped:
        obj = source(db.session, user, key)
    else:
        obj = source(db.session, key)
    found(obj)
    if visible_if is not None and not visible_if(user, obj):
        raise policy.NotVisible("Page not found")
    if check is not None:
        check(user, obj)
    return obj


def loads(
    param: str,
    source,
    check: Check | None = None,
    *,
    into: str | None = None,
    of: str | None = None,
    scoped: bool = False,
    options: Sequence = (),
    lock: bool = False,
    before: Callable[[Any], object] | None = None,
    visible_if: Callable[[Any, Any], bool] | None = None,
):
    """A view decorator: the URL's `param` becomes the checked object, passed as `into`.

    `into` defaults to `param` without its `_id` (`response_id` -> `response`). `of` names an object
    an outer `@loads` passed in: this one must belong to it (its `<of>_id` is that object's id).
    The other arguments are `fetch`'s.
    """
    name = into or param.removesuffix("_id")

    def decorate(view):
        @functools.wraps(view)
        def loaded(*args, **kwargs):
            visible = visible_if
            if of is not None:
                parent = kwargs[of]

                def visible(user, obj):
                    if getattr(obj, f"{of}_id") != parent.id:
                        return False
                    return visible_if is None or visible_if(user, obj)

            kwargs[name] = fetch(
                source,
                kwargs.pop(param),
                check,
                scoped=scoped,
                options=options,
                lock=lock,
                before=before,
                visible_if=visible,
            )
            return view(*args, **kwargs)

        return loaded

    return decorate
