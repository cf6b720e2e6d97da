"""Serve the walker app (pwa/) at the site root; any walk or station link opens its shell."""
import hashlib
import mimetypes
from pathlib import Path

from flask import Blueprint, Response, abort, request
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"
# Types Python's mimetypes may not know, or may guess differently per platform.
TYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript", ".css": "text/css",
         ".json": "application/json", ".html": "text/html", ".png": "image/png"}

bp = Blueprint("web", __name__)


class AppFileConverter(PathConverter):
    """A path outside /api/ and /admin/ (registered on the app in create_app)."""

    regex = r"(?!api/|admin/|api$|admin$)[^/].*?"


def _static(filename):
    """Answer with one file of pwa/, revalidated on every use (the service worker keeps the offline copy)."""
    path = safe_join(str(PWA_DIR), filename)
    if path is None or not Path(path).is_file():
        abort(404)
    # The files are small: read them whole, so no open file outlives a dropped connection.
    data = Path(path).read_bytes()
    suffix = Path(path).suffix
    mimetype = TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = Response(data, mimetype=mimetype)
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@bp.get("/")
@bp.get("/w/<walk>")
@bp.get("/w/<walk>/<code>")
def app_shell(walk=None, code=None):
    """Serve the app shell; the app reads the walk and station from the address."""
    return _static("index.html")


@bp.get("/<app_file:filename>")
def pwa_file(filename):
    """Serve the app's static files (never /api/ or /admin/, which keep their own 404 and 405)."""
    if filename.endswith(".md"):
        abort(404)
    return _static(filename)
