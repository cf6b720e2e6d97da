"""Send the small static files (the walker app, the console's CSS and JS) compressed and cacheable.

Each file is read once per change and kept with its brotli and gzip forms, so a request costs
no compression. The client gets the smallest form it accepts (Vary: Accept-Encoding) with a
strong ETag per form, so a repeat visit revalidates for nothing. A URL that carries the file's
content hash (?v=…, see `content_hash`) is cached for a year: a changed file gets a new URL.
"""
import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Response, abort, request
from werkzeug.security import safe_join

# Types Python's mimetypes may not know, or may guess differently per platform.
TYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript", ".css": "text/css",
         ".json": "application/json", ".html": "text/html", ".png": "image/png", ".svg": "image/svg+xml"}
COMPRESSIBLE = {".js", ".css", ".html", ".webmanifest", ".json", ".svg", ".txt"}
MIN_COMPRESS = 512  # below this the encoding headers cost about what compression saves
HASH_CHARS = 16
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Packed:
    """One file's bytes in every form it is sent in, and its content hash."""

    forms: dict  # encoding ("br", "gzip", "identity") -> bytes
    digest: str
    mimetype: str


_packed = {}  # path -> ((mtime_ns, size), Packed)


def packed(path):
    """Return the file's forms, read and compressed again only when it changed on disk."""
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _packed.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    data = path.read_bytes()
    forms = {"identity": data}
    if path.suffix in COMPRESSIBLE and len(data) >= MIN_COMPRESS:
        forms["br"] = brotli.compress(data, quality=4)  # fast: a first request waits for it
        forms["gzip"] = gzip.compress(data, compresslevel=6, mtime=0)
    mimetype = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    result = Packed(forms, hashlib.sha256(data).hexdigest()[:HASH_CHARS], mimetype)
    _packed[path] = (key, result)
    return result


def content_hash(folder, filename):
    """Return a file's content hash, for a URL that may be cached for good (?v=<hash>)."""
    path = _resolve(folder, filename)
    return packed(path).digest if path is not None else ""


def _resolve(folder, filename):
    joined = safe_join(str(folder), filename)
    return Path(joined) if joined is not None and Path(joined).is_file() else None


def _encoding(forms):
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if encoding in forms and accepted[encoding] > 0:
            return encoding
    return "identity"


def send(folder, filename):
    """Answer with one file of `folder`: compressed when the client accepts it, revalidated or cached for good."""
    path = _resolve(folder, filename)
    if path is None:
        abort(404)
    file = packed(path)
    encoding = _encoding(file.forms)
    response = Response(file.forms[encoding], mimetype=file.mimetype)
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    if len(file.forms) > 1:
        response.vary.add("Accept-Encoding")
    response.set_etag(file.digest if encoding == "identity" else f"{file.digest}-{encoding}")
    if request.args.get("v") == file.digest:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"  # revalidate: a 304 costs no body
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)
