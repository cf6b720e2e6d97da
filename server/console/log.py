"""The append-only sync log: browse entries, read payloads, correct and re-apply refused records."""
import json
import uuid

from datetime import datetime, timezone

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, request, stream_with_context, url_for
from sqlalchemy import select

from ..access.audit_trail import record
from ..documents.exports import csv_chunks, timestamp
from ..extensions import db
from ..models import SyncLogEntry, Walk
from ..records.repair import RepairError, can_reapply, reapply
from ..records.rules import ACCEPTED, DUPLICATE, REJECTED, STALE
from . import bp
from .access import page_number, signed_in

PAGE_SIZE = 50
OUTCOMES = {ACCEPTED: "accepted", DUPLICATE: "duplicate", STALE: "stale", REJECTED: "refused",
            "pending": "not finished (the request failed midway)"}
SOURCES = {"sync": "device sync", "import": "backup import", "reapply": "re-applied correction"}


def _query(args):
    query = select(SyncLogEntry)
    if args.get("walk"):
        query = query.where(SyncLogEntry.walk_slug == args["walk"])
    outcome = args.get("outcome")
    if outcome == "pending":
        query = query.where(SyncLogEntry.outcome.is_(None))
    elif outcome in OUTCOMES:
        query = query.where(SyncLogEntry.outcome == outcome)
    if args.get("source") in SOURCES:
        query = query.where(SyncLogEntry.source == args["source"])
    if args.get("open"):
        query = query.where(SyncLogEntry.superseded_by.is_(None))
    if args.get("batch"):
        query = query.where(SyncLogEntry.batch_id == args["batch"])
    if args.get("record"):
        query = query.where(SyncLogEntry.response_id == args["record"].strip().lower())
    return query


@bp.get("/log")
@signed_in("admin")
def log_list():
    """List log entries, newest first, filtered by walk, outcome, source or batch."""
    args = _filter_args()
    page = page_number(request.args)
    rows = db.session.execute(_query(args).order_by(SyncLogEntry.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).scalars().all()
    walks = db.session.execute(select(Walk.slug).order_by(Walk.slug)).scalars().all()
    return render_template("console/log/list.html", entries=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE,
                           page=page, args=args, walks=walks, outcomes=OUTCOMES, sources=SOURCES)


CSV_FIELDS = ["id", "received_at", "source", "walk", "device_id", "response_id", "revision", "outcome", "reasons",
              "corrected_by", "batch_id", "seq", "address", "payload"]


def _filter_args():
    return {key: request.args.get(key, "").strip() for key in ("walk", "outcome", "source", "open", "batch", "record")}


def _csv_rows(query):
    for entry in db.session.execute(query.execution_options(yield_per=500)).scalars():
        yield (entry.id, timestamp(entry.received_at), entry.source, entry.walk_slug, entry.device_id,
               entry.response_id, entry.revision, entry.outcome or "pending",
               json.dumps(entry.errors, ensure_ascii=False) if entry.errors else None, entry.superseded_by,
               entry.batch_id, entry.seq, entry.remote_addr, entry.payload)


@bp.get("/log.csv")
@signed_in("admin")
def log_csv():
    """Download the filtered log as CSV: one row per record, with its outcome, reasons and what arrived."""
    args = _filter_args()
    record("download", "log.csv", {"filters": {key: value for key, value in args.items() if value}}, commit=True)
    query = _query(args).order_by(SyncLogEntry.id)
    reply = FlaskResponse(stream_with_context(csv_chunks(CSV_FIELDS, _csv_rows(query))), mimetype="text/csv")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    reply.headers["Content-Disposition"] = f'attachment; filename="sync-log-{stamp}.csv"'
    return reply


def pretty(payload):
    """Indent a JSON payload for reading; other text is shown as it came."""
    try:
        return json.dumps(json.loads(payload), indent=2, ensure_ascii=False)
    except ValueError:
        return payload


def _entry(entry_id):
    entry = db.session.get(SyncLogEntry, entry_id)
    if entry is None:
        abort(404, description=f"There is no log entry #{entry_id}.")
    return entry


def _entry_context(entry):
    replaces = db.session.execute(select(SyncLogEntry.id).where(SyncLogEntry.superseded_by == entry.id)
                                  ).scalars().all()
    return {"entry": entry, "replaces": replaces, "outcomes": OUTCOMES, "sources": SOURCES,
            "can_reapply": can_reapply(entry)}


@bp.get("/log/<int:entry_id>")
@signed_in("admin")
def log_entry(entry_id):
    """Show one entry: what arrived, the outcome and the reasons, with the correction form."""
    entry = _entry(entry_id)
    return render_template("console/log/entry.html", payload=pretty(entry.payload),
                           device_id=entry.device_id or str(uuid.uuid4()), **_entry_context(entry))


@bp.post("/log/<int:entry_id>/reapply")
@signed_in("admin")
def log_reapply(entry_id):
    """Apply a corrected copy of a refused record as a new log entry."""
    entry = _entry(entry_id)
    payload = request.form.get("payload", "")
    device_id = request.form.get("device_id", "")
    try:
        results, entries = reapply(entry, payload, device_id, request.remote_addr)
        record("log_repair", f"log #{entry.id}", {"new_entries": [e.id for e in entries],
                                                  "results": [r["status"] for r in results]}, commit=True)
    except RepairError as error:
        db.session.rollback()
        return render_template("console/log/entry.html", payload=payload, device_id=device_id,
                               error=str(error), **_entry_context(entry)), 400
    if entry.superseded_by is not None:
        flash(f"The correction was stored as entry #{entries[0].id}; this entry is marked as replaced.")
        return redirect(url_for("console.log_entry", entry_id=entry.id))
    return render_template("console/log/entry.html", payload=payload, device_id=device_id,
                           results=results, new_entries=entries, **_entry_context(entry))
