"""XLSX downloads: the checklists (wide and long), the report's tables, the checklist and what was exported.

Written with openpyxl's write-only mode: each sheet's rows go to a temporary file as
they stream from the database, so memory does not grow with the number of answers
(only the workbook's table of distinct strings stays in memory until it is saved).

Cells keep their types: scores, counts and flags are numbers, times are Excel dates in
UTC (Excel has no time zones, so they are stored without one and the About sheet says
so), and the non-response share is a fraction shown with Excel's percent format
(0.0769 shows as 7.69%), so it can be summed and charted as it is.
"""
import io
from dataclasses import fields, replace
from datetime import datetime, timezone

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .charts import group_label
from .exports import LONG_FIELDS, item_index, long_rows, timestamp, wide_fields, wide_rows
from ..reports.queries import (
    group_reports,
    grouped_responses,
    layout_checklist,
    ordered_walks,
    place_reports,
    report_data,
)
from ..records.rules import scale_of
from ..reports.compare import MIN_ANSWERS, by_change, firm
from ..reports.report import local_text, overall_mean

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_LIMIT = 31
CELL_TEXT_LIMIT = 32767
EXCEL_MAX_ROWS = 1_048_576  # rows a sheet holds in Excel, the header row included
SCORE_FORMAT = "0.00"
PERCENT_FORMAT = "0.00%"
FORBIDDEN_IN_SHEET_NAMES = str.maketrans({char: "-" for char in "\\/?*[]:"})
REPORT_HEADER = ["Item", "Text", "Score", "Non-response %", "Answered", "Don't know", "Non-response"]
REPORT_WIDTHS = [8, 80, 8, 15, 10, 11, 13]
SCORED_WIDTH = 9  # each "Scored N" column, one per score of the checklist's scale
FIELD_WIDTHS = {"response_id": 38, "device_id": 38, "walk": 14, "checklist": 20, "group": 8, "language": 9,
                "started_at": 20, "updated_at": 20, "received_at": 20, "answered_at": 20, "topic": 24,
                "item_text": 60, "comment": 40}
BOLD = Font(bold=True)


EXCEL_FIRST_YEAR = 1900


def _now():
    return datetime.now(timezone.utc)


def excel_time(value):
    """Return an aware datetime or RFC 3339 text as a naive UTC datetime, which Excel can hold.

    Excel counts days from 1900: an earlier time (a phone clock set to year 1) would be a negative
    number, so it stays RFC 3339 text instead.
    """
    if isinstance(value, str):
        text, value = value, datetime.fromisoformat(value)
    else:
        text = None
    if value.year <= EXCEL_FIRST_YEAR:
        return text or timestamp(value)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _cell(sheet, value, number_format=None):
    """Return what to append for one value: plain values as they are, formatted ones as cells."""
    if value is None:
        return None
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_TEXT_LIMIT]
        if not text.startswith("="):
            return text
        cell = WriteOnlyCell(sheet, text)
        cell.data_type = "s"  # a walker's comment "=…" stays text, never becomes a formula
        return cell
    if isinstance(value, datetime):
        value = excel_time(value)  # openpyxl gives a bare datetime its date format, yyyy-mm-dd h:mm:ss
    if number_format is None or isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.number_format = number_format
    return cell


def _header_cell(sheet, name):
    cell = WriteOnlyCell(sheet, name)
    cell.font = BOLD
    return cell


def write_table(workbook, title, header, rows, widths, formats=None, wrap=(), continued=None):
    """Add a sheet: bold frozen header, column widths, an autofilter; return how many rows it got.

    `formats` maps a column index to a number format; `wrap` lists the columns whose
    text wraps. Rows are appended as they come, so `rows` may be a generator. Past Excel's
    limit of EXCEL_MAX_ROWS rows a sheet (header included) the rows continue on sheets
    "<title> (2)", "<title> (3)" …, each with the header, whose names are added to `continued`.
    """
    formats, count, part = formats or {}, 0, 1
    sheet, in_sheet = _table_sheet(workbook, title, header, widths), 0
    for row in rows:
        if in_sheet == EXCEL_MAX_ROWS - 1:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{in_sheet + 1}"
            part += 1
            name = f"{title} ({part})"
            if continued is not None:
                continued.append(name)
            sheet, in_sheet = _table_sheet(workbook, name, header, widths), 0
        cells = [_cell(sheet, value, formats.get(index)) for index, value in enumerate(row)]
        for index in wrap:
            if isinstance(cells[index], str):
                cells[index] = WriteOnlyCell(sheet, cells[index])
                cells[index].alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append(cells)
        count += 1
        in_sheet += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{in_sheet + 1}"
    return count


def _table_sheet(workbook, title, header, widths):
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, name) for name in header])
    return sheet


def _field_width(name):
    if name in FIELD_WIDTHS:
        return FIELD_WIDTHS[name]
    if name.endswith("_comment"):
        return 30
    return max(len(name) + 2, 9)


def _with_times(header, rows):
    """Turn the RFC 3339 text in the *_at columns of export rows back into times, for Excel."""
    time_columns = [index for index, name in enumerate(header) if name.endswith("_at")]
    for row in rows:
        row = list(row)
        for index in time_columns:
            if row[index] is not None:
                row[index] = excel_time(row[index])
        yield row


def sheet_names(titles, prefix="Report – "):
    """Return Excel-safe, unique sheet names of at most 31 characters: prefix + title, cut with '…'."""
    names, taken = [], set()
    for title in titles:
        name = (prefix + " ".join(str(title).split())).translate(FORBIDDEN_IN_SHEET_NAMES).strip("'")
        if len(name) > SHEET_NAME_LIMIT:
            name = name[:SHEET_NAME_LIMIT - 1].rstrip() + "…"
        base, number = name, 2
        while name.casefold() in taken:
            suffix = f" ({number})"
            name = base[:SHEET_NAME_LIMIT - len(suffix)] + suffix
            number += 1
        taken.add(name.casefold())
        names.append(name)
    return names


def _report_rows(topic, language, scores):
    for item in topic["items"]:
        pct = item["non_response_pct"]
        yield [item["id"], local_text(item["text"], language), item["mean"],
               None if pct is None else round(pct / 100, 6), item["answered"], item["dont_know"],
               item["non_response"], *(item["distribution"].get(str(score), 0) for score in scores)]


def write_report_sheets(workbook, report, language="en", scale=(1, 5)):
    """Add one sheet per report topic: per item its score, non-response share and a count per score of the scale."""
    scores = range(scale[0], scale[1] + 1)
    header = REPORT_HEADER + [f"Scored {score}" for score in scores]
    widths = REPORT_WIDTHS + [SCORED_WIDTH for _ in scores]
    names = sheet_names(local_text(topic["title"], language) for topic in report["topics"])
    for name, topic in zip(names, report["topics"]):
        write_table(workbook, name, header, _report_rows(topic, language, scores), widths,
                    formats={2: SCORE_FORMAT, 3: PERCENT_FORMAT}, wrap=(1,))


PLACES_SHEET = "By walk and station"


def write_places_sheet(workbook, filters, report, walk_ids=None, language="en"):
    """Add the comparison of walks and their stations: n and the mean per topic (when there are two places)."""
    places = place_reports(filters, ordered_walks(walk_ids), walk_ids)
    if len(places) < 2:
        return
    titles = [local_text(topic["title"], language) for topic in report["topics"]]
    header = ["Walk", "Station", "Place", "Checklists", "All topics", *titles]
    rows = ([walk.slug, station.code if station else None, local_text((station or walk).title, language),
             data["responses"], overall_mean(data), *(topic["mean"] for topic in data["topics"])]
            for walk, station, data in places)
    write_table(workbook, PLACES_SHEET, header, rows, [12, 10, 40, 11, 10, *(16 for _ in titles)],
                formats={index: SCORE_FORMAT for index in range(4, len(header))}, wrap=(2,))


GROUPS_SHEET = "By participant group"


def write_groups_sheet(workbook, filters, report, walk_ids=None, language="en"):
    """Add the comparison of participant groups: a column per group with its n, then the mean score of all
    topics, of each topic and of each item, so that the group rating an item lowest shows at a glance."""
    reports = group_reports(filters, walk_ids)
    if not reports:
        return
    header = ["Topic or item", "Text",
              *(f"{group_label(group, language)} (n={data['responses']})" for group, data in reports.items())]
    rows = [["All topics", "Mean of all scores", *(overall_mean(data) for data in reports.values())]]
    for index, topic in enumerate(report["topics"]):
        rows.append([topic["id"], local_text(topic["title"], language),
                     *(data["topics"][index]["mean"] for data in reports.values())])
        for position, item in enumerate(topic["items"]):
            rows.append([item["id"], local_text(item["text"], language),
                         *(data["topics"][index]["items"][position]["mean"] for data in reports.values())])
    if without := report["responses"] - sum(data["responses"] for data in reports.values()):
        rows.append(["", f"{without} checklist(s) gave no participant group: counted in the totals, in no group "
                         "here.", *(None for _ in reports)])
    write_table(workbook, GROUPS_SHEET, header, rows, [12, 60, *(16 for _ in reports)],
                formats={index: SCORE_FORMAT for index in range(2, len(header))}, wrap=(1,))


def _definition_languages(definition):
    found = definition.get("languages") or []
    for topic in definition["topics"]:
        for item in topic["items"]:
            found += [language for language in item["text"] if language not in found]
    return list(dict.fromkeys(found))


def write_checklist_sheet(workbook, checklist, language="en"):
    """Add the checklist definition: per item its topic and its text in every language, with review flags."""
    definition = checklist.definition
    languages = _definition_languages(definition)
    reviewed = {lang: (definition.get("translations") or {}).get(lang, {}).get("reviewed") for lang in languages}
    header = ["topic", "topic_title", "item"] + [f"text_{lang}" for lang in languages] \
        + [f"reviewed_{lang}" for lang in languages]
    rows = ([topic["id"], local_text(topic["title"], language), item["id"]]
            + [item["text"].get(lang) for lang in languages] + [reviewed[lang] for lang in languages]
            for topic in definition["topics"] for item in topic["items"])
    widths = [22, 40, 8] + [60] * len(languages) + [12] * len(languages)
    write_table(workbook, "Checklist", header, rows, widths)


def _filter_rows(filters):
    for field in fields(filters):
        value = getattr(filters, field.name)
        if field.name == "review":
            yield ["Filter: review", f"{', '.join(value)} ({filters.review_text})"]
            continue
        yield [f"Filter: {field.name}", "(any)" if value is None else value]


def write_about_sheet(workbook, title, checklist, filters, counts, report=None, language="en"):
    """Add the About sheet: what was exported, with which filters, when, and how to read the figures."""
    low, high = scale_of(checklist.definition)[:2]
    rows = [["Export", title],
            ["Checklist", checklist.slug],
            ["Checklist version (layout)", checklist.version],
            ["Checklist title", local_text(checklist.definition.get("title") or {"en": checklist.slug}, language)],
            ["Exported at (UTC)", _now()],
            *_filter_rows(filters),
            *([name, count] for name, count in counts),
            ["Times", "All times are in UTC (Excel stores times without a time zone)."],
            ["Score", f"Mean of the scores given, {low} (worst) to {high} (best), rounded half up to 2 decimals."],
            ["Non-response %", "Share of the matching checklists that did not score the item (left blank, "
                               "\"don't know\", or not reached), shown as a percentage."]]
    if report is not None:
        rows += [[f"Topic mean: {local_text(topic['title'], language)}", topic["mean"]] for topic in report["topics"]]
    for lang, note in (checklist.definition.get("translations") or {}).items():
        state = "reviewed" if note.get("reviewed") else "draft, not reviewed"
        rows.append([f"Translation {lang}", f"{state}. {note.get('note') or ''}".strip()])
    write_table(workbook, "About", ["Field", "Value"], rows, [34, 90], wrap=(1,))


def report_filters(filters):
    """Return the filters with the checklist named: the only one loaded when none was asked for."""
    return filters if filters.checklist else replace(filters, checklist=layout_checklist(filters).slug)


def write_responses_workbook(target, filters, walk_ids=None, language="en"):
    """Write the full workbook (responses wide and long, report tables, checklist, About) to a path or file."""
    filters = report_filters(filters)
    checklist = layout_checklist(filters)
    workbook = Workbook(write_only=True)
    item_ids = checklist.item_ids
    header = wide_fields(item_ids)
    widths = [_field_width(name) for name in header]
    continued = []
    responses = write_table(workbook, "Responses", header,
                            _with_times(header, wide_rows(grouped_responses(filters, walk_ids), item_ids)), widths,
                            continued=continued)
    answers = write_table(workbook, "Answers", LONG_FIELDS,
                          _with_times(LONG_FIELDS, long_rows(grouped_responses(filters, walk_ids),
                                                             item_index(checklist.definition, language))),
                          [_field_width(name) for name in LONG_FIELDS], continued=continued)
    report = report_data(filters, walk_ids)
    write_report_sheets(workbook, report, language, scale_of(checklist.definition)[:2])
    write_places_sheet(workbook, filters, report, walk_ids, language)
    write_groups_sheet(workbook, filters, report, walk_ids, language)
    write_checklist_sheet(workbook, checklist, language)
    counts = [("Checklists", responses), ("Answers", answers)]
    if continued:
        counts.append(("Continued on", f"More rows than Excel's {EXCEL_MAX_ROWS:,} per sheet: the table goes on "
                                       f"in {', '.join(continued)}, each with the same header."))
    write_about_sheet(workbook, "Checklists received, with the report's tables", checklist, filters,
                      counts, report, language)
    workbook.save(target)


COMPARISON_SHEET = "Audits compared"


def _comparison_rows(comparison, language):
    for topic in comparison["topics"]:
        for item in by_change(topic["items"]):
            cells = []
            for cell in item["by_audit"]:
                if cell is None:
                    cells += ["not asked", None, None]
                else:
                    pct = cell["non_response_pct"]
                    cells += [cell["mean"], cell["answered"], None if pct is None else round(pct / 100, 6)]
            first, last = item["by_audit"][0], item["by_audit"][-1]
            arrow = None
            if item["change"] is not None:
                arrow = ("up" if item["change"] > 0 else "down" if item["change"] < 0 else "same") \
                    if firm(first, last) else f"too few answers (under {MIN_ANSWERS})"
            yield [local_text(topic["title"], language), item["id"], local_text(item["text"], language), *cells,
                   item["change"], arrow]


def write_comparison_sheet(workbook, comparison, names, language="en"):
    """Add the audits compared: per item each audit's mean, n and non-response, then the change, sorted by change."""
    audits = [entry["slug"] for entry in comparison["audits"]]
    header = ["Topic", "Item", "Text"]
    for slug in audits:
        name = names.get(slug, slug)
        header += [f"{name}: score", f"{name}: answered", f"{name}: non-response %"]
    header += ["Change (last − first)", "Arrow"]
    formats = {3 + 3 * index: SCORE_FORMAT for index in range(len(audits))}
    formats.update({5 + 3 * index: PERCENT_FORMAT for index in range(len(audits))})
    formats[len(header) - 2] = "+0.00;-0.00;0.00"
    write_table(workbook, COMPARISON_SHEET, header, _comparison_rows(comparison, language),
                [24, 8, 60, *([12, 10, 14] * len(audits)), 12, 22], formats=formats, wrap=(2,))
    responses = [[names.get(entry["slug"], entry["slug"]), entry["slug"], entry["responses"]]
                 for entry in comparison["audits"]]
    write_table(workbook, "Audits", ["Audit", "Slug", "Checklists"], responses, [40, 20, 12])


def write_report_workbook(target, filters, walk_ids=None, language="en", comparison=None):
    """Write the report's tables and the About sheet to a path or file; `comparison` is (data, names) or None."""
    filters = report_filters(filters)
    checklist = layout_checklist(filters)
    report = report_data(filters, walk_ids)
    workbook = Workbook(write_only=True)
    if comparison is not None:
        write_comparison_sheet(workbook, *comparison, language=language)
    write_report_sheets(workbook, report, language, scale_of(checklist.definition)[:2])
    write_places_sheet(workbook, filters, report, walk_ids, language)
    write_groups_sheet(workbook, filters, report, walk_ids, language)
    write_about_sheet(workbook, "Audit report", checklist, filters, [("Checklists", report["responses"])],
                      report, language)
    workbook.save(target)


def responses_workbook(filters, walk_ids=None, language="en"):
    """Return the full workbook as bytes (see write_responses_workbook)."""
    buffer = io.BytesIO()
    write_responses_workbook(buffer, filters, walk_ids, language)
    return buffer.getvalue()


def report_workbook(filters, walk_ids=None, language="en"):
    """Return the report workbook as bytes (see write_report_workbook)."""
    buffer = io.BytesIO()
    write_report_workbook(buffer, filters, walk_ids, language)
    return buffer.getvalue()

