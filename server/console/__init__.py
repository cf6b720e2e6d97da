"""The admin console: server-rendered pages under /admin for admins and facilitators."""
from flask import Blueprint

from . import formatting

bp = Blueprint("console", __name__, url_prefix="/admin",
               static_folder="../static", static_url_path="/static")
bp.record_once(lambda state: formatting.register(state.app))

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
    return {"user": current_user(), "language_names": formatting.LANGUAGE_NAMES}
