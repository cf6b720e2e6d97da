"""Checklists as XLSForm spreadsheets, the form format ODK, KoboToolbox, Enketo and others read.

The shape, both ways: sheet `survey` has a `begin_group`/`end_group` per topic, a
`select_one <scale list>` per item (the item id as `name`) and an optional `text`
question `<item>_comment`; labels in `label::<Language> (<code>)` columns (a plain
`label` is English). Sheet `choices` holds the scale's whole numbers, plus
`dont_know` when it is offered. Sheet `settings` gives `form_id` (the slug),
`version` and `default_language`. An extra sheet `checklist`, which form tools
ignore, carries the localized title and description, the source and the
translations' review state, so that export then import gives back the same
definition. Anything else in a form is refused as a whole, one line per row.
"""
import io
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from ..records.rules import scale_of
from .definitions import DefinitionError, load_checklist

# Column names of the survey sheet that carry a checklist's provenance (form tools ignore them).
PROVENANCE = ("source_title", "source_text", "reconstructed", "note")
LANGUAGE_NAMES = {"en": "English", "cs": "Czech", "uk": "Ukrainian", "ru": "Russian", "vi": "Vietnamese",
                  "sk": "Slovak", "pl": "Polish", "de": "German", "fr": "French", "es": "Spanish",
                  "it": "Italian", "pt": "Portuguese", "ar": "Arabic", "fa": "Persian", "tr": "Turkish",
                  "ro": "Romanian", "hu": "Hungarian", "bg": "Bulgarian", "hr": "Croatian", "sr": "Serbian",
                  "zh": "Chinese", "mn": "Mongolian", "ka": "Georgian", "hy": "Armenian", "be": "Belarusian",
                  "kk": "Kazakh", "ky": "Kyrgyz", "uz": "Uzbek", "tg": "Tajik", "so": "Somali", "ti": "Tigrinya"}
CODES_BY_NAME = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}
DONT_KNOW = {"en": "Don't know", "cs": "Nevím", "uk": "Не знаю", "ru": "Не знаю", "vi": "Không biết",
             "sk": "Neviem", "pl": "Nie wiem", "de": "Weiß nicht"}
COMMENT = {"en": "Comment (optional)", "cs": "Komentář (nepovinný)", "uk": "Коментар (необов'язково)",
           "ru": "Комментарий (необязательно)", "vi": "Nhận xét (không bắt buộc)"}

LABEL_RE = re.compile(r"^label\s*::\s*(?P<name>.*?)\s*(\((?P<code>[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?)\))?\s*$")
ITEM_ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
TOPIC_ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
CHOICE_LABEL_RE = re.compile(r"^\s*(?P<score>\d+)\s*(?:[–—:.-]\s*(?P<text>.*))?$")
# Columns whose value would change what is asked or recorded, with the XLSForm feature they carry.
LOGIC_COLUMNS = {"relevant": "skip logic (relevant)", "relevance": "skip logic (relevant)",
                 "constraint": "a constraint", "calculation": "a calculation", "choice_filter": "a choice filter",
                 "repeat_count": "a repeat count", "default": "a default answer", "read_only": "a read-only flag",
                 "trigger": "a trigger", "parameters": "parameters", "required": "a required answer",
                 "image": "an image", "audio": "an audio file", "video": "a video", "hint": "a hint"}
LIMITS = {"bytes": 5 * 1024 * 1024, "unpacked": 50 * 1024 * 1024, "rows": 5000, "columns": 200}


class XLSFormError(ValueError):
    """A form that is not a checklist; `problems` lists {sheet, row, type, why}, one per refused row."""

    def __init__(self, problems):
        super().__init__(f"The form cannot be imported as a checklist: {len(problems)} problem(s).")
        self.problems = problems


def language_header(code):
    """Return the label column for a language, e.g. 'label::Czech (cs)'."""
    return f"label::{LANGUAGE_NAMES.get(code, code)} ({code})"


def scale_list_name(scale):
    """Return the choices list name of a scale, e.g. 'scale_1_4'."""
    return f"scale_{scale[0]}_{scale[1]}"


# --- export ---------------------------------------------------------------------------------

def _texts(localized, languages, fallback=None):
    return [(localized or {}).get(lang) or (fallback(lang) if fallback else None) for lang in languages]


def _sheet(book, title, rows):
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return sheet


def checklist_to_xlsform(definition, version=None):
    """Write a checklist definition as an XLSForm workbook; return the .xlsx bytes."""
    languages = definition["languages"]
    low, high, dont_know = scale_of(definition)
    list_name = scale_list_name((low, high))
    provenance = [column for column in PROVENANCE if any(
        column in node for topic in definition["topics"] for node in (topic, *topic["items"]))]
    labels = [language_header(lang) for lang in languages]
    survey = [["type", "name", *labels, *provenance]]

    def extra(node):
        values = []
        for column in provenance:
            value = node.get(column)
            values.append("yes" if value is True else value)
        return values

    for topic in definition["topics"]:
        survey.append(["begin_group", topic["id"], *_texts(topic["title"], languages), *extra(topic)])
        for item in topic["items"]:
            survey.append([f"select_one {list_name}", item["id"], *_texts(item["text"], languages), *extra(item)])
            survey.append(["text", f"{item['id']}_comment",
                           *_texts(COMMENT, languages, lambda lang: COMMENT["en"]), *[None] * len(provenance)])
        survey.append(["end_group", None, *[None] * (len(languages) + len(provenance))])

    score_labels = (definition.get("scale") or {}).get("labels") or {}
    choices = [["list_name", "name", *labels]]
    for score in range(low, high + 1):
        words = score_labels.get(str(score)) or {}
        choices.append([list_name, str(score),
                        *[f"{score} – {words[lang]}" if words.get(lang) else str(score) for lang in languages]])
    if dont_know:
        choices.append([list_name, "dont_know", *_texts(DONT_KNOW, languages, lambda lang: DONT_KNOW["en"])])

    settings = [["form_title", "form_id", "version", "default_language"],
                [definition["title"]["en"], definition["slug"], str(version or definition.get("version") or 1),
                 language_header("en").split("::", 1)[1]]]

    about = [["key", "value", *labels]]
    about.append(["title", None, *_texts(definition["title"], languages)])
    if definition.get("description"):
        about.append(["description", None, *_texts(definition["description"], languages)])
    if definition.get("source"):
        about.append(["source", definition["source"], *[None] * len(languages)])
    translations = definition.get("translations") or {}
    if translations:
        about.append(["translation_reviewed", None, *[
            None if lang not in translations else ("yes" if translations[lang]["reviewed"] else "no")
            for lang in languages]])
        about.append(["translation_note", None, *[(translations.get(lang) or {}).get("note") for lang in languages]])

    book = Workbook()
    book.remove(book.active)
    _sheet(book, "survey", survey)
    _sheet(book, "choices", choices)
    _sheet(book, "settings", settings)
    _sheet(book, "checklist", about)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pyxform_problems(data):
    """Convert an XLSForm with pyxform, the reference implementation; return its errors (empty when it converts)."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        convert(xlsform=data, file_type=".xlsx")
    except PyXFormError as error:
        return [str(error)]
    return []


# --- import ---------------------------------------------------------------------------------

@dataclass
class _Reader:
    """Collects the problems of one form while it is read."""

    problems: list = field(default_factory=list)

    def refuse(self, sheet, row, kind, why):
        self.problems.append({"sheet": sheet, "row": row, "type": kind or "", "why": why})


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows(sheet):
    """Return the header (lowercased names) and [(row number, {column: text})] of a sheet, skipping blank rows."""
    rows = sheet.iter_rows(values_only=True, max_col=LIMITS["columns"], max_row=LIMITS["rows"] + 1)
    header = [_cell(name) for name in next(rows, ())]
    keys = [name if name.lower().startswith("label") else name.lower() for name in header]
    result = []
    for number, values in enumerate(rows, start=2):
        row = {key: _cell(value) for key, value in zip(keys, values) if key}
        if any(row.values()):
            result.append((number, row))
    return keys, result


def _languages(header, reader, sheet):
    """Map label columns to language codes: 'label::Czech (cs)' → cs, 'label' → en."""
    columns = {}
    for name in header:
        if name.lower() == "label":
            columns[name] = "en"
            continue
        match = LABEL_RE.match(name)
        if not match:
            continue
        code = match.group("code") or CODES_BY_NAME.get(match.group("name").lower())
        if code is None:
            reader.refuse(sheet, 1, name, "Write the language with its code in brackets, such as "
                                          "'label::Czech (cs)'.")
            continue
        code = code.lower() if "-" not in code else code.split("-")[0].lower() + "-" + code.split("-", 1)[1]
        if code in columns.values():
            reader.refuse(sheet, 1, name, f"A second label column for language '{code}'.")
            continue
        columns[name] = code
    return columns


def _localized(row, columns):
    return {code: row[name] for name, code in columns.items() if row.get(name)}


def _open(data, reader):
    if len(data) > LIMITS["bytes"]:
        reader.refuse("", None, "file", f"The file is larger than {LIMITS['bytes'] // (1024 * 1024)} MiB.")
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > LIMITS["unpacked"]:
                reader.refuse("", None, "file", "The workbook unpacks to more than "
                                                f"{LIMITS['unpacked'] // (1024 * 1024)} MiB.")
                return None
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — any unreadable upload is the person's file, never a server error
        reader.refuse("", None, "file", "This is not an .xlsx workbook; save the form as Excel (.xlsx) "
                                        "and upload it again.")
        return None


def _read_choices(book, reader):
    """Return {list name: (rows of (row number, name, labels))} and the label columns of `choices`."""
    if "choices" not in book.sheetnames:
        return {}, {}
    header, rows = _rows(book["choices"])
    columns = _languages(header, reader, "choices")
    lists = {}
    for number, row in rows:
        name = row.get("list_name") or row.get("list name")
        if not name:
            reader.refuse("choices", number, "", "A choice without a list_name.")
            continue
        lists.setdefault(name, []).append((number, row.get("name", ""), _localized(row, columns)))
    return lists, columns


def _scale_from(list_name, choices, reader):
    """Read a numeric scale list: (min, max, dont_know, labels) or None when it is not one."""
    entries = choices.get(list_name)
    if not entries:
        return None
    scores, labels, dont_know, ok = [], {}, False, True
    for number, name, texts in entries:
        if name == "dont_know":
            dont_know = True
            continue
        if not name.isdigit() or int(name) > 10:
            reader.refuse("choices", number, list_name, f"Choice '{name}' is not a whole-number score from 0 to 10 "
                                                        "(or dont_know); a checklist rates items on a numeric scale.")
            ok = False
            continue
        score = int(name)
        scores.append(score)
        words = {}
        for code, text in texts.items():
            match = CHOICE_LABEL_RE.match(text)
            if match and int(match.group("score")) == score:
                if match.group("text"):
                    words[code] = match.group("text").strip()
            else:
                words[code] = text
        if words:
            labels[str(score)] = words
    if not ok:
        return None
    low, high = (min(scores), max(scores)) if scores else (None, None)
    if not scores or low not in (0, 1) or high < 2 or sorted(scores) != list(range(low, high + 1)):
        reader.refuse("choices", entries[0][0], list_name, "A scale must run in whole steps from 0 or 1 up to "
                                                           f"at least 2, with no gaps; this list has {sorted(scores)}.")
        return None
    labels = {score: words for score, words in labels.items() if "en" in words}  # English is required
    return low, high, dont_know, labels


def _read_about(book, reader):
    if "checklist" not in book.sheetnames:
        return {}
    header, rows = _rows(book["checklist"])
    columns = _languages(header, reader, "checklist")
    return {row.get("key", ""): (row.get("value", ""), _localized(row, columns)) for _, row in rows}


def _settings(book):
    if "settings" not in book.sheetnames:
        return {}
    _, rows = _rows(book["settings"])
    return rows[0][1] if rows else {}


def xlsform_to_checklist(data, slug=None):
    """Read an XLSForm written in the checklist shape; return a checklist definition or raise XLSFormError."""
    reader = _Reader()
    book = _open(data, reader)
    if book is None:
        raise XLSFormError(reader.problems)
    try:
        return _build(book, slug, reader)
    finally:
        book.close()


def _build(book, slug, reader):
    if "survey" not in book.sheetnames:
        reader.refuse("", None, "survey", "The workbook has no 'survey' sheet.")
        raise XLSFormError(reader.problems)
    header, rows = _rows(book["survey"])
    if len(rows) >= LIMITS["rows"]:
        reader.refuse("survey", LIMITS["rows"], "", f"More than {LIMITS['rows']} rows.")
    columns = _languages(header, reader, "survey")
    if "en" not in columns.values():
        reader.refuse("survey", 1, "label", "No English labels: add a 'label' or 'label::English (en)' column.")
    choices, _ = _read_choices(book, reader)
    topics, topic, items_seen, scale_list, scale, comments = [], None, {}, None, None, []
    for number, row in rows:
        kind = re.sub(r"\s+", " ", row.get("type", "")).strip()
        name = row.get("name", "")
        base = kind.lower().replace("begin group", "begin_group").replace("end group", "end_group")
        for column, feature in LOGIC_COLUMNS.items():
            value = row.get(column, "")
            if value and not (column == "required" and value.lower() in ("no", "false", "false()")):
                reader.refuse("survey", number, kind, f"It carries {feature} ('{column}'), which a checklist "
                                                      "does not have.")
        for column, value in row.items():
            if value and column.startswith(("media::", "image::", "audio::", "video::", "hint::", "bind::",
                                            "body::", "instance::", "constraint_message", "required_message")):
                reader.refuse("survey", number, kind, f"The column '{column}' has no place in a checklist.")
        if base == "begin_group":
            if topic is not None:
                reader.refuse("survey", number, kind, "A group inside a group: topics cannot be nested.")
                continue
            if not TOPIC_ID_RE.match(name):
                reader.refuse("survey", number, kind, f"The group name '{name}' is not a topic id (lowercase "
                                                      "letters, digits, - or _, starting with a letter).")
            title = _localized(row, columns)
            if "en" not in title:
                reader.refuse("survey", number, kind, "The group (topic) has no English label.")
            topic = {"id": name, "title": title, "items": [], "_row": number}
            for column in ("source_title", "note"):
                if row.get(column):
                    topic[column] = row[column]
            topics.append(topic)
        elif base == "end_group":
            if topic is None:
                reader.refuse("survey", number, kind, "An end_group without a begin_group.")
            elif not topic["items"]:
                reader.refuse("survey", topic["_row"], "begin_group", f"The group '{topic['id']}' has no items.")
            topic = None
        elif base.startswith("select_one ") and " " not in base[len("select_one "):]:
            list_name = kind.split(" ", 1)[1]
            if topic is None:
                reader.refuse("survey", number, kind, "An item outside any group: put every item in a group "
                                                      "(its topic).")
                continue
            if not ITEM_ID_RE.match(name):
                reader.refuse("survey", number, kind, f"The name '{name}' is not an item id (lowercase letters, "
                                                      "digits, - or _, starting with a letter, at most 32).")
            elif name in items_seen:
                reader.refuse("survey", number, kind, f"The name '{name}' is used by row {items_seen[name]} too.")
            if scale_list is None:
                scale_list = list_name
                if list_name not in choices:
                    reader.refuse("survey", number, kind, f"The list '{list_name}' is not in the choices sheet.")
                else:
                    scale = _scale_from(list_name, choices, reader)
            elif list_name != scale_list:
                reader.refuse("survey", number, kind, f"Every item must use the same scale list "
                                                      f"('{scale_list}'), not '{list_name}'.")
            text = _localized(row, columns)
            if "en" not in text:
                reader.refuse("survey", number, kind, "The item has no English label.")
            item = {"id": name, "text": text}
            for column in ("source_text", "note"):
                if row.get(column):
                    item[column] = row[column]
            if row.get("reconstructed", "").lower() in ("yes", "true", "1"):
                item["reconstructed"] = True
            items_seen.setdefault(name, number)
            topic["items"].append(item)
        elif base == "text" and name.endswith("_comment"):
            comments.append((number, kind, name[: -len("_comment")]))
        elif base == "text":
            reader.refuse("survey", number, kind, "A free-text question: only '<item>_comment' text questions "
                                                  "(an item's comment) belong in a checklist.")
        elif not kind:
            reader.refuse("survey", number, "", "A row without a type.")
        else:
            reader.refuse("survey", number, kind, _why_not(base))
    if topic is not None:
        reader.refuse("survey", topic["_row"], "begin_group", f"The group '{topic['id']}' is never closed "
                                                              "(end_group).")
    for number, kind, item in comments:
        if item not in items_seen:
            reader.refuse("survey", number, kind, f"A comment for '{item}', which is not an item of the form.")
    if not topics and not reader.problems:
        reader.refuse("survey", None, "", "The form has no groups with select_one items: nothing to import.")
    settings = _settings(book)
    slug = slug or settings.get("form_id", "")
    if not SLUG_RE.match(slug):
        reader.refuse("settings", 2, "form_id", f"'{slug}' is not a checklist slug (lowercase letters, digits and "
                                               "dashes); set form_id or give a slug with the upload.")
    if reader.problems:
        raise XLSFormError(reader.problems)
    return _definition(book, slug, settings, columns, topics, scale, reader)


def _why_not(kind):
    first = kind.split(" ")[0]
    reasons = {
        "select_multiple": "A multiple-choice question: a checklist item takes one score.",
        "begin_repeat": "A repeat: a checklist asks each item once.", "end_repeat": "A repeat's end.",
        "calculate": "A calculation: a checklist only asks.", "note": "A note: a checklist has items only.",
        "geopoint": "A location question: stations carry the place.",
        "geotrace": "A location question.", "geoshape": "A location question.",
        "image": "A photo question: not part of a checklist.", "audio": "A recording: not part of a checklist.",
        "video": "A video: not part of a checklist.", "file": "A file upload: not part of a checklist.",
    }
    if first in ("integer", "decimal", "range", "date", "time", "datetime", "barcode", "acknowledge", "rank"):
        return f"A {first} question: a checklist item is a select_one over a numeric scale."
    if first in ("start", "end", "today", "deviceid", "username", "phonenumber", "email", "audit",
                 "simserial", "subscriberid", "start-geopoint", "background-audio"):
        return "Form metadata: the walker app records its own times and device."
    return reasons.get(first, f"The type '{kind}' is not part of the checklist shape.")


def _definition(book, slug, settings, columns, topics, scale, reader):
    low, high, dont_know, labels = scale
    languages = ["en", *[code for code in columns.values() if code != "en"]]
    about = _read_about(book, reader)
    title = about.get("title", ("", {}))[1] or {"en": settings.get("form_title") or slug}
    if "en" not in title:
        title = {"en": settings.get("form_title") or slug, **title}
    definition = {"slug": slug, "title": title}
    if about.get("description", ("", {}))[1].get("en"):
        definition["description"] = about["description"][1]
    if about.get("source", ("", {}))[0]:
        definition["source"] = about["source"][0]
    definition["languages"] = languages
    reviewed = about.get("translation_reviewed", ("", {}))[1]
    notes = about.get("translation_note", ("", {}))[1]
    if reviewed:
        definition["translations"] = {
            code: {"reviewed": value.lower() in ("yes", "true", "1"), **({"note": notes[code]} if notes.get(code)
                                                                         else {})}
            for code, value in reviewed.items()}
    definition["scale"] = {"min": low, "max": high}
    if labels:
        definition["scale"]["labels"] = labels
    if not dont_know:
        definition["scale"]["dont_know"] = False
    definition["topics"] = [{k: v for k, v in topic.items() if k != "_row"} for topic in topics]
    return definition


def save_xlsform(data, slug=None):
    """Read an XLSForm and save it as a checklist through load_checklist; return its (row, outcome).

    Raise XLSFormError with one problem per refused row; nothing is saved then.
    """
    definition = xlsform_to_checklist(data, slug=slug)
    try:
        return load_checklist(definition)
    except DefinitionError as error:
        raise XLSFormError([{"sheet": "", "row": None, "type": e.get("path", ""), "why": e["message"]}
                            for e in error.errors] or [{"sheet": "", "row": None, "type": "", "why": str(error)}]
                           ) from error
