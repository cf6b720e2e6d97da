"""Small request helpers shared by the API views."""
from flask import request

from ..errors import ApiError


def json_body():
    """Return the request's JSON body, refusing other media types (415) and bad JSON (400)."""
    if not request.is_json:
        raise ApiError(415, "Send JSON with 'Content-Type: application/json'.")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "The body is not valid JSON.", code="malformed_json")
    return data


def positive_int_arg(name):
    """Return a query argument as a positive int, None when absent; 400 when malformed."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit() or int(value) < 1:
        raise ApiError(400, f"'{name}' must be a whole number, 1 or more.", code="invalid",
                       details={name: ["Must be a whole number, 1 or more."]})
    return int(value)
