"""The public report: patients, families and carers tell a service what happened, one question a page.

Answers wait on the server, in a draft row whose key is all the session cookie holds
(psirf/events/drafts.py), until the check-your-answers page sends them to the same service function
the staff form uses. No sign-in is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import (
    Blueprint,
    abort,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from psirf.db import unit_of_work
from psirf.events import drafts, feedback, forms, services
from psirf.extensions import db
from psirf.organisations import services as organisations
from psirf.timeutil import utcnow
from psirf.web import throttle
from psirf.problems import InputError

bp = Blueprint("events_public", __name__, url_prefix="/report")

# The cookie holds only the key of the answers' draft row (psirf/events/drafts.py).
DRAFT = "public_report_draft"
REFERENCE = "public_report_reference"
# The private code waits here only until the done page shows it, once.
FOLLOW_CODE = "public_report_follow_code"


@dataclass(frozen=True)
class Step:
    name: str  # the endpoint, and the page's slug
    answer: str  # the key in the answers that shows the step was answered
    title: str


STEPS = [
    Step("service", "organisation_id", "Which service is it about?"),
    Step("kind", "record_type", "What do you want to tell us about?"),
    Step("when", "occurred_on", "When did it happen?"),
    Step("what", "description", "What happened?"),
    Step("harm", "physical_harm", "Was anyone harmed?"),
    Step("theme", "theme", "What was it mostly about?"),
    Step("about_you", "reporter_kind", "Who are you?"),
    Step("contact", "contact_answered", "Can we contact you?"),
]
STEP_BY_NAME = {step.name: step for step in STEPS}
# Where the service's InputError points, so the check page can send the person back.
STEP_FOR_FIELD = {
    "organisation_id": "service",
    "record_type": "kind",
    "occurred_on": "when",
    "description": "what",
    "physical_harm": "harm",
    "theme": "theme",
    "reporter_kind": "about_you",
    "reporter_name": "contact",
    "reporter_contact": "contact",
}


# ---- the answers kept between pages ------------------------------------------------------


def _answers() -> dict:
    if "public_report_answers" not in g:
        g.public_report_answers = drafts.answers(db.session, session.get(DRAFT), utcnow())
    return dict(g.public_report_answers)


def _save(**values) -> None:
    if not session.get(DRAFT):
        session[DRAFT] = drafts.new_key()
    with unit_of_work(db.session):
        g.public_report_answers = drafts.save(db.session, session[DRAFT], values, utcnow())


def _form(form_class, data: dict | None = None):
    """A page's form: what was posted, or else the answer given before."""
    if request.method == "POST":
        return form_class()
    return form_class(formdata=None, data=_answers() if data is None else data)


def _changing() -> bool:
    return request.args.get("change") == "1"


def _url(step_name: str) -> str:
    return url_for(f"events_public.{step_name}", change="1" if _changing() else None)


def _first_missing(answers: dict) -> Step | None:
    return next((step for step in STEPS if step.answer not in answers), None)


def _after(step_name: str):
    """Next page: back to the check page when changing an answer, else the next question."""
    if _changing():
        return redirect(url_for("events_public.check"))
    index = [step.name for step in STEPS].index(step_name)
    following = STEPS[index + 1].name if index + 1 < len(STEPS) else "check"
    return redirect(url_for(f"events_public.{following}"))


def _back(step_name: str) -> str:
    if _changing():
        return url_for("events_public.check")
    index = [step.name for step in STEPS].index(step_name)
    return (
        url_for(f"events_public.{STEPS[index - 1].name}")
        if index
        else url_for("events_public.start")
    )


def _question(step_name: str, form, field, kind: str, hint: str | None = None):
    return render_template(
        "events/public/question.html",
        step=STEP_BY_NAME[step_name],
        form=form,
        field=field,
        kind=kind,
        hint=hint,
        back_url=_back(step_name),
        action=_url(step_name),
    ), 400 if form.errors else 200


# ---- pages --------------------------------------------------------------------------------


@bp.get("")
def start():
    return render_template("events/public/start.html")


@bp.route("/service", methods=["GET", "POST"])
def service():
    answers = _answers()
    if request.method == "POST":
        choose = forms.ServiceChoiceForm()
        query = choose.q.data or ""
        search = forms.ServiceSearchForm(formdata=None, data={"q": query})
        choose.set_services(organisations.services_for_public(db.session, query) if query else [])
        if choose.validate_on_submit():
            _save(organisation_id=int(choose.organisation_id.data))
            return _after("service")
    else:
        query = None
        if "q" in request.args:
            search = forms.ServiceSearchForm(request.args)
            if search.validate():
                query = search.q.data
        else:
            chosen = (
                organisations.get(db.session, answers["organisation_id"])
                if answers.get("organisation_id")
                else None
            )
            query = chosen.ods_code if chosen else None
            search = forms.ServiceSearchForm(formdata=None, data={"q": query or ""})
        choose = forms.ServiceChoiceForm(
            formdata=None,
            data={"q": query or "", "organisation_id": str(answers.get("organisation_id") or "")},
        )
        choose.set_services(organisations.services_for_public(db.session, query) if query else [])
    return render_template(
        "events/public/service.html",
        step=STEP_BY_NAME["service"],
        form=search if search.errors else choose,
        search=search,
        choose=choose,
        query=query,
        back_url=_back("service"),
        action=_url("service"),
        changing=_changing(),
    ), 400 if search.errors or choose.errors else 200


@dataclass(frozen=True)
class Question:
    """A page that asks one thing and keeps the answer under its step's key."""

    step: str
    path: str
    form: type
    kind: str  # which NHS.UK component the page uses: radios or textarea
    hint: str | None = None


SINGLE_ANSWER_QUESTIONS = [
    Question("kind", "/kind", forms.PublicKindForm, "radios"),
    Question(
        "what",
        "/what-happened",
        forms.PublicWhatForm,
        "textarea",
        hint="Tell us in your own words. Say what happened first, then what happened next. Use up to 2,000 characters.",
    ),
    Question(
        "harm",
        "/harm",
        forms.PublicHarmForm,
        "radios",
        hint="Think about the person the care was for.",
    ),
    Question(
        "theme", "/theme", forms.PublicThemeForm, "radios", hint="Choose the one that fits best."
    ),
    Question("about_you", "/about-you", forms.PublicAboutYouForm, "radios"),
]


def _ask(question: Question):
    step = STEP_BY_NAME[question.step]

    def view():
        form = _form(question.form)
        field = getattr(form, step.answer)
        if form.validate_on_submit():
            _save(**{step.answer: field.data})
            return _after(step.name)
        return _question(step.name, form, field, question.kind, hint=question.hint)

    return view


for _q in SINGLE_ANSWER_QUESTIONS:
    bp.add_url_rule(_q.path, _q.step, _ask(_q), methods=["GET", "POST"])


@bp.route("/when", methods=["GET", "POST"])
def when():
    answers = _answers()
    saved = date.fromisoformat(answers["occurred_on"]) if answers.get("occurred_on") else None
    form = _form(forms.PublicWhenForm, {"occurred_on": saved})
    if form.validate_on_submit():
        _save(occurred_on=form.occurred_on.data.isoformat())
        return _after("when")
    return _question(
        "when",
        form,
        form.occurred_on,
        "date",
        hint="For example, 15 3 2026. If you do not know the exact day, give your best guess.",
    )


@bp.route("/contact", methods=["GET", "POST"])
def contact():
    form = _form(forms.PublicContactForm)
    if form.validate_on_submit():
        _save(
            reporter_name=form.reporter_name.data or "",
            reporter_contact=form.reporter_contact.data or "",
            contact_answered=True,
        )
        return _after("contact")
    return render_template(
        "events/public/contact.html",
        step=STEP_BY_NAME["contact"],
        form=form,
        back_url=_back("contact"),
        action=_url("contact"),
    ), 400 if form.errors else 200


@bp.route("/check", methods=["GET", "POST"])
def check():
    if request.method == "POST":
        # Every report sent counts, before anything is recorded.
        throttle.count_address("public-report", "PUBLIC_REPORT_LIMIT")
    answers = _answers()
    missing = _first_missing(answers)
    if missing:
        return redirect(url_for(f"events_public.{missing.name}"))
    organisation = organisations.get(db.session, answers["organisation_id"])
    problem = None
    if request.method == "POST":  # CSRF is checked for every POST by the app's CSRFProtect
        harm = answers["physical_harm"]
        try:
            with unit_of_work(db.session):
                event = services.record_event(
                    db.session,
                    organisation=organisation,
                    record_type=answers["record_type"],
                    occurred_on=date.fromisoformat(answers["occurred_on"]),
                    description=answers["description"],
                    theme=answers["theme"],
                    service_area=services.default_service_area(organisation)
                    if organisation
                    else None,
                    patients=[] if harm == forms.PUBLIC_HARM_UNKNOWN else [{"physical_harm": harm}],
                    reporter_kind=answers["reporter_kind"],
                    reporter_name=answers.get("reporter_name") or None,
                    reporter_contact=answers.get("reporter_contact") or None,
                )
                code = feedback.issue_follow_code(db.session, event)
                drafts.discard(db.session, session.get(DRAFT))
        except InputError as error:
            problem = {
                "text": str(error),
                "href": url_for(
                    f"events_public.{STEP_FOR_FIELD.get(error.field, 'service')}", change="1"
                ),
            }
        else:
            session.pop(DRAFT, None)
            session[REFERENCE] = event.reference
            session[FOLLOW_CODE] = code
            return redirect(url_for("events_public.done"))
    return render_template(
        "events/public/check.html",
        answers=answers,
        organisation=organisation,
        occurred_on=date.fromisoformat(answers["occurred_on"]),
        labels={
            "record_type": forms.public_label(forms.PUBLIC_RECORD_TYPES, answers["record_type"]),
            "physical_harm": forms.public_label(forms.PUBLIC_HARMS, answers["physical_harm"]),
            "theme": forms.public_label(forms.PUBLIC_THEMES, answers["theme"]),
            "reporter_kind": forms.public_label(forms.PUBLIC_REPORTERS, answers["reporter_kind"]),
        },
        problem=problem,
    ), (422 if problem else 200)


@bp.get("/done")
def done():
    reference = session.get(REFERENCE)
    if not reference:
        abort(404)
    # Shown once: a refresh, or someone later at the same browser, sees the reference only.
    code = session.pop(FOLLOW_CODE, None)
    page = make_response(render_template("events/public/done.html", reference=reference, code=code))
    page.headers["Cache-Control"] = "no-store"
    return page
