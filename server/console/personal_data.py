"""A participant's data on request: look up by checklist or device id, export it as JSON, delete it all."""
import re
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..access.audit_trail import record
from ..extensions import db
from ..media.photos import PhotoRemoval
from ..models import Response, SyncLogEntry
from ..records.deletion import DeletionError, deleted_ids, delete_records, records_of_device
from ..records.rules import UUID_RE
from . import bp
from .access import current_user, signed_in


PREFIX_RE = re.compile(r"^[0-9a-f]{8}(-[0-9a-f-]{0,27})?$")


def _by_prefix(column, prefix):
    """Return the distinct full ids in `column` that start with `prefix` (at most a few)."""
    return db.session.execute(select(column).distinct().where(column.startswith(prefix, autoescape=True))
                              .limit(5)).scalars().all()


def _lookup():
    """Return (kind, id, problem) from ?device= or ?record=; the first 8 characters the walker app shows will do."""
    device = request.values.get("device", "").strip().lower()
    record_id = request.values.get("record", "").strip().lower()
    if not device and not record_id:
        return None, None, None
    kind, value = ("device", device) if device else ("record", record_id)
    if UUID_RE.match(value):
        return kind, value, None
    if not PREFIX_RE.match(value):
        return None, None, f"'{value[:80]}' is not an id like 1b4e28ba-2fa1-11d2-883f-0016d3cca427 or its first 8 characters."
    columns = (Response.device_id, SyncLogEntry.device_id) if kind == "device" else (Response.id, SyncLogEntry.response_id)
    found = sorted({full for column in columns for full in _by_prefix(column, value) if full})
    if len(found) == 1:
        return kind, found[0], None
    if not found:
        return None, None, f"No {kind} id starts with {value}."
    return None, None, f"Several {kind} ids start with {value}; type more of it: {', '.join(found)}."


@bp.get("/personal-data")
@signed_in("admin")
def personal_data():
    """Find what is stored about one participant's checklist or one device, to export or delete it."""
    kind, value, problem = _lookup()
    ids = []
    if kind == "device":
        ids = records_of_device(value)
    elif kind == "record":
        ids = [value]
    stored = db.session.execute(select(Response).where(Response.id.in_(ids)).order_by(Response.started_at)
                                ).scalars().all() if ids else []
    gone = sorted(deleted_ids(ids))
    export_href = "/api/v1/admin/personal-data?" + urlencode({kind: value}) if kind else None
    return render_template("console/personal_data.html", kind=kind, value=value or "", problem=problem, ids=ids,
                           stored=stored, gone=gone, export_href=export_href)


@bp.post("/personal-data/delete")
@signed_in("admin")
def personal_data_delete():
    """Delete every checklist of the device or the one checklist looked up, with the reason; tombstones stay."""
    kind, value, problem = _lookup()
    if problem or not kind:
        flash(problem or "Look up a device or checklist first.", "error")
        return redirect(url_for("console.personal_data"))
    ids = records_of_device(value) if kind == "device" else [value]
    ids = [record_id for record_id in ids if record_id not in deleted_ids(ids)]
    reason = request.form.get("reason", "")
    if not ids:
        flash("Nothing is left to delete.", "error")
        return redirect(url_for("console.personal_data", **{kind: value}))
    photos = PhotoRemoval()
    try:
        counts = delete_records(ids, current_user().username, reason, remove_photos=photos,
                                device_id=value if kind == "device" else None)
    except DeletionError as error:
        db.session.rollback()
        flash(f"Nothing was deleted: {error}", "error")
        return redirect(url_for("console.personal_data", **{kind: value}))
    record("deletion", f"{kind} {value}", {"reason": reason.strip(), "records": counts["ids"],
                                          **{k: v for k, v in counts.items() if k != "ids"}})
    db.session.commit()
    photos.finish()  # the files go once the rows are gone for good
    flash(f"Deleted {counts['checklists']} checklists ({counts['answers']} answers, {counts['photos']} photos, "
          f"{counts['log_entries']} log copies). Phones that send them again are told they were deleted.")
    return redirect(url_for("console.personal_data", **{kind: value}))
