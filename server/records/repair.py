"""Correct and re-apply a refused record from the sync log.

The log is append-only: the corrected copy becomes a new entry (source "reapply")
and goes through the same sync rules as a device's sync. When the copy is stored
(accepted, or found identical to what is stored: duplicate) the old entry points
to the new one through superseded_by; its payload is never changed.
"""
import json

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from .ingest import deliver
from ..models import SyncLogEntry, Walk
from .rules import ACCEPTED, DUPLICATE, MAX_DEPTH, REJECTED, is_uuid, nesting_depth

SETTLED = (ACCEPTED, DUPLICATE)


class RepairError(ValueError):
    """A correction that cannot be applied; the message says why, for people."""


def can_reapply(entry):
    """Tell whether a log entry is a refused record not yet replaced by a correction."""
    return entry.outcome in (REJECTED, None) and entry.superseded_by is None


def reapply(entry, payload_text, device_id, remote_addr):
    """Apply a corrected payload in place of a refused log entry; return (results, new entries).

    The payload is one record, or a whole sync request {"device_id", "responses"}.
    """
    if not can_reapply(entry):
        if entry.superseded_by is not None:
            raise RepairError(f"Entry #{entry.id} was already re-applied as entry #{entry.superseded_by}.")
        raise RepairError(f"Entry #{entry.id} was {entry.outcome}; only refused records are re-applied.")
    walk = db.session.execute(select(Walk).where(Walk.slug == entry.walk_slug)).scalar_one_or_none()
    if walk is None:
        raise RepairError(f"The walk '{entry.walk_slug}' no longer exists.")
    try:
        payload = json.loads(payload_text)
    except RecursionError as error:
        raise RepairError(f"The corrected record nests arrays or objects too deeply (more than {MAX_DEPTH} levels).") \
            from error
    except ValueError as error:
        raise RepairError(f"The corrected record is not valid JSON: {error}.") from error
    if nesting_depth(payload) > MAX_DEPTH:
        raise RepairError(f"The corrected record nests arrays or objects too deeply (more than {MAX_DEPTH} levels).")
    if isinstance(payload, dict) and isinstance(payload.get("responses"), list):
        records = payload["responses"]
        device_id = payload.get("device_id") if isinstance(payload.get("device_id"), str) else device_id
    else:
        records = [payload]
    if not records:
        raise RepairError("The corrected request holds no records.")
    if len(records) > current_app.config["SYNC_MAX_RESPONSES"]:
        raise RepairError(f"At most {current_app.config['SYNC_MAX_RESPONSES']} records at a time.")
    device_id = (device_id or "").strip().lower()
    if not is_uuid(device_id):
        raise RepairError("Give the id of the device that made the record (a UUID).")
    delivery = deliver(walk, device_id, records, source="reapply", remote_addr=remote_addr)
    entries = db.session.execute(select(SyncLogEntry).where(SyncLogEntry.batch_id == delivery.batch_id)
                                 .order_by(SyncLogEntry.seq)).scalars().all()
    if all(result["status"] in SETTLED for result in delivery.results):
        entry.superseded_by = entries[0].id
        db.session.commit()
    return delivery.results, entries
