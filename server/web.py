"""Serve the walker app (pwa/) at the site root; any walk or station link opens its shell."""
from pathlib import Path

from flask import Blueprint, abort
from werkzeug.routing import PathConverter

from . import static_files

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"

bp = Blueprint("web", __name__)


class AppFileConverter(PathConverter):
    """A path outside /api/ and /admin/ (registered on the app in create_app)."""

    regex = r"(?!api/|admin/|api$|admin$)[^/].*?"


def _static(filename):
    """Answer with one file of pwa/, compressed, revalidated on every use (the service worker keeps the offline copy)."""
    return static_files.send(PWA_DIR, filename)


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
