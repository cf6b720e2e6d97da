"""The one path by which a device's records enter the database, whatever the door.

`deliver(walk, device_id, records, source=..., remote_addr=...)` is called by the sync
API, the console's backup import, the log's correct-and-re-apply and `load-example`:
it logs every record, validates it, classifies it under the sync rules (rules.py), stores
the accepted ones, calls the registered record parts (parts.py) and returns one outcome
per record in order. `keep_refused` logs a batch that is refused as a whole (a closed
walk, a malformed request) so that it can still be repaired.

Set-based: one query reads what is stored for the whole batch and a handful of
executemany statements write it, whatever the number of answers. The raw records
are logged and committed first, so a refused record, or a request that fails
midway, is never lost.
"""
import json
import logging
import random
import time
import uuid
from dataclasses import dataclass

import orjson
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ..errors import ApiError
from ..extensions import db
from ..models import Answer, Checklist, Response, SyncLogEntry, utcnow
from . import parts as record_parts
from . import review  # noqa: F401  (registers the part that marks reviewed records "edited")
from .deletion import DELETED_MESSAGE, WITHHELD_PAYLOAD, deleted_ids
from .parts import Written
from .rules import (
    ACCEPTED,
    REJECTED,
    Stored,
    WalkContext,
    classify,
    content_hash,
    scale_of,
    validate_record,
)

log = logging.getLogger(__name__)

ATTEMPTS = 6
responses_table = Response.__table__
answers_table = Answer.__table__
log_table = SyncLogEntry.__table__


@dataclass(frozen=True)
class Delivery:
    """What became of a delivered batch: its id in the sync log and one result per record, in order.

    A result is {"id", "status"} plus "revision" (what the server now holds) for a valid record,
    "errors" (field path -> messages) for a rejected one and "code" when a record part refused it.
    """

    batch_id: str
    results: list


def deliver(walk, device_id, records, *, source="sync", remote_addr=None):
    """Log, validate, classify and store one device's records for one walk; return a Delivery.

    `source` names the door in the log ("sync", "import", "reapply"). The caller has checked
    who may deliver to the walk and that `device_id` is a UUID.
    """
    batch_id = log_records(walk.slug, device_id, records, remote_addr, source=source)
    return Delivery(batch_id, apply_batch(walk, device_id, records, batch_id))


def keep_refused(walk_slug, device_id, records, errors, *, source="sync", remote_addr=None):
    """Log records refused as a whole batch (with the reason) so an admin can repair them; return the batch id.

    A record may be raw text when the body was not JSON at all.
    """
    batch_id = log_records(walk_slug, device_id, records, remote_addr, source=source)
    mark_batch_rejected(batch_id, errors)
    return batch_id


def walk_context(walk):
    """Collect what records of this walk are checked against."""
    rows = db.session.execute(
        select(Checklist.id, Checklist.version, Checklist.definition)
        .where(Checklist.slug == walk.checklist_slug)
    ).all()
    versions = {}
    ids = {}
    scales = {}
    topics = {}
    for row in rows:
        versions[row.version] = frozenset(
            item["id"] for topic in row.definition["topics"] for item in topic["items"])
        topics[row.version] = frozenset(topic["id"] for topic in row.definition["topics"])
        ids[row.version] = row.id
        scales[row.version] = scale_of(row.definition)
    return WalkContext(
        walk_slug=walk.slug, checklist_slug=walk.checklist_slug, versions=versions,
        station_codes=frozenset(s.code for s in walk.stations), checklist_ids=ids,
        parts=record_parts.registered(), scales=scales, topics=topics,
    )


def write_transaction():
    """End any read transaction and start one that will write.

    On SQLite the new transaction takes the write lock at once (BEGIN IMMEDIATE),
    so concurrent syncs wait their turn instead of failing on a stale snapshot.
    """
    db.session.commit()
    db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _text(value, limit):
    # NUL cannot be stored in PostgreSQL text; the full value stays in the payload, escaped.
    return value[:limit].replace("\x00", "") if isinstance(value, str) else None


def _as_json(record):
    try:
        return orjson.dumps(record).decode()
    except TypeError:  # integers beyond 64 bits, from a file read by the standard json module
        return json.dumps(record, ensure_ascii=False)


def log_records(walk_slug, device_id, records, remote_addr, source="sync"):
    """Append every record to the sync log and commit; return the batch id.

    A record deleted on request (a tombstone holds its id) is logged without its content:
    the deletion part (deletion.py) then refuses it with the code `deleted`.
    """
    batch_id = str(uuid.uuid4())
    now = utcnow()
    write_transaction()
    gone = deleted_ids(record.get("id") for record in records if isinstance(record, dict))
    rows = [
        {
            "received_at": now, "batch_id": batch_id, "seq": seq, "source": source,
            "walk_slug": walk_slug, "device_id": _text(device_id, 64),
            "response_id": _text(record.get("id"), 64) if isinstance(record, dict) else None,
            "revision": record.get("revision") if isinstance(record, dict)
            and type(record.get("revision")) is int and abs(record["revision"]) < 2**31 else None,
            "remote_addr": _text(remote_addr, 64),
            "payload": record if isinstance(record, str) else _as_json(record),
        }
        for seq, record in enumerate(records)
    ]
    withheld = [{**row, "payload": WITHHELD_PAYLOAD, "payload_removed": "deleted", "remote_addr": None,
                 "outcome": REJECTED, "errors": {"": [DELETED_MESSAGE]}}
                for row in rows if row["response_id"] in gone]
    rows = [row for row in rows if row["response_id"] not in gone]
    for group in (rows, withheld):  # one executemany needs the same keys in every row
        if group:
            db.session.execute(insert(log_table), group)
    db.session.commit()
    return batch_id


def mark_batch_rejected(batch_id, errors):
    """Record that a whole logged batch was refused, with the reason."""
    write_transaction()
    db.session.execute(
        update(log_table).where(log_table.c.batch_id == batch_id)
        .values(outcome=REJECTED, errors=errors)
    )
    db.session.commit()


def _retryable(error):
    if isinstance(error, IntegrityError):
        return True  # another request stored the same new id first: re-read and classify again
    if isinstance(error, OperationalError):
        return True  # SQLite busy or stale snapshot
    original = getattr(error, "orig", None)
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code in ("40001", "40P01")  # PostgreSQL serialization failure, deadlock


def apply_batch(walk, device_id, records, batch_id):
    """Validate, classify and store a logged batch; return the per-record results in order."""
    context = walk_context(walk)
    checked = []
    for record in records:
        clean, errors = validate_record(record, context)
        raw_id = record.get("id") if isinstance(record, dict) and isinstance(record.get("id"), str) else None
        checked.append((clean, errors, content_hash(clean) if clean else None, raw_id))
    for attempt in range(ATTEMPTS):
        try:
            write_transaction()
            results = _apply(walk, device_id, checked, batch_id, context)
            db.session.commit()
            return results
        except DBAPIError as error:
            db.session.rollback()
            if not _retryable(error) or attempt == ATTEMPTS - 1:
                log.warning("sync batch %s failed: %s", batch_id, error)
                raise ApiError(503, "The server is busy storing other checklists; try again shortly.",
                               code="busy") from error
            time.sleep(0.02 * 2 ** attempt * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")


def _apply(walk, device_id, checked, batch_id, context):
    ids = sorted({clean["id"] for clean, _, _, _ in checked if clean})
    stored = {}
    if ids:
        query = select(Response.id, Response.revision, Response.content_hash, Response.walk_id) \
            .where(Response.id.in_(ids))
        if db.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()  # concurrent edits of one record queue up here
        stored = {row.id: Stored(row.revision, row.content_hash, row.walk_id)
                  for row in db.session.execute(query)}
    existed = {record_id: row.revision for record_id, row in stored.items()}
    # Every record with an id is asked about, valid or not: a refusal (a deleted record) wins over field errors.
    raw_ids = sorted({raw_id for _, _, _, raw_id in checked if raw_id})
    refused = {}
    for part in context.parts:
        refused.update(part.refuse(raw_ids, walk) if raw_ids else {})

    results, writes = [], {}
    for clean, errors, digest, raw_id in checked:
        refusal = refused.get(raw_id)
        if refusal is not None:
            results.append({"id": raw_id, "status": REJECTED, "code": refusal.code,
                            "errors": {"id": [refusal.message]}})
            continue
        if errors:
            results.append({"id": raw_id, "status": REJECTED, "errors": errors})
            continue
        status, errors = classify(clean, digest, stored.get(clean["id"]), walk.id)
        if status == ACCEPTED:
            stored[clean["id"]] = Stored(clean["revision"], digest, walk.id)
            writes[clean["id"]] = (clean, digest)
        result = {"id": clean["id"], "status": status, "revision": stored[clean["id"]].revision}
        if errors:
            result["errors"] = errors
        results.append(result)

    _write(walk, device_id, writes, existed, context)
    if writes and context.parts:
        written = [Written(record_id, record, record_id not in existed, existed.get(record_id))
                   for record_id, (record, _) in writes.items()]
        for part in context.parts:
            part.store(walk, device_id, written)
    _record_outcomes(batch_id, results)
    return results


ANSWER_COLUMNS = ("response_id", "item", "score", "dont_know", "comment", "station_code", "answered_at")


def _write(walk, device_id, writes, existed, context):
    if not writes:
        return
    now = utcnow()
    stored_time = _time_writer()
    new_rows, changed_rows, answer_rows = [], [], []
    for record_id, (record, digest) in writes.items():
        row = {
            "checklist_id": context.checklist_ids[record["checklist_version"]],
            "device_id": device_id, "revision": record["revision"],
            "participant_group": record["participant"]["group"],
            "participant_language": record["participant"]["language"],
            "started_at": record["started_at"], "updated_at": record["updated_at"],
            "content_hash": digest, "synced_at": now,
        }
        if record_id in existed:
            changed_rows.append({"b_id": record_id, **row})
        else:
            new_rows.append({"id": record_id, "walk_id": walk.id, "received_at": now, **row})
            for column in ("started_at", "updated_at", "received_at", "synced_at"):
                new_rows[-1][column] = stored_time(new_rows[-1][column])
        answer_rows.extend(
            (record_id, a["item"], a["score"], a["dont_know"], a["comment"], a["station"],
             stored_time(a["answered_at"]))
            for a in record["answers"]
        )
    if changed_rows:
        changed_ids = [row["b_id"] for row in changed_rows]
        db.session.execute(delete(answers_table).where(answers_table.c.response_id.in_(changed_ids)))
        columns = [key for key in changed_rows[0] if key != "b_id"]
        db.session.execute(
            update(responses_table).where(responses_table.c.id == bindparam("b_id"))
            .values({column: bindparam(column) for column in columns}),
            changed_rows,
        )
    if new_rows:
        _insert_plain(responses_table, tuple(new_rows[0]), [tuple(row.values()) for row in new_rows])
    if answer_rows:
        _insert_plain(answers_table, ANSWER_COLUMNS, answer_rows)


def _time_writer():
    """Return a function giving a datetime as the driver stores it.

    SQLite keeps datetimes as text; this writes the same text SQLAlchemy writes (UTC,
    no offset), so rows inserted here read back exactly like any other.
    """
    if db.session.get_bind().dialect.name != "sqlite":
        return lambda value: value
    return lambda value: None if value is None else value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _insert_plain(table, columns, rows):
    """executemany straight to the driver: thousands of rows skip per-value type processing.

    `rows` are tuples in `columns` order, holding what the driver stores (see _time_writer).
    """
    connection = db.session.connection()
    statement = insert(table).values({name: bindparam(name) for name in columns})
    compiled = statement.compile(dialect=connection.dialect)
    if compiled.positional:
        order = [columns.index(name) for name in compiled.positiontup]
        if order != list(range(len(columns))):
            rows = [tuple(row[i] for i in order) for row in rows]
    else:
        rows = [dict(zip(columns, row)) for row in rows]
    connection.exec_driver_sql(compiled.string, rows)


def _record_outcomes(batch_id, results):
    by_status = {}
    for seq, result in enumerate(results):
        if result["status"] == REJECTED:
            db.session.execute(
                update(log_table)
                .where(log_table.c.batch_id == batch_id, log_table.c.seq == seq)
                .values(outcome=REJECTED, errors=result["errors"])
            )
        else:
            by_status.setdefault(result["status"], []).append(seq)
    for status, seqs in by_status.items():
        db.session.execute(
            update(log_table)
            .where(log_table.c.batch_id == batch_id, log_table.c.seq.in_(seqs))
            .values(outcome=status)
        )
