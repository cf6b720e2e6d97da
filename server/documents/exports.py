"""Export writers: plain generators from (response, answers) pairs to CSV and JSON text."""
import csv
import io
import json

from ..models import as_utc

BOM = "\ufeff"  # lets Excel open UTF-8 CSV with Czech text intact
RESPONSE_FIELDS = ["response_id", "walk", "device_id", "revision", "checklist", "checklist_version",
                   "group", "language", "started_at", "updated_at", "received_at", "review_state"]
LONG_FIELDS = RESPONSE_FIELDS + ["topic", "item", "item_text", "station", "score", "dont_know",
                                 "comment", "answered_at"]
WIDE_SUFFIXES = ("score", "dont_know", "comment", "station")


def timestamp(value):
    """Format a stored time as RFC 3339 UTC with a Z."""
    value = as_utc(value)
    return value.isoformat().replace("+00:00", "Z") if value else None


def item_index(definition, language="en"):
    """Return {item id: (topic id, item text)} for a checklist definition."""
    return {item["id"]: (topic["id"], item["text"].get(language) or item["text"]["en"])
            for topic in definition["topics"] for item in topic["items"]}


def response_cells(response):
    """Return the response-level cells shared by both layouts."""
    return [response["id"], response["walk"], response["device_id"], response["revision"],
            response["checklist"], response["checklist_version"], response["group"],
            response["language"], timestamp(response["started_at"]), timestamp(response["updated_at"]),
            timestamp(response["received_at"]), response["review_state"]]


def long_rows(grouped, items):
    """Yield one row per answer (a checklist without answers yields none)."""
    for response, answers in grouped:
        head = response_cells(response)
        for answer in answers:
            topic, text = items.get(answer["item"], (None, None))
            yield head + [topic, answer["item"], text, answer["station"], answer["score"],
                          int(bool(answer["dont_know"])), answer["comment"], timestamp(answer["answered_at"])]


def wide_fields(item_ids):
    """Return the wide layout's header: response fields, then four columns per item."""
    return RESPONSE_FIELDS + [f"{item}_{suffix}" for item in item_ids for suffix in WIDE_SUFFIXES]


def wide_rows(grouped, item_ids):
    """Yield one row per checklist with every item's score, don't-know flag, comment and station."""
    for response, answers in grouped:
        by_item = {answer["item"]: answer for answer in answers}
        row = response_cells(response)
        for item in item_ids:
            answer = by_item.get(item)
            if answer is None:
                row += [None, None, None, None]
            else:
                row += [answer["score"], int(bool(answer["dont_know"])), answer["comment"], answer["station"]]
        yield row


def csv_chunks(header, rows, rows_per_chunk=200):
    """Yield CSV text in chunks, a BOM first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(["" if cell is None else cell for cell in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


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
            {"item": a["item"], "score": a["score"], "dont_know": bool(a["dont_know"]),
             "comment": a["comment"], "station": a["station"], "answered_at": timestamp(a["answered_at"])}
            for a in answers
        ],
    }


def json_chunks(grouped, head):
    """Yield a JSON document {**head, "responses": [...]} piece by piece."""
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    yield opening + (', ' if head else '') + '"responses": ['
    for index, (response, answers) in enumerate(grouped):
        yield ("," if index else "") + "\n" + json.dumps(response_document(response, answers), ensure_ascii=False)
    yield "\n]}\n"
