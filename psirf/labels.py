"""Enums that carry a plain-English label, so one source feeds the pages, forms and exports."""

from __future__ import annotations

import enum


class LabelledEnum(str, enum.Enum):
    """A string enum whose members are declared as (value, label) or (value, label, code)."""

    def __new__(cls, value: str, label: str, code: int | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.code = code
        return member

    def __str__(self) -> str:
        return self.value

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]

    @classmethod
    def label_for(cls, value: str | None) -> str:
        try:
            return cls(value).label
        except ValueError:
            return value or ""
