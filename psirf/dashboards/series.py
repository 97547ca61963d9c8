"""The XmR chart's series: events a month of one theme, for an ICB or one PCN or federation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from psirf.events.counts import EventCount
from psirf.events.lfpse import Theme
from psirf.dashboards import spc
from psirf.dashboards.services import (
    add_months,
    counted_record_types,
    in_group,
    in_icb,
    month_start,
    months_from,
)
from psirf.web import dates

SPC_MONTHS = 24


@dataclass
class Series:
    theme: str
    months: list[date]
    counts: list[int]
    chart: spc.XmR

    @property
    def labels(self) -> list[str]:
        return [dates.short_month(m) for m in self.months]

    @property
    def long_labels(self) -> list[str]:
        return [dates.month(m) for m in self.months]

    @property
    def theme_label(self) -> str:
        return Theme.label_for(self.theme)


def event_series(
    session: Session,
    icb_id: int,
    theme: str,
    today: date,
    group_id: int | None = None,
    months: int = SPC_MONTHS,
    baseline: int | None = None,
) -> Series:
    """Events a month of `theme` (good care left out) over the last `months` complete months,
    months without one counting 0. The current month is left out: it is not over, and its low count
    would read as a signal. So are the leading months when recording had not yet started: those
    before the first month whose events of every theme reach a quarter of the scope's median month
    (a system switched on mid-month, or a few events back-dated before it). `baseline` fixes the
    limits from the first N months shown."""
    scope = (
        in_group(EventCount.organisation_id, group_id)
        if group_id
        else in_icb(EventCount.organisation_id, icb_id)
    )
    this_month = month_start(today)
    first_allowed = add_months(this_month, -months)
    types = counted_record_types()
    theme_total = func.sum(case((EventCount.theme == theme, EventCount.count), else_=0))
    found = {
        m: (int(all_themes or 0), int(of_theme or 0))
        for m, all_themes, of_theme in session.execute(
            select(EventCount.month, func.sum(EventCount.count), theme_total)
            .where(
                scope,
                EventCount.month >= first_allowed,
                EventCount.month < this_month,
                EventCount.record_type.in_(types),
            )
            .group_by(EventCount.month)
        )
    }
    if not found:
        return Series(theme, [], [], spc.xmr([]))
    month_list = months_from(min(found), add_months(this_month, -1))
    totals = sorted(found.get(m, (0, 0))[0] for m in month_list)
    median = (
        totals[len(totals) // 2]
        if len(totals) % 2
        else (totals[len(totals) // 2 - 1] + totals[len(totals) // 2]) / 2
    )
    while month_list and found.get(month_list[0], (0, 0))[0] < median / 4:
        month_list.pop(0)
    counts = [found.get(m, (0, 0))[1] for m in month_list]
    return Series(theme, month_list, counts, spc.xmr(counts, baseline=baseline))
