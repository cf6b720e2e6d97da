"""The audit report as a PDF (fpdf2): title page, a table and a bar chart per topic, best and worst items,
and the comparison by participant group, laid out like the printed 2018 report.

Text is set in DejaVu Sans (server/fonts), which covers the checklist's languages
(Czech, Ukrainian, Russian, Vietnamese). The charts are drawn with PDF lines and
rectangles on the checklist's whole scale (1–5, 1–4 …), as the web page's SVG charts.
"""
import io
import os
from dataclasses import fields
from datetime import datetime, timezone

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from .charts import BAR_COLOUR, GROUP_COLOURS, group_label
from .compare_chart import format_change
from ..reports.compare import MIN_ANSWERS, by_change, firm
from ..media.photos import thumbnail_bytes
from ..reports.photovoice import photovoice_section, report_photos
from ..reports.queries import group_reports, layout_checklist, ordered_walks, place_reports, report_data
from ..records.rules import scale_of
from ..reports.report import format_percent, format_score, local_text, overall_mean, ranked_items
from .xlsx import report_filters

FONT_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fonts")
FONT = "DejaVu"
MIMETYPE = "application/pdf"
INK, MUTED, GRID, HEAD_FILL = "#1a1a1a", "#595959", "#c8c8c8", "#e6e6e6"

TEXTS = {
    "en": {"report": "Audit report", "checklist": "Checklist", "version": "version", "checklists": "Checklists",
           "filters": "Filters", "any": "all",
           "generated": "Generated", "scale": (
               "Score: the mean of the scores given, from {low} (worst) to {high} (best), rounded to two decimals. "
               "Non-response: the share of the {n} checklists that did not score the item (left blank, "
               "\"don't know\", or not reached)."),
           "item": "Item", "text": "Statement", "score": "Score", "non_response": "Non-response", "n": "n",
           "topic_mean": "Topic mean", "topics": "Topics", "best": "Best evaluated items",
           "worst": "Worst evaluated items", "groups": "Mean score by participant group",
           "groups_note": "Mean of all scores given by each group; n = checklists from the group.",
           "without_group": "{n} checklist(s) gave no participant group: counted in the totals, in no group here.",
           "places": "By walk and station", "place": "Walk or station",
           "places_note": "Mean score per topic. A walk counts its checklists; a station counts only the answers "
                          "given there, and n is the number of checklists with an answer there.",
           "all_topics": "All topics", "no_answers": "no answers", "page": "Page {page} of {pages}",
           "none": "No checklist matches these filters yet.",
           "photovoice": "PhotoVoice", "photovoice_note": (
               "Photos walkers took and rated: works well or needs change. {n} photo(s) in all; the photos below "
               "are those an admin chose to show."),
           "topic": "Topic", "works": "Works well", "needs_change": "Needs change", "unrated": "Not rated",
           "photos": "Photos", "no_topic": "No topic given", "away": "Away from stations",
           "compare": "Audits compared", "change": "Change", "not_asked": "not asked",
           "compare_note": "Mean score per item in each audit (n = answers behind the mean), sorted by change: the "
                           "mean of the last audit minus that of the first. An arrow only where both rest on at least "
                           "{min} answers; means over fewer are grey. \"Not asked\": that audit's checklist did not "
                           "have the item. Checklists: {audits}."},
    "cs": {"report": "Zpráva z auditu", "checklist": "Kontrolní seznam", "version": "verze",
           "checklists": "Dotazníky", "filters": "Filtry", "any": "vše",
           "generated": "Vytvořeno", "scale": (
               "Hodnocení: průměr udělených hodnocení od {low} (nejhorší) do {high} (nejlepší), zaokrouhlený na dvě "
               "desetinná místa. Bez odpovědi: podíl z {n} dotazníků, v nichž položka hodnocena nebyla "
               "(nevyplněno, „nevím“ nebo nedošlo na ni)."),
           "item": "Položka", "text": "Výrok", "score": "Hodnocení", "non_response": "Bez odpovědi", "n": "n",
           "topic_mean": "Průměr tématu", "topics": "Témata", "best": "Nejlépe hodnocené položky",
           "worst": "Nejhůře hodnocené položky", "groups": "Průměrné hodnocení podle skupin účastníků",
           "groups_note": "Průměr všech hodnocení dané skupiny; n = počet dotazníků od skupiny.",
           "without_group": "Dotazníky bez uvedené skupiny účastníka ({n}) jsou započteny v celkových výsledcích, "
                            "zde v žádné skupině.",
           "places": "Podle procházek a zastávek", "place": "Procházka nebo zastávka",
           "places_note": "Průměrné hodnocení témat. U procházky se počítají její dotazníky, u zastávky jen "
                          "odpovědi dané na ní; n je počet dotazníků s odpovědí na zastávce.",
           "all_topics": "Všechna témata", "no_answers": "bez odpovědí", "page": "Strana {page} z {pages}",
           "none": "Těmto filtrům zatím neodpovídá žádný dotazník.",
           "photovoice": "PhotoVoice", "photovoice_note": (
               "Fotografie pořízené účastníky procházek s hodnocením: funguje dobře, nebo potřebuje změnu. "
               "Celkem {n} fotografií; níže jsou ty, které správce vybral ke zveřejnění."),
           "topic": "Téma", "works": "Funguje dobře", "needs_change": "Potřebuje změnu", "unrated": "Nehodnoceno",
           "photos": "Fotografie", "no_topic": "Bez tématu", "away": "Mimo zastávky",
           "compare": "Srovnání auditů", "change": "Změna", "not_asked": "nezjišťováno",
           "compare_note": "Průměrné hodnocení položek v jednotlivých auditech (n = počet hodnocení), seřazeno podle "
                           "změny: průměr posledního auditu minus průměr prvního. Šipka jen tam, kde oba průměry stojí "
                           "alespoň na {min} hodnoceních; průměry z menšího počtu jsou šedé. „Nezjišťováno“: kontrolní "
                           "seznam auditu položku neobsahoval. Dotazníky: {audits}."},
}


class ReportDocument(FPDF):
    """An A4 page with the checklist's name on top and the page number at the foot."""

    def __init__(self, running_title, texts, scale=(1, 5)):
        super().__init__(format="A4")
        self.running_title, self.texts, self.scale = running_title, texts, scale
        self.add_font(FONT, "", os.path.join(FONT_DIR, "DejaVuSans.ttf"))
        self.add_font(FONT, "B", os.path.join(FONT_DIR, "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages("{pages}")

    def header(self):
        if self.page_no() > 1:
            self.set_font(FONT, size=8)
            self.set_text_color(MUTED)
            self.cell(0, 5, self.running_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(3)
            self.set_text_color(INK)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(MUTED)
        self.cell(0, 5, self.texts["page"].format(page=self.page_no(), pages="{pages}"), align="C")
        self.set_text_color(INK)

    def heading(self, text, size=14):
        """Write a bold heading on its own line."""
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_font(FONT, size=10)

    def new_section(self, title, note):
        """Start a page with a heading and a note under it."""
        self.add_page()
        self.heading(title, 14)
        self.paragraph(note, 9, MUTED)

    def paragraph(self, text, size=10, colour=INK):
        """Write a wrapped paragraph."""
        self.set_font(FONT, size=size)
        self.set_text_color(colour)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(INK)
        self.ln(1)

    def fit(self, text, width):
        """Return the text, cut with '…' so that it fits the width in the current font."""
        text = " ".join(str(text).split())
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def bar_chart(self, rows, decimal_mark, no_answers, label_width=62, row_height=6):
        """Draw horizontal bars from the lowest score to each mean on the scale's axis: rows are (label, mean, colour)."""
        height = len(rows) * row_height + 8
        if self.will_page_break(height):
            self.add_page()
        left, top = self.l_margin + label_width, self.get_y()
        width = self.epw - label_width - 14

        low, high = self.scale

        def x_of(value):
            return left + (value - low) / (high - low) * width

        bottom = top + len(rows) * row_height
        self.set_line_width(0.2)
        self.set_font(FONT, size=7)
        for value in range(low, high + 1):
            self.set_draw_color(MUTED if value == low else GRID)
            self.line(x_of(value), top, x_of(value), bottom)
            self.set_text_color(MUTED)
            self.text(x_of(value) - 0.8, bottom + 3.5, str(value))
        for index, (label, mean, colour) in enumerate(rows):
            y = top + index * row_height
            self.set_text_color(INK)
            self.set_xy(self.l_margin, y)
            self.cell(label_width - 2, row_height, self.fit(label, label_width - 3))
            if mean is None:
                self.set_text_color(MUTED)
                self.text(x_of(low) + 1.5, y + row_height / 2 + 1, no_answers)
                continue
            bar_width = max(x_of(mean) - x_of(low), 0.6)
            with self.local_context(fill_color=colour):
                self.rect(x_of(low), y + 1, bar_width, row_height - 2, style="F")
            self.set_text_color(INK)
            self.text(x_of(low) + bar_width + 1.2, y + row_height / 2 + 1, format_score(mean, decimal_mark))
        self.set_text_color(INK)
        self.set_xy(self.l_margin, bottom + 6)


def _filters_line(filters, texts):
    parts = []
    for field in fields(filters):
        value = getattr(filters, field.name)
        if value is None or field.name == "checklist":
            continue
        if isinstance(value, datetime):
            value = value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        if isinstance(value, tuple):
            value = ", ".join(value)
        parts.append(f"{field.name} = {value}")
    return "; ".join(parts) or texts["any"]


def _title_page(pdf, checklist, report, filters, texts, language, decimal_mark):
    pdf.add_page()
    pdf.ln(20)
    pdf.heading(texts["report"], 22)
    pdf.heading(local_text(checklist.definition.get("title") or checklist.slug, language), 14)
    source = checklist.definition.get("source")
    if source:
        pdf.paragraph(source, 9, MUTED)
    pdf.ln(6)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    for label, value in ((texts["checklists"], str(report["responses"])),
                         (texts["filters"], _filters_line(filters, texts)),
                         (texts["checklist"], f"{checklist.slug}, {texts['version']} {checklist.version}"),
                         (texts["generated"], stamp)):
        pdf.set_font(FONT, "B", 10)
        pdf.cell(38, 6, label)
        pdf.set_font(FONT, size=10)
        pdf.multi_cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.paragraph(texts["scale"].format(n=report["responses"], low=pdf.scale[0], high=pdf.scale[1]), 9, MUTED)
    if not report["responses"]:
        pdf.paragraph(texts["none"], 11)
    pdf.ln(4)
    pdf.heading(texts["topics"], 12)
    with pdf.table(col_widths=(140, 34), text_align=("LEFT", "RIGHT"), line_height=5.5,
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL)) as table:
        row = table.row()
        row.cell(texts["topics"])
        row.cell(texts["topic_mean"])
        for topic in report["topics"]:
            row = table.row()
            row.cell(local_text(topic["title"], language))
            row.cell(format_score(topic["mean"], decimal_mark))


def _items_table(pdf, items, texts, language, decimal_mark, with_counts=True):
    pdf.set_font(FONT, "B", 9)
    numbers = [texts["score"]] + ([texts["non_response"], texts["n"]] if with_counts else [])
    number_widths = [max(pdf.get_string_width(text) + 3, 12) for text in numbers]  # headings never break
    id_width = max(pdf.get_string_width(texts["item"]) + 3, 13)
    widths = (id_width, pdf.epw - id_width - sum(number_widths), *number_widths)
    align = ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT")[:len(widths)]
    pdf.set_font(FONT, size=9)
    with pdf.table(col_widths=widths, text_align=align, line_height=4.6, v_align="TOP", padding=1,
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL)) as table:
        heading = [texts["item"], texts["text"], texts["score"]]
        if with_counts:
            heading += [texts["non_response"], texts["n"]]
        row = table.row()
        for text in heading:
            row.cell(text)
        for item in items:
            row = table.row()
            row.cell(item["id"])
            row.cell(local_text(item["text"], language))
            row.cell(format_score(item["mean"], decimal_mark) or "–")
            if with_counts:
                row.cell(format_percent(item["non_response_pct"], decimal_mark))
                row.cell(str(item["answered"]))
    pdf.ln(3)


def _topic_pages(pdf, report, texts, language, decimal_mark):
    for topic in report["topics"]:
        pdf.add_page()
        pdf.heading(local_text(topic["title"], language), 14)
        _items_table(pdf, topic["items"], texts, language, decimal_mark)
        pdf.set_font(FONT, "B", 10)
        pdf.cell(0, 6, f"{texts['topic_mean']}: {format_score(topic['mean'], decimal_mark) or '–'}",
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)
        rows = [(f"{item['id']} {local_text(item['text'], language)}", item["mean"], BAR_COLOUR)
                for item in topic["items"]]
        pdf.bar_chart(rows, decimal_mark, texts["no_answers"])


def _ranked_page(pdf, report, texts, language, decimal_mark):
    best, worst = ranked_items(report)
    if not best:
        return
    pdf.add_page()
    for title, items in ((texts["best"], best), (texts["worst"], worst)):
        pdf.heading(title, 13)
        _items_table(pdf, items, texts, language, decimal_mark, with_counts=False)
        pdf.ln(4)


def _places_page(pdf, places, report, texts, language, decimal_mark):
    """A table of each walk, then its stations: n, the mean over all topics and per topic."""
    if len(places) < 2:
        return
    pdf.new_section(texts["places"], texts["places_note"])
    topics = [local_text(topic["title"], language) for topic in report["topics"]]
    number_widths = (8, 13, *(22 for _ in topics))
    widths = (pdf.epw - sum(number_widths), *number_widths)
    pdf.set_font(FONT, size=8)
    # Small headings, so that long topic titles break between words, not inside them.
    headings = FontFace(emphasis="BOLD", fill_color=HEAD_FILL, size_pt=6.5)
    with pdf.table(col_widths=widths, text_align=("LEFT", *("RIGHT" for _ in number_widths)), line_height=3.8,
                   v_align="TOP", padding=1, headings_style=headings) as table:
        row = table.row()
        for text in (texts["place"], texts["n"], texts["all_topics"], *topics):
            row.cell(text)
        for walk, station, data in places:
            style = None if station else FontFace(emphasis="BOLD")
            row = table.row()
            row.cell(f"{station.code} {local_text(station.title, language)}" if station else local_text(walk.title, language),
                     style=style)
            for value in (str(data["responses"]), format_score(overall_mean(data), decimal_mark) or "–",
                          *(format_score(topic["mean"], decimal_mark) or "–" for topic in data["topics"])):
                row.cell(value, style=style)


def _groups_page(pdf, reports, texts, language, decimal_mark, total):
    if len(reports) < 2:
        return
    pdf.new_section(texts["groups"], texts["groups_note"])
    if without_group := total - sum(report["responses"] for report in reports.values()):
        pdf.paragraph(texts["without_group"].format(n=without_group), 9, MUTED)
    pdf.set_font(FONT, size=8)
    for group, report in reports.items():  # the legend: colour, name and n
        with pdf.local_context(fill_color=GROUP_COLOURS.get(group, MUTED)):
            pdf.rect(pdf.get_x(), pdf.get_y() + 1, 3, 3, style="F")
        pdf.set_x(pdf.get_x() + 4.5)
        pdf.cell(54, 5, f"{group_label(group, language)} (n={report['responses']})")
        if pdf.get_x() > pdf.w - pdf.r_margin - 58:
            pdf.ln(5)
    pdf.ln(8)
    first = next(iter(reports.values()))
    clusters = [(texts["all_topics"], {group: overall_mean(report) for group, report in reports.items()})]
    clusters += [(local_text(topic["title"], language),
                  {group: report["topics"][index]["mean"] for group, report in reports.items()})
                 for index, topic in enumerate(first["topics"])]
    for heading, means in clusters:
        if pdf.will_page_break(8 + len(reports) * 4.2 + 10):
            pdf.add_page()
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(0, 5, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
        rows = [(group_label(group, language), means[group], GROUP_COLOURS.get(group, MUTED)) for group in reports]
        pdf.bar_chart(rows, decimal_mark, texts["no_answers"], row_height=4.2)


PHOTO_WIDTH, PHOTO_GAP = 55, 6  # mm: three photos across an A4 page


def _photovoice_pages(pdf, section, texts, image_of):
    """The PhotoVoice section: ratings per topic, then the shown photos by topic and station, captioned."""
    if not section["total"]:
        return
    pdf.new_section(texts["photovoice"], texts["photovoice_note"].format(n=section["total"]))
    widths = (70, 25, 25, 25, 29)
    pdf.set_font(FONT, "B", 9)
    with pdf.local_context(fill_color=HEAD_FILL):
        for width, key in zip(widths, ("topic", "works", "needs_change", "unrated", "photos")):
            pdf.cell(width, 7, pdf.fit(texts[key], width - 2), border=1, fill=True)
    pdf.ln(7)
    pdf.set_font(FONT, size=9)
    for row in section["topics"]:
        pdf.cell(widths[0], 6, pdf.fit(row["title"] or texts["no_topic"], widths[0] - 2), border=1)
        for width, key in zip(widths[1:], ("works", "needs_change", "unrated", "total")):
            pdf.cell(width, 6, str(row[key]), border=1, align="R")
        pdf.ln(6)
    pdf.ln(4)
    for topic in section["shown"]:
        if pdf.will_page_break(80):
            pdf.add_page()
        pdf.heading(topic["title"] or texts["no_topic"], 12)
        # Station by station, three to a row; each photo names its station under it.
        _photo_grid(pdf, [photo for group in topic["stations"] for photo in group["photos"]], texts, image_of)


def _photo_grid(pdf, photos, texts, image_of):
    """Lay photos out three to a row, each with its rating and caption under it."""
    left = pdf.l_margin
    for start in range(0, len(photos), 3):
        row = photos[start:start + 3]
        heights = [PHOTO_WIDTH * (p["height"] or 3) / (p["width"] or 4) for p in row]
        if pdf.will_page_break(max(heights) + 30):
            pdf.add_page()
        top, bottom = pdf.get_y(), pdf.get_y()
        for index, photo in enumerate(row):
            x = left + index * (PHOTO_WIDTH + PHOTO_GAP)
            pdf.image(io.BytesIO(image_of(photo)), x=x, y=top, w=PHOTO_WIDTH, h=heights[index])
            pdf.set_xy(x, top + heights[index] + 1)
            pdf.set_font(FONT, "B", 8)
            label = " · ".join(filter(None, (photo["station"] or texts["away"],
                                             texts[photo["rating"]] if photo["rating"] else None)))
            pdf.cell(PHOTO_WIDTH, 4, pdf.fit(label, PHOTO_WIDTH), new_x=XPos.LEFT, new_y=YPos.NEXT)
            pdf.set_font(FONT, size=8)
            pdf.multi_cell(PHOTO_WIDTH, 3.8, photo["text"][:400], align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
            bottom = max(bottom, pdf.get_y())
        pdf.set_xy(left, bottom + 4)


FEW = "#8a8a8a"


def _comparison_pages(pdf, comparison, names, texts, language, decimal_mark):
    """The audits compared: per topic a table of each audit's mean with its n, and the change, sorted by change."""
    data = comparison
    audits = [entry["slug"] for entry in data["audits"]]
    listed = ", ".join(f"{names.get(entry['slug'], entry['slug'])} {entry['responses']}" for entry in data["audits"])
    pdf.new_section(texts["compare"], texts["compare_note"].format(min=MIN_ANSWERS, audits=listed))
    for topic in data["topics"]:
        if pdf.will_page_break(30):
            pdf.add_page()
        pdf.heading(local_text(topic["title"], language), 12)
        pdf.set_font(FONT, size=8)
        number_widths = [24] * len(audits) + [18]
        widths = (12, pdf.epw - 12 - sum(number_widths), *number_widths)
        headings = FontFace(emphasis="BOLD", fill_color=HEAD_FILL, size_pt=7)
        with pdf.table(col_widths=widths, text_align=("LEFT", "LEFT", *("RIGHT" for _ in number_widths)),
                       line_height=3.8, v_align="TOP", padding=1, headings_style=headings) as table:
            row = table.row()
            for text in (texts["item"], texts["text"], *(names.get(slug, slug) for slug in audits), texts["change"]):
                row.cell(text)
            for item in by_change(topic["items"]):
                row = table.row()
                row.cell(item["id"])
                row.cell(local_text(item["text"], language))
                for cell in item["by_audit"]:
                    if cell is None:
                        row.cell(texts["not_asked"], style=FontFace(color=MUTED))
                        continue
                    value = f"{format_score(cell['mean'], decimal_mark) or '–'} (n={cell['answered']})"
                    row.cell(value, style=FontFace(color=FEW) if cell["answered"] < MIN_ANSWERS else None)
                first, last = item["by_audit"][0], item["by_audit"][-1]
                change_text = format_change(item["change"], decimal_mark)
                if item["change"] is not None and firm(first, last):
                    arrow = "▲ " if item["change"] > 0 else "▼ " if item["change"] < 0 else ""
                    row.cell(arrow + change_text, style=FontFace(emphasis="BOLD"))
                else:
                    row.cell(change_text, style=FontFace(color=FEW))
        pdf.ln(4)


def report_pdf(filters, language="en", decimal_mark=".", walk_ids=None, comparison=None):
    """Return the audit report for the filters as PDF bytes; decimal_mark="," prints 3,92 and 7,69%.

    `comparison` is (the comparison's data, {audit slug: name}); its table follows the title page.
    """
    texts = TEXTS.get(language) or TEXTS["en"]
    filters = report_filters(filters)
    checklist = layout_checklist(filters)
    report = report_data(filters, walk_ids)
    title = local_text(checklist.definition.get("title") or checklist.slug, language)
    pdf = ReportDocument(f"{texts['report']} – {title}", texts, scale_of(checklist.definition)[:2])
    pdf.set_title(f"{texts['report']} – {title}")
    pdf.set_creator("City audit walks")
    pdf.set_lang(language)
    _title_page(pdf, checklist, report, filters, texts, language, decimal_mark)
    if comparison is not None:
        _comparison_pages(pdf, *comparison, texts, language, decimal_mark)
    _ranked_page(pdf, report, texts, language, decimal_mark)
    _topic_pages(pdf, report, texts, language, decimal_mark)
    _groups_page(pdf, group_reports(filters, walk_ids), texts, language, decimal_mark, report["responses"])
    places = place_reports(filters, ordered_walks(walk_ids), walk_ids)
    _places_page(pdf, places, report, texts, language, decimal_mark)
    section = photovoice_section(report_photos(filters, walk_ids), checklist.definition, language)
    _photovoice_pages(pdf, section, texts, lambda photo: thumbnail_bytes(photo["sha256"]))
    return bytes(pdf.output())
