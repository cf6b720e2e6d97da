"""GET /report: the audit report's figures per topic and item."""
from flask import jsonify, request

from ..access.auth import require
from ..reports.queries import Filters, audit_checklist, report_data
from .schemas import report_query_schema, report_schema
from . import bp


def filters_from(args, schema=report_query_schema):
    """Parse report or export filters from query arguments (400 on bad values)."""
    data = schema.load({key: value for key, value in args.items() if value != ""})
    return audit_checklist(Filters(**{key: data.get(key) for key in Filters.__dataclass_fields__}))


@bp.get("/report")
@require("admin")
def show_report():
    """Return, per item, the mean score of those who answered and the non-response share."""
    return jsonify(report_schema.dump(report_data(filters_from(request.args))))
