"""Admin API for photos: list, show or hide, the files themselves, and photos.zip."""
from flask import Response as FlaskResponse
from flask import jsonify, stream_with_context, url_for

from ..access.auth import current_principal, require, require_walk_access
from ..documents.photo_zip import photos_zip
from ..errors import ApiError
from ..extensions import db
from ..catalog.audits import find_audit
from ..media.photos import PhotoFilters, file_chunks, find_photo, held_file, list_photos, set_caption_translations
from ..records.review import parse_states
from ..reports.queries import find_walk
from . import bp
from ..documents.names import download_name
from .exports import as_attachment
from .declare import declare, query_args
from .schemas import (
    PhotoListSchema,
    PhotoPatchSchema,
    PhotoQuerySchema,
    PhotoShownSchema,
    WalkPhotoQuerySchema,
    photo_list_schema,
    photo_patch_schema,
)
from .util import json_body


def photo_filters(args, walk=None):
    """Return the gallery's PhotoFilters from query arguments parsed by PhotoQuerySchema (404 on an unknown audit)."""
    audit = args.get("audit")
    if audit is not None:
        find_audit(audit)
    return PhotoFilters(audit=audit, review=parse_states(args.get("review")), walk=walk or args.get("walk"),
                        station=args.get("station"), topic=args.get("topic"), rating=args.get("rating"),
                        group=args.get("group"), shown=args.get("shown"))


def with_urls(photo):
    """Add the file URLs (they work with the admin token or the console session)."""
    base = {"slug": photo["walk"], "photo_id": photo["id"]}
    return {**photo,
            "url": url_for("api.photo_file", **base) if photo["image_stored"] else None,
            "thumbnail_url": url_for("api.photo_thumbnail", **base) if photo["image_stored"] else None,
            "voice_url": url_for("api.photo_voice", **base) if photo["voice_stored"] else None}


def _visible_walk_ids():
    principal = current_principal()
    return None if principal.is_admin else principal.walk_ids


@bp.get("/admin/walks/<slug>/photos")
@declare(reply=PhotoListSchema, query=WalkPhotoQuerySchema)
@require("admin", "facilitator")
def admin_walk_photos(slug):
    """List a walk's photos with caption, rating, group and whether the file arrived."""
    walk = find_walk(slug)
    require_walk_access(walk)
    photos = list_photos(photo_filters(query_args(), walk.slug))
    return jsonify(photo_list_schema.dump({"photos": [with_urls(p) for p in photos]}))


@bp.get("/admin/photos")
@declare(reply=PhotoListSchema, query=PhotoQuerySchema)
@require("admin", "facilitator")
def admin_all_photos():
    """List the photos of every walk the caller may see (filter with audit=, walk=, station=, topic=, rating=,
    group=, shown=, review=)."""
    photos = list_photos(photo_filters(query_args()), _visible_walk_ids())
    return jsonify(photo_list_schema.dump({"photos": [with_urls(p) for p in photos]}))


@bp.patch("/admin/walks/<slug>/photos/<photo_id>")
@declare(body=PhotoPatchSchema, reply=PhotoShownSchema)
@require("admin")
def admin_patch_photo(slug, photo_id):
    """Show a photo in the report or hide it; add caption translations for reports in other languages."""
    walk = find_walk(slug)
    photo = find_photo(walk.id, photo_id)
    if photo is None:
        raise ApiError(404, f"No photo '{photo_id}' on walk '{slug}'.")
    data = photo_patch_schema.load(json_body())
    if "shown" in data:
        photo.shown = data["shown"]
    if "caption_translations" in data:
        set_caption_translations(photo, data["caption_translations"])
    db.session.commit()
    return jsonify({"id": photo.id, "shown": photo.shown, "caption_translations": photo.caption_translations or {}})


def _file(slug, photo_id, which):
    walk = find_walk(slug)
    require_walk_access(walk)
    photo = find_photo(walk.id, photo_id)
    if photo is None:
        raise ApiError(404, f"No photo '{photo_id}' on walk '{slug}'.")
    sha = photo.voice_sha256 if which == "voice" else photo.sha256
    held = held_file(sha)
    if held is None or (which == "thumbnail" and not held.has_thumbnail):
        raise ApiError(404, "The file has not arrived yet: it is waiting on the walker's phone.",
                       code="waiting_for_file")
    mimetype = "image/jpeg" if which == "thumbnail" else held.content_type
    response = FlaskResponse(stream_with_context(file_chunks(sha, thumbnail=which == "thumbnail")),
                             mimetype=mimetype)
    if which != "thumbnail":
        response.headers["Content-Length"] = str(held.bytes)
    # Content-addressed: the bytes at this address never change, but they are private.
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/admin/walks/<slug>/photos/<photo_id>/file")
@declare(reply={200: {media: None for media in ("image/jpeg", "image/webp", "image/png")}})
@require("admin", "facilitator")
def photo_file(slug, photo_id):
    """Return a photo's stored file (no EXIF)."""
    return _file(slug, photo_id, "file")


@bp.get("/admin/walks/<slug>/photos/<photo_id>/thumbnail")
@declare(reply="image/jpeg")
@require("admin", "facilitator")
def photo_thumbnail(slug, photo_id):
    """Return a photo's thumbnail (about 320 px, JPEG)."""
    return _file(slug, photo_id, "thumbnail")


@bp.get("/admin/walks/<slug>/photos/<photo_id>/voice")
@declare(reply="audio/*")
@require("admin", "facilitator")
def photo_voice(slug, photo_id):
    """Return a photo's voice note."""
    return _file(slug, photo_id, "voice")


@bp.get("/export/photos.zip")
@declare(reply="application/zip", query=PhotoQuerySchema)
@require("admin")
def export_photos_zip():
    """Download every stored photo and voice note as <station>/<photo id>.jpg, with photos.csv (streamed)."""
    filters = photo_filters(query_args())
    if filters.walk:
        find_walk(filters.walk)  # 404 for a walk that does not exist
    photos = list(list_photos(filters))
    response = FlaskResponse(stream_with_context(photos_zip(photos, file_chunks)), mimetype="application/zip")
    return as_attachment(response, download_name(filters, "photos", "zip"))
