"""One JSON error envelope for every API error: {"error": {"code", "message", "details"}}."""
import logging

from flask import jsonify, request
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)

# Codes clients can switch on; the message is for people.
HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 429: "too_many_requests",
    500: "internal_error", 503: "unavailable",
}


class ApiError(Exception):
    """An error the API reports to its client as it is."""

    def __init__(self, status, message, code=None, details=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or HTTP_CODES.get(status, "error")
        self.details = details


def error_response(status, code, message, details=None, headers=None):
    """Return the envelope as a Flask response."""
    response = jsonify({"error": {"code": code, "message": message, "details": details}})
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def _wants_json():
    return request.path.startswith("/api/")


def handle_api_error(error):
    """Render an ApiError."""
    return error_response(error.status, error.code, error.message, error.details)


def handle_http_exception(error):
    """Render werkzeug's errors (404, 405, 413, 429 …) as the envelope on /api/."""
    if not _wants_json():
        return error
    headers = {}
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if error.code == 429:
        message = f"Too many requests: the limit is {error.description}. Wait a minute and try again."
    else:
        message = error.description or error.name
    return error_response(error.code, HTTP_CODES.get(error.code, "error"), message, None, headers)


def handle_validation_error(error):
    """Render marshmallow's field errors as a 400 with the field map in details."""
    db.session.rollback()
    return error_response(400, "invalid", "Some fields are invalid; see details.", error.messages)


def handle_database_error(error):
    """Roll back and answer without leaking SQL; a busy database is worth a retry."""
    db.session.rollback()
    log.exception("database error on %s %s", request.method, request.path)
    if isinstance(error, OperationalError):
        return error_response(503, "unavailable", "The database is busy; try again shortly.",
                              headers={"Retry-After": "5"})
    return error_response(500, "internal_error", "The server could not store or read data.")


def handle_unexpected(error):
    """Answer any other failure on /api/ with the envelope, never a stack trace."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    if not _wants_json():
        raise error
    return error_response(500, "internal_error", "Something went wrong on the server.")


def register_errorhandlers(app):
    """Attach the handlers to the app."""
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(SQLAlchemyError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
