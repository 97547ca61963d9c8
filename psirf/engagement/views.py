"""The engagement plan, its steps and the duty of candour: a thin blueprint over the services.

The forms live on the response page (templates/engagement/_part.html, whose `engagement_part`
this module builds as its part of that page: psirf.web.parts). A form sent with a
problem comes back on a page of its own, with the error summary and what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from psirf import policy
from psirf.engagement import candour, invitations, notifiable, page, services, sharing
from psirf.engagement.candour_steps import CandourTargets
from psirf.engagement.labels import CANDOUR_STEP_FIELDS
from psirf.engagement.forms import (
    AnswerForm,
    AttemptForm,
    CandourDecisionForm,
    CandourStepsForm,
    InviteForm,
    PersonForm,
    QuoteForm,
    ShareForm,
    StepForm,
    NOT_UNREACHABLE,
    WithdrawForm,
    yes_no,
)
from psirf.engagement.models import AffectedPerson, AttemptPurpose, DocumentKind, Invitation
from psirf.responses.reports import build_report
from psirf.extensions import db
from psirf.responses import services as responses
from psirf.timeutil import utcnow
from psirf.web import parts
from psirf.web.changes import changing
from psirf.web.loading import loads
from psirf.workflow import runner
from psirf.problems import InputError
from psirf.web.forms import show_on_form

bp = Blueprint("engagement", __name__)

# Each form's key is its prefix: the many forms on the response page never share an id.
FORMS = {
    "eng_person": PersonForm,
    "eng_step": StepForm,
    "eng_attempt": AttemptForm,
    "candour": CandourDecisionForm,
    "candour_steps": CandourStepsForm,
    "candour_attempt": AttemptForm,
}
TITLES = {
    "eng_person": "Add a person affected",
    "eng_step": "Record an engagement step",
    "eng_attempt": "Record an attempt to make contact",
    "eng_answer": "Answer a question",
    "candour": "The duty of candour test",
    "candour_steps": "Duty of candour: the steps taken",
    "candour_attempt": "Duty of candour: an attempt to make contact",
    "eng_invite": "Invite them to the family portal",
    "eng_share": "Share a report with them",
    "eng_withdraw": "Withdraw an invitation",
    "eng_quote": "Their words in the report",
}


def _today():
    return utcnow().date()


def _targets() -> CandourTargets:
    return CandourTargets.from_config(current_app.config)


def _editable(user, response) -> None:
    """Seen by the person (404 otherwise) and its engagement plan theirs to change (403 otherwise)."""
    services.check_edit(user, response, None)


def _records_candour(user, response) -> None:
    """Seen by the person (404 otherwise) and its duty of candour theirs to record (403 otherwise),
    also once the response has closed."""
    services.check_candour(user, response, None)


def _shares_documents(user, response) -> None:
    """Seen by the person (404 otherwise), and they share its documents with families (403
    otherwise): checked before the person or the form is read, so a refused person learns nothing."""
    policy.require_may_share_document(
        user, response, DocumentKind.FINAL, responses.state_of(response)
    )


def _set_choices(key: str, form, view: page.EngagementView) -> None:
    people = [
        (str(p.person.id), f"{p.person.name} ({p.person.kind_label.lower()})") for p in view.people
    ]
    if key == "eng_person":
        form.engagement_lead_id.choices = [("", "Choose a member of staff")] + [
            (str(u.id), u.name) for u in view.staff
        ]
    elif key in ("eng_step", "eng_attempt"):
        form.person_id.choices = [("", "Choose the person")] + people
    elif key == "candour_attempt":
        form.person_id.choices = [("", "Not one person in the plan")] + people
    elif key == "candour":
        form.criteria.choices = [(c.key, c.label) for c in view.candour_test.test.criteria]


def _view(response) -> page.EngagementView:
    return page.view_for(db.session, current_user, response, _today(), _targets(), utcnow())


@dataclass
class EngagementPart:
    view: page.EngagementView
    forms: dict


@parts.of("response")
def engagement_part(response) -> dict:
    """The context of templates/engagement/_part.html: `engagement_part`, an EngagementPart."""
    return {"engagement_part": _part(response)}


def _part(response) -> EngagementPart:
    """The engagement part's page model, with a blank form for each thing the user may do."""
    view = _view(response)
    forms = {}
    version = {"version": response.version_id}
    for key, form_class in FORMS.items():
        if not _offered(view, key):
            continue
        data = dict(version)
        if key == "candour_steps" and view.candour is not None:
            data.update(_steps_as_typed(view.candour))
        forms[key] = form_class(formdata=None, data=data, prefix=key)
        _set_choices(key, forms[key], view)
    if view.editable:
        for step in (s for pv in view.people for s in pv.steps if s.id in view.quotable):
            forms[f"eng_quote{step.id}"] = QuoteForm(
                formdata=None,
                data={**version, "in_report": "no" if step.in_report else "yes"},
                prefix=f"eng_quote{step.id}",
            )
        for q in view.questions:
            forms[f"eng_answer{q.id}"] = AnswerForm(
                formdata=None,
                data={**version, "answer": q.answer, "answered_on": q.answered_on},
                prefix=f"eng_answer{q.id}",
            )
        for pv in view.people:
            if pv.person.is_staff:
                continue
            if pv.invitable:
                forms[f"eng_invite{pv.person.id}"] = InviteForm(
                    formdata=None, data=version, prefix=f"eng_invite{pv.person.id}"
                )
            for invitation in pv.waiting:
                forms[f"eng_withdraw{invitation.id}"] = WithdrawForm(
                    formdata=None, data=version, prefix=f"eng_withdraw{invitation.id}"
                )
    if view.share_kinds:
        for pv in view.people:
            if pv.joined:
                share = ShareForm(
                    formdata=None,
                    data={"version": response.version_id},
                    prefix=f"eng_share{pv.person.id}",
                )
                share.kind.choices = [c for c in share.kind.choices if c[0] in view.share_kinds]
                forms[f"eng_share{pv.person.id}"] = share
    return EngagementPart(view, forms)


def _offered(view: page.EngagementView, key: str) -> bool:
    """Engagement forms while the plan may change; candour forms while the lead records candour,
    which goes on after the response closes."""
    return view.candour_editable if key.startswith("candour") else view.editable


def _steps_as_typed(record) -> dict:
    """The steps recorded, as the form shows them."""
    data = {name: getattr(record, name) for name in CANDOUR_STEP_FIELDS}
    data.update(
        apology_given=yes_no(record.apology_given),
        unreachable=record.unreachable or NOT_UNREACHABLE,
    )
    return data


def _problem(response, key: str, form, status: int = 400, refused: str | None = None):
    return render_template(
        "engagement/form.html",
        response=response,
        key=key,
        form=form,
        title=TITLES[key.rstrip("0123456789")],
        candour_test=notifiable.applied_to(response).test,
        refused=refused,
        target=_target_of(response, key),
    ), status


def _target_of(response, key: str):
    """The person (or invitation) a per-person form is about, for the page a problem comes back on."""
    number = key.lstrip("abcdefghijklmnopqrstuvwxyz_")
    if not number.isdigit() or key.startswith(("eng_answer", "eng_quote")):
        return None
    if key.startswith("eng_withdraw"):
        return db.session.get(Invitation, int(number))
    return db.session.get(AffectedPerson, int(number))


def _save(
    response, key: str, form, apply, anchor: str, message: str = "Your changes have been saved."
):
    """Validate, apply in one transaction, or show the form again with what went wrong."""
    if not form.validate_on_submit():
        return _problem(response, key, form)
    try:
        with changing(
            response, lambda message: _problem(response, key, form, 409, refused=message), form
        ):
            apply()
    except InputError as error:
        response = responses.get(db.session, response.id)
        show_on_form(form, error)
        return _problem(response, key, form)
    flash(message, "success")
    return redirect(url_for("responses.show", response_id=response.id, _anchor=anchor))


def _posted(key: str, response):
    form = FORMS[key](prefix=key)
    _set_choices(key, form, _view(response))
    return form


@bp.post("/responses/<int:response_id>/engagement/people")
@login_required
@loads("response_id", responses.get, _editable)
def add_person(response):
    form = _posted("eng_person", response)
    return _save(
        response,
        "eng_person",
        form,
        lambda: services.add_person(
            db.session, current_user, response, form.values(), form.version.data
        ),
        "engagement",
    )


@bp.route("/responses/<int:response_id>/engagement/people/<int:person_id>", methods=["GET", "POST"])
@login_required
@loads("response_id", responses.get, _editable)
@loads("person_id", AffectedPerson, of="response")
def edit_person(response, person):
    data = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    data.update(
        interpreter_needed=yes_no(person.interpreter_needed),
        wellbeing_signposted=yes_no(person.wellbeing_signposted),
        engagement_lead_id=str(person.engagement_lead_id or ""),
        version=response.version_id,
    )
    form = PersonForm(data=data, prefix="eng_person")
    _set_choices("eng_person", form, _view(response))
    if form.is_submitted():
        if form.validate():
            conflict = lambda message: render_template(
                "engagement/person.html",
                response=response,
                person=person,
                form=form,
                refused=message,
            )
            try:
                with changing(response, conflict, form):
                    services.update_person(
                        db.session, current_user, response, person, form.values(), form.version.data
                    )
            except InputError as error:
                db.session.rollback()
                show_on_form(form, error)
            else:
                flash("Your changes have been saved.", "success")
                return redirect(
                    url_for(
                        "responses.show", response_id=response.id, _anchor=f"person-{person.id}"
                    )
                )
        return render_template(
            "engagement/person.html", response=response, person=person, form=form
        ), 400
    return render_template("engagement/person.html", response=response, person=person, form=form)


@bp.post("/responses/<int:response_id>/engagement/steps")
@login_required
@loads("response_id", responses.get, _editable)
def add_step(response):
    form = _posted("eng_step", response)
    return _save(
        response,
        "eng_step",
        form,
        lambda: services.add_step(
            db.session,
            current_user,
            response,
            person_id=int(form.person_id.data),
            kind=form.kind.data,
            occurred_on=form.occurred_on.data,
            shared=form.shared.data == "shared",
            notes=form.notes.data,
            expected_version=form.version.data,
            today=_today(),
            in_report=form.in_report.data,
        ),
        "engagement",
    )


@bp.post("/responses/<int:response_id>/engagement/steps/<int:step_id>/report")
@login_required
@loads("response_id", responses.get, _editable)
def choose_for_report(response, step_id: int):
    key = f"eng_quote{step_id}"
    form = QuoteForm(prefix=key)
    return _save(
        response,
        key,
        form,
        lambda: services.choose_for_report(
            db.session,
            current_user,
            response,
            step_id,
            form.in_report.data == "yes",
            expected_version=form.version.data,
        ),
        "engagement",
        "Their choice about the report has been saved.",
    )


@bp.post("/responses/<int:response_id>/engagement/attempts")
@login_required
@loads("response_id", responses.get, _editable)
def add_attempt(response):
    return _attempt(response, "eng_attempt", AttemptPurpose.ENGAGEMENT.value, "engagement")


@bp.post("/responses/<int:response_id>/candour/attempts")
@login_required
@loads("response_id", responses.get, _records_candour)
def add_candour_attempt(response):
    return _attempt(response, "candour_attempt", AttemptPurpose.CANDOUR.value, "candour")


def _attempt(response, key: str, purpose: str, anchor: str):
    form = _posted(key, response)
    return _save(
        response,
        key,
        form,
        lambda: services.add_attempt(
            db.session,
            current_user,
            response,
            purpose=purpose,
            person_id=int(form.person_id.data) if form.person_id.data else None,
            attempted_on=form.attempted_on.data,
            means=form.means.data,
            outcome=form.outcome.data,
            expected_version=form.version.data,
            today=_today(),
        ),
        anchor,
    )


@bp.post("/responses/<int:response_id>/engagement/questions/<int:step_id>/answer")
@login_required
@loads("response_id", responses.get, _editable)
def answer_question(response, step_id: int):
    key = f"eng_answer{step_id}"
    form = AnswerForm(prefix=key)
    return _save(
        response,
        key,
        form,
        lambda: services.answer_question(
            db.session,
            current_user,
            response,
            step_id,
            answer=form.answer.data,
            answered_on=form.answered_on.data,
            expected_version=form.version.data,
            today=_today(),
        ),
        "questions",
    )


# ---- the family portal: invitations and shared documents -------------------------------------------


@bp.post("/responses/<int:response_id>/engagement/people/<int:person_id>/invitations")
@login_required
@loads("response_id", responses.get, _editable)
@loads("person_id", AffectedPerson, of="response")
def invite(response, person):
    """Invite by email (the link goes to the outbox) or by letter (its code is shown once, here)."""
    key = f"eng_invite{person.id}"
    form = InviteForm(prefix=key)
    if not form.validate_on_submit():
        return _problem(response, key, form)
    config = current_app.config
    try:
        with changing(
            response, lambda message: _problem(response, key, form, 409, refused=message), form
        ):
            invited = invitations.invite(
                db.session,
                current_user,
                response,
                person.id,
                means=form.means.data,
                email=form.email.data,
                expected_version=form.version.data,
                now=utcnow(),
                link_days=config["INVITATION_LINK_DAYS"],
                letter_days=config["INVITATION_LETTER_DAYS"],
                organisation_name=response.organisation.name if response.organisation else "",
            )
            # Read before the commit expires them: the letter needs them, and the code is never kept.
            code, expires_at, lead = (
                invited.code,
                invited.invitation.expires_at,
                person.engagement_lead,
            )
            letter = {
                "name": person.name,
                "lead": lead.name if lead else None,
                "organisation": response.organisation.name if response.organisation else "",
            }
    except InputError as error:
        response = responses.get(db.session, response.id)
        show_on_form(form, error)
        return _problem(response, key, form)
    if code is None:
        flash("The invitation is on its way by email. The link works once.", "success")
        return redirect(
            url_for("responses.show", response_id=response.id, _anchor=f"person-{person.id}")
        )
    printed = make_response(
        render_template(
            "engagement/letter.html",
            response=responses.get(db.session, response.id),
            person_id=person.id,
            code=invitations.format_code(code),
            expires_on=expires_at.date(),
            join_address=current_app.config["PUBLIC_BASE_URL"] + invitations.JOIN_PATH,
            **letter,
        )
    )
    # The code is shown this once: never kept by the browser or a cache.
    printed.headers["Cache-Control"] = "no-store"
    return printed


@bp.post("/responses/<int:response_id>/engagement/invitations/<int:invitation_id>/withdraw")
@login_required
@loads("response_id", responses.get, _editable)
def withdraw_invitation(response, invitation_id: int):
    key = f"eng_withdraw{invitation_id}"
    form = WithdrawForm(prefix=key)
    return _save(
        response,
        key,
        form,
        lambda: invitations.withdraw(
            db.session,
            current_user,
            response,
            invitation_id,
            expected_version=form.version.data,
            now=utcnow(),
        ),
        "engagement",
        "The invitation has been withdrawn. It can no longer be used.",
    )


@bp.post("/responses/<int:response_id>/engagement/people/<int:person_id>/documents")
@login_required
@loads("response_id", responses.get, _shares_documents)
@loads("person_id", AffectedPerson, of="response")
def share_document(response, person):
    key = f"eng_share{person.id}"
    form = ShareForm(prefix=key)
    return _save(
        response,
        key,
        form,
        lambda: sharing.share_document(
            db.session,
            current_user,
            response,
            person.id,
            form.kind.data,
            expected_version=form.version.data,
            today=_today(),
            build_pdf=lambda r: build_report(r, runner.definition_of(r)),
        ),
        f"person-{person.id}",
        "The report has been shared. They can read it and download it on their page.",
    )


@bp.post("/responses/<int:response_id>/candour/decision")
@login_required
@loads("response_id", responses.get, _records_candour)
def decide_candour(response):
    form = _posted("candour", response)
    return _save(
        response,
        "candour",
        form,
        lambda: candour.decide_candour(
            db.session,
            current_user,
            response,
            decision=form.decision.data,
            criteria=form.criteria.data or [],
            reason=form.reason.data,
            decided_on=form.decided_on.data,
            expected_version=form.version.data,
            today=_today(),
        ),
        "candour",
    )


@bp.post("/responses/<int:response_id>/candour/steps")
@login_required
@loads("response_id", responses.get, _records_candour)
def record_candour(response):
    form = _posted("candour_steps", response)
    return _save(
        response,
        "candour_steps",
        form,
        lambda: candour.record_candour_steps(
            db.session, current_user, response, form.values(), form.version.data, _today()
        ),
        "candour",
    )
