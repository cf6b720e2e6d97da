"""Export writers: plain generators from (response, answers) pairs to CSV and JSON text.

Pairs come from reports.queries.grouped_responses: a response dict and its answers as tuples
(item, score, dont_know, comment, station, answered_at). Every CSV cell is written by
`csv_chunks`, the one place rows become CSV text, through `cells.csv_row` like every CSV download.
"""
import csv
import io
import json
import re

import orjson

from ..models import as_utc
from .cells import FORMULA_STARTS, csv_row

BOM = "\ufeff"  # lets Excel open UTF-8 CSV with Czech text intact
RESPONSE_FIELDS = ["response_id", "walk", "device_id", "revision", "checklist", "checklist_version",
                   "group", "language", "started_at", "updated_at", "received_at", "review_state"]
LONG_FIELDS = RESPONSE_FIELDS + ["topic", "item", "item_text", "station", "score", "dont_know",
                                 "comment", "answered_at"]
WIDE_SUFFIXES = ("score", "dont_know", "comment", "station")


def timestamp(value):
    """Format a stored time as RFC 3339 UTC with a Z (microseconds only when there are some).

    Takes an aware or naive-UTC datetime, or the UTC text SQLite stores ("2018-06-12 13:05:00.000000"),
    which is cut and joined rather than parsed: a long export formats millions of them.
    """
    if value is None:
        return None
    if type(value) is str:
        fraction = value[19:26]
        if fraction == ".000000":
            fraction = ""
        return f"{value[:10]}T{value[11:19]}{fraction}Z"
    return as_utc(value).isoformat().replace("+00:00", "Z")


def item_index(definition, language="en"):
    """Return {item id: (topic id, item text)} for a checklist definition."""
    return {item["id"]: (topic["id"], item["text"].get(language) or item["text"]["en"])
            for topic in definition["topics"] for item in topic["items"]}


def response_cells(response):
    """Return the response-level cells shared by both layouts."""
    return (response["id"], response["walk"], response["device_id"], response["revision"],
            response["checklist"], response["checklist_version"], response["group"],
            response["language"], timestamp(response["started_at"]), timestamp(response["updated_at"]),
            timestamp(response["received_at"]), response["review_state"])


UNKNOWN_ITEM = (None, None)


def long_rows(grouped, items):
    """Yield one row per answer (a checklist without answers yields none)."""
    for response, answers in grouped:
        head = response_cells(response)
        for item, score, dont_know, comment, station, answered_at in answers:
            topic, text = items.get(item, UNKNOWN_ITEM)
            yield (*head, topic, item, text, station, score, 1 if dont_know else 0, comment,
                   timestamp(answered_at))


def wide_fields(item_ids):
    """Return the wide layout's header: response fields, then four columns per item."""
    return RESPONSE_FIELDS + [f"{item}_{suffix}" for item in item_ids for suffix in WIDE_SUFFIXES]


def wide_rows(grouped, item_ids):
    """Yield one row per checklist with every item's score, don't-know flag, comment and station."""
    blank = (None, None, None, None)
    for response, answers in grouped:
        by_item = {answer[0]: (answer[1], 1 if answer[2] else 0, answer[3], answer[4]) for answer in answers}
        row = list(response_cells(response))
        for item in item_ids:
            row.extend(by_item.get(item, blank))
        yield row


# Where a cell that csv_cell would change shows in the written text: at a line's start or after a comma,
# perhaps after the quote that opens a quoted cell. A chunk without such a place has no cell to change,
# so the rule (cells.csv_row) is applied only to the rows of a chunk that has one: the common chunk is
# checked by one scan of its text instead of a call per cell.
_MAY_CHANGE = re.compile('(?:^|,)"?[' + re.escape("".join(sorted(FORMULA_STARTS))) + "]", re.MULTILINE)


def csv_chunks(header, rows, rows_per_chunk=500):
    """Yield CSV text in chunks, a BOM first: one csv.writer writes every cell (None as empty), via csv_row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def written(batch):
        writer.writerows(batch)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if _MAY_CHANGE.search(text) is None:
            return text
        writer.writerows(map(csv_row, batch))
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    batch = []
    first = BOM + written([header])
    for row in rows:
        batch.append(row)
        if len(batch) == rows_per_chunk:
            yield first + written(batch)
            first = ""
            batch.clear()
    yield first + written(batch)


def responses_csv(grouped, checklist, layout):
    """Yield the CSV of (response, answers) pairs, laid out long or wide by a checklist version."""
    if layout == "wide":
        return csv_chunks(wide_fields(checklist.item_ids), wide_rows(grouped, checklist.item_ids))
    return csv_chunks(LONG_FIELDS, long_rows(grouped, item_index(checklist.definition)))


def response_document(response, answers):
    """Return one checklist in the sync format, plus where and when it was received."""
    return {
        "id": response["id"], "revision": response["revision"], "walk": response["walk"],
        "device_id": response["device_id"], "checklist": response["checklist"],
        "checklist_version": response["checklist_version"],
        "participant": {"group": response["group"], "language": response["language"]},
        "started_at": timestamp(response["started_at"]), "updated_at": timestamp(response["updated_at"]),
        "received_at": timestamp(response["received_at"]), "review_state": response["review_state"],
        "answers": [
            {"item": item, "score": score, "dont_know": bool(dont_know), "comment": comment, "station": station,
             "answered_at": timestamp(answered_at)}
            for item, score, dont_know, comment, station, answered_at in answers
        ],
    }


def _json(document):
    try:
        return orjson.dumps(document).decode()
    except TypeError:  # text orjson refuses (a lone surrogate): the standard module escapes it
        return json.dumps(document, ensure_ascii=False)


def json_chunks(grouped, head):
    """Yield a JSON document {**head, "responses": [...]} piece by piece."""
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    yield opening + (', ' if head else '') + '"responses": ['
    for index, (response, answers) in enumerate(grouped):
        yield ("," if index else "") + "\n" + _json(response_document(response, answers))
    yield "\n]}\n"
