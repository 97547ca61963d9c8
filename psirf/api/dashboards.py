"""The dashboards' tables as JSON: a PCN's or federation's (its panel and its ICB's roles) and the
ICB's (its quality committee and patient safety specialists), each table by the same function as
its CSV download, over the same dashboard and the same policy as the pages."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from psirf import policy
from psirf.api.registry import operation
from psirf.api.replies import reply
from psirf.dashboards import choosing, csv, schemas, services
from psirf.extensions import db
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow
from psirf.web.loading import fetch

_TABLE = schemas.TableSchema()


@operation(
    "/dashboards/groups/<int:group_id>",
    summary="A table of a PCN's or federation's dashboard",
    tag="dashboards",
    query=schemas.GroupTableQuery,
    response=schemas.TableSchema,
    errors=(403,),
)
def group_table(group_id, query):
    """One table of the group's dashboard, as its CSV has it."""
    group = fetch(Organisation, group_id, policy.require_group_oversight)
    dashboard = services.group_dashboard(db.session, group, utcnow())
    return reply(_TABLE.dump(schemas.table_of(query["table"], csv.GROUP_TABLES, dashboard)))


@operation(
    "/dashboards/icb",
    summary="A table of the ICB dashboard",
    tag="dashboards",
    query=schemas.IcbTableQuery,
    response=schemas.TableSchema,
    errors=(403,),
)
def icb_table(query):
    """One table of the ICB's dashboard, as its CSV has it; the SPC table follows the theme,
    group and baseline chosen, as the page's chart does."""
    dashboard = choosing.icb_dashboard(
        current_user._get_current_object(),
        utcnow(),
        current_app.config["CANDOUR_TARGET_WORKING_DAYS"],
        icb_id=query.get("icb"),
        theme=query.get("theme"),
        group_id=query.get("group"),
        baseline=query.get("baseline"),
    )
    return reply(_TABLE.dump(schemas.table_of(query["table"], csv.ICB_TABLES, dashboard)))
