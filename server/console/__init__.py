"""The admin console: server-rendered pages under /admin for admins and facilitators."""
from pathlib import Path

from flask import Blueprint, url_for

from .. import static_files
from . import formatting

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

bp = Blueprint("console", __name__, url_prefix="/admin")
bp.record_once(lambda state: formatting.register(state.app))


@bp.get("/static/<path:filename>")
def static(filename):
    """Serve the console's CSS and JS, compressed; cached for good under their content hash."""
    return static_files.send(STATIC_DIR, filename)


def static_url(filename):
    """Return the URL of a console static file, with its content hash so browsers may keep it."""
    return url_for("console.static", filename=filename, v=static_files.content_hash(STATIC_DIR, filename))

from . import (  # noqa: E402,F401
    audits,
    auth,
    checklists,
    compare,
    downloads,
    errors,
    imports,
    log,
    personal_data,
    photos,
    report,
    review,
    status,
    tokens,
    trail,
    users,
    walks,
)
from .access import current_user  # noqa: E402


@bp.context_processor
def console_context():
    """Give every console page the signed-in user and the names of languages."""
    return {"user": current_user(), "language_names": formatting.LANGUAGE_NAMES, "static_url": static_url}
