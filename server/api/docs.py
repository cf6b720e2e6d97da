"""GET /openapi.json: the API described from its marshmallow schemas (apispec)."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify

from . import schemas
from ..documents.qr import PNG_SCALE, PNG_SCALE_RANGE, PNG_SIZE_RANGE
from . import bp

ERRORS = {"400": "Malformed JSON or invalid fields; for a file: its SHA-256 differs from the address, or it is "
                 "not a readable image or audio of its type", "401": "No or unknown credentials",
          "403": "Not allowed", "404": "Not found", "409": "Conflicts with what is stored", "413": "Too large",
          "415": "Not JSON", "422": "A form that is not a checklist: one problem per row", "429": "Too many requests", "503": "Busy; retry after the Retry-After seconds"}


SUCCESS = {"200": "OK", "201": "Created", "204": "No content", "404": "Not held yet"}


def _op(summary, ok, schema=None, body=None, params=(), auth=None, errors=("400", "404")):
    """Describe an operation; `ok` is its success status, or a tuple when it has two (updated or created)."""
    content = {"application/json": {"schema": schema}} if schema else None
    operation = {"summary": summary, "responses": {
        status: {"description": SUCCESS[status], **({"content": content} if content else {})}
        for status in ((ok,) if isinstance(ok, str) else ok)}}
    # Every route shares the API's rate limit; every JSON body is refused unless sent as JSON.
    codes = [*errors, *(["415"] if body and "415" not in errors else []), *([] if "429" in errors else ["429"])]
    for code in codes:
        operation["responses"][code] = {"description": ERRORS[code], "content": {
            "application/json": {"schema": "Error"}}}
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        operation["parameters"] = list(params)
    if auth:
        operation["security"] = [{auth: []}]
    return operation


def _path_param(name, description):
    return {"in": "path", "name": name, "required": True, "schema": {"type": "string"},
            "description": description}


def _filters(include_layout=False):
    params = [{"in": "query", "name": name, "schema": {"type": "string"}, "description": text}
              for name, text in [("checklist", "Checklist slug"), ("version", "Checklist version"),
                                 ("audit", "Audit slug: the checklists of its walks"),
                                 ("walk", "Walk slug"), ("station", "Station code: answers given there"),
                                 ("group", "Participant group"), ("language", "Participant language"),
                                 ("since", "Updated at or after (RFC 3339)"),
                                 ("until", "Updated before (RFC 3339)")]]
    if include_layout:
        params.append({"in": "query", "name": "layout", "schema": {"type": "string", "enum": ["long", "wide"]}})
    return params


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COMPARE = {"in": "query", "name": "compare", "schema": {"type": "string"},
           "description": "Audit slugs, oldest first, separated by commas: adds the audits compared item by item"}
LANG = {"in": "query", "name": "lang", "schema": {"type": "string", "default": "en"},
        "description": "Language of item texts and headings (the filter 'language' picks participants)"}


def _file_op(summary, mimetype, params, query=()):
    """An admin GET that answers with a file (a QR image or a PDF) instead of JSON."""
    operation = _op(summary, "200", params=[*params, *query], auth="bearer", errors=("400", "401", "403", "404"))
    operation["responses"]["200"]["content"] = {mimetype: {"schema": {"type": "string", "format": "binary"}}}
    return operation


def _public_file_op(summary, mimetype, params):
    """A public GET that answers with a file."""
    operation = _op(summary, "200", params=params, errors=("400", "404"))
    operation["responses"]["200"]["content"] = {mimetype: {"schema": {"type": "string", "format": "binary"}}}
    return operation


def _xlsform_import_op():
    """POST an XLSForm as multipart; 422 lists every refused row."""
    operation = _op("Import an XLSForm as a checklist or its new version; 422 lists each refused row "
                    "(sheet, row, type, why) and nothing is saved", ("201", "200"), auth="bearer",
                    errors=("400", "401", "403", "413", "415", "422"))
    operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary", "description": "The .xlsx form"},
            "slug": {"type": "string", "description": "The checklist's slug (default: settings form_id)"}}}}}}
    return operation


def _query(name, description):
    return {"in": "query", "name": name, "schema": {"type": "string"}, "description": description}


def _photo_filters():
    return [_query("station", "Station code"), _query("topic", "Topic id"),
            _query("rating", "works, needs_change or none"), _query("group", "Participant group"),
            _query("shown", "true: shown in the report; false: hidden"),
            _query("audit", "Audit slug: the photos of its walks"),
            _query("review", "Review states of the photos' checklists, separated by commas, or all "
                             "(default: every state but rejected)")]


def _media_put(limits, slug):
    """PUT of a photo or voice note: the body is the file itself."""
    operation = _op(
        f"Upload a file a synced photo names (at most {limits['MEDIA_MAX_BYTES']} bytes): 201 stored, "
        "200 already held", ("201", "200"), params=[slug, _path_param("sha256", "SHA-256 of the body")],
        auth="walkKey", errors=("400", "401", "403", "404", "409", "413", "415", "429"))
    operation["requestBody"] = {"required": True, "content": {
        media: {"schema": {"type": "string", "format": "binary"}}
        for media in ("image/jpeg", "image/webp", "image/png", "audio/*")}}
    return operation


def build_spec(limits):
    """Return the OpenAPI 3 document as a dict."""
    spec = APISpec(title="City audit walks API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": (
                       "Checklists, walks and the sync of devices' answers. Sync limits: at most "
                       f"{limits['SYNC_MAX_RESPONSES']} checklists and {limits['SYNC_MAX_BYTES']} bytes "
                       "(after gzip decoding) per request; beyond them 413.")},
                   servers=[{"url": "/api/v1"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("walkKey", {"type": "apiKey", "in": "header", "name": "X-Walk-Key"})
    for name in ("Error", "Station", "Checklist", "Walk", "AdminWalk", "SyncRequest", "SyncReply", "Report",
                 "Token", "TokenRequest", "WalkStatus", "WalkPatch", "PhotoList", "PhotoPatch",
                 "Audit", "AuditStatus", "Compare", "WalkTally", "WalkCode", "WalkKey"):
        if name not in spec.components.schemas:  # nested schemas register themselves
            spec.components.schema(name, schema=getattr(schemas, f"{name}Schema"))
    slug, code = _path_param("slug", "Walk or checklist slug"), _path_param("code", "Station code")
    sha256 = _path_param("sha256", "SHA-256 of the file, 64 lowercase hex digits")
    photo_id = _path_param("photo_id", "The photo's id")
    audit = _path_param("slug", "Audit slug")
    admin = dict(auth="bearer", errors=("400", "401", "403", "404"))
    conflict = {"auth": "bearer", "errors": ("400", "401", "403", "404", "409")}
    png_options = [{"in": "query", "name": "scale", "description": f"Pixels per module (default {PNG_SCALE})",
                    "schema": {"type": "integer", "minimum": PNG_SCALE_RANGE[0], "maximum": PNG_SCALE_RANGE[1]}},
                   {"in": "query", "name": "size", "description": "Width in pixels, whole modules; not with scale",
                    "schema": {"type": "integer", "minimum": PNG_SIZE_RANGE[0], "maximum": PNG_SIZE_RANGE[1]}}]
    paths = {
        "/checklists": {"get": _op("List checklists", "200", errors=()),
                        "post": _op("Load a checklist definition (a change makes a new version)", ("201", "200"),
                                    "Checklist", body="Checklist", **admin)},
        "/checklists/{slug}": {"get": _op("A checklist's latest version, or ?version=N", "200", "Checklist",
                                          params=[slug, {"in": "query", "name": "version",
                                                         "schema": {"type": "integer"}}])},
        "/checklists/{slug}.xlsx": {"get": _public_file_op(
            "A checklist version as an XLSForm (survey, choices, settings) for ODK, KoboToolbox or Enketo", XLSX,
            [slug, {"in": "query", "name": "version", "schema": {"type": "integer"}}])},
        "/admin/checklists/import": {"post": _xlsform_import_op()},
        "/walks": {"get": _op("List walks", "200", errors=())},
        "/walks/{slug}": {"get": _op("A walk and its stations", "200", "Walk", params=[slug])},
        "/walks/{slug}/sync": {"post": _op(
            "Deliver a batch of checklists from one device", "200", "SyncReply", body="SyncRequest",
            params=[slug], auth="walkKey", errors=("400", "401", "403", "404", "413", "415", "429", "503"))},
        "/walks/{slug}/key": {"post": _op(
            "Exchange the walk code printed under the QR codes for the walk key (a wrong or replaced code is 403, "
            "and failed tries are rate-limited like wrong keys)", "200", "WalkKey", body="WalkCode",
            params=[slug], errors=("400", "403", "404", "429"))},
        "/walks/{slug}/tally": {"get": _op(
            "How many checklists the walk's group has sent so far, in all and per station", "200", "WalkTally",
            params=[slug], auth="walkKey", errors=("401", "403", "404"))},
        "/admin/walks": {"get": _op("Walks with keys and station links", "200", **admin),
                         "post": _op("Create a walk", "201", "AdminWalk", body="Walk", **conflict)},
        "/admin/walks/{slug}": {
            "get": _op("A walk with its key and each station's QR link", "200", "AdminWalk", params=[slug], **admin),
            "put": _op("Replace a walk", "200", "AdminWalk", body="Walk", params=[slug], **admin),
            "patch": _op("Change titles or checklist version", "200", "AdminWalk", body="WalkPatch",
                         params=[slug], **admin),
            "delete": _op("Delete a walk without checklists", "204", params=[slug], **conflict)},
        "/admin/walks/{slug}/close": {"post": _op("Close a walk", "200", "AdminWalk", params=[slug], **admin)},
        "/admin/walks/{slug}/reopen": {"post": _op("Reopen a walk", "200", "AdminWalk", params=[slug], **admin)},
        "/admin/walks/{slug}/rotate-key": {"post": _op("Replace a walk's key", "200", "AdminWalk",
                                                       params=[slug], **admin)},
        "/admin/walks/{slug}/stations/{code}": {
            "put": _op("Create or update a station", ("200", "201"), "AdminWalk", body="Station", params=[slug, code],
                       **conflict),
            "delete": _op("Remove a station", "200", "AdminWalk", params=[slug, code], **admin)},
        "/admin/walks/{slug}/status": {"get": _op("What has arrived for a walk", "200", "WalkStatus",
                                                  params=[slug], **admin)},
        "/walks/{slug}/media/{sha256}": {
            "put": _media_put(limits, slug),
            "head": _op("Whether the server holds this file: 200 yes, 404 not yet", ("200", "404"),
                        params=[slug, sha256], auth="walkKey", errors=("400", "401", "403"))},
        "/admin/walks/{slug}/photos": {"get": _op(
            "A walk's photos: caption, rating, station, group, stored or waiting, shown or hidden", "200",
            "PhotoList", params=[slug, *_photo_filters()], **admin)},
        "/admin/photos": {"get": _op("Photos of every walk the caller may see", "200", "PhotoList",
                                     params=[_query("walk", "Walk slug"), *_photo_filters()], **admin)},
        "/admin/walks/{slug}/photos/{photo_id}": {"patch": _op(
            "Show a photo in the report or hide it; add caption translations", "200", body="PhotoPatch",
            params=[slug, photo_id], **admin)},
        "/admin/walks/{slug}/photos/{photo_id}/file": {"get": _file_op(
            "A photo's stored file (no EXIF)", "image/*", [slug, photo_id])},
        "/admin/walks/{slug}/photos/{photo_id}/thumbnail": {"get": _file_op(
            "A photo's thumbnail, about 320 px, JPEG", "image/jpeg", [slug, photo_id])},
        "/admin/walks/{slug}/photos/{photo_id}/voice": {"get": _file_op(
            "A photo's voice note", "audio/*", [slug, photo_id])},
        "/export/photos.zip": {"get": _file_op(
            "Every stored photo and voice note as <station>/<photo id>.jpg, with photos.csv; streamed",
            "application/zip", [], [_query("walk", "Walk slug"), *_photo_filters()])},
        "/admin/audits": {"get": _op("Audits, newest first, with their walks and checklists received", "200",
                                     **admin),
                          "post": _op("Create an audit", "201", "Audit", body="Audit", **conflict)},
        "/admin/audits/{slug}": {
            "get": _op("An audit with its walks and checklists received", "200", "Audit", params=[audit], **admin),
            "put": _op("Replace an audit's titles, city, dates, checklist or state", "200", "Audit", body="Audit",
                       params=[audit], **admin)},
        "/admin/audits/{slug}/status": {"get": _op("What has arrived for each walk of an audit", "200",
                                                   "AuditStatus", params=[audit], **admin)},
        "/admin/tokens": {"get": _op("List API tokens", "200", **admin),
                          "post": _op("Create an API token", "201", "Token", body="TokenRequest", **admin)},
        "/admin/tokens/{id}": {"delete": _op("Revoke a token", "200", "Token",
                                             params=[_path_param("id", "Token id")], **admin)},
        "/report": {"get": _op("The audit report", "200", "Report", params=_filters(), **admin)},
        "/report/compare": {"get": _op(
            "Audits compared item by item: means, n, non-response and the change from the first to the last",
            "200", "Compare", params=[
                {"in": "query", "name": "audits", "required": True, "schema": {"type": "string"},
                 "description": "Audit slugs, oldest first, separated by commas"},
                {"in": "query", "name": "group", "schema": {"type": "string"}, "description": "Participant group"},
                {"in": "query", "name": "station", "schema": {"type": "string"},
                 "description": "Station code: answers given there"}], **admin)},
        "/export/responses.csv": {"get": _op("Checklists as CSV", "200", params=_filters(True), **admin)},
        "/export/responses.json": {"get": _op("Checklists as JSON", "200", params=_filters(), **admin)},
        "/export/responses.xlsx": {"get": _file_op(
            "Checklists as XLSX: responses (wide), answers (long), a sheet per report topic, the checklist, "
            "and the filters (About)", XLSX, _filters(), [LANG])},
        "/export/report.xlsx": {"get": _file_op(
            "The audit report's tables as XLSX, a sheet per topic", XLSX, _filters(), [LANG, COMPARE])},
        "/export/report.pdf": {"get": _file_op(
            "The audit report as PDF: per topic a table and a chart, best and worst items, groups compared",
            "application/pdf", _filters(), [LANG, COMPARE, {"in": "query", "name": "decimal", "schema": {
                "type": "string", "enum": ["point", "comma"], "default": "point"},
                "description": "Decimal mark: 3.92 or 3,92"}])},
        "/admin/walks/{slug}/stations/{code}/qr.svg": {"get": _file_op(
            "A station's QR code (its link with the walk key), SVG sized in mm", "image/svg+xml", [slug, code])},
        "/admin/walks/{slug}/stations/{code}/qr.png": {"get": _file_op(
            "A station's QR code as PNG", "image/png", [slug, code], png_options)},
        "/admin/walks/{slug}/qr.svg": {"get": _file_op(
            "The QR code of the walk's start link, SVG", "image/svg+xml", [slug])},
        "/admin/walks/{slug}/qr.png": {"get": _file_op(
            "The QR code of the walk's start link, PNG", "image/png", [slug], png_options)},
        "/admin/walks/{slug}/sheets.pdf": {"get": _file_op(
            "Printable A4 sheets: a join sheet, then a page or a card per station", "application/pdf", [slug], [
                {"in": "query", "name": "layout", "schema": {"type": "string", "enum": ["pages", "cards"]},
                 "description": "One station per page (default) or four cut-out cards per page"},
                {"in": "query", "name": "lang", "schema": {"type": "string", "default": "en"},
                 "description": "Language of titles and item texts; the instruction is always in all five"}])},
    }
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi():
    """Return the OpenAPI 3 document of API v1."""
    return jsonify(build_spec(current_app.config))
