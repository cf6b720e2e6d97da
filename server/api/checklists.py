"""Checklist definitions: read by the walker app, loaded by admins."""
from flask import jsonify, request
from sqlalchemy import func, select

from ..access.audit_trail import record
from ..access.auth import require
from ..catalog.definitions import DefinitionError, get_checklist, load_checklist
from ..errors import ApiError
from ..extensions import db
from ..models import Checklist
from . import bp
from .util import int_arg, json_body


@bp.get("/checklists")
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
def show_checklist(slug):
    """Return a checklist's latest version, or ?version=N."""
    checklist = get_checklist(slug, int_arg("version"))
    response = jsonify(checklist.served())
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(f"{checklist.slug}-{checklist.version}-{checklist.content_hash[:12]}")
    return response.make_conditional(request)


@bp.post("/checklists")
@require("admin")
def create_checklist():
    """Load a checklist definition; a changed one becomes a new version."""
    try:
        checklist, created = load_checklist(json_body())
    except DefinitionError as error:
        raise ApiError(400, str(error), code="invalid", details=error.errors) from error
    record("checklist_saved", f"{checklist.slug} v{checklist.version}", {"new_version": created})
    db.session.commit()
    return jsonify(checklist.served()), 201 if created else 200
