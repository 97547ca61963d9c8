"""Parts of a page that other features fill, computed by the page's view, not by its template.

The response page carries the engagement part, the reporters' "what changed" and the library's
links; the event page carries the library's good care links. Each feature builds its own part's
page model and registers the builder here under the page's name; the page's view calls
`context_for(page, subject)` and passes what comes back to `render_template`. So no template
calls a function that reads the database, and no feature imports another feature's views.

    @parts.of("response")
    def library_links(response) -> dict:
        return {"library_entry_url": ..., "library_share_url": ...}

Builders run inside the request (they may read `current_user` and `db.session`) and return the
template variables of their part; the variable names are the partial's documented context.
"""

from __future__ import annotations

from collections.abc import Callable

Builder = Callable[[object], dict]

# page name -> builders by qualified name, so importing a views module twice registers once
_BUILDERS: dict[str, dict[str, Builder]] = {}


def of(page: str) -> Callable[[Builder], Builder]:
    """Register the decorated function as a builder of part of `page`."""

    def register(build: Builder) -> Builder:
        _BUILDERS.setdefault(page, {})[f"{build.__module__}.{build.__qualname__}"] = build
        return build

    return register


def context_for(page: str, subject) -> dict:
    """The template variables of every part of `page` about `subject`."""
    context: dict = {}
    for build in _BUILDERS.get(page, {}).values():
        context.update(build(subject))
    return context
