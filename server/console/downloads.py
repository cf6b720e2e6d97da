"""Downloads page: the merged checklists as CSV, XLSX and JSON, for the chosen filters."""
from urllib.parse import urlencode

from flask import render_template, request
from sqlalchemy import func, select

from ..extensions import db
from ..reports.queries import matching_responses
from . import bp
from .access import current_user, signed_in, visible_walks
from .filters import form_options, group_names, read_filters

# (label, API path, extra arguments, what the file holds)
FILES = (
    ("CSV, one row per answer", "/api/v1/export/responses.csv", {"layout": "long"},
     "Long layout: every answer on its own row, with the item's topic and text."),
    ("CSV, one row per checklist", "/api/v1/export/responses.csv", {"layout": "wide"},
     "Wide layout: each item's score, don't-know flag, comment and station in columns."),
    ("Excel workbook (XLSX)", "/api/v1/export/responses.xlsx", {},
     "Sheets: checklists (wide), answers (long), one per report table, and the checklist itself."),
    ("Report workbook (XLSX)", "/api/v1/export/report.xlsx", {},
     "The report's tables per topic: score, non-response share and answers per item."),
    ("JSON", "/api/v1/export/responses.json", {},
     "Every checklist in the sync format, with its walk, device and times."),
)


@bp.get("/downloads")
@signed_in("admin")
def downloads_page():
    """Offer the downloads for the chosen filters, with how many checklists they hold."""
    walks = visible_walks(current_user())
    form = read_filters(request.args, walks)
    count = db.session.execute(
        select(func.count()).select_from(matching_responses(form.filters).subquery())).scalar_one()
    links = [{"label": label, "href": f"{path}?{urlencode(form.api_args(**extra))}".rstrip("?"),
              "about": about} for label, path, extra, about in FILES]
    return render_template("console/downloads.html", form=form, options=form_options(walks, form.values),
                           links=links, count=count, group_labels=group_names())
