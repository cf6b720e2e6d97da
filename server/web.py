"""Serve the walker app (pwa/) at the site root; any walk or station link opens its shell."""
from pathlib import Path

from flask import Blueprint, abort, send_from_directory
from werkzeug.routing import PathConverter

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"
# Types Python's mimetypes may not know, or may guess differently per platform.
TYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript", ".css": "text/css",
         ".json": "application/json"}

bp = Blueprint("web", __name__)


class AppFileConverter(PathConverter):
    """A path outside /api/ and /admin/ (registered on the app in create_app)."""

    regex = r"(?!api/|admin/|api$|admin$)[^/].*?"


def _revalidated(response):
    # The service worker keeps the offline copy; the HTTP cache must never serve a stale shell or sw.js.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/")
@bp.get("/w/<walk>")
@bp.get("/w/<walk>/<code>")
def app_shell(walk=None, code=None):
    """Serve the app shell; the app reads the walk and station from the address."""
    return _revalidated(send_from_directory(PWA_DIR, "index.html", max_age=0))


@bp.get("/<app_file:filename>")
def pwa_file(filename):
    """Serve the app's static files (never /api/ or /admin/, which keep their own 404 and 405)."""
    if filename.endswith(".md"):
        abort(404)
    mimetype = TYPES.get(Path(filename).suffix)
    return _revalidated(send_from_directory(PWA_DIR, filename, max_age=0, mimetype=mimetype))
