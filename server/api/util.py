"""Small request helpers shared by the API views."""
import orjson
from flask import request

from ..errors import ApiError
from ..records.rules import MAX_DEPTH, nesting_depth

NUL_MESSAGE = "Text cannot contain NUL characters (\\u0000)."


def _holds_nul(value):
    """Tell whether any string in a parsed JSON document, key or value, holds a NUL character."""
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def streams_body(view):
    """Mark a view that reads its own body after checks that need none (the app reads every other body first)."""
    view.streams_body = True
    return view


def json_body():
    """Return the request's JSON body, refusing other media types (415) and bad JSON (400).

    Parsed as strictly as a sync body: no NaN or Infinity (no client could read them back),
    a bounded nesting depth, and no NUL characters, which PostgreSQL cannot store in text.
    """
    if not request.is_json:
        raise ApiError(415, "Send JSON with 'Content-Type: application/json'.")
    try:
        data = orjson.loads(request.get_data(cache=True))
    except orjson.JSONDecodeError as error:
        raise ApiError(400, "The body is not valid JSON.", code="malformed_json",
                       details={"": [f"Not valid JSON: {error}"]}) from error
    if data is None:
        raise ApiError(400, "The body is not valid JSON.", code="malformed_json")
    if nesting_depth(data) > MAX_DEPTH:
        raise ApiError(400, "The body nests arrays or objects too deeply.", code="malformed_request",
                       details={"": [f"Nested deeper than {MAX_DEPTH} levels."]})
    if _holds_nul(data):
        raise ApiError(400, NUL_MESSAGE, code="invalid", details={"": [NUL_MESSAGE]})
    return data


def definition_body(slug, noun):
    """Return the JSON body of a PUT that replaces a definition; its slug, if given, must be the path's."""
    definition = json_body()
    if isinstance(definition, dict):
        definition.setdefault("slug", slug)
        if definition["slug"] != slug:
            raise ApiError(400, "The slug in the body differs from the one in the path.", code="invalid",
                           details={"slug": [f"{noun}'s slug cannot change."]})
    return definition


def refuse_nul_in_address():
    """Answer 400 when the path or query string holds a NUL character (%00), before any query sees it."""
    args = request.args.items(multi=True)
    if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in args):
        raise ApiError(400, NUL_MESSAGE, code="invalid")
