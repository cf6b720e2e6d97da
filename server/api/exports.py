"""Merged downloads of every checklist received, streamed."""
from datetime import datetime, timezone

from flask import Response as FlaskResponse
from flask import request, stream_with_context

from ..access.audit_trail import record_download
from ..access.auth import require
from ..documents.exports import json_chunks, responses_csv
from ..reports.queries import grouped_responses, layout_checklist
from .schemas import export_query_schema
from . import bp
from .report import filters_from


def as_attachment(response, name, extension):
    """Name a download after what it holds and when it was made; never cache it (it holds answers)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{extension}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _download(chunks, mimetype, extension):
    return as_attachment(FlaskResponse(stream_with_context(chunks), mimetype=mimetype), "responses", extension)


@bp.get("/export/responses.csv")
@require("admin")
def export_csv():
    """Download the checklists as CSV: layout=long (a row per answer) or wide (a row per checklist)."""
    filters = filters_from(request.args, export_query_schema)
    layout = request.args.get("layout") or "long"  # checked by export_query_schema above
    chunks = responses_csv(grouped_responses(filters), layout_checklist(filters), layout)
    record_download("responses.csv", filters, layout=layout)
    return _download(chunks, "text/csv", "csv")  # werkzeug adds "; charset=utf-8" to text types


@bp.get("/export/responses.json")
@require("admin")
def export_json():
    """Download the checklists as JSON, in the sync format plus walk and times."""
    filters = filters_from(request.args, export_query_schema)
    head = {"exported_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
            "filters": filters.as_dict()}
    record_download("responses.json", filters)
    return _download(json_chunks(grouped_responses(filters), head), "application/json", "json")
