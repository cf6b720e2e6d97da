"""GET /openapi.json: the API described by walking its routes and reading what each view declares.

No table of paths is kept by hand: every route under /api/v1 is in the document exactly as the
app serves it (path, methods, path parameters from the route's converters), and its summary,
body, replies and query come from the view's `@declare` (declare.py). Bodies and replies that
the walker app shares are the JSON Schemas in shared_schema/, embedded as they are (OpenAPI 3.1
speaks JSON Schema 2020-12); the others are marshmallow schemas, converted by apispec.
"""
import copy
import json
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import current_app, jsonify
from marshmallow import Schema

from ..answer_rules import SHARED_SCHEMA_DIR
from . import bp
from .declare import SharedSchema, declare, operation_of

PREFIX = "/api/v1"
ERRORS = {400: "Malformed JSON, invalid fields or query arguments, or text holding NUL",
          401: "No or unknown credentials", 403: "Not allowed", 404: "Not found",
          409: "Conflicts with what is stored", 413: "Too large", 415: "Not the media type the operation takes",
          422: "A form that is not a checklist: one problem per row", 429: "Too many requests",
          503: "Busy; retry after the Retry-After seconds"}
SUCCESS = {200: "OK", 201: "Created", 204: "No content", 404: "Not held yet"}
# What a path parameter named so holds; any other is a plain string.
PATH_PARAMETERS = {
    "slug": "The walk's, checklist's or audit's slug",
    "code": "Station code",
    "sha256": "SHA-256 of the file, 64 lowercase hex digits",
    "photo_id": "The photo's id",
    "response_id": "The checklist's id (a UUID)",
    "device_id": "The device's id (a UUID)",
    "token_id": "The token's id",
}
RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _schema_name(schema):
    return resolve_schema_cls(schema).__name__.removesuffix("Schema")


def shared_components():
    """Return the shared JSON Schemas as components: each file under its title, each of its $defs as Title.def."""
    components = {}
    for path in sorted(SHARED_SCHEMA_DIR.glob("*.schema.json")):
        reference = SharedSchema(path.name.removesuffix(".schema.json"))
        document = json.loads(path.read_text(encoding="utf-8"))
        base = reference.component

        def rewrite(node):
            if isinstance(node, list):
                return [rewrite(child) for child in node]
            if not isinstance(node, dict):
                return node
            node = {key: rewrite(value) for key, value in node.items() if key not in ("$schema", "$id", "$defs")}
            if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/$defs/"):
                node["$ref"] = f"#/components/schemas/{base}.{node['$ref'].removeprefix('#/$defs/')}"
            return node

        for name, definition in document.get("$defs", {}).items():
            components[f"{base}.{name}"] = rewrite(definition)
        components[base] = rewrite(document)
    return components


def _adapted(spec, reference):
    """Return a shared schema with some fields optional or nullable, as one operation takes it."""
    adapted = copy.deepcopy(spec.components.schemas[reference.base])
    adapted["required"] = [name for name in adapted.get("required", []) if name not in reference.optional]
    for name in reference.nullable:
        adapted["properties"][name] = {"anyOf": [adapted["properties"][name], {"type": "null"}]}
    return adapted


def _content(value, spec):
    """Return the `content` of a body or reply: {media type: {"schema": …}}, or None for no body."""
    if value is None:
        return None
    if isinstance(value, SharedSchema):
        if value.alias and value.alias not in spec.components.schemas:
            spec.components.schema(value.alias, component=_adapted(spec, value))
        return {"application/json": {"schema": {"$ref": f"#/components/schemas/{value.component}"}}}
    if isinstance(value, str):  # a file
        return {value: {"schema": {"type": "string", "contentMediaType": value}}}
    if isinstance(value, dict) and value and all("/" in key for key in value):  # {media type: schema}
        return {media: next(iter(_content(schema, spec).values())) if schema is not None else {}
                for media, schema in value.items()}
    if isinstance(value, dict):  # a JSON Schema written in place
        return {"application/json": {"schema": copy.deepcopy(value)}}
    if isinstance(value, Schema) or (isinstance(value, type) and issubclass(value, Schema)):
        name = _schema_name(value)
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=resolve_schema_cls(value))
        return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
    raise TypeError(f"cannot describe {value!r}")


def error_statuses(rule_arguments, operation, authenticated, method):
    """Return the error statuses an operation may answer: its own and those every operation of its kind may."""
    statuses = {400, 429, 503, *operation.errors}  # any query may hold a NUL; rate limit; a busy database
    if rule_arguments or operation.query is not None:  # a path or query argument names nothing stored
        statuses.add(404)
    if authenticated:
        statuses |= {401, 403}
    if operation.body is not None:
        statuses |= {413, 415}
    return sorted(statuses)


def _path_parameter(converter, name):
    schema = {"type": "integer", "minimum": 0} if converter == "int" else {"type": "string"}
    return {"in": "path", "name": name, "required": True, "schema": schema,
            "description": PATH_PARAMETERS.get(name, name)}


def _operation(spec, rule, method, view, operation):
    arguments = [(match["converter"], match["name"]) for match in RULE_ARGUMENT.finditer(rule.rule)]
    roles = getattr(view, "required_roles", None)
    auth = "bearer" if roles else operation.auth
    described = {"summary": operation.summary, "operationId": f"{method}_{rule.endpoint.removeprefix('api.')}",
                 "responses": {}}
    if operation.description or roles:
        described["description"] = " ".join(filter(None, [
            operation.description, f"Needs the {' or '.join(roles)} role." if roles else None]))
    parameters = [_path_parameter(converter, name) for converter, name in arguments]
    if operation.query is not None:
        parameters.append({"in": "query", "schema": resolve_schema_cls(operation.query)})
    if parameters:
        described["parameters"] = parameters
    if operation.body is not None:
        described["requestBody"] = {"required": True, "content": _content(operation.body, spec)}
    if auth:
        described["security"] = [{auth: []}]
    for status, reply in operation.reply.items():
        content = None if method == "head" else _content(reply, spec)
        described["responses"][str(status)] = {"description": SUCCESS.get(status, "OK"),
                                               **({"content": content} if content else {})}
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for status in error_statuses(arguments, operation, auth is not None, method):
        if str(status) not in described["responses"]:
            described["responses"][str(status)] = {"description": ERRORS[status],
                                                   **({} if method == "head" else {"content": error})}
    return described


def api_routes(app):
    """Yield (rule, method, view) for every route and method under /api/v1 (HEAD only where routed itself)."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        methods = set(rule.methods) - {"OPTIONS"}
        if "GET" in methods:
            methods.discard("HEAD")  # answered for every GET by Flask itself
        for method in sorted(methods):
            yield rule, method.lower(), app.view_functions[rule.endpoint]


def build_spec(app):
    """Return the OpenAPI 3.1 document of API v1 as a dict, from the app's routes and their declarations."""
    limits = app.config
    spec = APISpec(title="City audit walks API", version="1.0.0", openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
                   info={"description": (
                       "Checklists, walks and the sync of devices' answers. Sync limits: at most "
                       f"{limits['SYNC_MAX_RESPONSES']} checklists and {limits['SYNC_MAX_BYTES']} bytes "
                       "(after gzip decoding) per request; beyond them 413.")},
                   servers=[{"url": PREFIX}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("walkKey", {"type": "apiKey", "in": "header", "name": "X-Walk-Key"})
    for name, component in shared_components().items():
        spec.components.schema(name, component=component)
    paths = {}
    for rule, method, view in api_routes(app):
        operation = operation_of(view)
        if operation is None:
            raise LookupError(f"{rule.rule} ({method.upper()}) declares no operation: add @declare to "
                              f"{rule.endpoint}")
        path = RULE_ARGUMENT.sub(lambda match: "{" + match["name"] + "}", rule.rule.removeprefix(PREFIX))
        paths.setdefault(path, {})[method] = _operation(spec, rule, method, view, operation)
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":  # ?until= is read as no until at all, as a form sends it
                    parameter["allowEmptyValue"] = True
    return document


@bp.get("/openapi.json")
@declare(reply={"type": "object", "description": "An OpenAPI 3.1 document"})
def openapi():
    """Return the OpenAPI 3.1 document of API v1."""
    if "openapi" not in current_app.extensions:  # routes and declarations are fixed once the app is made
        current_app.extensions["openapi"] = build_spec(current_app)
    return jsonify(current_app.extensions["openapi"])
