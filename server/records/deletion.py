"""Deleting a participant's data on request, keeping the sync log lean, and a participant's data export.

Deleting a checklist removes its answers, its photos and every copy of it in the sync log's
payloads, and leaves a tombstone: the id, when, who and why, nothing of what it said. The one
path in (ingest) checks tombstones, so a phone that syncs the record again is told `deleted` and
nothing of it is stored, not even in the log.
"""
import json
from datetime import timedelta

from sqlalchemy import delete, inspect, or_, select, update

from ..extensions import db
from ..models import Answer, DeletedRecord, Response, SyncLogEntry, Walk, as_utc, utcnow
from .parts import RecordPart, Refusal, register
from .rules import ACCEPTED, DUPLICATE, REJECTED, STALE

DELETED_CODE = "deleted"
DELETED_MESSAGE = "This checklist was deleted from the server on request; it is not stored again."
WITHHELD_PAYLOAD = ""  # what a log entry holds once its content is gone
MAX_REASON = 500
CHUNK = 500  # ids per IN (...) list


class DeletionError(ValueError):
    """A deletion that cannot be done; the message says why, for people."""


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def deleted_ids(ids):
    """Return the subset of these record ids that were deleted on request."""
    # An id no column could hold (too long, or with NUL, which PostgreSQL refuses) was never deleted.
    wanted = {value for value in ids if isinstance(value, str) and 0 < len(value) <= 64 and "\x00" not in value}
    found = set()
    for part in _chunks(wanted):
        found.update(db.session.execute(
            select(DeletedRecord.response_id).where(DeletedRecord.response_id.in_(part))).scalars())
    return found


def records_of_device(device_id):
    """Return the ids of every checklist a device sent: stored, or only in the log (refused ones too)."""
    device_id = (device_id or "").strip().lower()
    stored = db.session.execute(select(Response.id).where(Response.device_id == device_id)).scalars().all()
    logged = db.session.execute(select(SyncLogEntry.response_id).distinct().where(
        SyncLogEntry.device_id == device_id, SyncLogEntry.response_id.is_not(None))).scalars().all()
    return sorted(set(stored) | set(logged))


def record_exists(record_id):
    """Tell whether a checklist with this id is stored, or only in the log (a refused one is deleted alike)."""
    if db.session.get(Response, record_id) is not None:
        return True
    return db.session.execute(select(SyncLogEntry.id).where(SyncLogEntry.response_id == record_id)
                              .limit(1)).first() is not None


def check_reason(reason):
    """Return the reason cleaned, or raise DeletionError: a deletion always says why."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise DeletionError("Say why the data is deleted (for example: the participant asked on 2018-06-20).")
    if len(reason) > MAX_REASON or "\x00" in reason:
        raise DeletionError(f"The reason must be plain text of at most {MAX_REASON} characters.")
    return reason


def _remove_photo_rows(ids):
    """Without a photo store to ask, delete photo rows that name these checklists, if such a table exists."""
    if "photos" not in inspect(db.session.connection()).get_table_names():
        return 0
    table = db.Table("photos", db.MetaData(), autoload_with=db.session.connection())
    if "response_id" not in table.c:
        return 0
    removed = 0
    for part in _chunks(ids):
        removed += db.session.execute(delete(table).where(table.c.response_id.in_(part))).rowcount or 0
    return removed


def delete_records(ids, deleted_by, reason, remove_photos=None, device_id=None):
    """Delete these checklists completely and leave tombstones; return what was removed.

    `remove_photos(ids)` deletes the photos of these checklists (rows and files in every storage)
    and returns how many; without it, photo rows are deleted from the database only.
    `device_id` also removes that device's log entries that name no checklist (whole refused bodies).
    The caller commits.
    """
    reason = check_reason(reason)
    ids = sorted({value.strip().lower() for value in ids if isinstance(value, str) and value.strip()})
    if not ids:
        raise DeletionError("There is nothing to delete: no checklist has that id.")
    counts = {"checklists": 0, "answers": 0, "photos": 0, "log_entries": 0}
    counts["photos"] = (remove_photos or _remove_photo_rows)(ids) or 0
    for part in _chunks(ids):
        counts["answers"] += db.session.execute(
            delete(Answer).where(Answer.response_id.in_(part))).rowcount or 0
        counts["checklists"] += db.session.execute(
            delete(Response).where(Response.id.in_(part))).rowcount or 0
        # Every copy in the log: entries naming the record, and any other payload that quotes its id
        # (a refused batch kept whole as text).
        copies = or_(SyncLogEntry.response_id.in_(part),
                     *[SyncLogEntry.payload.contains(record_id, autoescape=True) for record_id in part])
        if device_id:
            copies = or_(copies, SyncLogEntry.device_id == device_id)
        counts["log_entries"] += db.session.execute(
            update(SyncLogEntry).where(copies, SyncLogEntry.payload_removed.is_distinct_from("deleted"))
            .values(payload=WITHHELD_PAYLOAD, payload_removed="deleted", remote_addr=None,
                    errors={"": [DELETED_MESSAGE]})).rowcount or 0
    known = deleted_ids(ids)
    now = utcnow()
    db.session.add_all(DeletedRecord(response_id=record_id, deleted_at=now, deleted_by=deleted_by[:80],
                                     reason=reason) for record_id in ids if record_id not in known)
    counts["ids"] = ids
    return counts


PURGEABLE = (ACCEPTED, DUPLICATE, STALE)


def purge_log(older_than, now=None):
    """Drop the payloads (and addresses) of log entries older than `older_than` that nothing needs any more.

    Kept: refused entries not yet repaired, and entries of failed requests (no outcome), which an
    admin may still correct and re-apply. Return how many entries were purged. The caller commits.
    """
    if older_than < timedelta(days=1):
        raise ValueError("Keep at least a day of the log.")
    cutoff = (now or utcnow()) - older_than
    settled = or_(SyncLogEntry.outcome.in_(PURGEABLE),
                  (SyncLogEntry.outcome == REJECTED) & SyncLogEntry.superseded_by.is_not(None))
    result = db.session.execute(
        update(SyncLogEntry)
        .where(SyncLogEntry.received_at < cutoff, settled, SyncLogEntry.payload_removed.is_(None))
        .values(payload=WITHHELD_PAYLOAD, payload_removed="purged", remote_addr=None))
    return result.rowcount or 0


def _time(value):
    value = as_utc(value)
    return value.isoformat().replace("+00:00", "Z") if value else None


def _payload(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def personal_data(record_ids=(), device_id=None):
    """Return everything stored about these checklists (or one device's), as a JSON-ready document.

    The answer to a participant's access request: each checklist with its answers and review
    state, each sync log entry with what arrived, from which address, and whether a deletion
    left a tombstone.
    """
    ids = set(record_ids)
    if device_id:
        device_id = device_id.strip().lower()
        ids.update(records_of_device(device_id))
    ids = sorted(ids)
    checklists = []
    for part in _chunks(ids):
        rows = db.session.execute(select(Response, Walk.slug).join(Walk, Response.walk_id == Walk.id)
                                  .where(Response.id.in_(part)).order_by(Response.started_at, Response.id)).all()
        for response, walk in rows:
            checklists.append({
                "id": response.id, "walk": walk, "device_id": response.device_id, "revision": response.revision,
                "checklist": response.checklist.slug, "checklist_version": response.checklist.version,
                "participant": {"group": response.participant_group, "language": response.participant_language},
                "started_at": _time(response.started_at), "updated_at": _time(response.updated_at),
                "received_at": _time(response.received_at), "synced_at": _time(response.synced_at),
                "review": {"state": response.review_state, "note": response.review_note,
                           "reviewed_at": _time(response.reviewed_at), "reviewed_by": response.reviewed_by},
                "answers": [{"item": a.item, "score": a.score, "dont_know": bool(a.dont_know), "comment": a.comment,
                             "station": a.station_code, "answered_at": _time(a.answered_at)}
                            for a in response.answers],
            })
    log = []
    conditions = [SyncLogEntry.response_id.in_(part) for part in _chunks(ids)]
    if device_id:
        conditions.append(SyncLogEntry.device_id == device_id)
    if conditions:
        for entry in db.session.execute(select(SyncLogEntry).where(or_(*conditions))
                                        .order_by(SyncLogEntry.id)).scalars():
            log.append({"entry": entry.id, "received_at": _time(entry.received_at), "source": entry.source,
                        "walk": entry.walk_slug, "device_id": entry.device_id, "record": entry.response_id,
                        "revision": entry.revision, "address": entry.remote_addr, "outcome": entry.outcome,
                        "payload_removed": entry.payload_removed,
                        "payload": None if entry.payload_removed else _payload(entry.payload)})
    tombstones = [{"id": row.response_id, "deleted_at": _time(row.deleted_at), "reason": row.reason}
                  for part in _chunks(ids) for row in db.session.execute(
                      select(DeletedRecord).where(DeletedRecord.response_id.in_(part))).scalars()]
    return {"exported_at": _time(utcnow()), "records": ids, "device_id": device_id,
            "checklists": checklists, "sync_log": log, "deleted": tombstones}


class DeletionPart(RecordPart):
    """In the one path in: a checklist deleted on request is refused with the code `deleted`, never stored."""

    name = "deletion"

    def refuse(self, ids, walk):
        return {record_id: Refusal(DELETED_CODE, DELETED_MESSAGE) for record_id in deleted_ids(ids)}


register(DeletionPart())
