"""Office downloads for admins and their scripts: the checklists and the report as XLSX, the report as PDF."""
import tempfile

from flask import Response as FlaskResponse
from flask import request
from marshmallow import EXCLUDE, Schema, fields, validate

from ..access.audit_trail import record_download
from ..access.auth import require
from ..catalog.audits import find_audit
from ..reports.queries import Filters, compare_data
from ..reports.report import local_text
from ..documents.report_pdf import MIMETYPE as PDF_MIMETYPE
from ..documents.report_pdf import report_pdf
from .schemas import AuditList, export_query_schema
from ..documents.xlsx import MIMETYPE as XLSX_MIMETYPE
from ..documents.xlsx import report_filters, write_report_workbook, write_responses_workbook
from . import bp
from .exports import as_attachment
from .report import filters_from


class DocumentQuerySchema(Schema):
    """How a download is written, beside its filters: the language of its texts and the decimal mark."""

    class Meta:
        unknown = EXCLUDE  # the filters are parsed separately

    lang = fields.Str(load_default="en", validate=validate.Regexp(r"^[a-z]{2,3}$"))
    decimal = fields.Str(load_default="point", validate=validate.OneOf(("point", "comma")))
    compare = AuditList(metadata={"description": "Audits to compare, oldest first (the report adds the table)."})


document_query_schema = DocumentQuerySchema()


def _document_args():
    return document_query_schema.load({key: value for key, value in request.args.items() if value != ""})


def _comparison(args, filters, language):
    """Return the comparison the arguments ask for, with the audits' names in the language, or None."""
    if not args.get("compare"):
        return None
    data = compare_data(args["compare"], Filters(group=filters.group, station=filters.station, review=filters.review))
    names = {slug: local_text(find_audit(slug).title, language) for slug in args["compare"]}
    return data, names


class _FileStream:
    """Iterate a file in blocks and close it at the end, or when the server closes the response early."""

    def __init__(self, source, size=64 * 1024):
        self.source, self.size = source, size

    def __iter__(self):
        try:
            while chunk := self.source.read(self.size):
                yield chunk
        finally:
            self.close()

    def close(self):
        self.source.close()


def _send(write, mimetype, name, extension):
    """Write the file into an anonymous temporary file, then stream that: memory stays flat for large exports."""
    target = tempfile.TemporaryFile()
    try:
        write(target)
        length = target.tell()
        target.seek(0)
    except BaseException:
        target.close()
        raise
    response = FlaskResponse(_FileStream(target), mimetype=mimetype)
    response.headers["Content-Length"] = str(length)
    return as_attachment(response, name, extension)


@bp.get("/export/responses.xlsx")
@require("admin")
def export_responses_xlsx():
    """Download the checklists as XLSX: responses (wide), answers (long), report tables, checklist, About."""
    filters = filters_from(request.args, export_query_schema)
    language = _document_args()["lang"]
    record_download("responses.xlsx", filters, lang=language)
    return _send(lambda target: write_responses_workbook(target, filters, language=language),
                 XLSX_MIMETYPE, "responses", "xlsx")


@bp.get("/export/report.xlsx")
@require("admin")
def export_report_xlsx():
    """Download the audit report's tables as XLSX, one sheet per topic, with an About sheet."""
    filters = report_filters(filters_from(request.args, export_query_schema))
    args = _document_args()
    language, comparison = args["lang"], _comparison(args, filters, args["lang"])
    record_download("report.xlsx", filters, lang=language, compare=args.get("compare"))
    return _send(lambda target: write_report_workbook(target, filters, language=language, comparison=comparison),
                 XLSX_MIMETYPE, f"report-{filters.checklist}", "xlsx")


@bp.get("/export/report.pdf")
@require("admin")
def export_report_pdf():
    """Download the audit report as PDF: tables and charts per topic, best and worst items, groups compared."""
    filters = report_filters(filters_from(request.args, export_query_schema))
    args = _document_args()
    decimal_mark = "," if args["decimal"] == "comma" else "."
    document = report_pdf(filters, args["lang"], decimal_mark,
                          comparison=_comparison(args, filters, args["lang"]))
    record_download("report.pdf", filters, lang=args["lang"], compare=args.get("compare"))
    return _send(lambda target: target.write(document), PDF_MIMETYPE, f"report-{filters.checklist}", "pdf")
