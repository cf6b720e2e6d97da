"""Walks as the walker app reads them: stations, their order and the items shown first."""
from flask import jsonify
from sqlalchemy import select

from ..extensions import db
from ..models import Walk
from ..reports.queries import find_walk
from .schemas import walk_schema
from . import bp


def public_walk(walk):
    """Return a walk in the public wire shape (no key)."""
    return walk_schema.dump({
        "slug": walk.slug, "title": walk.title, "description": walk.description,
        "checklist": {"slug": walk.checklist_slug, "version": walk.checklist_version},
        "audit": walk.audit.slug, "closed": walk.refuses_records, "stations": walk.stations,
    })


@bp.get("/walks")
def list_walks():
    """List the walks with their titles and station counts."""
    walks = db.session.execute(select(Walk).order_by(Walk.slug)).scalars()
    return jsonify({"walks": [
        {"slug": w.slug, "audit": w.audit.slug, "title": w.title, "closed": w.refuses_records, "stations": len(w.stations),
         "checklist": {"slug": w.checklist_slug, "version": w.checklist_version}}
        for w in walks]})


@bp.get("/walks/<slug>")
def show_walk(slug):
    """Return a walk with its stations in order."""
    return jsonify(public_walk(find_walk(slug)))
