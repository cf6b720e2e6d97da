"""flask --app server … commands: seed, tokens, checklists, walks, exports."""
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, select

from .catalog import DefinitionError, load_checklist, load_walk, read_json, seed_shared
from .errors import ApiError
from .exports import LONG_FIELDS, csv_chunks, item_index, json_chunks, long_rows, wide_fields, wide_rows
from .extensions import db
from .models import ROLES, ApiToken, Response, Walk
from .queries import Filters, grouped_responses, layout_checklist, matching_responses


def _fail(message, errors=()):
    click.echo(f"Error: {message}", err=True)
    for error in errors:
        click.echo(f"  {error.get('path') or '(root)'}: {error['message']}", err=True)
    sys.exit(1)


@click.command("seed")
def seed_command():
    """Create or upgrade the database and load every checklist and walk in shared_schema/."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    try:
        counts = seed_shared()
    except DefinitionError as error:
        _fail(str(error), error.errors)
    click.echo(f"Database ready; loaded {counts['checklists']} new checklist version(s) "
               f"and {counts['walks']} new walk(s).")


@click.command("create-token")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--walk", "walks", multiple=True, help="A walk this facilitator runs (repeatable).")
@click.option("--label", help="Who or what the token is for.")
def create_token_command(role, walks, label):
    """Create an API token and print it as the last line (it is shown only once)."""
    rows = []
    for slug in walks:
        walk = db.session.execute(select(Walk).where(Walk.slug == slug)).scalar_one_or_none()
        if walk is None:
            _fail(f"No walk '{slug}'.")
        rows.append(walk)
    if role == "facilitator" and not rows:
        _fail("A facilitator token needs --walk.")
    token, plaintext = ApiToken.issue(role, rows, label)
    db.session.add(token)
    db.session.commit()
    click.echo(f"Created {role} token #{token.id}" + (f" for {', '.join(walks)}" if walks else "") + ":")
    click.echo(plaintext)


@click.command("load-checklist")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_checklist_command(file):
    """Load a checklist definition file; a changed definition becomes a new version."""
    try:
        checklist, created = load_checklist(read_json(file))
    except (DefinitionError, ValueError) as error:
        _fail(str(error), getattr(error, "errors", []))
    db.session.commit()
    state = "new version" if created else "unchanged, still version"
    click.echo(f"{checklist.slug}: {state} {checklist.version}")


walks_cli = AppGroup("walks", help="List and load walks.")


@walks_cli.command("list")
def walks_list_command():
    """List walks with their stations, keys and checklists received."""
    counts = dict(db.session.execute(select(Response.walk_id, func.count()).group_by(Response.walk_id)).all())
    walks = db.session.execute(select(Walk).order_by(Walk.slug)).scalars().all()
    if not walks:
        click.echo("No walks yet: run `flask --app server seed`.")
    for walk in walks:
        state = "closed" if walk.closed else "open"
        click.echo(f"{walk.slug}\t{walk.title.get('en')}\t{len(walk.stations)} stations\t"
                   f"{counts.get(walk.id, 0)} checklists\t{state}\t{walk.checklist_slug} v{walk.checklist_version}")


@walks_cli.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite an existing walk of the same slug.")
def walks_load_command(file, replace):
    """Create a walk from a definition file."""
    try:
        walk, created = load_walk(read_json(file), replace=replace)
    except (DefinitionError, ValueError) as error:
        _fail(str(error), getattr(error, "errors", []))
    db.session.commit()
    click.echo(f"{walk.slug}: {'created' if created else ('replaced' if replace else 'exists, left as it is')}")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--layout", type=click.Choice(["long", "wide"]), default="long")
@click.option("--checklist", help="Checklist slug.")
@click.option("--walk", help="Only this walk.")
@click.option("--group", help="Only this participant group.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(fmt, layout, checklist, walk, group, out):
    """Write the merged checklists to a file, with a progress bar."""
    filters = Filters(checklist=checklist, walk=walk, group=group)
    try:
        total = db.session.execute(select(func.count()).select_from(matching_responses(filters).subquery())).scalar_one()
        definition = layout_checklist(filters) if fmt == "csv" else None
    except ApiError as error:
        _fail(error.message)
    with click.progressbar(grouped_responses(filters), length=total, label=f"Exporting {total} checklists") as bar:
        if fmt == "json":
            chunks = json_chunks(bar, {"filters": filters.as_dict()})
        elif layout == "wide":
            chunks = csv_chunks(wide_fields(definition.item_ids), wide_rows(bar, definition.item_ids))
        else:
            chunks = csv_chunks(LONG_FIELDS, long_rows(bar, item_index(definition.definition)))
        with out.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
    click.echo(f"Wrote {out}")


def register(app):
    """Attach the commands to the app's CLI."""
    for command in (seed_command, create_token_command, load_checklist_command, export_command, walks_cli):
        app.cli.add_command(command)
