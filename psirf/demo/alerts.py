"""The demo's national patient safety alert (seed/alerts.yaml): recorded, issued and confirmed
through the services, as people would have, on days counted back from the day of seeding. Loaded
once (an alert with its reference already recorded is left alone)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf.accounts import services as accounts
from psirf.alerts import services
from psirf.alerts.models import Alert
from psirf.demo.organisations import read_seed
from psirf.organisations.models import Organisation
from psirf.timeutil import utcnow


def load_alerts(session: Session, now: datetime | None = None) -> int:
    now = now or utcnow()
    today = now.date()
    by_code = {o.ods_code: o for o in session.scalars(select(Organisation))}
    loaded = 0
    for spec in read_seed("alerts.yaml")["alerts"]:
        organisation = by_code[spec["organisation"]]
        if session.scalar(
            select(Alert.id).where(
                Alert.organisation_id == organisation.id, Alert.reference == spec["reference"]
            )
        ):
            continue
        author = accounts.find_by_email(session, spec["recorded_by"])
        issued_on = today - timedelta(days=spec["issued_days_ago"])
        alert = services.create(
            session,
            author,
            organisation.id,
            spec["reference"],
            spec["title"],
            issued_on,
            spec["link"],
            spec["service_kinds"],
            [
                (
                    a["description"],
                    today - timedelta(days=a["deadline_days_ago"])
                    if "deadline_days_ago" in a
                    else today + timedelta(days=a["deadline_in_days"]),
                )
                for a in spec["actions"]
            ],
        )
        alert.created_at = now - timedelta(days=spec["issued_days_ago"])
        services.issue(session, author, alert, alert.version_id, now=alert.created_at)
        for item in spec["confirmations"]:
            when = now - timedelta(days=item["days_ago"])
            confirmation = services.get_confirmation(
                session, alert, by_code[item["organisation"]], alert.actions[item["action"] - 1].id
            )
            answer = services.Answer(
                item["status"],
                item.get("note"),
                item.get("reason"),
                today + timedelta(days=item["expected_in_days"])
                if "expected_in_days" in item
                else None,
                when.date() if item["status"] == "done" else None,
            )
            services.confirm(
                session,
                accounts.find_by_email(session, item["by"]),
                confirmation,
                answer,
                confirmation.version_id,
                when.date(),
                now=when,
            )
        loaded += 1
    return loaded
