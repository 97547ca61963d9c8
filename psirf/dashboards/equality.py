"""Equality breakdowns: the patients recorded on an ICB's events by age band, gender and ethnicity,
with small numbers suppressed so no patient can be singled out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psirf.events.counts import EqualityRollup
from psirf.events.lfpse import AgeBand, Ethnicity, Gender
from psirf.dashboards.services import share, window_start

SMALL_NUMBER = 5  # counts from 1 to 4 are shown as "<5"


@dataclass(frozen=True)
class EqualityRow:
    value: str | None
    label: str
    patients: int
    serious: int  # moderate harm or worse

    @property
    def patients_text(self) -> str:
        return suppress(self.patients)

    @property
    def serious_text(self) -> str:
        """Hidden with a small group: "<5" of "<5" could still single a patient out."""
        if self.patients == 0:
            return "0"
        return "Suppressed" if self.patients < SMALL_NUMBER else suppress(self.serious)

    @property
    def serious_share_text(self) -> str:
        if self.patients == 0:
            return "None recorded"
        if self.patients < SMALL_NUMBER or 0 < self.serious < SMALL_NUMBER:
            return "Suppressed"
        return f"{share(self.serious, self.patients)}%"


def suppress(n: int) -> str:
    """Counts from 1 to 4 could identify a patient: shown as "<5"."""
    return f"<{SMALL_NUMBER}" if 0 < n < SMALL_NUMBER else f"{n:,}"


EQUALITY = (
    ("age_band", "Age", AgeBand),
    ("gender", "Gender", Gender),
    ("ethnicity", "Ethnicity", Ethnicity),
)


@dataclass
class Breakdown:
    key: str
    title: str
    rows: list[EqualityRow]  # the recorded values, in the enum's order
    not_recorded: EqualityRow


def equality(session: Session, icb_id: int, today: date) -> list[Breakdown]:
    """Patients recorded on the ICB's safety events of the last 12 months (good care left out), by
    age band, gender and ethnicity: how many, and how many came to moderate harm or worse (the
    patient's own harm; one recorded without it takes the event's only when the event has no
    other patient). One GROUP BY over the equality rollup."""
    found: dict[str, dict[str, tuple[int, int]]] = {key: {} for key, _, _ in EQUALITY}
    for characteristic, value, n, serious in session.execute(
        select(
            EqualityRollup.characteristic,
            EqualityRollup.value,
            func.sum(EqualityRollup.patients),
            func.sum(EqualityRollup.serious),
        )
        .where(EqualityRollup.icb_id == icb_id, EqualityRollup.month >= window_start(today))
        .group_by(EqualityRollup.characteristic, EqualityRollup.value)
    ):
        if n and characteristic in found:
            found[characteristic][value] = (int(n), int(serious))
    breakdowns = []
    for key, title, enum in EQUALITY:
        values = found[key]
        rows = [EqualityRow(m.value, m.label, *values.pop(m.value, (0, 0))) for m in enum]
        missing = values.pop("", (0, 0))  # the rollup's value when none was recorded
        rows += [
            EqualityRow(v, v, n, s) for v, (n, s) in sorted(values.items())
        ]  # values no longer in the list
        breakdowns.append(Breakdown(key, title, rows, EqualityRow(None, "Not recorded", *missing)))
    return breakdowns
