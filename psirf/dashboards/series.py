"""The XmR chart's series: events a month of one theme, for an ICB or one PCN or federation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psirf.events.lfpse import insight_theme_label
from psirf.dashboards import spc
from psirf.dashboards.services import area_themes, month_start, months_from
from psirf.timeutil import add_months
from psirf.web import dates

SPC_MONTHS = 24


@dataclass
class Series:
    theme: str
    months: list[date]
    counts: list[int]
    chart: spc.XmR

    # Worked out once: the page's table reads a label for each of its rows.
    @cached_property
    def labels(self) -> list[str]:
        return [dates.short_month(m) for m in self.months]

    @cached_property
    def long_labels(self) -> list[str]:
        return [dates.month(m) for m in self.months]

    @property
    def theme_label(self) -> str:
        return insight_theme_label(self.theme)


def event_series(
    session: Session,
    icb_id: int,
    theme: str,
    today: date,
    group_id: int | None = None,
    months: int = SPC_MONTHS,
    baseline: int | None = None,
) -> Series:
    """Events a month of `theme` (good care left out) over complete months, at most `months` of
    them, months without one counting 0. The current month is left out: it is not over, and its
    low count would read as a signal. `baseline` fixes the limits from the first N months shown.

    Each theme's series starts on its own (`series_start`), from its own counts: one service's
    back-dated history of one theme adds no empty months to the chart of any other."""
    this_month = month_start(today)
    last = add_months(this_month, -1)
    # A PCN's or federation's chart counts its own events beside its members', as its dashboard does.
    rows = area_themes(
        group_id or icb_id, add_months(this_month, -months), last, own=group_id is not None
    )
    total = func.sum(rows.c.count)
    found = {
        m: int(n)
        for m, n in session.execute(
            select(rows.c.month, total).where(rows.c.theme == theme).group_by(rows.c.month)
        )
        if n
    }
    if not found:
        return Series(theme, [], [], spc.xmr([]))
    month_list = months_from(series_start(found, last), last)
    counts = [found.get(m, 0) for m in month_list]
    return Series(theme, month_list, counts, spc.xmr(counts, baseline=baseline))


def series_start(found: dict[date, int], last: date) -> date:
    """The first month of a series whose months with events are `found`, up to `last`: the first
    month that reaches a quarter of the series' median month (counted from its first event, empty
    months as 0). Months before it are left off, not drawn as zeros: a theme recorded from a
    system switched on mid-month, or a few of its events back-dated before recording began, would
    open its chart with near-empty months that read as a signal."""
    months = months_from(min(found), last)
    quarter = median(found.get(m, 0) for m in months) / 4
    return next(m for m in months if found.get(m, 0) >= max(quarter, 1))
