"""Marshmallow fields shared by the features' API schemas."""

from __future__ import annotations

from datetime import timezone

from marshmallow import fields


class UtcDateTime(fields.DateTime):
    """A moment as RFC 3339 says it, with its offset ("2026-12-06T14:05:00+00:00"): the app keeps
    naive UTC datetimes (psirf.timeutil), which would otherwise go out with no zone at all."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)
