"""The comparison page: audits side by side, item by item, with a dumbbell chart per topic."""
from urllib.parse import urlencode

from flask import render_template, request
from sqlalchemy import select

from ..catalog.audits import ordered_audits
from ..documents.compare_chart import audit_colour, comparison_svg, format_change
from ..extensions import db
from ..models import GROUPS, Checklist
from ..reports.compare import MIN_ANSWERS, by_change, firm, scale_of
from ..reports.queries import Filters, compare_data
from ..reports.report import local_text
from . import bp
from .access import signed_in
from .filters import group_names
from .report import DECIMAL_MARKS


def chosen_audits(args, audits):
    """Return the audits asked for (repeated or comma-separated `audits`), oldest first, and what was ignored."""
    asked = [slug.strip() for value in args.getlist("audits") for slug in value.split(",") if slug.strip()]
    known = {audit.slug: audit for audit in audits}
    problems = [f"There is no audit '{slug}'." for slug in asked if slug not in known]
    # ordered_audits() is newest first: a comparison reads from the earliest audit to the latest.
    return [audit for audit in reversed(audits) if audit.slug in asked], problems


def _languages(definitions):
    found = ["en"]
    for definition in definitions:
        found += [language for language in definition.get("languages") or [] if language not in found]
    return found


@bp.get("/report/compare")
@signed_in("admin")
def compare_page():
    """Compare audits item by item: means with their n, the change from the first to the last, sorted by change."""
    audits = ordered_audits()
    chosen, problems = chosen_audits(request.args, audits)
    group = request.args.get("group") or None
    if group and group not in GROUPS:
        problems.append(f"'{group}' is not a participant group; all groups are shown.")
        group = None
    station = (request.args.get("station") or "").strip().upper() or None
    context = {"audits": audits, "chosen": chosen, "problems": problems, "group": group, "station": station,
               "groups": GROUPS, "group_labels": group_names("en"), "marks": DECIMAL_MARKS}
    if len(chosen) < 2:
        if request.args.get("audits") and len(chosen) == 1:
            problems.append("Choose at least two audits to compare.")
        return render_template("console/compare.html", comparison=None, display={"lang": "en", "decimal": "."},
                               **context)
    filters = Filters(group=group, station=station, review=request.args.get("review") or None)
    comparison = compare_data([audit.slug for audit in chosen], filters)
    versions = db.session.execute(select(Checklist).where(
        Checklist.slug.in_({audit.checklist_slug for audit in chosen}))).scalars().all()
    definitions = [row.definition for row in versions]
    languages = _languages(definitions)
    language = request.args.get("lang") if request.args.get("lang") in languages else "en"
    mark = request.args.get("decimal") if request.args.get("decimal") in DECIMAL_MARKS else (
        "," if language == "cs" else ".")
    names = {audit.slug: local_text(audit.title, language) for audit in chosen}
    scale = scale_of(definitions)
    document_args = {"audit": chosen[-1].slug, "compare": ",".join(a.slug for a in chosen), "group": group,
                     "station": station, "review": request.args.get("review"), "lang": language, "decimal": "comma" if mark == "," else "point"}
    query = urlencode({key: value for key, value in document_args.items() if value})
    return render_template(
        "console/compare.html", comparison=comparison, names=names, languages=languages,
        display={"lang": language, "decimal": mark}, colours=[audit_colour(i) for i in range(len(chosen))],
        charts={topic["id"]: comparison_svg(topic, comparison["audits"], names, scale, language, decimal_mark=mark)
                for topic in comparison["topics"]},
        sorted_items={topic["id"]: by_change(topic["items"]) for topic in comparison["topics"]},
        firm=firm, format_change=format_change, min_answers=MIN_ANSWERS, review_text=filters.review_text,
        pdf_href="/api/v1/export/report.pdf?" + query, xlsx_href="/api/v1/export/report.xlsx?" + query,
        **context)
