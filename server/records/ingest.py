"""The one path by which a device's records enter the database, whatever the door.

`deliver(walk, device_id, records, source=..., remote_addr=...)` is called by the sync
API, the console's backup import, the log's correct-and-re-apply and `load-example`:
it validates every record, classifies it under the sync rules (rules.py), stores the
accepted ones, calls the registered record parts (parts.py), logs every record with its
outcome and returns one outcome per record in order. `keep_refused` logs a batch that is
refused as a whole (a closed walk, a malformed request) so that it can still be repaired.

Set-based and in one transaction: one query reads what is stored for the whole batch and
a handful of executemany statements write the responses, the answers and the log. Either
the whole batch with its log is committed, or nothing is (a client that got no answer
sends it again); when storing fails, the records are logged on their own, without an
outcome, so that a refused record or a request that failed midway is never lost.
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
from ..models import Answer, Checklist, Response, Station, SyncLogEntry, utcnow
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
    """Validate, classify, store and log one device's records for one walk; return a Delivery.

    `source` names the door in the log ("sync", "import", "reapply"). The caller has checked
    who may deliver to the walk and that `device_id` is a UUID.
    """
    batch_id = str(uuid.uuid4())
    log_rows = _log_rows(batch_id, walk.slug, device_id, records, remote_addr, source)
    try:
        context = walk_context(walk)
        checked = []
        for record in records:
            clean, errors = validate_record(record, context)
            raw_id = record.get("id") if isinstance(record, dict) and isinstance(record.get("id"), str) else None
            checked.append((clean, errors, content_hash(clean) if clean else None, raw_id))
        for attempt in range(ATTEMPTS):
            try:
                write_transaction()
                results = _apply(walk, device_id, checked, context)
                _record_outcomes(log_rows, results)
                db.session.commit()
                return Delivery(batch_id, results)
            except DBAPIError as error:
                db.session.rollback()
                if not _retryable(error) or attempt == ATTEMPTS - 1:
                    log.warning("sync batch failed: %s", error)
                    raise ApiError(503, "The server is busy storing other checklists; try again shortly.",
                                   code="busy") from error
                time.sleep(0.02 * 2 ** attempt * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable")
    except BaseException:
        db.session.rollback()
        _keep_unsettled(log_rows)
        raise


def keep_refused(walk_slug, device_id, records, errors, *, source="sync", remote_addr=None):
    """Log records refused as a whole batch (with the reason) so an admin can repair them; return the batch id.

    A record may be raw text when the body was not JSON at all.
    """
    batch_id = str(uuid.uuid4())
    rows = _log_rows(batch_id, walk_slug, device_id, records, remote_addr, source)
    for row in rows:
        row["outcome"], row["errors"] = REJECTED, errors
    write_transaction()
    _insert_log(rows)
    db.session.commit()
    return batch_id


def _keep_unsettled(log_rows):
    """Log a batch that could not be stored, without outcomes, so it can be repaired; never mask the error."""
    for row in log_rows:
        row["outcome"], row["errors"] = None, None
    try:
        write_transaction()
        _insert_log(log_rows)
        db.session.commit()
    except Exception:  # noqa: BLE001 - the original error is the one to report
        db.session.rollback()
        log.exception("could not log an unsettled sync batch")


# (item ids, topic ids, scale) per checklist version row; a version's definition never changes once stored.
_items_by_checklist = {}


def walk_context(walk):
    """Collect what records of this walk are checked against."""
    rows = db.session.execute(
        select(Checklist.id, Checklist.version, Checklist.content_hash)
        .where(Checklist.slug == walk.checklist_slug)
    ).all()
    missing = [row.id for row in rows if (row.id, row.content_hash) not in _items_by_checklist]
    if missing:
        for row in db.session.execute(select(Checklist.id, Checklist.content_hash, Checklist.definition)
                                      .where(Checklist.id.in_(missing))):
            _items_by_checklist[(row.id, row.content_hash)] = (
                frozenset(item["id"] for topic in row.definition["topics"] for item in topic["items"]),
                frozenset(topic["id"] for topic in row.definition["topics"]),
                scale_of(row.definition))
    known = {row.version: _items_by_checklist[(row.id, row.content_hash)] for row in rows}
    codes = db.session.execute(select(Station.code).where(Station.walk_id == walk.id)).scalars()
    return WalkContext(
        walk_slug=walk.slug, checklist_slug=walk.checklist_slug,
        versions={version: cached[0] for version, cached in known.items()},
        station_codes=frozenset(codes), checklist_ids={row.version: row.id for row in rows},
        parts=record_parts.registered(),
        scales={version: cached[2] for version, cached in known.items()},
        topics={version: cached[1] for version, cached in known.items()},
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


def _log_rows(batch_id, walk_slug, device_id, records, remote_addr, source):
    """Build one sync log row per record (outcome still unknown)."""
    now = utcnow()
    device, address = _text(device_id, 64), _text(remote_addr, 64)
    return [
        {
            "received_at": now, "batch_id": batch_id, "seq": seq, "source": source,
            "walk_slug": walk_slug, "device_id": device,
            "response_id": _text(record.get("id"), 64) if isinstance(record, dict) else None,
            "revision": record.get("revision") if isinstance(record, dict)
            and type(record.get("revision")) is int and abs(record["revision"]) < 2**31 else None,
            "remote_addr": address,
            "payload": record if isinstance(record, str) else _as_json(record),
            "outcome": None, "errors": None,
        }
        for seq, record in enumerate(records)
    ]


def _insert_log(rows):
    """Insert sync log rows; a record deleted on request is logged without its content (see deletion.py)."""
    if not rows:
        return
    gone = deleted_ids(row["response_id"] for row in rows)
    withheld = [{**row, "payload": WITHHELD_PAYLOAD, "payload_removed": "deleted", "remote_addr": None,
                 "outcome": row["outcome"] or REJECTED, "errors": row["errors"] or {"": [DELETED_MESSAGE]}}
                for row in rows if row["response_id"] in gone]
    kept = [row for row in rows if row["response_id"] not in gone] if gone else rows
    for group in (kept, withheld):  # one executemany needs the same keys in every row
        if group:
            db.session.execute(insert(log_table), group)


def _retryable(error):
    if isinstance(error, IntegrityError):
        return True  # another request stored the same new id first: re-read and classify again
    if isinstance(error, OperationalError):
        return True  # SQLite busy or stale snapshot
    original = getattr(error, "orig", None)
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code in ("40001", "40P01")  # PostgreSQL serialization failure, deadlock


def _apply(walk, device_id, checked, context):
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
    # An id holding NUL was never stored (PostgreSQL text cannot hold it): no part need look it up.
    raw_ids = sorted({raw_id for _, _, _, raw_id in checked if raw_id and "\x00" not in raw_id})
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
        result = {"id": clean["id"], "status": status}
        if stored[clean["id"]].walk_id == walk.id:  # another walk's record stays unseen
            result["revision"] = stored[clean["id"]].revision
        if errors:
            result["errors"] = errors
        results.append(result)

    _write(walk, device_id, writes, existed, context)
    if writes and context.parts:
        written = [Written(record_id, record, record_id not in existed, existed.get(record_id))
                   for record_id, (record, _) in writes.items()]
        for part in context.parts:
            part.store(walk, device_id, written)
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
    # Values are aware UTC: drop the "+00:00" the isoformat writes (one C call instead of two).
    return lambda value: None if value is None else value.isoformat(" ", "microseconds")[:26]


def _insert_plain(table, columns, rows):
    """Insert many rows straight through the driver: thousands of rows skip per-value type processing.

    `rows` are tuples in `columns` order, holding what the driver stores (see _time_writer).
    PostgreSQL takes them by COPY, one stream instead of a statement per row.
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, table, columns, rows)
        return
    statement = insert(table).values({name: bindparam(name) for name in columns})
    compiled = statement.compile(dialect=connection.dialect)
    if compiled.positional:
        order = [columns.index(name) for name in compiled.positiontup]
        if order != list(range(len(columns))):
            rows = [tuple(row[i] for i in order) for row in rows]
    else:
        rows = [dict(zip(columns, row)) for row in rows]
    connection.exec_driver_sql(compiled.string, rows)


def _copy(connection, table, columns, rows):
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    dbapi = connection.dialect.loaded_dbapi
    try:
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except dbapi.Error as error:
        # As SQLAlchemy's own statements raise it, so a concurrent duplicate is retried like any other.
        raise DBAPIError.instance(statement, None, error, dbapi.Error) from error


def _record_outcomes(log_rows, results):
    """Write the batch's log rows with each record's outcome, in the batch's transaction."""
    for row, result in zip(log_rows, results):
        row["outcome"] = result["status"]
        row["errors"] = result.get("errors") if result["status"] == REJECTED else None
    _insert_log(log_rows)
