"""Checklist definitions: read by the walker app, loaded by admins, as JSON or as XLSForm."""
from flask import Response, jsonify, request
from sqlalchemy import func, select

from ..access.audit_trail import record
from ..access.auth import require
from ..catalog.definitions import CREATED, UPDATED, DefinitionError, get_checklist, load_checklist
from ..catalog.xlsform import LIMITS, XLSFormError, checklist_to_xlsform, save_xlsform
from ..errors import ApiError
from ..extensions import db
from ..models import Checklist
from . import bp
from .declare import declare, query_args, shared
from .schemas import ChecklistListSchema, ImportedChecklistSchema, VersionQuerySchema
from .util import json_body


@bp.get("/checklists")
@declare(reply=ChecklistListSchema)
def list_checklists():
    """List checklists with their latest version."""
    rows = db.session.execute(
        select(Checklist.slug, func.max(Checklist.version)).group_by(Checklist.slug).order_by(Checklist.slug)
    ).all()
    result = []
    for slug, latest in rows:
        checklist = get_checklist(slug, latest)
        versions = db.session.execute(
            select(Checklist.version).where(Checklist.slug == slug).order_by(Checklist.version)).scalars().all()
        result.append({"slug": slug, "version": latest, "title": checklist.definition["title"],
                       "versions": versions})
    return jsonify({"checklists": result})


@bp.get("/checklists/<slug>")
@declare(reply={200: shared("checklist"), 304: None}, query=VersionQuerySchema)
def show_checklist(slug):
    """Return a checklist's latest version, or ?version=N."""
    checklist = get_checklist(slug, query_args().get("version"))
    response = jsonify(checklist.served())
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(f"{checklist.slug}-{checklist.version}-{checklist.content_hash[:12]}")
    return response.make_conditional(request)


@bp.post("/checklists")
@declare(body=shared("checklist"), reply={201: shared("checklist"), 200: shared("checklist")})
@require("admin")
def create_checklist():
    """Load a checklist definition: 201 for a new checklist or version, 200 when saved over an unanswered version or unchanged."""
    try:
        checklist, created = load_checklist(json_body())
    except DefinitionError as error:
        raise ApiError(400, str(error), code="invalid", details=error.errors) from error
    record("checklist_saved", f"{checklist.slug} v{checklist.version}",
           {"new_version": created == CREATED, "in_place": created == UPDATED})
    db.session.commit()
    return jsonify(checklist.served()), 201 if created == CREATED else 200


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/checklists/<slug>.xlsx")
@declare(reply=XLSX, query=VersionQuerySchema)
def export_xlsform(slug):
    """Return a checklist version (latest, or ?version=N) as an XLSForm for ODK, KoboToolbox or Enketo."""
    checklist = get_checklist(slug, query_args().get("version"))
    response = Response(checklist_to_xlsform(checklist.served()), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{checklist.slug}-v{checklist.version}.xlsx"'
    return response


@bp.post("/admin/checklists/import")
@declare(body={"multipart/form-data": {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "contentMediaType": XLSX, "description": "The .xlsx form"},
    "slug": {"type": "string", "description": "The checklist's slug (default: the form's settings form_id)"}}}},
         reply={201: ImportedChecklistSchema, 200: ImportedChecklistSchema}, errors=(413, 415, 422))
@require("admin")
def import_xlsform():
    """Import an XLSForm (multipart field `file`, optional `slug`) as a checklist or its new version."""
    if request.content_length is not None and request.content_length > LIMITS["bytes"] + 64 * 1024:
        raise ApiError(413, f"The form is larger than {LIMITS['bytes'] // (1024 * 1024)} MiB.")
    if not request.mimetype.startswith("multipart/form-data"):
        raise ApiError(415, "Send the form as multipart/form-data with the field 'file'.")
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "No file: send the XLSForm in the multipart field 'file'.", code="invalid",
                       details=[{"path": "file", "message": "Required."}])
    data = upload.read(LIMITS["bytes"] + 1)
    try:
        checklist, created = save_xlsform(data, slug=(request.form.get("slug") or "").strip() or None)
    except XLSFormError as error:
        db.session.rollback()
        raise ApiError(422, str(error), code="unsupported_form", details=error.problems) from error
    record("checklist_saved", f"{checklist.slug} v{checklist.version}",
           {"new_version": created == CREATED, "in_place": created == UPDATED, "xlsform": True})
    db.session.commit()
    return jsonify({"slug": checklist.slug, "version": checklist.version}), 201 if created == CREATED else 200
