"""Flask commands: `flask --app app workflows check|show`, `users create-admin`, `seed`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from psirf.workflow import definitions
from psirf.workflow.diagram import mermaid

workflows_cli = AppGroup("workflows", help="Check and show the workflow definitions.")


@workflows_cli.command("check")
def workflows_check():
    """Parse every file in workflows/ and report any fault."""
    try:
        found = definitions.read_directory()
    except definitions.WorkflowError as error:
        raise click.ClickException(str(error)) from None
    changed = definitions.changed_without_new_version(found)
    if changed:
        raise click.ClickException(
            "changed without a new version: " + ", ".join(changed)
            + ". Keep the old file in workflows/versions/ and raise the version in the new one."
        )
    unrecorded = set(f"{n}@{v}" for n, v in found) - set(definitions.recorded_fingerprints())
    for (name, version), d in sorted(found.items()):
        note = "  (new: run `flask workflows fingerprint` to record it)" if f"{name}@{version}" in unrecorded else ""
        click.echo(f"ok  {name} v{version}: {len(d.states)} states, {len(d.transitions)} transitions{note}")


@workflows_cli.command("fingerprint")
def workflows_fingerprint():
    """Record the meaning of each new workflow version, so a later edit without a new version fails."""
    added = definitions.record_fingerprints(definitions.read_directory())
    click.echo("recorded: " + (", ".join(added) if added else "nothing new"))


@workflows_cli.command("show")
@click.argument("name")
@click.option("--version", type=int, default=None, help="A version other than the newest.")
def workflows_show(name: str, version: int | None):
    """Print a workflow's states, transitions and its Mermaid diagram."""
    try:
        d = definitions.get(name, version)
    except definitions.WorkflowError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{d.label} ({d.name} v{d.version})\n\nStates:")
    for s in d.ordered_states():
        who = f" [acts: {s.acts}]" if s.acts else ""
        click.echo(f"  {s.name}: {s.label}{who}{' (final)' if s.final else ''}{' (initial)' if s.name == d.initial else ''}")
    click.echo("\nTransitions:")
    for t in d.transitions:
        extra = []
        if t.guards:
            extra.append("guards: " + ", ".join(str(g) for g in t.guards))
        if t.actions:
            extra.append("actions: " + ", ".join(t.actions))
        if t.needs:
            extra.append("needs: " + ", ".join(t.needs))
        click.echo(f"  {t.trigger}: {', '.join(t.sources)} -> {t.dest}" + (f"  ({'; '.join(extra)})" if extra else ""))
    click.echo("\nMermaid:\n")
    click.echo(mermaid(d))


def register(app: Flask) -> None:
    app.cli.add_command(workflows_cli)
    from psirf.accounts.cli import users_cli

    app.cli.add_command(users_cli)
    from psirf.demo.cli import seed_cli

    app.cli.add_command(seed_cli)
