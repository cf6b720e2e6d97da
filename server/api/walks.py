"""Walks as the walker app reads them: stations, their order and the items shown first."""
from flask import jsonify, request
from sqlalchemy import select

from ..access.auth import check_walk_key
from ..errors import ApiError
from ..records.status import walk_tally

from ..extensions import db
from ..models import Walk
from ..reports.queries import find_walk
from .declare import declare
from .schemas import (
    PublicWalkSchema,
    WalkCodeSchema,
    WalkKeySchema,
    WalkListSchema,
    WalkTallySchema,
    walk_code_schema,
    walk_key_schema,
    walk_schema,
    walk_tally_schema,
)
from .util import json_body
from . import bp


def public_walk(walk):
    """Return a walk in the public wire shape (no key)."""
    return walk_schema.dump({
        "slug": walk.slug, "title": walk.title, "description": walk.description,
        "checklist": {"slug": walk.checklist_slug, "version": walk.checklist_version},
        "audit": walk.audit.slug, "closed": walk.refuses_records, "stations": walk.stations,
    })


@bp.get("/walks")
@declare(reply=WalkListSchema)
def list_walks():
    """List the walks with their titles and station counts."""
    walks = db.session.execute(select(Walk).order_by(Walk.slug)).scalars()
    return jsonify({"walks": [
        {"slug": w.slug, "audit": w.audit.slug, "title": w.title, "closed": w.refuses_records, "stations": len(w.stations),
         "checklist": {"slug": w.checklist_slug, "version": w.checklist_version}}
        for w in walks]})


@bp.get("/walks/<slug>")
@declare(reply=PublicWalkSchema)
def show_walk(slug):
    """Return a walk with its stations in order."""
    return jsonify(public_walk(find_walk(slug)))


@bp.get("/walks/<slug>/tally")
@declare(reply=WalkTallySchema, auth="walkKey")
def walk_tally_view(slug):
    """Return how many checklists the walk's group has sent so far, in all and per station (needs the walk key)."""
    walk = find_walk(slug)
    check_walk_key(walk, request.headers.get("X-Walk-Key"))
    return jsonify(walk_tally_schema.dump(walk_tally(walk)))


@bp.post("/walks/<slug>/key")
@declare(body=WalkCodeSchema, reply=WalkKeySchema, errors=(403,))
def exchange_walk_code(slug):
    """Return the walk key for the walk code printed under its QR codes (403 when wrong or replaced)."""
    walk = find_walk(slug)
    code = walk_code_schema.load(json_body())["code"]
    # A 403 counts against the API's limit on failed key checks, so codes are guessed no faster than keys.
    if not walk.code_matches(code):
        raise ApiError(403, "This walk code is not the walk's current code. Check it against the code printed "
                            "under the QR code, or ask the facilitator for the new one.", code="wrong_walk_code")
    return jsonify(walk_key_schema.dump({"walk": walk.slug, "key": walk.key}))
