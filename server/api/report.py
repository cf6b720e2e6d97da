"""GET /report: the audit report's figures per topic and item."""
from flask import jsonify

from ..access.auth import require
from ..reports.queries import Filters, audit_checklist, compare_data, report_data
from .declare import declare, query_args
from .schemas import CompareQuerySchema, CompareSchema, ReportQuerySchema, ReportSchema, compare_schema, report_schema
from . import bp


def filters_of(data):
    """Return the Filters of a report or download from its parsed query arguments."""
    return audit_checklist(Filters(**{key: data.get(key) for key in Filters.__dataclass_fields__}))


@bp.get("/report")
@declare(reply=ReportSchema, query=ReportQuerySchema)
@require("admin")
def show_report():
    """Return, per item, the mean score of those who answered and the non-response share."""
    return jsonify(report_schema.dump(report_data(filters_of(query_args()))))


@bp.get("/report/compare")
@declare(reply=CompareSchema, query=CompareQuerySchema)
@require("admin")
def compare_audits():
    """Compare audits item by item: each audit's mean, n and non-response, and the change from the first to the last."""
    data = query_args()
    filters = Filters(group=data.get("group"), station=data.get("station"), review=data.get("review"))
    return jsonify(compare_schema.dump(compare_data(data["audits"], filters)))
