"""Serve the walker app (pwa/) at the site root; any walk or station link opens its shell."""
from pathlib import Path

from flask import Blueprint, send_from_directory
from werkzeug.routing import PathConverter

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"

bp = Blueprint("web", __name__)


class AppFileConverter(PathConverter):
    """A path outside /api/ and /admin/, so those keep their own 404 and 405 answers."""

    regex = r"(?!api/|admin/|api$|admin$)[^/].*?"


@bp.record_once
def _register_converter(state):
    state.app.url_map.converters["app_file"] = AppFileConverter


@bp.get("/")
@bp.get("/w/<walk>")
@bp.get("/w/<walk>/<code>")
def app_shell(walk=None, code=None):
    """Serve the app shell; the app reads the walk and station from the address."""
    response = send_from_directory(PWA_DIR, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<app_file:filename>")
def pwa_file(filename):
    """Serve the app's static files."""
    return send_from_directory(PWA_DIR, filename, max_age=0)
