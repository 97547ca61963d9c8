"""The import pages in the route table: administrators of the ICB only (an administrator of another
ICB does not find its imports: 404)."""

from __future__ import annotations

from psirf.extensions import db
from psirf.imports.models import EventImport

REFUSED = {"lead": 403, "panel": 403, "reporter": 403, "icb_quality": 403}


def import_id(objects) -> int:
    """An import of the world's ICB, made the first time a case asks (route_objects is shared by
    every feature's cases; this one's object is its own)."""
    if "event_import" not in objects:
        world = objects["world"]
        record = EventImport(
            icb_id=world.icb.id,
            created_by_id=world.admin.id,
            filename="events.csv",
            source_format="csv",
            batch_size=1000,
            state="finished",
        )
        db.session.add(record)
        db.session.commit()
        objects["event_import"] = record.id
    return objects["event_import"]


def import_routes(case) -> dict:
    return {
        "imports.index": case("GET", lambda o: "/admin/imports", ("admin", 200), REFUSED),
        # 400: an empty form, which proves the policy let the administrator through.
        "imports.create": case("POST", lambda o: "/admin/imports", ("admin", 400), REFUSED),
        "imports.template_csv": case(
            "GET", lambda o: "/admin/imports/template.csv", ("admin", 200), REFUSED
        ),
        "imports.show": case(
            "GET",
            lambda o: f"/admin/imports/{import_id(o)}",
            ("admin", 200),
            {**REFUSED, "outsider_admin": 404},
        ),
        "imports.report_csv": case(
            "GET",
            lambda o: f"/admin/imports/{import_id(o)}/report.csv",
            ("admin", 200),
            {**REFUSED, "outsider_admin": 404},
        ),
    }
