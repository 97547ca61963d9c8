"""The family portal: a patient's or family member's own pages, a thin blueprint over psirf.family.portal.

A family account reaches only these pages, the in-app notifications, the public pages and the
site's furniture (policy.family_may_reach). The hook below refuses everything else, whatever the
address: 404 where the address names an object (an event or a response by number), so it says
nothing of whether that object exists; 403 for other pages (queues, lists, forms).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.db import unit_of_work
from psirf.engagement.forms import yes_no
from psirf.engagement.models import AffectedPerson, SharedDocument

from psirf.family import portal
from psirf.family.forms import CommentForm, PreferencesForm, QuestionForm, ReportChoiceForm
from psirf.extensions import db
from psirf.timeutil import utcnow
from psirf.web.loading import loads
from psirf.problems import InputError
from psirf.web.forms import show_on_form

bp = Blueprint("family", __name__)


@bp.before_app_request
def keep_to_the_portal():
    if not policy.is_family(current_user):
        return None
    if request.endpoint is None or policy.family_may_reach(request.endpoint):
        return None  # an unknown address is a 404 already
    if request.view_args:
        abort(404)
    raise policy.NotPermitted(
        "This page is not part of your account. Go to your own page to see your review."
    )


def _today():
    return utcnow().date()


def _page(person_id: int, status: int = 200, question=None, comments=None, form=None):
    view = portal.view_for(db.session, current_user, person_id)
    question = question or QuestionForm(formdata=None)
    comments = comments or CommentForm(formdata=None)
    context = {"view": view, "question_form": question, "comment_form": comments}
    if form is not None:
        context["form"] = form  # the failed one: its error summary, and "Error:" in the title
    return render_template("family/person.html", **context), status


@bp.get("/your-response")
@login_required
def index():
    policy.require_family(current_user)
    people = portal.people_of(db.session, current_user)
    if len(people) == 1:
        return redirect(url_for("family.person", person_id=people[0].id))
    return render_template("family/index.html", people=people)


@bp.get("/your-response/<int:person_id>")
@login_required
@loads("person_id", AffectedPerson, policy.require_family_person)
def person(person):
    return _page(person.id)


def _send(person_id: int, form, field: str, apply, message: str, anchor: str, **page_forms):
    """Validate, apply in one transaction, or show the page again with what was typed."""
    if not form.validate_on_submit():
        return _page(person_id, 400, form=form, **page_forms)
    try:
        with unit_of_work(db.session):
            apply(getattr(form, field).data)
    except InputError as error:
        show_on_form(form, error)
        return _page(person_id, 400, form=form, **page_forms)
    flash(message, "success")
    return redirect(url_for("family.person", person_id=person_id, _anchor=anchor))


@bp.post("/your-response/<int:person_id>/questions")
@login_required
@loads("person_id", AffectedPerson, policy.require_family_person)
def ask(person):
    form = QuestionForm()
    return _send(
        person.id,
        form,
        "question",
        lambda text: portal.ask_question(
            db.session,
            current_user,
            person.id,
            text,
            today=_today(),
            in_report=form.in_report.data,
        ),
        "Thank you. We have your question. We will answer it.",
        "questions",
        question=form,
    )


@bp.post("/your-response/<int:person_id>/words/<int:step_id>")
@login_required
@loads("person_id", AffectedPerson, policy.require_family_person)
def choose_for_report(person, step_id: int):
    form = ReportChoiceForm()
    return _send(
        person.id,
        form,
        "in_report",
        lambda choice: portal.choose_for_report(
            db.session, current_user, person.id, step_id, choice == "yes"
        ),
        "Thank you. We have saved your choice.",
        "your-words",
    )


@bp.post("/your-response/<int:person_id>/comments")
@login_required
@loads("person_id", AffectedPerson, policy.require_family_person)
def comment(person):
    if not portal.view_for(db.session, current_user, person.id).may_comment:
        raise policy.NotPermitted("You can comment once we have shared the draft report with you.")
    form = CommentForm()
    return _send(
        person.id,
        form,
        "comments",
        lambda text: portal.comment_on_draft(
            db.session, current_user, person.id, text, today=_today()
        ),
        "Thank you. We have your comments on the draft.",
        "documents",
        comments=form,
    )


@bp.route("/your-response/<int:person_id>/preferences", methods=["GET", "POST"])
@login_required
@loads("person_id", AffectedPerson, policy.require_family_person)
def preferences(person):
    form = PreferencesForm(
        data={
            "contact_by": person.contact_by or [],
            "contact_when": person.contact_when,
            "language": person.language,
            "interpreter_needed": yes_no(person.interpreter_needed),
            "accessibility_needs": person.accessibility_needs,
            "involvement": person.involvement,
        }
    )
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                portal.update_preferences(db.session, current_user, person.id, form.values())
        except InputError as error:
            show_on_form(form, error)
        else:
            flash("Thank you. We have saved your choices.", "success")
            return redirect(url_for("family.person", person_id=person.id))
    status = 400 if form.errors else 200
    return render_template("family/preferences.html", person=person, form=form), status


@bp.get("/your-response/<int:person_id>/documents/<int:document_id>")
@login_required
@loads("person_id", AffectedPerson, policy.require_family_person)
@loads("document_id", SharedDocument, of="person", into="shared")
def document(person, shared):
    return Response(
        shared.content,
        mimetype=shared.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{shared.filename}"',
            # About their care: never kept by a shared cache.
            "Cache-Control": "private, no-store",
        },
    )
