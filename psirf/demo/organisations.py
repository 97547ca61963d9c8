"""Loads the demo organisations and accounts from seed/, skipping what is already there."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from psirf.accounts import services as accounts
from psirf.accounts.models import Role
from psirf.config import PROJECT_ROOT
from psirf.organisations import services as organisations
from psirf.organisations.models import Organisation, OrganisationKind

SEED_DIR = PROJECT_ROOT / "seed"


def read_seed(name: str, folder: Path = SEED_DIR) -> dict:
    return yaml.safe_load((folder / name).read_text())


def load_organisations(session: Session) -> dict[str, Organisation]:
    data = read_seed("organisations.yaml")
    by_code: dict[str, Organisation] = {}

    def ensure(
        spec: dict, kind: OrganisationKind, icb: Organisation | None, groups=()
    ) -> Organisation:
        existing = organisations.by_ods_code(session, spec["ods_code"])
        if existing is None:
            existing = organisations.create(
                session,
                name=spec["name"],
                ods_code=spec["ods_code"],
                kind=kind,
                icb=icb,
                groups=list(groups),
            )
        by_code[existing.ods_code] = existing
        return existing

    icb = ensure(data["icb"], OrganisationKind.ICB, None)
    for spec in data["groups"]:
        ensure(spec, OrganisationKind(spec["kind"]), icb)
    for spec in data["services"]:
        ensure(
            spec, OrganisationKind(spec["kind"]), icb, [by_code[c] for c in spec.get("groups", [])]
        )
    for spec in data["partners"]:
        ensure(spec, OrganisationKind(spec["kind"]), icb)
    return by_code


def load_accounts(session: Session, by_code: dict[str, Organisation]) -> list[dict]:
    data = read_seed("accounts.yaml")
    for spec in data["accounts"]:
        if accounts.find_by_email(session, spec["email"]) is None:
            accounts.create_user(
                session,
                email=spec["email"],
                name=spec["name"],
                password=data["password"],
                role=Role(spec["role"]),
                organisation=by_code[spec["organisation"]],
            )
    return [dict(spec, password=data["password"]) for spec in data["accounts"]]
