"""GET /report: the audit report's figures per topic and item."""
from flask import jsonify, request

from ..access.auth import require
from ..reports.queries import Filters, audit_checklist, compare_data, report_data
from .schemas import compare_query_schema, compare_schema, report_query_schema, report_schema
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


def compare_args(args):
    """Parse the comparison's arguments: (audit slugs in order, Filters of group and station); 400 on bad values."""
    data = compare_query_schema.load({key: value for key, value in args.items() if value != ""})
    return data["audits"], Filters(group=data.get("group"), station=data.get("station"), review=data.get("review"))


@bp.get("/report/compare")
@require("admin")
def compare_audits():
    """Compare audits item by item: each audit's mean, n and non-response, and the change from the first to the last."""
    slugs, filters = compare_args(request.args)
    return jsonify(compare_schema.dump(compare_data(slugs, filters)))
