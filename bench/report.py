"""The results: a table on stdout and bench/results.json (gitignored)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from bench.figures import Row

RESULTS = Path(__file__).resolve().parent / "results.json"
COLUMNS = ("figure", "database", "workers", "value", "baseline", "ratio", "target", "met")


def _cell(row: Row, column: str) -> str:
    if column == "value":
        return f"{row.value} {row.unit}".strip()
    if column == "baseline":
        return "" if row.baseline is None else f"{row.baseline} {row.unit}".strip()
    if column == "ratio":
        return "" if row.ratio is None else f"{row.ratio:.2f}×"
    if column == "met":
        return {True: "met", False: "MISSED", None: ""}[row.met]
    return str(getattr(row, column))


def table(rows: list[Row]) -> str:
    cells = [list(COLUMNS)] + [[_cell(r, c) for c in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"- {r.figure} ({r.database}): {r.note}" for r in rows if r.note]
    return "\n".join(lines + ["", "Notes:"] + notes)


def write(rows: list[Row], meta: dict, path: Path = RESULTS) -> None:
    path.write_text(
        json.dumps(
            {"run": meta, "figures": [asdict(r) | {"ratio": r.ratio} for r in rows]},
            indent=2,
            default=str,
        )
    )
