"""The shared learning library: share a closed response's learning or a good care record, browse
what has been shared with you, and read one entry with its safety actions and their outcomes."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.db import unit_of_work
from psirf.events import services as events
from psirf.events.lfpse import Theme
from psirf.extensions import db
from psirf.library import pages, reading, sharing
from psirf.library.forms import FilterForm, ShareForm
from psirf.organisations.models import OrganisationKind
from psirf.responses import services as responses
from psirf.responses.models import ResponseMethod
from psirf.timeutil import utcnow
from psirf.web import errors, parts
from psirf.web.changes import changing
from psirf.web.loading import loads
from psirf.problems import InputError
from psirf.web.forms import show_on_form

bp = Blueprint("library", __name__, url_prefix="/library")

LABELS = {
    "theme_label": Theme.label_for,
    "method_label": ResponseMethod.label_for,
    "service_label": OrganisationKind.label_for,
}


@bp.context_processor
def labels() -> dict:
    return LABELS


# ---- the library's parts of the response and event pages -------------------------------------------


def _staff_signed_in() -> bool:
    return current_user.is_authenticated and policy.is_staff(current_user)


@parts.of("response")
def response_links(response) -> dict:
    """The context of templates/library/_share_part.html: the entry, else where to share."""
    entry_url = library_entry_link(response)
    return {
        "library_entry_url": entry_url,
        "library_share_url": None if entry_url else library_share_link(response),
    }


@parts.of("event")
def good_care_links(event) -> dict:
    """The event page's good care links: where to share it, else the entry it became."""
    share_url = library_good_care_link(event)
    return {
        "good_care_share_url": share_url,
        "good_care_entry_url": None if share_url else library_good_care_entry_link(event),
    }


def library_share_link(response) -> str | None:
    """Where to share this response's learning, when the current user may do so now."""
    if not _staff_signed_in() or not policy.may_share_response(
        current_user, response, sharing.is_closed(response)
    ):
        return None
    if sharing.entry_for_response(db.session, response.id) is not None:
        return None
    return url_for("library.share_response", response_id=response.id)


def library_entry_link(response) -> str | None:
    """The library entry this response's learning became, when the current user may read it."""
    if not _staff_signed_in():
        return None
    entry = reading.visible_entry_for_response(db.session, current_user, response.id)
    return url_for("library.show", entry_id=entry.id) if entry else None


def library_good_care_link(event) -> str | None:
    """Where to share this good care record, when the current user may and it is not yet shared."""
    if not _staff_signed_in() or not policy.may_share_good_care(current_user, event):
        return None
    if sharing.entry_for_event(db.session, event.id) is not None:
        return None
    return url_for("library.share_good_care", event_id=event.id)


def library_good_care_entry_link(event) -> str | None:
    if not _staff_signed_in():
        return None
    entry = reading.visible_entry_for_event(db.session, current_user, event.id)
    return url_for("library.show", entry_id=entry.id) if entry else None


# ---- sharing ------------------------------------------------------------------------------------


def _shares_response(user, response) -> None:
    policy.require_may_share_response(user, response, sharing.is_closed(response))


def _render_share(
    source: sharing.Source, form: ShareForm, stage: str, status: int = 200, stripped=None
):
    back = (
        url_for("responses.show", response_id=source.response.id)
        if source.response is not None
        else url_for("events.show", event_id=source.event.id)
    )
    return (
        render_template(
            "library/share.html",
            source=source,
            form=form,
            stage=stage,
            stripped=stripped,
            back=back,
        ),
        status,
    )


def _share(source: sharing.Source):
    """Write, then check the stripped text, then publish: the same three steps for both kinds."""
    if request.method == "GET":
        form = ShareForm(
            formdata=None,
            data={"title": source.title, "summary": source.summary},
            audiences=source.audiences,
        )
        return _render_share(source, form, "write")

    publishing = request.form.get("action") == "publish"
    form = ShareForm(audiences=source.audiences, publishing=publishing)
    if not form.validate_on_submit():
        return _render_share(source, form, "check" if publishing else "write", 400)

    stripped = sharing.strip_identifiers(source, form.title.data, form.summary.data)
    if not publishing or stripped.found:
        title_changed = stripped.title != form.title.data
        # What the lead will confirm is exactly what is shown: the stripped text, unconfirmed.
        form.title.data, form.summary.data, form.confirmed.data = (
            stripped.title,
            stripped.summary,
            False,
        )
        if publishing:  # the lead's edits brought identifiers back: show them what was removed
            field = form.title if title_changed else form.summary
            field.errors = list(field.errors) + [
                "We removed identifiers from your changes. Read it again, then confirm"
            ]
            return _render_share(source, form, "check", 400, stripped=stripped)
        return _render_share(source, form, "check", stripped=stripped)

    try:
        # Shared by someone else a moment ago (each source is shared once): show theirs.
        with changing(None, lambda _message: _shared_meanwhile(source)):
            entry = sharing.publish(
                db.session,
                current_user,
                source,
                form.title.data,
                form.summary.data,
                form.audiences.data,
            )
    except InputError as error:
        show_on_form(form, error)
        return _render_share(source, form, "check", 400)
    flash("Your learning is now in the shared learning library.", "success")
    return redirect(url_for("library.show", entry_id=entry.id))


def _shared_meanwhile(source: sharing.Source):
    existing = (
        sharing.entry_for_response(db.session, source.response.id)
        if source.response is not None
        else sharing.entry_for_event(db.session, source.event.id)
    )
    return _already_shared(existing) if existing is not None else errors.page(409)


def _already_shared(entry):
    flash("This has already been shared in the learning library.", "info")
    return redirect(url_for("library.show", entry_id=entry.id))


@bp.route("/share/responses/<int:response_id>", methods=["GET", "POST"])
@login_required
@loads("response_id", responses.get, _shares_response)
def share_response(response):
    existing = sharing.entry_for_response(db.session, response.id)
    if existing is not None:
        return _already_shared(existing)
    return _share(sharing.response_source(db.session, response))


@bp.route("/share/events/<int:event_id>", methods=["GET", "POST"])
@login_required
@loads("event_id", events.get, policy.require_may_share_good_care)
def share_good_care(event):
    existing = sharing.entry_for_event(db.session, event.id)
    if existing is not None:
        return _already_shared(existing)
    return _share(sharing.good_care_source(db.session, event))


# ---- reading ------------------------------------------------------------------------------------


@bp.get("")
@login_required
def index():
    policy.require_staff(
        current_user, "The learning library is for staff of the organisations that share it."
    )
    filter_form = FilterForm(request.args)
    filters = filter_form.filters()
    page = reading.listing(
        db.session,
        current_user,
        filters,
        request.args.get("after"),
        current_app.config["PAGE_SIZE"],
        utcnow().date(),
    )
    args = filters.as_args()
    return render_template(
        "library/index.html",
        page=page,
        filters=filter_form,
        filtered=bool(args),
        icb_names=reading.organisation_names(db.session, [e.audience_icb_id for e in page.items]),
        audience_label=reading.audience_label,
        newest_url=url_for("library.index", **args),
        next_url=url_for("library.index", after=page.next_cursor, **args)
        if page.next_cursor
        else None,
    )


@bp.get("/<int:entry_id>")
@login_required
@loads("entry_id", reading.get_visible, scoped=True)
def show(entry):
    return render_template(
        "library/show.html", view=pages.entry_page(db.session, current_user, entry)
    )


@bp.post("/<int:entry_id>/icb")
@login_required
@loads("entry_id", reading.get_visible, scoped=True)
def widen_to_icb(entry):
    with unit_of_work(db.session):
        sharing.widen_to_icb(db.session, current_user, entry)
    flash("It is now shared with everyone in the ICB.", "success")
    return redirect(url_for("library.show", entry_id=entry.id))
