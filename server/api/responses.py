"""Admin API on single checklists: review decisions, deletion on request, and a participant's data export."""
from flask import jsonify
from sqlalchemy import select

from ..media.photos import PhotoRemoval
from ..access.audit_trail import record
from ..access.auth import current_principal, require
from ..errors import ApiError
from ..extensions import db
from ..models import Response, User
from ..records.deletion import (
    DeletionError,
    delete_records,
    deleted_ids,
    personal_data,
    record_exists,
    records_of_device,
)
from ..records.ingest import write_transaction
from ..records.review import ReviewError, review
from ..records.rules import UUID_RE
from . import bp
from .declare import declare, query_args
from .schemas import (
    DeletionRequestSchema,
    DeletionSchema,
    BulkReviewRequestSchema,
    PersonalDataQuerySchema,
    ReviewListSchema,
    ReviewRequestSchema,
    ReviewSchema,
    bulk_review_request_schema,
    deletion_request_schema,
    deletion_schema,
    review_request_schema,
    review_schema,
)
from .util import json_body


def _reviewer_name(principal):
    if principal.user_id is not None:
        user = db.session.get(User, principal.user_id)
        if user is not None:
            return user.username
    return principal.label


def _checked_id(value):
    value = value.strip().lower()
    if not UUID_RE.match(value):
        raise ApiError(400, "A checklist id is a UUID in lowercase 8-4-4-4-12 form.", code="invalid",
                       details={"id": ["Not a UUID."]})
    return value


def _review_view(response):
    return review_schema.dump({
        "id": response.id, "walk": response.walk.slug, "state": response.review_state, "note": response.review_note,
        "reviewed_at": response.reviewed_at, "reviewed_by": response.reviewed_by})


@bp.post("/admin/reviews")
@declare(body=BulkReviewRequestSchema, reply=ReviewListSchema)
@require("admin", "facilitator")
def review_responses():
    """Set one review state and note on many checklists at once: all of them change, or none does."""
    data = bulk_review_request_schema.load(json_body())
    principal = current_principal()
    write_transaction()
    try:
        changed = review(data["ids"], data["state"], data["note"], _reviewer_name(principal),
                         None if principal.is_admin else principal.walk_ids)
    except ReviewError as error:
        raise ApiError(400, str(error), code="invalid", details={"ids": [str(error)]}) from error
    responses = db.session.execute(select(Response).where(Response.id.in_(changed)).order_by(Response.id)).scalars().all()
    for response in responses:  # one event per decision, as when reviewed one at a time
        record("review", response.id, {"state": data["state"], "note": data["note"], "walk": response.walk.slug,
                                       "bulk": len(changed)})
    db.session.commit()
    return jsonify({"reviewed": [_review_view(response) for response in responses]})


@bp.post("/admin/responses/<response_id>/review")
@declare(body=ReviewRequestSchema, reply=ReviewSchema)
@require("admin", "facilitator")
def review_response(response_id):
    """Set a checklist's review state (received, has_issues, approved, rejected) with a note."""
    response_id = _checked_id(response_id)
    data = review_request_schema.load(json_body())
    principal = current_principal()
    write_transaction()
    response = db.session.get(Response, response_id)
    if response is None or not principal.can_see_walk(response.walk):
        raise ApiError(404, f"No checklist {response_id} that you may review.")
    try:
        review([response_id], data["state"], data["note"], _reviewer_name(principal))
    except ReviewError as error:
        raise ApiError(400, str(error), code="invalid") from error
    record("review", response_id, {"state": data["state"], "note": data["note"], "walk": response.walk.slug})
    db.session.commit()
    db.session.refresh(response)
    return jsonify(_review_view(response))


def _delete(ids, target, device_id=None):
    data = deletion_request_schema.load(json_body())
    photos = PhotoRemoval()
    try:
        counts = delete_records(ids, _reviewer_name(current_principal()), data["reason"], remove_photos=photos,
                                device_id=device_id)
    except DeletionError as error:
        raise ApiError(400, str(error), code="invalid") from error
    record("deletion", target, {"reason": data["reason"], "records": counts["ids"],
                                **{key: value for key, value in counts.items() if key != "ids"}})
    db.session.commit()
    photos.finish()  # the files go once the rows are gone for good
    return jsonify(deletion_schema.dump({**counts, "deleted": counts["ids"]}))


@bp.delete("/admin/responses/<response_id>")
@declare(body=DeletionRequestSchema, reply=DeletionSchema)
@require("admin")
def delete_response(response_id):
    """Delete one participant's checklist completely: answers, photos, log copies; keep a tombstone."""
    response_id = _checked_id(response_id)
    write_transaction()
    if deleted_ids([response_id]):
        raise ApiError(404, f"Checklist {response_id} was deleted already.")
    if not record_exists(response_id):
        raise ApiError(404, f"No checklist {response_id}.")
    return _delete([response_id], response_id)


@bp.delete("/admin/devices/<device_id>/responses")
@declare(body=DeletionRequestSchema, reply=DeletionSchema)
@require("admin")
def delete_device_responses(device_id):
    """Delete every checklist one device sent, and its log entries; keep tombstones."""
    device_id = _checked_id(device_id)
    write_transaction()
    ids = records_of_device(device_id)
    if not ids:
        raise ApiError(404, f"No checklist from device {device_id}.")
    return _delete(ids, f"device {device_id}", device_id=device_id)


@bp.get("/admin/personal-data")
@declare(reply={"type": "object", "description": "The checklists, sync log entries and tombstones held"},
         query=PersonalDataQuerySchema)
@require("admin")
def export_personal_data():
    """Export everything stored about one checklist (record=<id>) or one device (device=<id>), as JSON."""
    args = query_args()
    record_id, device_id = args.get("record", ""), args.get("device", "")
    if bool(record_id) == bool(device_id):
        raise ApiError(400, "Name one checklist (record=<id>) or one device (device=<id>).", code="invalid")
    document = personal_data([_checked_id(record_id)] if record_id else (),
                             _checked_id(device_id) if device_id else None)
    if not document["checklists"] and not document["sync_log"] and not document["deleted"]:
        raise ApiError(404, "Nothing is stored about that checklist or device.")
    record("personal_data_export", f"record {record_id}" if record_id else f"device {device_id}", commit=True)
    reply = jsonify(document)
    reply.headers["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    reply.headers["Cache-Control"] = "no-store"
    return reply
