"""Office downloads for admins and their scripts: the checklists and the report as XLSX, the report as PDF."""
import tempfile

from flask import Response as FlaskResponse

from ..access.audit_trail import record_download
from ..access.auth import require
from ..documents.names import download_name
from ..catalog.audits import find_audit
from ..reports.queries import Filters, compare_data
from ..reports.report import local_text
from ..documents.report_pdf import MIMETYPE as PDF_MIMETYPE
from ..documents.report_pdf import report_pdf
from .declare import declare, query_args
from .schemas import ReportPdfQuerySchema, ReportXlsxQuerySchema, ResponsesXlsxQuerySchema
from ..documents.xlsx import MIMETYPE as XLSX_MIMETYPE
from ..documents.xlsx import report_filters, write_report_workbook, write_responses_workbook
from . import bp
from .exports import as_attachment
from .report import filters_of


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


def _send(write, mimetype, filename):
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
    return as_attachment(response, filename)


@bp.get("/export/responses.xlsx")
@declare(reply=XLSX_MIMETYPE, query=ResponsesXlsxQuerySchema)
@require("admin")
def export_responses_xlsx():
    """Download the checklists as XLSX: responses (wide), answers (long), report tables, checklist, About."""
    args = query_args()
    filters, language = filters_of(args), args["lang"]
    record_download("responses.xlsx", filters, lang=language)
    return _send(lambda target: write_responses_workbook(target, filters, language=language),
                 XLSX_MIMETYPE, download_name(filters, "responses", "xlsx"))


@bp.get("/export/report.xlsx")
@declare(reply=XLSX_MIMETYPE, query=ReportXlsxQuerySchema)
@require("admin")
def export_report_xlsx():
    """Download the audit report's tables as XLSX, one sheet per topic, with an About sheet."""
    args = query_args()
    filters = report_filters(filters_of(args))
    language, comparison = args["lang"], _comparison(args, filters, args["lang"])
    record_download("report.xlsx", filters, lang=language, compare=args.get("compare"))
    return _send(lambda target: write_report_workbook(target, filters, language=language, comparison=comparison),
                 XLSX_MIMETYPE, download_name(filters, "report", "xlsx"))


@bp.get("/export/report.pdf")
@declare(reply=PDF_MIMETYPE, query=ReportPdfQuerySchema)
@require("admin")
def export_report_pdf():
    """Download the audit report as PDF: tables and charts per topic, best and worst items, groups compared."""
    args = query_args()
    filters = report_filters(filters_of(args))
    decimal_mark = "," if args["decimal"] == "comma" else "."
    document = report_pdf(filters, args["lang"], decimal_mark,
                          comparison=_comparison(args, filters, args["lang"]))
    record_download("report.pdf", filters, lang=args["lang"], compare=args.get("compare"))
    return _send(lambda target: target.write(document), PDF_MIMETYPE, download_name(filters, "report", "pdf"))
