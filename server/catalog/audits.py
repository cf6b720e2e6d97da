"""Audits: one round of walks in a city with one checklist (Prague 2018, Brno 2026 …).

One path validates and saves an audit whatever the door (admin API, console, CLI,
the files in shared_schema/audits/): `check_audit` then `save_audit`. Walks join an
audit through `walk_audit` and `place_walk`, which the walk definitions call.
"""
from datetime import date

from sqlalchemy import func, select

from ..errors import ApiError
from ..extensions import db
from ..models import Audit, Checklist, Response, Walk
from .contract import schema_errors
from .definitions import DefinitionError, latest_checklist


def find_audit(slug):
    """Return the audit with this slug or raise a 404 ApiError."""
    audit = db.session.execute(select(Audit).where(Audit.slug == slug)).scalar_one_or_none()
    if audit is None:
        raise ApiError(404, f"No audit '{slug}'.")
    return audit


def audit_named(slug):
    """Return the audit with this slug, or None."""
    return db.session.execute(select(Audit).where(Audit.slug == slug)).scalar_one_or_none()


def _checklist_for(wanted):
    if wanted.get("version") is None:
        return latest_checklist(wanted["slug"])
    return db.session.execute(select(Checklist).where(
        Checklist.slug == wanted["slug"], Checklist.version == wanted["version"])).scalar_one_or_none()


def check_audit(definition, audit=None):
    """Validate an audit definition (for a new audit, or to replace `audit`); return its checklist version.

    Raises DefinitionError listing every problem: the shared JSON Schema first, then what
    it cannot say (dates in order, the checklist loaded, the walks' checklist kept).
    """
    errors = schema_errors("audit", definition)
    if errors:
        raise DefinitionError("The audit definition is invalid.", errors)
    starts, ends = (definition.get(name) for name in ("starts_on", "ends_on"))
    try:
        starts, ends = (date.fromisoformat(day) if day else None for day in (starts, ends))
    except ValueError as error:  # a pattern-valid day that is no day, such as 2026-02-30
        raise DefinitionError("The audit definition is invalid.",
                              [{"path": "starts_on", "message": str(error)}]) from error
    if starts and ends and ends < starts:
        errors.append({"path": "ends_on", "message": "The audit cannot end before it starts."})
    wanted = definition["checklist"]
    checklist = _checklist_for(wanted)
    if checklist is None:
        errors.append({"path": "checklist", "message": f"Checklist {wanted['slug']} version "
                                                       f"{wanted.get('version') or 'latest'} is not loaded."})
    elif audit is not None:
        others = sorted(walk.slug for walk in audit.walks if walk.checklist_slug != checklist.slug)
        if others:
            errors.append({"path": "checklist/slug", "message": f"Walks {', '.join(others)} of this audit use "
                                                                 f"another checklist; move them first."})
    if errors:
        raise DefinitionError("The audit definition is invalid.", errors)
    return checklist


def save_audit(definition, audit=None):
    """Check a definition and write it onto `audit`, or onto a new audit; return (audit, created).

    `closed` left out keeps an existing audit's state (a new audit is open).
    """
    checklist = check_audit(definition, audit)
    created = audit is None
    if created:
        if audit_named(definition["slug"]) is not None:
            raise DefinitionError(f"Audit '{definition['slug']}' exists.")
        audit = Audit(slug=definition["slug"], closed=False)
        db.session.add(audit)
    audit.title = definition["title"]
    audit.city = definition.get("city") or ""
    audit.starts_on, audit.ends_on = (date.fromisoformat(definition[name]) if definition.get(name) else None
                                      for name in ("starts_on", "ends_on"))
    audit.checklist_slug, audit.checklist_version = checklist.slug, checklist.version
    if definition.get("closed") is not None:
        audit.closed = definition["closed"]
    # Not flushed here: a walk may be waiting in the session for this very audit.
    return audit, created


def load_audit(definition, replace=False):
    """Create an audit from a definition file; an existing one is left as it is unless `replace`."""
    existing = audit_named(definition.get("slug")) if isinstance(definition, dict) else None
    if existing is not None and not replace:
        check_audit(definition, existing)
        return existing, False
    return save_audit(definition, existing)


def audit_definition(audit):
    """Return a stored audit in the shared audit format."""
    return {"slug": audit.slug, "title": audit.title, "city": audit.city,
            "starts_on": audit.starts_on.isoformat() if audit.starts_on else None,
            "ends_on": audit.ends_on.isoformat() if audit.ends_on else None,
            "checklist": {"slug": audit.checklist_slug, "version": audit.checklist_version},
            "closed": audit.closed}


def audit_counts(audits):
    """Return {audit id: checklists received by its walks}."""
    ids = [audit.id for audit in audits]
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Walk.audit_id, func.count(Response.id)).join(Response, Response.walk_id == Walk.id)
        .where(Walk.audit_id.in_(ids)).group_by(Walk.audit_id)).all())


def ordered_audits():
    """Return every audit, the newest first (by start day, then by when it was made)."""
    return db.session.execute(select(Audit).order_by(
        Audit.starts_on.desc().nulls_last(), Audit.id.desc())).scalars().all()


# Walks and their audit


def walk_audit(definition):
    """Return the audit a walk definition goes to: the one it names, else the one the walk is in, else None.

    Raises DefinitionError when the named audit is unknown or the audit uses another checklist.
    """
    slug = definition.get("audit")
    if slug is None:
        audit = db.session.execute(select(Audit).join(Walk, Walk.audit_id == Audit.id)
                                   .where(Walk.slug == definition["slug"])).scalar_one_or_none()
        if audit is None:
            return None
    else:
        audit = audit_named(slug)
        if audit is None:
            raise DefinitionError("The walk definition is invalid.",
                                  [{"path": "audit", "message": f"There is no audit '{slug}'; create it first."}])
    if audit.checklist_slug != definition["checklist"]["slug"]:
        raise DefinitionError("The walk definition is invalid.", [{
            "path": "checklist/slug", "message": f"Audit '{audit.slug}' uses checklist {audit.checklist_slug}, "
                                                 f"not {definition['checklist']['slug']}."}])
    return audit


def default_audit(checklist):
    """Return the audit for a walk that names none: the newest open audit with its checklist, else a new one.

    The new audit is named after the checklist (a number added if that slug is taken), so
    walk files written before audits existed still load.
    """
    audit = db.session.execute(
        select(Audit).where(Audit.checklist_slug == checklist.slug, Audit.closed.is_(False))
        .order_by(Audit.starts_on.desc().nulls_last(), Audit.id.desc()).limit(1)).scalar_one_or_none()
    if audit is not None:
        return audit
    slug, number = checklist.slug, 2
    while audit_named(slug) is not None:
        suffix = f"-{number}"
        slug, number = checklist.slug[:64 - len(suffix)] + suffix, number + 1
    title = checklist.definition.get("title") or {"en": checklist.slug}
    return save_audit({"slug": slug, "title": title,
                       "checklist": {"slug": checklist.slug, "version": checklist.version}})[0]


def place_walk(walk, definition, checklist):
    """Put a checked walk in its audit: the one named, else the one it is in, else the default."""
    with db.session.no_autoflush:  # a new walk is in the session before its fields are written
        walk.audit = walk_audit(definition) or default_audit(checklist)

