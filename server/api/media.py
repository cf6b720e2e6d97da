"""PUT/HEAD /walks/<slug>/media/<sha256>: a device's photo or voice note, one file at a time."""
from flask import current_app, request

from ..access.auth import check_walk_key
from ..errors import ApiError
from ..extensions import db, limiter
from ..media.images import IMAGE_TYPES, is_accepted_type, media_type
from ..media.uploads import UploadRefused, is_stored, receive, referenced_type
from ..records.photos import is_sha256
from ..reports.queries import find_walk
from . import bp
from .declare import declare
from .util import streams_body

MEDIA_BODY = {media: {"type": "string", "contentMediaType": media}
              for media in (*IMAGE_TYPES, "audio/*")}


def _checked_walk(slug, sha256):
    """Check everything that needs no body: walk, key, address; return the walk's id."""
    walk = find_walk(slug)
    check_walk_key(walk, request.headers.get("X-Walk-Key"))
    if not is_sha256(sha256):
        raise ApiError(400, "The address must end with the file's SHA-256: 64 lowercase hex digits.",
                       code="invalid")
    return walk.id


@bp.route("/walks/<slug>/media/<sha256>", methods=["HEAD"])
@declare(reply={200: None, 404: None}, auth="walkKey")
def media_held(slug, sha256):
    """Tell whether the server holds this file: 200 when it does, 404 when it still has to be sent."""
    _checked_walk(slug, sha256)
    return ("", 200) if is_stored(sha256) else ("", 404)


@bp.put("/walks/<slug>/media/<sha256>")
@declare(body=MEDIA_BODY, reply={201: None, 200: None}, auth="walkKey", errors=(409, 413, 415))
@streams_body
@limiter.limit(lambda: current_app.config["SYNC_RATE_LIMIT"], override_defaults=False)
def upload_media(slug, sha256):
    """Store a photo or voice note that a synced checklist names: 201 when stored, 200 when already held."""
    walk_id = _checked_walk(slug, sha256)
    content_type = media_type(request.headers.get("Content-Type"))
    if not is_accepted_type(content_type):
        raise ApiError(415, "Send the file with its type: image/jpeg, image/webp, image/png or audio/*.",
                       details={"content_type": content_type or None})
    limit = current_app.config["MEDIA_MAX_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, f"The file is larger than {limit} bytes.", details={"max_bytes": limit})
    kind = referenced_type(walk_id, sha256)
    if kind is None:
        raise ApiError(409, "No photo of this walk names this file; sync the checklist first.",
                       code="unknown_file")
    if (kind == "image") != (content_type in IMAGE_TYPES):
        raise ApiError(400, f"This file is a {'photo' if kind == 'image' else 'voice note'}, not {content_type}.",
                       code="wrong_type")
    db.session.close()  # no connection waits for a slow phone's bytes
    try:
        created = receive(request.stream, sha256, content_type, limit)
    except UploadRefused as error:
        raise ApiError(error.status, error.message, code=error.code, details=error.details) from error
    return ("", 201) if created else ("", 200)
