"""flask --app server … commands: seed, tokens, checklists, walks, exports."""
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, select, update

from .access.audit_trail import record, record_download
from .access.accounts import (
    apply_account,
    clean_username,
    find_user,
    password_problem,
    username_problem,
    walks_problem,
)
from .catalog.audits import audit_counts, load_audit, ordered_audits
from .catalog.definitions import (
    CREATED,
    UPDATED,
    DefinitionError,
    describe_outcome,
    get_checklist,
    load_checklist,
    load_walk,
    read_json,
    seed_shared,
)
from .catalog.contract import SHARED_SCHEMA_DIR
from .catalog.xlsform import XLSFormError, save_xlsform
from .durations import parse_duration
from .errors import ApiError
from .documents.exports import json_chunks, responses_csv
from .extensions import db
from .media.examples import example_photos
from .media.uploads import store_example_files
from .records.deletion import purge_log
from .records.ingest import deliver, write_transaction
from .reports.report import local_text
from .catalog.links import link_problem, station_url, walk_url
from .models import ROLES, ApiToken, Photo, Response, Walk
from .documents.qr import png_bytes, svg_bytes
from .reports.queries import Filters, grouped_responses, layout_checklist, matching_responses
from .documents.qr_sheets import LAYOUTS, sheets_pdf, walk_sheets


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
    click.echo(f"Database ready; loaded {counts['checklists']} new checklist version(s), "
               f"{counts['audits']} new audit(s) and {counts['walks']} new walk(s).")


def _walks_named(slugs):
    """Return the walks with these slugs, or fail naming the first unknown one."""
    rows = []
    for slug in slugs:
        walk = db.session.execute(select(Walk).where(Walk.slug == slug)).scalar_one_or_none()
        if walk is None:
            _fail(f"No walk '{slug}'.")
        rows.append(walk)
    return rows


@click.command("create-token")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--walk", "walks", multiple=True, help="A walk this facilitator runs (repeatable).")
@click.option("--label", help="Who or what the token is for.")
@click.option("--expires", default="90d", show_default=True,
              help="Lifetime: 90d, 12h, 2w, or 'never'.")
@click.option("--user", "username", help="The console user the token acts for: it never has more rights than they do.")
def create_token_command(role, walks, label, expires, username):
    """Create an API token and print it as the last line (it is shown only once)."""
    rows = _walks_named(walks)
    if role == "facilitator" and not rows:
        _fail("A facilitator token needs --walk.")
    try:
        lifetime = None if expires.strip().lower() == "never" else parse_duration(expires)
    except ValueError as error:
        _fail(str(error))
    owner = None
    if username:
        owner = find_user(clean_username(username))
        if owner is None:
            _fail(f"No user '{username}'.")
    token, plaintext = ApiToken.issue(role, rows, label, owner, expires_in=lifetime)
    db.session.add(token)
    db.session.flush()
    record("token_created", f"#{token.id}", {"role": role, "walks": list(walks),
           "label": label, "expires_at": token.expires_at})
    db.session.commit()
    until = f", valid until {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else ", never expires"
    click.echo(f"Created {role} token #{token.id}" + (f" for {', '.join(walks)}" if walks else "") + until + ":")
    click.echo(plaintext)


@click.command("load-checklist")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_checklist_command(file):
    """Load a checklist definition file; a change to an answered version becomes a new version."""
    try:
        checklist, created = load_checklist(read_json(file))
    except (DefinitionError, ValueError) as error:
        _fail(str(error), getattr(error, "errors", []))
    record("checklist_saved", f"{checklist.slug} v{checklist.version}",
           {"new_version": created == CREATED, "in_place": created == UPDATED, "file": file.name})
    db.session.commit()
    click.echo(f"{checklist.slug}: {describe_outcome(checklist, created)}")


@click.command("load-xlsform")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", help="The checklist's slug (default: the form's settings form_id).")
def load_xlsform_command(file, slug):
    """Load a checklist from an XLSForm; print each refused row and exit 1 if it is not a checklist."""
    try:
        checklist, created = save_xlsform(file.read_bytes(), slug=slug)
    except XLSFormError as error:
        db.session.rollback()
        click.echo(f"Error: {error} Nothing was saved.", err=True)
        for problem in error.problems:
            where = f"{problem['sheet'] or 'file'}" + (f" row {problem['row']}" if problem["row"] else "")
            click.echo(f"  {where}: {problem['type'] or '-'}: {problem['why']}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{checklist.slug}: {describe_outcome(checklist, created)}")


walks_cli = AppGroup("walks", help="List and load walks.")


@walks_cli.command("list")
def walks_list_command():
    """List walks with their stations, walk codes and checklists received."""
    counts = dict(db.session.execute(select(Response.walk_id, func.count()).group_by(Response.walk_id)).all())
    walks = db.session.execute(select(Walk).order_by(Walk.slug)).scalars().all()
    if not walks:
        click.echo("No walks yet: run `flask --app server seed`.")
    for walk in walks:
        state = "closed" if walk.closed else ("audit closed" if walk.refuses_records else "open")
        click.echo(f"{walk.slug}\t{walk.audit.slug}\t{walk.title.get('en')}\t{len(walk.stations)} stations\t"
                   f"{counts.get(walk.id, 0)} checklists\t{state}\t{walk.checklist_slug} v{walk.checklist_version}\t"
                   f"walk code {walk.printed_code}")


@walks_cli.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite an existing walk of the same slug.")
def walks_load_command(file, replace):
    """Create a walk from a definition file."""
    try:
        walk, created = load_walk(read_json(file), replace=replace)
    except (DefinitionError, ValueError) as error:
        _fail(str(error), getattr(error, "errors", []))
    if created or replace:
        record("walk_created" if created else "walk_changed", walk.slug, {"file": file.name})
    db.session.commit()
    click.echo(f"{walk.slug}: {'created' if created else ('replaced' if replace else 'exists, left as it is')}")


audits_cli = AppGroup("audits", help="List and load audits.")


@audits_cli.command("list")
def audits_list_command():
    """List audits, newest first, with their city, dates, checklist, walks and checklists received."""
    audits = ordered_audits()
    if not audits:
        click.echo("No audits yet: run `flask --app server seed` or `flask --app server audits load FILE`.")
    counts = audit_counts(audits)
    for audit in audits:
        days = f"{audit.starts_on or '…'} to {audit.ends_on or '…'}"
        click.echo(f"{audit.slug}\t{audit.title.get('en')}\t{audit.city or '-'}\t{days}\t"
                   f"{audit.checklist_slug} v{audit.checklist_version}\t{len(audit.walks)} walks\t"
                   f"{counts.get(audit.id, 0)} checklists\t{'closed' if audit.closed else 'open'}")


@audits_cli.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite an existing audit of the same slug.")
def audits_load_command(file, replace):
    """Create an audit from a definition file (the shared audit format)."""
    try:
        audit, created = load_audit(read_json(file), replace=replace)
    except (DefinitionError, ValueError) as error:
        _fail(str(error), getattr(error, "errors", []))
    if created or replace:
        record("audit_saved", audit.slug, {"created": created, "file": file.name})
    db.session.commit()
    click.echo(f"{audit.slug}: {'created' if created else ('replaced' if replace else 'exists, left as it is')}")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--layout", type=click.Choice(["long", "wide"]), default="long")
@click.option("--checklist", help="Checklist slug.")
@click.option("--audit", help="Only the walks of this audit.")
@click.option("--walk", help="Only this walk.")
@click.option("--group", help="Only this participant group.")
@click.option("--review", default="", help="Review states, separated by commas, or all (default: all but rejected).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(fmt, layout, checklist, audit, walk, group, review, out):
    """Write the merged checklists to a file, with a progress bar."""
    try:
        filters = Filters(checklist=checklist, audit=audit, walk=walk, group=group, review=review)
    except ApiError as error:
        _fail(error.message)
    try:
        total = db.session.execute(select(func.count()).select_from(matching_responses(filters).subquery())).scalar_one()
        checklist = layout_checklist(filters) if fmt == "csv" else None
    except ApiError as error:
        _fail(error.message)
    with click.progressbar(grouped_responses(filters), length=total, label=f"Exporting {total} checklists") as bar:
        if fmt == "json":
            chunks = json_chunks(bar, {"filters": filters.as_dict()})
        else:
            chunks = responses_csv(bar, checklist, layout)
        with out.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
    record_download(out.name, filters, format=fmt, layout=layout)
    click.echo(f"Wrote {out} ({filters.review_text}).")


def _base_url(option):
    """Return the links' base: --base-url, else PUBLIC_URL, else the local address scripts/start serves."""
    base = (option or current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if not base:
        base = f"http://localhost:{os.environ.get('PORT', '5000')}"
        click.echo(f"Warning: no --base-url or PUBLIC_URL, so the codes open {base}, which only this "
                   "computer reaches. For phones, pass --base-url https://… or set PUBLIC_URL.", err=True)
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        _fail(f"'{base}' is not a base URL like https://audit.example.org.")
    if option or current_app.config.get("PUBLIC_URL"):
        if problem := link_problem(base):
            click.echo(f"Warning: {problem}", err=True)
    return base


@click.command("check-links")
def check_links_command():
    """Say whether phones can use the QR codes and links this server makes (PUBLIC_URL); silent when they can."""
    base = current_app.config.get("PUBLIC_URL") or f"http://localhost:{os.environ.get('PORT', '5000')}"
    if problem := link_problem(base):
        if not current_app.config.get("PUBLIC_URL"):
            problem = "PUBLIC_URL is not set. " + problem
        click.echo(f"Warning: {problem}", err=True)


@click.command("qr")
@click.argument("slug", metavar="WALK")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write into (created if missing).")
@click.option("--format", "formats", type=click.Choice(["png", "svg", "pdf"]), multiple=True,
              help="png, svg or pdf; repeatable (default: all three).")
@click.option("--base-url", help="The server's public address (default: PUBLIC_URL).")
@click.option("--layout", type=click.Choice(LAYOUTS), default="pages",
              help="PDF: one station per page, or four cut-out cards per page.")
@click.option("--lang", default="en", help="PDF: language of titles and item texts.")
def qr_command(slug, out, formats, base_url, layout, lang):
    """Write a walk's QR codes (its join code and every station's) and printable sheets to a folder."""
    base = _base_url(base_url)
    walk = db.session.execute(select(Walk).where(Walk.slug == slug)).scalar_one_or_none()
    if walk is None:
        known = ", ".join(db.session.execute(select(Walk.slug).order_by(Walk.slug)).scalars()) or "none"
        _fail(f"No walk '{slug}'. Walks: {known}.")
    definition = get_checklist(walk.checklist_slug, walk.checklist_version).definition
    languages = definition.get("languages") or ["en"]
    if lang not in languages:
        _fail(f"--lang must be one of the checklist's languages: {', '.join(languages)}.")
    formats = set(formats or ("png", "svg", "pdf"))
    makers = {"png": png_bytes, "svg": svg_bytes}
    jobs = []  # (file name, maker, what it is made from)
    for fmt in [f for f in makers if f in formats]:
        jobs.append((f"{walk.slug}-join.{fmt}", makers[fmt], walk_url(walk, base=base)))
        jobs.extend((f"{walk.slug}-{s.code}.{fmt}", makers[fmt], station_url(walk, s, base=base))
                    for s in walk.stations)
    if "pdf" in formats:
        jobs.append((f"{walk.slug}-{layout}-{lang}.pdf", lambda sheets: sheets_pdf(sheets, layout),
                     walk_sheets(walk, definition, lang, base=base)))
    out.mkdir(parents=True, exist_ok=True)
    with click.progressbar(jobs, label=f"Writing {len(jobs)} files", item_show_func=lambda j: j and j[0]) as bar:
        for name, make, source in bar:
            (out / name).write_bytes(make(source))
    if walk.refuses_records:
        click.echo(f"Note: walk '{walk.slug}' {'is' if walk.closed else 'belongs to an audit that is'} closed; devices cannot deliver to it until it is reopened.", err=True)
    click.echo(f"Wrote {len(jobs)} files to {out} (links start {base}/w/{walk.slug}).")


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--walk", "walks", multiple=True, help="A walk this facilitator runs (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input, not a prompt.")
@click.option("--update", is_flag=True, help="Change an existing user's password, role and walks.")
def create_user_command(username, role, walks, password_stdin, update):
    """Create a console user who signs in at /admin with a password."""
    from .models import User
    username = clean_username(username)
    if problem := username_problem(username):
        _fail(problem)
    user = find_user(username)
    if user is not None and not update:
        _fail(f"User '{username}' exists; add --update to change the password, role and walks.")
    rows = _walks_named(walks)
    if problem := walks_problem(role, rows, walk_input="--walk"):
        _fail(problem)
    # Without a terminal (a pipe, a container, a script) a hidden prompt cannot hide anything and only warns
    # "Password input may be echoed": read the password as one line, as --password-stdin does.
    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if problem := password_problem(password):
        _fail(problem)
    created = user is None
    user = user or User(username=username)
    apply_account(user, role, rows, password)
    user.active = True
    if not created:
        user.end_sessions()  # a new password ends every open session
    db.session.add(user)
    record("user_created" if created else "user_changed", username, {"role": role, "walks": list(walks),
                                                                      "password": "set"})
    db.session.commit()
    click.echo(f"{'Created' if created else 'Updated'} {role} '{username}'"
               + (f" for {', '.join(walks)}" if walks else "") + "; sign in at /admin.")


@click.command("purge-log")
@click.option("--older-than", "older_than", default="90d", show_default=True,
              help="Age of the entries whose payloads go: 90d, 12w …")
def purge_log_command(older_than):
    """Drop stored payloads and addresses of settled sync log entries older than that; refused ones stay for repair."""
    try:
        age = parse_duration(older_than)
        write_transaction()
        purged = purge_log(age)
    except ValueError as error:
        _fail(str(error))
    record("log_purged", f"older than {older_than}", {"entries": purged})
    db.session.commit()
    click.echo(f"Purged the payloads of {purged} log entr{'y' if purged == 1 else 'ies'} older than {older_than}.")


EXAMPLE_DATASET = SHARED_SCHEMA_DIR / "datasets" / "integra-prague-2018.json"


@click.command("load-example")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=EXAMPLE_DATASET, show_default=True, help="A dataset of sync requests by walk.")
@click.option("--photos/--no-photos", default=True, show_default=True,
              help="Add synthetic example photos (coloured cards naming each station), half of them shown.")
def load_example_command(path, photos):
    """Sync example checklists (by default the 26 that reproduce the 2018 Prague report) to try the report."""
    dataset = read_json(path)
    counts = dict.fromkeys(("accepted", "duplicate", "stale", "rejected"), 0)
    files, to_show = {}, []
    if photos:
        by_walk = {}
        for batch in dataset["batches"]:
            by_walk.setdefault(batch["walk"], []).extend(batch["request"]["responses"])
        for slug, records in by_walk.items():
            files.update(_example_photos(_walks_named([slug])[0], records))
    for batch in dataset["batches"]:
        walk = _walks_named([batch["walk"]])[0]
        request = batch["request"]
        results = deliver(walk, request["device_id"], request["responses"], source="import").results
        for record, result in zip(request["responses"], results):
            counts[result["status"]] += 1
            if result["status"] == "accepted":  # an admin's later choice is never undone by a reload
                to_show += [photo["id"] for photo in record.get("photos", ())[::2]]
    if to_show:  # an admin's choice, not the walker's record: set apart from the path in
        db.session.execute(update(Photo).where(Photo.id.in_(to_show)).values(shown=True))
        db.session.commit()
    click.echo(", ".join(f"{count} {status}" for status, count in counts.items()) + f" from {path.name}.")
    if files:
        stored = store_example_files(files)
        click.echo(f"{len(files)} example photos ({stored} stored now); every other one is shown in the report.")


def _example_photos(walk, records):
    """Give the walk's example checklists their synthetic photos; return {sha256: bytes}."""
    checklist = get_checklist(walk.checklist_slug, walk.checklist_version).definition
    return example_photos(walk.title, [(s.code, s.title) for s in walk.stations], records,
                          {topic["id"] for topic in checklist["topics"]}, local_text)


def register(app):
    """Attach the commands to the app's CLI."""
    for command in (seed_command, create_token_command, load_checklist_command, load_xlsform_command,
                    export_command, audits_cli, walks_cli, qr_command, create_user_command, load_example_command,
                    purge_log_command, check_links_command):
        app.cli.add_command(command)
