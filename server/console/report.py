"""The audit report page: tables per topic, best and worst items, charts and comments."""
from urllib.parse import urlencode

from flask import render_template, request

from ..documents import charts
from ..reports.queries import comments_by_item, group_reports, layout_checklist, place_reports, report_data
from ..records.rules import scale_of
from ..reports.photovoice import photovoice_section, report_photos
from ..reports.report import lowest_and_highest, overall_mean, ranked_items
from . import bp
from .access import current_user, signed_in, visible_walks
from .filters import form_options, group_names, read_filters
from .walks import map_config

SORTS = {"checklist": "as in the checklist", "score": "by score, best first"}
DECIMAL_MARKS = {".": "3.92 and 7.69%", ",": "3,92 and 7,69% (Czech)"}


def sorted_items(items, sort):
    """Return a topic's items as in the checklist, or by mean score, best first (unscored last)."""
    if sort != "score":
        return list(items)
    return sorted(items, key=lambda row: (row["mean"] is None, -(row["mean"] or 0)))


def display_options(args, languages):
    """Read how the report is shown: item text language, decimal mark and order."""
    language = args.get("lang") if args.get("lang") in languages else "en"
    mark = args.get("decimal") if args.get("decimal") in DECIMAL_MARKS else ("," if language == "cs" else ".")
    sort = args.get("sort") if args.get("sort") in SORTS else "checklist"
    return {"lang": language, "decimal": mark, "sort": sort}


@bp.get("/report")
@signed_in("admin")
def report_page():
    """Show the audit report for the filters, printable."""
    walks = visible_walks(current_user())
    form = read_filters(request.args, walks)
    options = form_options(walks, form.values)
    context = {"form": form, "options": options, "sorts": SORTS, "marks": DECIMAL_MARKS,
               "group_labels": group_names("en"), "walks_by_slug": {w.slug: w for w in walks}}
    if not form.filters.checklist:
        display = display_options(request.args, ["en"])
        return render_template("console/report.html", report=None, display=display, **context)
    report = report_data(form.filters)
    definition = layout_checklist(form.filters).definition
    checklist_languages = definition.get("languages") or ["en"]
    display = display_options(request.args, checklist_languages)
    best, worst = ranked_items(report)
    by_group = group_reports(form.filters)
    places = place_reports(form.filters, walks)
    language, mark = display["lang"], display["decimal"]
    translation = (definition.get("translations") or {}).get(language) or {}
    scale = scale_of(definition)[:2]
    document_args = form.api_args(lang=language, decimal="comma" if mark == "," else "point")
    return render_template(
        "console/report.html", report=report, display=display, languages=checklist_languages,
        best=best, worst=worst, by_group=by_group, group_names=group_names(language),
        draft_translation=translation.get("reviewed") is False,
        overall_means={group: overall_mean(data) for group, data in by_group.items()},
        # Walkers may skip the profile: their checklists count in every total but in no group.
        without_group=report["responses"] - sum(data["responses"] for data in by_group.values()) if by_group else 0,
        xlsx_href="/api/v1/export/report.xlsx?" + urlencode(document_args),
        pdf_href="/api/v1/export/report.pdf?" + urlencode(document_args),
        topic_charts={topic["id"]: charts.topic_bars_svg(topic, language, decimal_mark=mark, scale=scale)
                      for topic in report["topics"]},
        group_chart=charts.group_comparison_svg(by_group, language, decimal_mark=mark, scale=scale)
        if len(by_group) > 1 else None,
        comments=comments_by_item(form.filters),
        photovoice=photovoice_section(report_photos(form.filters), definition, language),
        places=places if len(places) > 1 else [], place_range=lowest_and_highest(places),
        map_config=map_config(), scale_range=scale,
        placed_stations=any(station is not None and station.lat is not None for _, station, _ in places),
        place_means=[overall_mean(data) for _, _, data in places],
        items_of={topic["id"]: sorted_items(topic["items"], display["sort"]) for topic in report["topics"]},
        **context)

