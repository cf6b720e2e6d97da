"""Serve the walker app (pwa/) at the site root; any walk or station link opens its shell."""
from pathlib import Path

from flask import Blueprint, abort, send_from_directory

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"

bp = Blueprint("web", __name__)


@bp.get("/")
@bp.get("/w/<walk>")
@bp.get("/w/<walk>/<code>")
def app_shell(walk=None, code=None):
    """Serve the app shell; the app reads the walk and station from the address."""
    response = send_from_directory(PWA_DIR, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<path:filename>")
def pwa_file(filename):
    """Serve the app's static files."""
    if filename.startswith(("api/", "admin/")):
        abort(404)
    return send_from_directory(PWA_DIR, filename, max_age=0)
