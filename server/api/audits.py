"""Admin API: audits, the rounds of walks that reports and comparisons are made of."""
from flask import jsonify
from sqlalchemy import select

from ..access.audit_trail import record
from ..access.auth import require
from ..catalog.audits import audit_counts, audit_definition, find_audit, ordered_audits, save_audit
from ..catalog.definitions import DefinitionError
from ..errors import ApiError
from ..extensions import db
from ..models import Audit
from ..records.status import walk_status
from .declare import declare, shared
from .schemas import AdminAuditSchema, AuditListSchema, AuditStatusSchema, audit_schema, audit_status_schema
from . import bp
from .util import definition_body, json_body


def audit_view(audit, responses=None):
    """Return an audit as the API shows it: its definition, its walks' slugs and the checklists they received."""
    if responses is None:
        responses = audit_counts([audit]).get(audit.id, 0)
    return audit_schema.dump({**audit_definition(audit), "starts_on": audit.starts_on, "ends_on": audit.ends_on,
                              "walks": [walk.slug for walk in audit.walks],
                              "responses": responses})


def _definition_error(error):
    return ApiError(400, str(error), code="invalid", details=error.errors)


def _save(definition, audit=None):
    try:
        audit, created = save_audit(definition, audit)
    except DefinitionError as error:
        db.session.rollback()
        raise _definition_error(error) from error
    record("audit_saved", audit.slug, {"created": created, "closed": audit.closed})
    db.session.commit()
    return audit


@bp.get("/admin/audits")
@declare(reply=AuditListSchema)
@require("admin")
def admin_list_audits():
    """List the audits, newest first, with their walks and the checklists received."""
    audits = ordered_audits()
    counts = audit_counts(audits)
    return jsonify({"audits": [audit_view(audit, counts.get(audit.id, 0)) for audit in audits]})


@bp.post("/admin/audits")
@declare(body=shared("audit"), reply={201: AdminAuditSchema}, errors=(404, 409))
@require("admin")
def admin_create_audit():
    """Create an audit: a slug, titles, city, dates and the checklist its walks use."""
    definition = json_body()
    if isinstance(definition, dict) and isinstance(definition.get("slug"), str) and db.session.execute(
            select(Audit.id).where(Audit.slug == definition["slug"])).first():
        raise ApiError(409, f"Audit '{definition['slug']}' exists; PUT to change it.")
    return jsonify(audit_view(_save(definition))), 201


@bp.get("/admin/audits/<slug>")
@declare(reply=AdminAuditSchema)
@require("admin")
def admin_show_audit(slug):
    """Return an audit with its walks and the checklists received."""
    return jsonify(audit_view(find_audit(slug)))


@bp.put("/admin/audits/<slug>")
@declare(body=shared("audit", optional=("slug",), alias="AuditReplacement"), reply=AdminAuditSchema, errors=(409,))
@require("admin")
def admin_replace_audit(slug):
    """Replace an audit's titles, city, dates, checklist or state from a full definition."""
    audit = find_audit(slug)
    definition = definition_body(slug, "An audit")
    return jsonify(audit_view(_save(definition, audit)))


@bp.get("/admin/audits/<slug>/status")
@declare(reply=AuditStatusSchema)
@require("admin")
def admin_audit_status(slug):
    """Show what has arrived for every walk of an audit: checklists per station and device, refused records."""
    audit = find_audit(slug)
    walks = [walk_status(walk) for walk in audit.walks]
    return jsonify(audit_status_schema.dump({
        "audit": audit.slug, "closed": audit.closed, "checklists": sum(w["checklists"] for w in walks),
        "walks": walks}))
