"""POST /walks/<slug>/sync: where devices deliver their checklists."""
import zlib

import orjson
from flask import current_app, jsonify, request

from ..access.auth import check_walk_key
from ..errors import ApiError
from ..extensions import db, limiter
from ..records.ingest import deliver, keep_refused
from ..models import utcnow
from ..reports.queries import find_walk
from ..records.rules import MAX_DEPTH, nesting_depth, validate_envelope
from . import bp
from .declare import declare, shared
from .util import streams_body


def _too_large(limit):
    return ApiError(413, f"The request is larger than {limit} bytes; send fewer checklists at a time.",
                    details={"max_bytes": limit})


def _check_declared_length(limit):
    """Refuse a body that announces itself larger than the limit, before any of it is read."""
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)


def _read_limited(limit):
    _check_declared_length(limit)
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return data


def _decoded_body(limit):
    """Return the request body as bytes, gunzipped when the client compressed it."""
    data = _read_limited(limit)
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return data
    if encoding != "gzip":
        raise ApiError(415, f"Content-Encoding '{encoding}' is not supported; use gzip or none.")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(data, limit + 1)
    except zlib.error as error:
        raise ApiError(400, "The gzip body is corrupt.", code="malformed_body") from error
    if len(body) > limit or inflater.unconsumed_tail:
        raise ApiError(413, f"The uncompressed request is larger than {limit} bytes.",
                       details={"max_bytes": limit})
    if not inflater.eof:
        raise ApiError(400, "The gzip body is truncated.", code="malformed_body")
    return body


def _parse(walk, raw):
    """Return the parsed body; keep a body that is not JSON, or nests absurdly deep, as raw text and refuse it."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise _refused_raw(walk, raw, "malformed_json", "The body is not valid JSON.",
                           f"Not valid JSON: {error}") from error
    if nesting_depth(body) > MAX_DEPTH:
        raise _refused_raw(walk, raw, "malformed_request", "The body nests arrays or objects too deeply.",
                           f"Nested deeper than {MAX_DEPTH} levels; a sync request nests 5.")
    return body


def _refused_raw(walk, raw, code, message, reason):
    """Keep the raw body in the log as refused; return the error to answer."""
    # PostgreSQL cannot store NUL in text: keep it visible as the JSON escape it would have been.
    text = raw.decode("utf-8", errors="replace").replace("\x00", "\\u0000")
    details = {"": [reason]}
    keep_refused(walk.slug, None, [text], details, remote_addr=request.remote_addr)
    return ApiError(400, message, code=code, details=details)


def _refuse(walk, body, errors):
    """Keep every record of a refused body (or the body itself when it has no list of records) in the log."""
    records = body.get("responses") if isinstance(body, dict) else None
    device_id = body.get("device_id") if isinstance(body, dict) else None
    keep_refused(walk.slug, device_id if isinstance(device_id, str) else None,
                 records if isinstance(records, list) else [body], errors, remote_addr=request.remote_addr)


def _admit(slug):
    """Check the walk and its key; return (walk, refusal) where refusal is a closed walk's error or None."""
    walk = find_walk(slug)
    check_walk_key(walk, request.headers.get("X-Walk-Key"))
    if walk.refuses_records:
        what = "walk" if walk.closed else f"audit '{walk.audit.slug}' this walk belongs to"
        # The same code as a closed walk: the walker app tells its user the walk is closed either way.
        return walk, ApiError(403, f"The {what} is closed; ask the facilitator to reopen it.", code="walk_closed")
    return walk, None


@bp.post("/walks/<slug>/sync")
@declare(body=shared("sync-request"), reply=shared("sync-reply"), auth="walkKey", errors=(413, 415))
@streams_body
@limiter.limit(lambda: current_app.config["SYNC_RATE_LIMIT"], override_defaults=False)
def sync_walk(slug):
    """Store a batch of checklists from one device; answer each record's status in order."""
    config = current_app.config
    # Everything that needs no body comes first (the rate limit has already been counted): a refused
    # request costs neither the reading of its body nor a byte in the log.
    if not request.is_json:
        raise ApiError(415, "Send JSON with 'Content-Type: application/json'.")
    _check_declared_length(config["SYNC_MAX_BYTES"])
    _admit(slug)
    db.session.rollback()  # ends the read: no database connection waits while a slow phone's body arrives
    raw = _decoded_body(config["SYNC_MAX_BYTES"])
    walk, refusal = _admit(slug)  # again: the walk may have been closed or its key replaced meanwhile
    body = _parse(walk, raw)
    if refusal is not None:
        # Kept in the log so an admin can apply the records once the walk is reopened.
        _refuse(walk, body, {"": [refusal.message]})
        raise refusal
    errors = validate_envelope(body, config["SYNC_MAX_RESPONSES"])
    if errors:
        _refuse(walk, body, errors)
        records = body.get("responses") if isinstance(body, dict) else None
        if isinstance(records, list) and len(records) > config["SYNC_MAX_RESPONSES"]:
            raise ApiError(413, errors["responses"][0], details={"max_responses": config["SYNC_MAX_RESPONSES"]})
        raise ApiError(400, "The sync request is malformed; see details.", code="malformed_request",
                       details=errors)
    delivery = deliver(walk, body["device_id"], body["responses"], source="sync", remote_addr=request.remote_addr)
    return jsonify({"results": delivery.results, "server_time": utcnow().isoformat().replace("+00:00", "Z")})
