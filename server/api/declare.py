"""Each API view declares its operation beside its route; the OpenAPI document is read from these declarations.

    @bp.get("/report")
    @declare(reply=ReportSchema, query=ReportQuerySchema)
    @require("admin")
    def show_report():
        '''Return, per item, the mean score of those who answered and the non-response share.'''
        filters = query_args()   # parsed by the very schema declared above

The summary is the view's docstring. `reply` maps a success status to what the body holds: a
marshmallow schema, a shared JSON Schema (`shared("sync-reply")`), a JSON Schema written in
place (a dict), a media type such as "image/png" for a file, or None for no body; a lone schema means {200: schema}. `body` is the
request body in the same forms, or a {media type: schema} dict. `auth` is "walkKey" for a view
that checks the walk key itself; a view guarded by `require` is documented with the bearer
token without saying so. `errors` lists the statuses the view itself answers beyond those every
operation of its kind may answer (see docs.py).
"""
from dataclasses import dataclass, field

from flask import current_app, request
from marshmallow import Schema, ValidationError, fields

from ..errors import ApiError

AUTH_SCHEMES = ("bearer", "walkKey")


@dataclass(frozen=True)
class SharedSchema:
    """One of the JSON Schemas in shared_schema/ (its file name without .schema.json), or one of its $defs.

    An operation that takes it with a few fields optional (given by the path instead) or null
    (read as absent) says so with `optional` and `nullable`, under a `name` of its own.
    """

    name: str
    part: str = None
    optional: tuple = ()
    nullable: tuple = ()
    alias: str = None

    @property
    def base(self):
        """The name of the schema as shared, e.g. SyncRequest or Walk.station."""
        title = "".join(word.capitalize() for word in self.name.split("-"))
        return f"{title}.{self.part}" if self.part else title

    @property
    def component(self):
        """The name it has among the document's schemas."""
        return self.alias or self.base


def shared(name, part=None, *, optional=(), nullable=(), alias=None):
    """Refer to a shared JSON Schema, or one of its $defs, as a body or reply; see SharedSchema."""
    if (optional or nullable) and not alias:
        raise ValueError("an adapted shared schema needs a name of its own (alias=)")
    return SharedSchema(name, part, tuple(optional), tuple(nullable), alias)


@dataclass(frozen=True)
class Operation:
    """What a view declares about itself: summary, body, replies, query, authentication and its own errors."""

    summary: str
    description: str = None
    body: object = None
    reply: dict = field(default_factory=dict)
    query: Schema = None
    auth: str = None
    errors: tuple = ()


def declare(*, body=None, reply=None, query=None, auth=None, errors=(), summary=None):
    """Record a view's operation on the view function (read by docs.py and by `query_args`)."""
    if auth not in (None, *AUTH_SCHEMES):
        raise ValueError(f"auth must be one of {AUTH_SCHEMES} or None, not {auth!r}")
    if reply is None:
        reply = {200: None}
    elif not (isinstance(reply, dict) and reply and all(isinstance(status, int) for status in reply)):
        reply = {200: reply}
    if isinstance(query, type):
        query = query()

    def decorator(view):
        lines = (view.__doc__ or "").strip().splitlines()
        if not (summary or lines):
            raise ValueError(f"{view.__name__} needs a docstring or a summary")
        view.api_operation = Operation(
            summary=summary or lines[0].strip(), description=" ".join(l.strip() for l in lines[1:]).strip() or None,
            body=body, reply=dict(reply), query=query, auth=auth, errors=tuple(int(e) for e in errors))
        return view
    return decorator


def operation_of(view):
    """Return a view's declared Operation, or None when it declares none."""
    return getattr(view, "api_operation", None)


def query_args():
    """Return the request's query arguments parsed by the schema the current view declares (400 when invalid).

    Empty values count as absent, as an HTML form sends them.
    """
    operation = operation_of(current_app.view_functions[request.endpoint])
    if operation is None or operation.query is None:
        raise LookupError(f"{request.endpoint} declares no query schema")
    arguments = {}
    for name in request.args:
        values = [value for value in request.args.getlist(name) if value != ""]
        if not values:
            continue
        if isinstance(operation.query.fields.get(name), fields.List):  # review=a&review=b
            arguments[name] = values
        elif len(values) > 1:
            raise ApiError(400, f"Some query arguments are invalid. '{name}' is given more than once.",
                           code="invalid", details={name: ["Give it once."]})
        else:
            arguments[name] = values[0]
    try:
        return operation.query.load(arguments)
    except ValidationError as error:
        problems_by_field = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        message = " ".join(f"'{name}': {' '.join(map(str, problems))}" if name != "_schema" else
                           " ".join(map(str, problems)) for name, problems in problems_by_field.items())
        raise ApiError(400, f"Some query arguments are invalid. {message}", code="invalid",
                       details=error.messages) from error
