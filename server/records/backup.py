"""Import a device backup file through exactly the sync rules a device's own sync meets.

Accepted shapes, all JSON:
- the walker app's backup, in the sync request format: {"device_id", "walk"?, "responses": [...]},
  each response may name its own "walk";
- a list of such objects;
- the server's own export (GET /api/v1/export/responses.json): {"responses": [...]}, each
  response naming its "walk" and "device_id".
Records are grouped by walk and device, logged with source "import", then applied with
ingest.deliver: a record already stored comes back "duplicate" and is not counted twice.
"""
import json
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from .ingest import deliver
from ..models import Walk
from .rules import ACCEPTED, DUPLICATE, REJECTED, STALE, is_uuid

STATUSES = (ACCEPTED, DUPLICATE, STALE, REJECTED)


class BackupError(ValueError):
    """A file that cannot be read as a backup; the message says why, for people."""


@dataclass
class Group:
    """The records of one walk from one device, in file order."""

    walk: str | None
    device_id: str | None
    records: list = field(default_factory=list)


def _record_id(record):
    return record.get("id") if isinstance(record, dict) and isinstance(record.get("id"), str) else None


def read_backup(data):
    """Parse a backup file's bytes into groups by walk and device; raise BackupError when unreadable."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BackupError("The file is not UTF-8 text; choose the .json file the walker app saved.") from error
    if not text.strip():
        raise BackupError("The file is empty.")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BackupError(f"The file is not valid JSON ({error}). Choose the backup file the walker app "
                          "saved, unchanged.") from error
    parts = document if isinstance(document, list) else [document]
    groups = {}
    found = False
    for part in parts:
        if not isinstance(part, dict) or not isinstance(part.get("responses"), list):
            raise BackupError("This JSON is not a backup: it has no list of \"responses\". The walker app's "
                              "backup and the server's JSON download both have one.")
        found = True
        walk = part.get("walk") if isinstance(part.get("walk"), str) else None
        device = part.get("device_id") if isinstance(part.get("device_id"), str) else None
        for record in part["responses"]:
            own_walk = record.get("walk") if isinstance(record, dict) and isinstance(record.get("walk"), str) else None
            own_device = (record.get("device_id") if isinstance(record, dict)
                          and isinstance(record.get("device_id"), str) else None)
            key = (own_walk or walk, (own_device or device or "").lower() or None)
            groups.setdefault(key, Group(*key)).records.append(record)
    if not found:
        raise BackupError("The file holds no backup.")
    return list(groups.values())


def _refuse(summary, group, reason):
    for record in group.records:
        summary["refused"].append({"walk": group.walk, "device_id": group.device_id, "id": _record_id(record),
                                   "errors": {"": [reason]}, "logged": False})
    summary["counts"][REJECTED] += len(group.records)


def import_backup(groups, may_import, remote_addr):
    """Apply each group under the sync rules; return counts, per-group results and refused records.

    `may_import(walk)` says whether the person importing may deliver to that walk.
    """
    summary = {"counts": dict.fromkeys(STATUSES, 0), "groups": [], "refused": [], "closed": []}
    chunk = current_app.config["SYNC_MAX_RESPONSES"]
    for group in groups:
        counts = dict.fromkeys(STATUSES, 0)
        summary["groups"].append({"walk": group.walk, "device_id": group.device_id, "counts": counts})
        walk = db.session.execute(select(Walk).where(Walk.slug == group.walk)).scalar_one_or_none() \
            if group.walk else None
        if group.walk is None:
            reason = "The record names no walk, and neither does the file."
        elif walk is None:
            reason = f"There is no walk '{group.walk}' on this server."
        elif not may_import(walk):
            reason = f"You are not a facilitator of the walk '{group.walk}'."
        elif not is_uuid(group.device_id):
            reason = "The file does not say which device made the record (device_id, a UUID)."
        else:
            reason = None
        if reason:
            counts[REJECTED] = len(group.records)
            _refuse(summary, group, reason)
            continue
        if walk.refuses_records and walk.slug not in summary["closed"]:
            summary["closed"].append(walk.slug)
        for start in range(0, len(group.records), chunk):
            records = group.records[start:start + chunk]
            delivery = deliver(walk, group.device_id, records, source="import", remote_addr=remote_addr)
            for result in delivery.results:
                counts[result["status"]] += 1
                summary["counts"][result["status"]] += 1
                if result["status"] == REJECTED:
                    summary["refused"].append({"walk": walk.slug, "device_id": group.device_id,
                                               "id": result["id"], "errors": result["errors"], "logged": True})
    return summary
