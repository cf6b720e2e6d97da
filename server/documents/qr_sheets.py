"""Printable walk sheets (PDF, A4): a join sheet, then a page or a cut-out card per station.

`walk_sheets` gathers what a sheet shows from a walk, its checklist definition and a base URL;
`sheets_pdf` lays it out. Neither touches a request: the CLI prints sheets without one.
"""
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from ..catalog.links import link_problem, station_url, walk_url
from .qr import make_qr
from ..reports.report import local_text

FONTS_DIR = Path(__file__).resolve().parents[1] / "fonts"
FONT = "DejaVu"  # Latin with Czech and Vietnamese marks, and Cyrillic, in one face
MONO = "DejaVuMono"  # links to type by hand: l, I, 1, O and 0 look different
LAYOUTS = ("pages", "cards")
LANGUAGES = ("en", "cs", "uk", "ru", "vi")  # the five the instruction lines are always printed in

PAGE_W, PAGE_H, MARGIN = 210, 297, 14
# The code's square on a station page, quiet zone included: 3 mm modules for a typical link
# (version 5), still 2.5 mm at version 7 (links up to 86 characters); see server/documents/qr.py.
PAGE_QR_MM = 135
CARD_QR_MM = 62  # cards are held in the hand, scanned from ~30 cm
GREY, LIGHT = (90, 90, 90), (170, 170, 170)
PT = 25.4 / 72  # millimetres per point

# fontTools reports every step of embedding a font subset at INFO; that is noise in the server log.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

# One line per language; the sheet prints all five whatever language its items are in.
STATION_INSTRUCTIONS = {
    "en": "Point your phone camera at the code to rate this place, or type the code in the app.",
    "cs": "Namiřte fotoaparát telefonu na kód a ohodnoťte toto místo, nebo zadejte kód v aplikaci.",
    "uk": "Наведіть камеру телефона на код, щоб оцінити це місце, або введіть код у застосунку.",
    "ru": "Наведите камеру телефона на код, чтобы оценить это место, или введите код в приложении.",
    "vi": "Hướng camera điện thoại vào mã để đánh giá nơi này, hoặc nhập mã trong ứng dụng.",
}
JOIN_INSTRUCTIONS = {
    "en": "Point your phone camera at the code to join the walk; the checklist also works offline.",
    "cs": "Namiřte fotoaparát telefonu na kód a připojte se k procházce; dotazník funguje i offline.",
    "uk": "Наведіть камеру телефона на код, щоб приєднатися до прогулянки; анкета працює й офлайн.",
    "ru": "Наведите камеру телефона на код, чтобы присоединиться к прогулке; анкета работает и офлайн.",
    "vi": "Hướng camera điện thoại vào mã để tham gia chuyến đi bộ; bảng kiểm dùng được cả khi không có mạng.",
}
LABELS = {
    "en": {"station": "Station {n} of {total}", "code": "Station code", "items": "First questions here",
           "more": "+ {n} more in the app", "join": "Join the walk", "link": "Or open this link:",
           "stations": "Stations", "walk_code_short": "Walk code",
           "walk_code": "Walk code (typed a station code? enter this to send answers)"},
    "cs": {"station": "Stanoviště {n} z {total}", "code": "Kód stanoviště", "items": "První otázky zde",
           "more": "+ {n} dalších v aplikaci", "join": "Připojte se k procházce", "link": "Nebo otevřete odkaz:",
           "stations": "Stanoviště",
           "walk_code_short": "Kód procházky",
           "walk_code": "Kód procházky (zadali jste kód stanoviště? zadejte tento, aby šly odpovědi odeslat)"},
    "uk": {"station": "Зупинка {n} з {total}", "code": "Код зупинки", "items": "Перші питання тут",
           "more": "+ ще {n} у застосунку", "join": "Приєднайтеся до прогулянки",
           "link": "Або відкрийте посилання:", "stations": "Зупинки",
           "walk_code_short": "Код прогулянки",
           "walk_code": "Код прогулянки (ввели код зупинки? введіть цей, щоб надіслати відповіді)"},
    "ru": {"station": "Остановка {n} из {total}", "code": "Код остановки", "items": "Первые вопросы здесь",
           "more": "+ ещё {n} в приложении", "join": "Присоединяйтесь к прогулке",
           "link": "Или откройте ссылку:", "stations": "Остановки",
           "walk_code_short": "Код прогулки",
           "walk_code": "Код прогулки (ввели код остановки? введите этот, чтобы отправить ответы)"},
    "vi": {"station": "Điểm dừng {n}/{total}", "code": "Mã điểm dừng", "items": "Những câu hỏi đầu tiên ở đây",
           "more": "+ {n} câu nữa trong ứng dụng", "join": "Tham gia chuyến đi bộ",
           "link": "Hoặc mở đường dẫn:", "stations": "Các điểm dừng",
           "walk_code_short": "Mã chuyến đi",
           "walk_code": "Mã chuyến đi (đã nhập mã điểm dừng? nhập mã này để gửi câu trả lời)"},
}


@dataclass(frozen=True)
class StationSheet:
    """What one station's page or card shows."""

    code: str
    title: str
    url: str
    items: tuple  # item texts in the sheet's language, the station's own items first


@dataclass(frozen=True)
class WalkSheets:
    """What a walk's printout shows, in one language."""

    slug: str
    title: str
    description: str
    url: str
    lang: str
    stations: tuple
    footer: str
    warning: str = None  # why phones cannot use these codes (localhost, plain http), printed on every page
    walk_code: str = ""  # printed under every QR code: a phone that typed a station code exchanges it for the key


def _pick(texts, lang):
    """Return the text in `lang`, else English, else any; NFC so accents are single glyphs."""
    return unicodedata.normalize("NFC", local_text(texts, lang))


def walk_sheets(walk, definition, lang="en", base=None):
    """Gather the sheets' content from a walk and its checklist version's definition."""
    texts = {item["id"]: item["text"] for topic in definition["topics"] for item in topic["items"]}
    every_item = list(texts)
    stations = tuple(
        StationSheet(station.code, _pick(station.title, lang), station_url(walk, station, base=base),
                     tuple(_pick(texts[i], lang) for i in (station.items or every_item) if i in texts))
        for station in walk.stations)
    footer = (f"{walk.slug} · {definition.get('slug', walk.checklist_slug)} v{walk.checklist_version}"
              f" · {lang} · key …{walk.key[-4:]}")
    join = walk_url(walk, base=base)
    return WalkSheets(walk.slug, _pick(walk.title, lang), _pick(walk.description, lang),
                      join, lang, stations, footer, link_problem(join.split("/w/")[0]), walk.printed_code)


class _Pdf(FPDF):
    """An A4 document with the embedded fonts and no automatic page breaks."""

    def __init__(self, title):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.add_font(FONT, "", str(FONTS_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(MONO, "", str(FONTS_DIR / "DejaVuSansMono.ttf"))
        self.set_title(title)
        self.set_creator("City audit walks")

    def lines(self, text, width, size, bold=False, family=FONT):
        """Return `text` broken into lines that fit `width` at `size` points."""
        self.set_font(family, "B" if bold else "", size)
        return self.multi_cell(width, text=text, dry_run=True, output=MethodReturnValue.LINES,
                               align="L", padding=0) if text else []

    def fit(self, text, width, size, min_size, max_lines, bold=False, family=FONT):
        """Return (size, lines): the largest size down to min_size that keeps to max_lines.

        At the smallest size the last line is cut short with an ellipsis, so nothing spills
        over the QR code or off the page.
        """
        while True:
            lines = self.lines(text, width, size, bold, family)
            if len(lines) <= max_lines or size <= min_size:
                break
            size = max(min_size, size - 1)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            last = lines[-1].rstrip()
            while last and self.get_string_width(last + "…") > width:
                last = last[:-1].rstrip()
            lines[-1] = last + "…"
        return size, lines

    def write_lines(self, x, y, width, lines, size, bold=False, align="L", color=(0, 0, 0), leading=1.22,
                    family=FONT):
        """Draw lines from (x, y) down; return the height used."""
        self.set_font(family, "B" if bold else "", size)
        self.set_text_color(*color)
        height = size * PT * leading
        for n, line in enumerate(lines):
            self.set_xy(x, y + n * height)
            self.cell(width, height, line, align=align)
        self.set_text_color(0, 0, 0)
        return height * len(lines)

    def text_block(self, x, y, width, text, size, min_size=None, max_lines=1, **style):
        """Fit and draw a paragraph; return the height used."""
        size, lines = self.fit(text, width, size, min_size or size, max_lines, style.get("bold", False),
                               style.get("family", FONT))
        return self.write_lines(x, y, width, lines, size, **style)

    def qr(self, url, x, y, side):
        """Draw the QR code of `url` as vector squares filling a side × side square, quiet zone included."""
        code = make_qr(url)
        module = side / code.width
        self.set_fill_color(255, 255, 255)
        self.rect(x, y, side, side, style="F")
        # One filled path: adjacent modules merge instead of showing hairline seams.
        with self.new_path() as path:
            path.style.fill_color = "#000000"
            path.style.stroke_color = None
            for mx, my, run in code.dark_runs():
                path.rectangle(x + mx * module, y + my * module, run * module, module)
        return module

    def _instruction_size(self, texts, width, size, min_size):
        """Return the largest size that keeps every language on one line, else `size` (lines wrap)."""
        fitted = size
        while fitted >= min_size:
            if all(len(self.lines(text, width, fitted)) == 1 for text in texts.values()):
                return fitted
            fitted -= 0.5
        return size

    def instructions(self, x, y, width, texts, size, min_size, dry_run=False):
        """Draw the one-line instruction in every language, each tagged with its code; return the height."""
        tag_w = size * PT * 2.6
        fitted = self._instruction_size(texts, width - tag_w, size, min_size)
        used = 0
        for lang in LANGUAGES:
            _, lines = self.fit(texts[lang], width - tag_w, fitted, fitted, 2)
            if not dry_run:
                self.set_font(FONT, "B", size)
                self.set_text_color(*GREY)
                self.set_xy(x, y + used)
                self.cell(tag_w, fitted * PT * 1.3, lang.upper())
                self.write_lines(x + tag_w, y + used, width - tag_w, lines, fitted, leading=1.3)
            used += fitted * PT * 1.3 * len(lines)
        return used


def _labels(lang):
    return LABELS.get(lang, LABELS["en"])


def _items_block(pdf, x, y, width, bottom, items, labels, heading_size, size):
    """Draw as many whole items as fit above `bottom`, then how many more the app has."""
    if not items:
        return
    used = pdf.text_block(x, y, width, labels["items"], heading_size, bold=True)
    y += used + 1
    line_h = size * PT * 1.25
    bullet_w = size * PT * 1.4
    for index, item in enumerate(items):
        lines = pdf.lines(item, width - bullet_w, size)
        remaining = len(items) - index
        reserve = line_h if remaining > 1 else 0  # room for the "+ N more" line
        if y + len(lines) * line_h + reserve > bottom:
            pdf.write_lines(x, y, width, [labels["more"].format(n=remaining)], size, color=GREY, leading=1.25)
            return
        pdf.set_font(FONT, "B", size)
        pdf.set_xy(x, y)
        pdf.cell(bullet_w, line_h, "•")
        y += pdf.write_lines(x + bullet_w, y, width - bullet_w, lines, size, leading=1.25) + size * PT * 0.35


def _station_page(pdf, sheets, station, number):
    """One A4 page: names, the QR code, the code in big type, first items, instructions."""
    pdf.add_page()
    labels = _labels(sheets.lang)
    width = PAGE_W - 2 * MARGIN
    x, y = MARGIN, MARGIN
    _warning(pdf, sheets)
    y += pdf.text_block(x, y, width, sheets.title, 12, 9, color=GREY)
    y += pdf.text_block(x, y, width, labels["station"].format(n=number, total=len(sheets.stations)), 10,
                        color=GREY) + 1.5
    pdf.text_block(x, y, width, station.title, 22, 15, max_lines=2, bold=True)
    y += 2 * 22 * PT * 1.22 + 3  # room for two lines, so the code sits at the same place on every page
    pdf.qr(station.url, (PAGE_W - PAGE_QR_MM) / 2, y, PAGE_QR_MM)
    y += PAGE_QR_MM + 1
    y += pdf.text_block(x, y, width, labels["code"], 10, color=GREY, align="C")
    y += pdf.text_block(x, y, width, station.code, 48, 28, bold=True, align="C", leading=1.1) + 1
    y += _walk_code(pdf, sheets, x, y, width, 8, 14) + 3

    footer_y = PAGE_H - MARGIN + 4
    instr_h = pdf.instructions(0, 0, width - 6, STATION_INSTRUCTIONS, 9, 7, dry_run=True)
    instr_y = footer_y - 3 - instr_h - 3
    _items_block(pdf, x, y, width, instr_y - 7, station.items, labels, 11, 10.5)
    _instruction_box(pdf, x, instr_y, width, instr_h, STATION_INSTRUCTIONS, 9, 7)
    _footer(pdf, sheets, footer_y)


def _walk_code(pdf, sheets, x, y, width, label_size, code_size):
    """Print the walk code under a QR code, with what it is for; return the height used."""
    if not sheets.walk_code:
        return 0
    height = pdf.text_block(x, y, width, _labels(sheets.lang)["walk_code"], label_size, label_size - 1.5,
                            color=GREY, align="C")
    return height + pdf.text_block(x, y + height, width, sheets.walk_code, code_size, align="C",
                                   family=MONO, leading=1.15)


def _instruction_box(pdf, x, y, width, height, texts, size, min_size):
    pdf.set_draw_color(*LIGHT)
    pdf.set_line_width(0.3)
    pdf.rect(x, y - 3, width, height + 6, round_corners=True, corner_radius=2)
    pdf.instructions(x + 3, y, width - 6, texts, size, min_size)


WARNING_RED = (170, 0, 20)


def _warning(pdf, sheets, top=3, max_lines=3):
    """Print why these codes cannot work on phones in the page's top margin, where nothing else is."""
    if sheets.warning:
        pdf.text_block(MARGIN, top, PAGE_W - 2 * MARGIN, f"Warning: {sheets.warning}", 7, 5.5,
                       max_lines=max_lines, bold=True, color=WARNING_RED)


def _footer(pdf, sheets, y):
    pdf.text_block(MARGIN, y, PAGE_W - 2 * MARGIN, sheets.footer, 7, color=LIGHT, align="R")


def _station_card(pdf, sheets, station, number, left, top, card_w, card_h):
    """One cut-out card of a quarter A4."""
    labels = _labels(sheets.lang)
    pad = 7
    x, y, width = left + pad, top + pad, card_w - 2 * pad
    where = labels["station"].format(n=number, total=len(sheets.stations))
    y += pdf.text_block(x, y, width, f"{sheets.title} · {where}", 7, 6, color=GREY)
    pdf.text_block(x, y, width, station.title, 11, 8.5, max_lines=2, bold=True)
    y += 2 * 11 * PT * 1.22 + 1
    pdf.qr(station.url, left + (card_w - CARD_QR_MM) / 2, y, CARD_QR_MM)
    y += CARD_QR_MM
    y += pdf.text_block(x, y, width, station.code, 22, 14, bold=True, align="C", leading=1.05)
    if sheets.walk_code:  # one line: a card has little room for the items
        y += pdf.text_block(x, y, width, f"{labels['walk_code_short']}: {sheets.walk_code}", 7, 6,
                            color=GREY, align="C", leading=1.1) + 0.5
    bottom = top + card_h - pad
    instr_h = pdf.instructions(0, 0, width, STATION_INSTRUCTIONS, 6.5, 5.5, dry_run=True)
    instr_y = bottom - instr_h
    _items_block(pdf, x, y, width, instr_y - 2, station.items, labels, 7, 6.5)
    pdf.instructions(x, instr_y, width, STATION_INSTRUCTIONS, 6.5, 5.5)


def _cards_pages(pdf, sheets, per_row=2, per_column=2):
    """Stations as cards, four to an A4 page, with dashed lines to cut along."""
    card_w, card_h = PAGE_W / per_row, PAGE_H / per_column
    per_page = per_row * per_column
    for start in range(0, len(sheets.stations), per_page):
        pdf.add_page()
        pdf.set_draw_color(*LIGHT)
        pdf.set_line_width(0.2)
        with pdf.local_context():
            pdf.set_dash_pattern(dash=2, gap=2)
            for column in range(1, per_row):
                pdf.line(column * card_w, 0, column * card_w, PAGE_H)
            for row in range(1, per_column):
                pdf.line(0, row * card_h, PAGE_W, row * card_h)
        for offset, station in enumerate(sheets.stations[start:start + per_page]):
            row, column = divmod(offset, per_row)
            _station_card(pdf, sheets, station, start + offset + 1, column * card_w, row * card_h, card_w, card_h)
        _warning(pdf, sheets, top=1, max_lines=2)


def _join_page(pdf, sheets):
    """The walk's start sheet: its QR opens the walk; it lists the stations."""
    pdf.add_page()
    _warning(pdf, sheets)
    labels = _labels(sheets.lang)
    width = PAGE_W - 2 * MARGIN
    x, y = MARGIN, MARGIN
    y += pdf.text_block(x, y, width, labels["join"], 12, color=GREY)
    y += pdf.text_block(x, y, width, sheets.title, 24, 16, max_lines=2, bold=True) + 1
    y += pdf.text_block(x, y, width, sheets.description, 10, 8, max_lines=3, color=GREY) + 3
    pdf.qr(sheets.url, (PAGE_W - PAGE_QR_MM) / 2, y, PAGE_QR_MM)
    y += PAGE_QR_MM + 1
    y += pdf.text_block(x, y, width, labels["link"], 8, color=GREY, align="C")
    y += pdf.text_block(x, y, width, sheets.url, 10, 7, max_lines=2, align="C", family=MONO) + 1
    y += _walk_code(pdf, sheets, x, y, width, 8, 14) + 3

    footer_y = PAGE_H - MARGIN + 4
    instr_h = pdf.instructions(0, 0, width - 6, JOIN_INSTRUCTIONS, 9, 7, dry_run=True)
    instr_y = footer_y - 3 - instr_h - 3
    _instruction_box(pdf, x, instr_y, width, instr_h, JOIN_INSTRUCTIONS, 9, 7)
    bottom = instr_y - 6
    y += pdf.text_block(x, y, width, labels["stations"], 11, bold=True) + 0.5
    line_h = 10 * PT * 1.3
    pdf.set_font(FONT, "B", 10)
    code_w = max([pdf.get_string_width(s.code) for s in sheets.stations] + [18]) + 4
    for index, station in enumerate(sheets.stations):
        if y + line_h > bottom:
            pdf.write_lines(x, y, width, [labels["more"].format(n=len(sheets.stations) - index)], 10, color=GREY)
            break
        pdf.write_lines(x, y, code_w, [station.code], 10, bold=True, leading=1.3)
        _, lines = pdf.fit(station.title, width - code_w, 10, 10, 1)
        pdf.write_lines(x + code_w, y, width - code_w, lines, 10, leading=1.3)
        y += line_h
    _footer(pdf, sheets, footer_y)


def sheets_pdf(sheets, layout="pages"):
    """Return the walk's printout as PDF bytes: the join sheet, then every station."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    pdf = _Pdf(sheets.title)
    _join_page(pdf, sheets)
    if layout == "cards":
        _cards_pages(pdf, sheets)
    else:
        for number, station in enumerate(sheets.stations, start=1):
            _station_page(pdf, sheets, station, number)
    return bytes(pdf.output())
