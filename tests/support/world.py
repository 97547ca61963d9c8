"""A small organisation tree and one person per role, shared by the tests that need them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect, text
from sqlalchemy.orm import make_transient_to_detached

from psirf.accounts.models import Role
from psirf.extensions import Base, db
from tests.support.app import untouched
from tests.support.factories import IcbFactory, PcnFactory, PracticeFactory, UserFactory, one_commit


@dataclass
class World:
    icb: object
    pcn: object
    other_pcn: object
    practice: object
    other_practice: object
    lead: object
    other_lead: object
    reporter: object
    panel: object
    other_panel: object
    icb_quality: object
    icb_specialist: object
    admin: object
    outsider_icb_quality: object

    def people(self) -> dict[str, object]:
        """Every person of the world by their field name."""
        return {name: getattr(self, name) for name in PEOPLE}


# The world's people, one per role and place, by their field names in World.
PEOPLE = (
    "lead",
    "other_lead",
    "reporter",
    "panel",
    "other_panel",
    "icb_quality",
    "icb_specialist",
    "admin",
    "outsider_icb_quality",
)


def build_world() -> World:
    with one_commit():
        return _world()


def world_for(app) -> World:
    """The world in the app's database: written from the rows of the first world built, when the
    database is still as emptied for the test (a new world's rows differ from those only in their
    names' numbers and the time they were written); built, else. Most tests ask for the world, and
    its thirty statements, round trips on PostgreSQL, are most of such a test's setup."""
    if not untouched(app):
        return build_world()
    if _first is None:
        return _remember(build_world())
    for table, rows in _first.rows:
        db.session.execute(table.insert(), rows)
    if _first.sequences:
        db.session.execute(text("SELECT setval(CAST(:name AS regclass), :value)"), _first.sequences)
    db.session.commit()
    return World(**{field: _as_loaded(*key) for field, key in _first.objects.items()})


@dataclass
class _Rows:
    rows: list  # (table, [row as a dict]) for each table written, parents first
    sequences: list  # [{"name", "value"}] on PostgreSQL: each sequence the world moved on
    objects: dict  # the World's field -> (model class, primary key)


_first: _Rows | None = None


def _remember(world: World) -> World:
    global _first
    rows = []
    for table in Base.metadata.sorted_tables:
        written = [dict(row._mapping) for row in db.session.execute(table.select())]
        if written:
            rows.append((table, written))
    sequences = []
    if db.session.get_bind().dialect.name == "postgresql":
        sequences = [
            {"name": f'"{row.sequencename}"', "value": row.last_value}
            for row in db.session.execute(
                text(
                    "SELECT sequencename, last_value FROM pg_sequences"
                    " WHERE schemaname = 'public' AND last_value IS NOT NULL"
                )
            )
        ]
    objects = {field: (type(obj), inspect(obj).identity[0]) for field, obj in vars(world).items()}
    db.session.commit()
    _first = _Rows(rows, sequences, objects)
    return world


def _as_loaded(model, primary_key):
    """The object as a query would have left it after the world's commit: in the session, every
    attribute to be read from the database when first used."""
    obj = model(id=primary_key)
    make_transient_to_detached(obj)
    db.session.add(obj)
    db.session.expire(obj)
    return obj


def _world() -> World:
    icb = IcbFactory(name="Test ICB", ods_code="QAA")
    pcn = PcnFactory(icb=icb, name="North PCN")
    other_pcn = PcnFactory(icb=icb, name="South PCN")
    practice = PracticeFactory(icb=icb, name="Riverside", groups=[pcn])
    other_practice = PracticeFactory(icb=icb, name="Southfields", groups=[other_pcn])
    other_icb = IcbFactory(name="Other ICB", ods_code="QBB")
    return World(
        icb=icb,
        pcn=pcn,
        other_pcn=other_pcn,
        practice=practice,
        other_practice=other_practice,
        lead=UserFactory(name="Lee Lead", role=(Role.PATIENT_SAFETY_LEAD, practice)),
        other_lead=UserFactory(name="Lou Lead", role=(Role.PATIENT_SAFETY_LEAD, other_practice)),
        reporter=UserFactory(name="Robin Reporter", role=(Role.REPORTER, practice)),
        panel=UserFactory(name="Pat Panel", role=(Role.REVIEW_PANEL_MEMBER, pcn)),
        other_panel=UserFactory(name="Pip Panel", role=(Role.REVIEW_PANEL_MEMBER, other_pcn)),
        icb_quality=UserFactory(name="Quinn Quality", role=(Role.ICB_QUALITY_COMMITTEE, icb)),
        icb_specialist=UserFactory(
            name="Sam Specialist", role=(Role.ICB_PATIENT_SAFETY_SPECIALIST, icb)
        ),
        admin=UserFactory(name="Alex Admin", role=(Role.ADMINISTRATOR, icb)),
        outsider_icb_quality=UserFactory(
            name="Olly Outsider", role=(Role.ICB_QUALITY_COMMITTEE, other_icb)
        ),
    )
