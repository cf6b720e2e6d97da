"""Merged downloads of every checklist received, streamed."""
from datetime import datetime, timezone

from flask import Response as FlaskResponse
from flask import stream_with_context

from ..access.audit_trail import record_download
from ..access.auth import require
from ..documents.exports import json_chunks, responses_csv
from ..documents.names import download_name
from ..reports.queries import grouped_responses, layout_checklist
from .declare import declare, query_args
from .schemas import ExportQuerySchema, ReportQuerySchema
from . import bp
from .report import filters_of


def as_attachment(response, filename):
    """Offer a response as a file to save under `filename`; never cache it (it holds answers)."""
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _download(chunks, mimetype, filename):
    return as_attachment(FlaskResponse(stream_with_context(chunks), mimetype=mimetype), filename)


@bp.get("/export/responses.csv")
@declare(reply="text/csv", query=ExportQuerySchema)
@require("admin")
def export_csv():
    """Download the checklists as CSV: layout=long (a row per answer) or wide (a row per checklist)."""
    args = query_args()
    filters, layout = filters_of(args), args["layout"]
    chunks = responses_csv(grouped_responses(filters), layout_checklist(filters), layout)
    record_download("responses.csv", filters, layout=layout)
    # werkzeug adds "; charset=utf-8" to text types
    return _download(chunks, "text/csv", download_name(filters, "responses", "csv", layout=layout))


@bp.get("/export/responses.json")
@declare(reply={"type": "object", "description": "exported_at, filters and the checklists"}, query=ReportQuerySchema)
@require("admin")
def export_json():
    """Download the checklists as JSON, in the sync format plus walk and times."""
    filters = filters_of(query_args())
    head = {"exported_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
            "filters": filters.as_dict()}
    record_download("responses.json", filters)
    return _download(json_chunks(grouped_responses(filters), head), "application/json",
                     download_name(filters, "responses", "json"))
