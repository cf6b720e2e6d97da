"""Admin API: walks, stations, keys, tokens and each walk's sync status."""
from datetime import timedelta

from flask import jsonify
from sqlalchemy import func, select

from ..access.audit_trail import record
from ..access.auth import current_principal, require, require_walk_access
from ..catalog.definitions import (
    DefinitionError,
    get_checklist,
    load_walk,
    remove_station,
    save_station,
    save_walk,
)
from ..errors import ApiError
from ..extensions import db
from ..catalog.links import station_url, walk_url
from ..models import ApiToken, Response, User, Walk, utcnow
from ..reports.queries import find_walk
from .schemas import (
    AdminWalkListSchema,
    AdminWalkSchema,
    TokenListSchema,
    TokenRequestSchema,
    TokenSchema,
    WalkPatchSchema,
    WalkStatusSchema,
    admin_walk_schema,
    token_request_schema,
    token_schema,
    walk_patch_schema,
    walk_status_schema,
)
from ..records.status import walk_status
from ..records.rules import MAX_INT
from . import bp
from .declare import declare, shared
from .util import definition_body, json_body

# A replacing PUT may leave out the slug (the path's); a station's code is the path's, its position optional.
WALK_PUT = shared("walk", optional=("slug",), alias="WalkReplacement")
STATION_PUT = shared("walk", "station", optional=("code", "position"), nullable=("lat", "lon"), alias="StationPut")


def admin_walk(walk):
    """Return a walk with its key, links and counts, as admins and facilitators see it."""
    responses = db.session.execute(
        select(func.count()).select_from(Response).where(Response.walk_id == walk.id)).scalar_one()
    return admin_walk_schema.dump({
        "slug": walk.slug, "audit": walk.audit.slug, "title": walk.title, "description": walk.description,
        "checklist": {"slug": walk.checklist_slug, "version": walk.checklist_version},
        "closed": walk.closed, "key": walk.key, "code": walk.printed_code, "url": walk_url(walk),
        "responses": responses,
        "stations": [{"code": s.code, "title": s.title, "position": s.position, "lat": s.lat, "lon": s.lon,
                      "items": s.items, "url": station_url(walk, s)} for s in walk.stations],
    })


def _walk_for(slug):
    walk = find_walk(slug)
    require_walk_access(walk)
    return walk


def _definition_error(error):
    return ApiError(400, str(error), code="invalid", details=error.errors)


@bp.get("/admin/walks")
@declare(reply=AdminWalkListSchema)
@require("admin", "facilitator")
def admin_list_walks():
    """List the walks the caller may see, with keys and station links."""
    principal = current_principal()
    walks = db.session.execute(select(Walk).order_by(Walk.slug)).scalars()
    return jsonify({"walks": [admin_walk(w) for w in walks if principal.can_see_walk(w)]})


@bp.post("/admin/walks")
@declare(body=shared("walk"), reply={201: AdminWalkSchema}, errors=(404, 409))
@require("admin")
def admin_create_walk():
    """Create a walk from a definition in the shared walk format."""
    definition = json_body()
    if isinstance(definition, dict) and isinstance(definition.get("slug"), str) and db.session.execute(
            select(Walk.id).where(Walk.slug == definition["slug"])).first():
        raise ApiError(409, f"Walk '{definition['slug']}' exists; PUT to replace it.")
    try:
        walk, _ = load_walk(definition)
    except DefinitionError as error:
        raise _definition_error(error) from error
    record("walk_created", walk.slug)
    db.session.commit()
    return jsonify(admin_walk(walk)), 201


@bp.get("/admin/walks/<slug>")
@declare(reply=AdminWalkSchema)
@require("admin", "facilitator")
def admin_show_walk(slug):
    """Return a walk with its key and the exact link of each station's QR code."""
    return jsonify(admin_walk(_walk_for(slug)))


@bp.put("/admin/walks/<slug>")
@declare(body=WALK_PUT, reply=AdminWalkSchema, errors=(409,))
@require("admin")
def admin_replace_walk(slug):
    """Replace a walk's titles, checklist and stations from a full definition."""
    walk = find_walk(slug)
    definition = definition_body(slug, "A walk")
    try:
        save_walk(definition, walk)
    except DefinitionError as error:
        raise _definition_error(error) from error
    record("walk_changed", walk.slug, {"replaced": True})
    db.session.commit()
    return jsonify(admin_walk(walk))


@bp.patch("/admin/walks/<slug>")
@declare(body=WalkPatchSchema, reply=AdminWalkSchema)
@require("admin")
def admin_update_walk(slug):
    """Change a walk's titles or move it to another version of its checklist."""
    walk = find_walk(slug)
    changes = walk_patch_schema.load(json_body())
    if "checklist_version" in changes:
        walk.checklist_version = get_checklist(walk.checklist_slug, changes["checklist_version"]).version
    for field in ("title", "description"):
        if field in changes:
            setattr(walk, field, changes[field])
    record("walk_changed", walk.slug, {"fields": sorted(changes)})
    db.session.commit()
    return jsonify(admin_walk(walk))


@bp.delete("/admin/walks/<slug>")
@declare(reply={204: None}, errors=(409,))
@require("admin")
def admin_delete_walk(slug):
    """Delete a walk that has received no checklists."""
    walk = find_walk(slug)
    if db.session.execute(select(Response.id).where(Response.walk_id == walk.id).limit(1)).first():
        raise ApiError(409, "This walk has received checklists; close it instead of deleting it.")
    db.session.delete(walk)
    record("walk_deleted", slug)
    db.session.commit()
    return "", 204


def _set_closed(slug, closed):
    walk = find_walk(slug)
    walk.closed = closed
    record("walk_closed" if closed else "walk_reopened", walk.slug)
    db.session.commit()
    return jsonify(admin_walk(walk))


@bp.post("/admin/walks/<slug>/close")
@declare(reply=AdminWalkSchema)
@require("admin")
def admin_close_walk(slug):
    """Close a walk: devices can no longer deliver to it."""
    return _set_closed(slug, True)


@bp.post("/admin/walks/<slug>/reopen")
@declare(reply=AdminWalkSchema)
@require("admin")
def admin_reopen_walk(slug):
    """Reopen a closed walk."""
    return _set_closed(slug, False)


@bp.post("/admin/walks/<slug>/rotate-key")
@declare(reply=AdminWalkSchema)
@require("admin")
def admin_rotate_key(slug):
    """Give a walk a new key; codes printed with the old one stop working."""
    walk = find_walk(slug)
    walk.rotate_key()
    record("key_rotated", walk.slug)
    db.session.commit()
    return jsonify(admin_walk(walk))


@bp.put("/admin/walks/<slug>/stations/<code>")
@declare(body=STATION_PUT, reply={200: AdminWalkSchema, 201: AdminWalkSchema}, errors=(409,))
@require("admin")
def admin_put_station(slug, code):
    """Create or update one station of a walk, checked as a whole walk definition is."""
    walk = find_walk(slug)
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object describing the station.", code="invalid")
    if "code" in body and str(body["code"]).upper() != code.upper():
        raise ApiError(400, "The code in the body differs from the one in the path.", code="invalid",
                       details=[{"path": "code", "message": "A station's code cannot change."}])
    # null lat/lon/items mean "none", as the reply writes them; the shared format leaves them out.
    station = {key: value for key, value in body.items()
               if key != "code" and not (key in ("lat", "lon", "items") and value is None)}
    position = station.pop("position", None)
    try:
        row, created = save_station(walk, {"code": code, **station}, position)
    except DefinitionError as error:
        raise _definition_error(error) from error
    record("station_changed", f"{walk.slug}/{row.code}", {"created": created})
    db.session.commit()
    return jsonify(admin_walk(walk)), 201 if created else 200


@bp.delete("/admin/walks/<slug>/stations/<code>")
@declare(reply=AdminWalkSchema, errors=(409,))
@require("admin")
def admin_delete_station(slug, code):
    """Remove a station; answers given there keep its code."""
    walk = find_walk(slug)
    if walk.station(code) is None:
        raise ApiError(404, f"No station '{code}' on walk '{slug}'.")
    try:
        remove_station(walk, code)
    except DefinitionError as error:
        raise ApiError(409, str(error)) from error
    record("station_deleted", f"{walk.slug}/{code.upper()}")
    db.session.commit()
    return jsonify(admin_walk(walk))


@bp.get("/admin/walks/<slug>/status")
@declare(reply=WalkStatusSchema)
@require("admin", "facilitator")
def admin_walk_status(slug):
    """Show what has arrived: checklists per station and device, refused records."""
    return jsonify(walk_status_schema.dump(walk_status(_walk_for(slug))))


def token_view(token, plaintext=None):
    """Return a token as the API shows it (the plaintext only at creation)."""
    data = {"id": token.id, "role": token.role, "label": token.label, "prefix": token.prefix,
            "walks": [w.slug for w in token.walks], "created_at": token.created_at,
            "last_used_at": token.last_used_at, "revoked_at": token.revoked_at, "expires_at": token.expires_at,
            "user": token.user.username if token.user else None}
    if plaintext:
        data["token"] = plaintext
    return token_schema.dump(data)


@bp.get("/admin/tokens")
@declare(reply=TokenListSchema)
@require("admin")
def admin_list_tokens():
    """List API tokens (never their secret)."""
    tokens = db.session.execute(select(ApiToken).order_by(ApiToken.id)).scalars()
    return jsonify({"tokens": [token_view(t) for t in tokens]})


@bp.post("/admin/tokens")
@declare(body=TokenRequestSchema, reply={201: TokenSchema}, errors=(404,))
@require("admin")
def admin_create_token():
    """Create a token; its secret is in this reply only."""
    data = token_request_schema.load(json_body())
    walks = [find_walk(slug) for slug in data["walks"]]
    if data["role"] == "facilitator" and not walks:
        raise ApiError(400, "A facilitator token needs at least one walk.", code="invalid",
                       details={"walks": ["Name the walks this facilitator runs."]})
    lifetime = timedelta(days=data["expires_in_days"]) if data["expires_in_days"] is not None else None
    owner = db.session.get(User, current_principal().user_id) if current_principal().user_id else None
    token, plaintext = ApiToken.issue(data["role"], walks, data.get("label"), owner, expires_in=lifetime)
    db.session.add(token)
    db.session.flush()
    record("token_created", f"#{token.id}", {"role": data["role"], "walks": data["walks"],
                                             "label": data.get("label"), "expires_at": token.expires_at})
    db.session.commit()
    return jsonify(token_view(token, plaintext)), 201


@bp.delete("/admin/tokens/<int:token_id>")
@declare(reply=TokenSchema)
@require("admin")
def admin_revoke_token(token_id):
    """Revoke a token at once."""
    token = db.session.get(ApiToken, token_id) if token_id <= MAX_INT else None  # no column holds more
    if token is None:
        raise ApiError(404, f"No token {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("token_revoked", f"#{token.id}", {"label": token.label})
    db.session.commit()
    return jsonify(token_view(token))
