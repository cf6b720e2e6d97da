"""Error pages of the console: readable HTML, never the API's JSON envelope."""
from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import ApiError
from ..extensions import db
from . import bp

TITLES = {400: "The request was refused", 403: "Not allowed", 404: "Not found",
          405: "Not allowed here", 413: "The file is too large", 429: "Too many attempts"}
MESSAGES = {
    413: "The file is larger than the server accepts. Split the backup into smaller files.",
    429: "Too many attempts from your address. Wait a minute and try again.",
}


def error_page(status, message):
    """Render the error page with a status code."""
    db.session.rollback()
    return render_template("console/error.html", status=status,
                           title=TITLES.get(status, "Something went wrong"), message=message), status


@bp.errorhandler(CSRFError)
def csrf_error(error):
    """Refuse a form sent without the page's token, and say what to do."""
    return error_page(400, "The form had expired or came from another site, so nothing was changed. "
                           "Go back, reload the page and send it again.")


@bp.errorhandler(HTTPException)
def http_error(error):
    """Render HTTP errors raised by console views (403, 404, 413, 429 …)."""
    return error_page(error.code, MESSAGES.get(error.code) or error.description)


@bp.errorhandler(ApiError)
def api_error(error):
    """Show errors from the shared query helpers (unknown walk or checklist …) as a page."""
    return error_page(error.status, error.message)
