"""The dashboards' tables as the JSON API reads them: each table of the group and ICB dashboards,
made by the same functions as its CSV (psirf.dashboards.csv), as columns and rows."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from psirf.dashboards.choosing import BASELINES
from psirf.dashboards.csv import GROUP_TABLES, ICB_TABLES
from psirf.events.lfpse import Theme
from psirf.web.inputs import DB_INT_MAX


class TableSchema(Schema):
    table = fields.String()
    columns = fields.List(fields.String())
    rows = fields.List(
        fields.List(fields.Raw(allow_none=True)),
        metadata={"description": "One list of cells per row, in the columns' order."},
    )


def cell(value):
    """A cell as JSON has it: numbers and yes/no as themselves, anything else as its text (no
    spreadsheet escaping: that is the CSV's, for the program that opens it)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def table_of(name: str, tables: dict, dashboard) -> dict:
    header, rows = tables[name](dashboard)
    return {
        "table": name,
        "columns": list(header),
        "rows": [[cell(v) for v in row] for row in rows],
    }


class GroupTableQuery(Schema):
    table = fields.String(required=True, validate=validate.OneOf(list(GROUP_TABLES)))


class IcbTableQuery(Schema):
    table = fields.String(required=True, validate=validate.OneOf(list(ICB_TABLES)))
    icb = fields.Integer(
        validate=validate.Range(min=1, max=DB_INT_MAX),
        metadata={"description": "One of the ICBs where you hold an ICB role; the first if none."},
    )
    theme = fields.String(
        validate=validate.OneOf([t.value for t in Theme]),
        metadata={"description": "The SPC chart's theme."},
    )
    group = fields.Integer(
        validate=validate.Range(min=1, max=DB_INT_MAX),
        metadata={"description": "One of the ICB's PCNs or federations, for the SPC chart."},
    )
    baseline = fields.Integer(
        validate=validate.OneOf(BASELINES),
        metadata={"description": "Fix the limits from the first 6 or 12 months."},
    )
