"""`flask --app app users create-admin`: the first administrator of a production install."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from psirf.accounts import services
from psirf.accounts.models import Role
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.organisations import services as organisations
from psirf.organisations.models import OrganisationKind
from psirf.problems import InputError

users_cli = AppGroup("users", help="Manage accounts from the command line.")


@users_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--icb-ods-code", prompt="ICB ODS code")
@click.option("--icb-name", default=None, help="Creates the ICB when it does not exist yet.")
@click.password_option()
def create_admin(email: str, name: str, icb_ods_code: str, icb_name: str | None, password: str):
    """Create an administrator for an ICB (and the ICB itself, given --icb-name)."""
    try:
        with unit_of_work(db.session):
            icb = organisations.by_ods_code(db.session, icb_ods_code)
            if icb is None:
                if not icb_name:
                    raise click.ClickException(
                        f"No ICB with ODS code {icb_ods_code}; pass --icb-name to create it."
                    )
                icb = organisations.create(
                    db.session,
                    name=icb_name,
                    ods_code=icb_ods_code,
                    kind=OrganisationKind.ICB,
                    icb=None,
                )
            services.create_user(
                db.session,
                email=email,
                name=name,
                password=password,
                role=Role.ADMINISTRATOR,
                organisation=icb,
            )
    except InputError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Administrator {email} created for {icb.name}.")
