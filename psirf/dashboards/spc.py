"""Statistical process control in the NHS "Making Data Count" style: the XmR chart's maths.

Pure functions over a list of numbers (no database, no Flask), checked against hand-worked series
in tests/dashboards/test_spc.py.

- Centre line: the mean. Moving range: |x(i) - x(i-1)|. Process limits: mean +- 2.66 x the mean
  moving range (not +- 3 standard deviations); for counts the lower limit is floored at zero.
  Two-sigma lines: mean +- 1.773 x the mean moving range.
- A baseline (the first N points) may fix the mean and limits; later points are judged against them.
- Special cause, the four rules: (1) a point beyond a process limit; (2) a shift: a run of
  `run_length` (7, or 6) or more points on one side of the mean (a point on the mean breaks it);
  (3) a trend: `run_length` or more points in a row each higher (or each lower) than the one
  before (an equal value breaks it); (4) two of three points in a row beyond the same two-sigma
  line, all three on that side of the mean (a third point on the mean or across it means no
  signal), points beyond the process limit counting. Every point of a run is flagged, each flag
  naming its rule; for rule 4 the points flagged are those beyond the line.
- Run and trend length: 7 by default, as NHSRplotthedots and Making Data Count's SPC guidance use;
  6 is allowed because the Excel tools let users choose it (NHSRplotthedots issue #202).
- Variation only: the direction of "better" is not known for incident counts (more reporting is
  often a healthier culture), so signals say "special cause", never improvement or concern.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

LIMIT_FACTOR = 2.66
TWO_SIGMA_FACTOR = 1.773

BEYOND_LIMIT = "beyond_limit"
SHIFT = "shift"
TREND = "trend"
TWO_OF_THREE = "two_of_three"
RULES = (BEYOND_LIMIT, SHIFT, TREND, TWO_OF_THREE)


def rule_label(rule: str, run_length: int = 7) -> str:
    return {
        BEYOND_LIMIT: "Beyond a process limit",
        SHIFT: f"Shift: {run_length} or more in a row on one side of the mean",
        TREND: f"Trend: {run_length} or more in a row each rising or each falling",
        TWO_OF_THREE: "Two of three in a row beyond the same two-sigma line, all on its side of the mean",
    }[rule]


@dataclass(frozen=True)
class Point:
    index: int
    value: float
    moving_range: float | None  # None for the first point
    rules: tuple[str, ...] = ()

    @property
    def special(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class XmR:
    points: tuple[Point, ...]
    mean: float
    mean_moving_range: float
    upper_limit: float
    lower_limit: float
    upper_two_sigma: float
    lower_two_sigma: float
    baseline: int  # how many points fixed the limits (all of them when no baseline was asked for)
    run_length: int = 7
    floored: bool = field(default=True)

    @property
    def special_points(self) -> list[Point]:
        return [p for p in self.points if p.special]

    @property
    def has_signal(self) -> bool:
        return any(p.special for p in self.points)

    def indices_for(self, rule: str) -> list[int]:
        return [p.index for p in self.points if rule in p.rules]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def moving_ranges(values: Sequence[float]) -> list[float]:
    return [abs(b - a) for a, b in zip(values, values[1:])]


def _runs(values: Sequence[float], key) -> list[tuple[int, int]]:
    """(start, end) index pairs, end inclusive, of maximal runs where key(i) is the same non-zero sign."""
    runs, start, current = [], None, 0
    for i in range(len(values)):
        sign = key(i)
        if sign != 0 and sign == current:
            continue
        if current != 0 and start is not None:
            runs.append((start, i - 1))
        start, current = (i, sign) if sign != 0 else (None, 0)
    if current != 0 and start is not None:
        runs.append((start, len(values) - 1))
    return runs


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _beyond_limits(values: Sequence[float], lower: float, upper: float) -> set[int]:
    return {i for i, v in enumerate(values) if v > upper or v < lower}


def _shifts(values: Sequence[float], mean: float, run_length: int) -> set[int]:
    """Every point of each run of `run_length` or more on one side of the mean."""
    return {
        i
        for start, end in _runs(values, lambda i: _sign(values[i] - mean))
        if end - start + 1 >= run_length
        for i in range(start, end + 1)
    }


def _trends(values: Sequence[float], run_length: int) -> set[int]:
    """Every point of each run of `run_length` or more each higher (or each lower) than the one
    before; the run includes its first point, so steps start..end join points start..end+1."""
    steps = [_sign(b - a) for a, b in zip(values, values[1:])]
    return {
        i
        for start, end in _runs(steps, lambda i: steps[i])
        if end - start + 2 >= run_length
        for i in range(start, end + 2)
    }


def _two_of_three(values: Sequence[float], mean: float, upper2: float, lower2: float) -> set[int]:
    """The points beyond a two-sigma line in each window of three in a row that lies wholly on the
    line's side of the mean with two or more beyond it. A window reaching across the mean (or
    touching it) is common cause, as NHSRplotthedots reads the rule: two points beyond the upper
    line and a third below the mean are a wide spread, not a shift."""
    flagged: set[int] = set()
    for side, beyond in ((1, lambda v: v > upper2), (-1, lambda v: v < lower2)):
        for start in range(len(values) - 2):
            window = range(start, start + 3)
            if any(_sign(values[i] - mean) != side for i in window):
                continue
            hits = [i for i in window if beyond(values[i])]
            if len(hits) >= 2:
                flagged.update(hits)
    return flagged


def xmr(
    values: Sequence[float],
    *,
    baseline: int | None = None,
    run_length: int = 7,
    floor_at_zero: bool = True,
) -> XmR:
    """The XmR chart of `values`, in order. `baseline` fixes the limits from the first N points
    (at least 2); `run_length` is 7 (the default) or 6; `floor_at_zero` keeps a count's lower limit at 0."""
    if run_length not in (6, 7):
        raise ValueError("run_length is 6 or 7")
    values = [float(v) for v in values]
    n = len(values)
    base_n = n if not baseline or baseline >= n else max(2, baseline)
    base = values[:base_n]
    mean = _mean(base)
    mr_bar = _mean(moving_ranges(base))
    upper, lower = mean + LIMIT_FACTOR * mr_bar, mean - LIMIT_FACTOR * mr_bar
    upper2, lower2 = mean + TWO_SIGMA_FACTOR * mr_bar, mean - TWO_SIGMA_FACTOR * mr_bar
    if floor_at_zero:
        lower, lower2 = max(0.0, lower), max(0.0, lower2)

    found = {
        SHIFT: _shifts(values, mean, run_length),
        TREND: _trends(values, run_length),
    }
    # The limit rules need limits apart: a flat series has no variation to go beyond.
    if mr_bar > 0:
        found[BEYOND_LIMIT] = _beyond_limits(values, lower, upper)
        found[TWO_OF_THREE] = _two_of_three(values, mean, upper2, lower2)

    mrs = [None, *moving_ranges(values)] if values else []
    points = tuple(
        Point(i, v, mrs[i], tuple(r for r in RULES if i in found.get(r, ())))
        for i, v in enumerate(values)
    )
    return XmR(
        points, mean, mr_bar, upper, lower, upper2, lower2, base_n, run_length, floor_at_zero
    )


def describe(chart: XmR, labels: Sequence[str]) -> str:
    """The signals in words, for the chart's <desc> and the page: 'No special cause ...' when none."""
    if not chart.points:
        return "There are no points to chart."
    parts = []
    for rule in RULES:
        where = [labels[i] for i in chart.indices_for(rule)]
        if where:
            parts.append(f"{rule_label(rule, chart.run_length)}: {', '.join(where)}.")
    if not parts:
        return "No special-cause variation: every point shows common-cause variation."
    return "Special-cause variation. " + " ".join(parts)
