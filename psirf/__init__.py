"""The psirf application factory: settings, extensions, blueprints and commands."""

from __future__ import annotations

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from psirf import config as settings
from psirf import extensions


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(settings.PROJECT_ROOT / "templates"),
        instance_path=str(settings.INSTANCE_DIR),
    )
    app.config.from_mapping(settings.load(overrides))
    configure_logging(app)
    configure_proxies(app)
    configure_templates(app)
    configure_extensions(app)
    configure_inputs(app)
    configure_blueprints(app)
    configure_notifications(app)
    configure_commands(app)
    return app


def configure_logging(app: Flask) -> None:
    from psirf.web.logging import install_redaction

    # Before anything touches app.logger: Flask gives it a handler of its own only when no
    # handler above it exists, and the redacting one on the root should be that handler.
    install_redaction(app.name, "werkzeug", "sqlalchemy")


def configure_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, the client's address and scheme come from their headers.

    Only X-Forwarded-For (per-address throttles count each person) and X-Forwarded-Proto (https
    links and secure cookies behind a TLS proxy). Not X-Forwarded-Host: links in emails use
    PUBLIC_BASE_URL, and nothing else needs a host the proxy rewrote.
    """
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0
        )


def configure_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(settings.PROJECT_ROOT / "templates")),
            PackageLoader("nhsuk_frontend_jinja", "templates"),
        ]
    )
    # Flask escapes only .html templates by default, and the NHS.UK macros are .jinja files: a value
    # passed to a macro as "text" would be printed raw. Every template escapes, whatever its name.
    app.jinja_env.autoescape = True
    # The NHS.UK macros read optional keys freely; ChainableUndefined lets them.
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.bytecode_cache = app.config.get("TEMPLATE_BYTECODE_CACHE")


def configure_extensions(app: Flask) -> None:
    import psirf.schema  # noqa: F401  (every model registered before first use)
    from psirf import features
    from psirf.workflow.definitions import load_all

    # Through the module: the submodule psirf.db would shadow a global named `db` here.
    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=str(settings.PROJECT_ROOT / "migrations")
    )
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    login_manager = extensions.login_manager
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    # Fail at start-up, not at the first click, if a workflow names an unknown guard or a state
    # constant names a state no workflow declares: the features register theirs first.
    features.load()
    load_all()


def configure_inputs(app: Flask) -> None:
    from psirf.web.inputs import install_input_layer

    # Before the blueprints: their routes' "int" is the bounded converter installed here.
    install_input_layer(app)


def configure_blueprints(app: Flask) -> None:
    from psirf import api
    from psirf.accounts.token_views import bp as tokens_bp
    from psirf.accounts.views import bp as accounts_bp
    from psirf.actions.views import bp as actions_bp
    from psirf.bulletins.views import bp as bulletins_bp
    from psirf.alerts.views import bp as alerts_bp
    from psirf.dashboards.views import bp as dashboards_bp
    from psirf.engagement.views import bp as engagement_bp
    from psirf.events.views import bp as events_bp
    from psirf.lfpse.views import bp as lfpse_bp
    from psirf.events.public_views import bp as public_events_bp
    from psirf.events.feedback_views import bp as reporter_feedback_bp
    from psirf.events.feedback_views import public_bp as follow_bp
    from psirf.family.join_views import bp as family_join_bp
    from psirf.family.views import bp as family_bp
    from psirf.imports.views import bp as imports_bp
    from psirf.improvement.views import bp as improvement_bp
    from psirf.nearmiss.views import bp as nearmiss_bp
    from psirf.library.views import bp as library_bp
    from psirf.organisations.views import bp as organisations_bp
    from psirf.plans.views import bp as plans_bp
    from psirf.readiness.views import bp as readiness_bp
    from psirf.plans.views import public_bp as public_plans_bp
    from psirf.responses.views import bp as responses_bp
    from psirf.triage.views import bp as triage_bp
    from psirf.web import views as web_views
    from psirf.api.page import bp as api_docs_bp
    from psirf.web.security import install_security_headers

    # The JSON API first: its hook must run before any other, so it never reads a cookie.
    api.install(app)
    for bp in (
        web_views.bp,
        accounts_bp,
        tokens_bp,
        api_docs_bp,
        organisations_bp,
        events_bp,
        public_events_bp,
        reporter_feedback_bp,
        follow_bp,
        triage_bp,
        responses_bp,
        engagement_bp,
        family_bp,
        family_join_bp,
        actions_bp,
        library_bp,
        improvement_bp,
        bulletins_bp,
        plans_bp,
        public_plans_bp,
        dashboards_bp,
        lfpse_bp,
        imports_bp,
        nearmiss_bp,
        alerts_bp,
        readiness_bp,
    ):
        app.register_blueprint(bp)
    web_views.register_page_helpers(app)
    install_security_headers(app)


def configure_notifications(app: Flask) -> None:
    from psirf.imports import jobs as import_jobs
    from psirf.lfpse.tasks import register as register_lfpse_task
    from psirf.notifications.queue import configure_notifications as configure

    configure(app)
    # On the same worker's queue.
    register_lfpse_task(app)
    import_jobs.register(app)


def configure_commands(app: Flask) -> None:
    from psirf.cli import register
    from psirf.notifications.queue import worker_command

    register(app)
    app.cli.add_command(worker_command)
