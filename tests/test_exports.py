"""Merged downloads: every checklist and answer, Czech text intact, streamed."""
import csv
import io
import json

import pytest

from server.documents.cells import csv_row
from server.documents.exports import wide_fields
from tests.conftest import make_answer, make_record, post_sync, sync_prague_2018


def read_csv(reply):
    text = reply.data.decode("utf-8")
    assert text.startswith("\ufeff"), "BOM missing: Excel would garble Czech text"
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture
def czech(client, seeded):
    """A checklist with Czech comments at Prague 7 stations, and one with nothing answered."""
    post_sync(client, seeded["prague-7"], [
        make_record([make_answer("vs1", 4, station="P7-3", comment="Holešovice: přístupnost dobrá"),
                     make_answer("vs2", None, dont_know=True, station="P7-1"),
                     make_answer("ue4", None, comment="Žádné veřejné toalety")], group="czech", language="cs"),
        make_record([], group=None, language=None),
    ])


def test_long_csv_has_one_row_per_answer_with_czech_text(client, czech, admin_headers):
    """The long layout lists each answer with its station, topic and item text; Czech survives."""
    reply = client.get("/api/v1/export/responses.csv?layout=long", headers=admin_headers)
    assert reply.status_code == 200 and reply.is_streamed
    assert reply.headers["Content-Disposition"].startswith("attachment;")
    rows = read_csv(reply)
    assert len(rows) == 3
    first = rows[0]
    assert (first["item"], first["score"], first["station"], first["topic"]) == ("vs1", "4", "P7-3", "vision-services")
    assert first["comment"] == "Holešovice: přístupnost dobrá" and first["walk"] == "prague-7"
    assert rows[1]["dont_know"] == "1" and rows[1]["score"] == ""
    assert rows[2]["comment"] == "Žádné veřejné toalety" and rows[2]["station"] == ""


def test_csv_content_type_names_its_charset_once(client, czech, admin_headers):
    """The CSV download says text/csv in UTF-8 once; a repeated charset parameter confuses strict clients."""
    reply = client.get("/api/v1/export/responses.csv", headers=admin_headers)
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_wide_csv_has_one_row_per_checklist(client, czech, admin_headers):
    """The wide layout has a row per participant's checklist and columns per item."""
    rows = read_csv(client.get("/api/v1/export/responses.csv?layout=wide", headers=admin_headers))
    assert len(rows) == 2
    answered = next(r for r in rows if r["group"] == "czech")
    assert answered["vs1_score"] == "4" and answered["vs1_comment"] == "Holešovice: přístupnost dobrá"
    assert answered["vs2_dont_know"] == "1" and answered["at5_score"] == ""
    assert list(rows[0])[:11] == ["response_id", "walk", "device_id", "revision", "checklist",
                                  "checklist_version", "group", "language", "started_at", "updated_at", "received_at"]
    assert len(rows[0]) == 12 + 4 * 30


def test_json_export_is_the_sync_format_plus_walk(client, czech, admin_headers):
    """The JSON download holds every checklist as the devices sent it, with walk and receipt time."""
    reply = client.get("/api/v1/export/responses.json?walk=prague-7", headers=admin_headers)
    document = json.loads(reply.data.decode("utf-8"))
    assert document["filters"] == {"walk": "prague-7", "review": ["received", "has_issues", "approved", "edited"]}
    assert len(document["responses"]) == 2
    first = next(r for r in document["responses"] if r["answers"])
    assert first["walk"] == "prague-7" and first["received_at"].endswith("Z")
    assert first["answers"][0]["comment"] == "Holešovice: přístupnost dobrá"


def test_exports_filter_like_the_report(client, seeded, admin_headers):
    """Filters by group and station narrow the download as they narrow the report."""
    sync_prague_2018(client, seeded)
    all_rows = read_csv(client.get("/api/v1/export/responses.csv?layout=wide", headers=admin_headers))
    assert len(all_rows) == 26 and len({r["response_id"] for r in all_rows}) == 26
    ngo = read_csv(client.get("/api/v1/export/responses.csv?layout=wide&group=ngo", headers=admin_headers))
    assert ngo and {r["group"] for r in ngo} == {"ngo"}
    at_station = read_csv(client.get("/api/v1/export/responses.csv?layout=long&station=CE-1",
                                     headers=admin_headers))
    assert at_station and {r["walk"] for r in at_station} == {"centre"}
    bad = client.get("/api/v1/export/responses.csv?layout=tall", headers=admin_headers)
    assert bad.status_code == 400 and "layout" in bad.json["error"]["details"]


def test_wide_header_names_score_and_comment_per_item():
    """Spreadsheet users find <item>_score and <item>_comment columns."""
    fields = wide_fields(["vs1", "vs2"])
    assert {"vs1_score", "vs1_comment", "vs2_score", "vs2_comment"} <= set(fields)


def test_downloads_are_named_by_walk_layout_and_day(client, czech, admin_headers):
    """The long and wide CSV of a walk, and its JSON, each get their own name with the walk and the day."""
    from datetime import datetime, timezone
    day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    names = {}
    for query in ("responses.csv?layout=long&walk=prague-7", "responses.csv?layout=wide&walk=prague-7",
                  "responses.json?walk=prague-7", "responses.csv?layout=wide&checklist=integra-city-audit"):
        with client.get(f"/api/v1/export/{query}", headers=admin_headers) as reply:
            names[query] = reply.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert list(names.values()) == [f"prague-7-responses-long-{day}.csv", f"prague-7-responses-wide-{day}.csv",
                                    f"prague-7-responses-{day}.json",
                                    f"integra-city-audit-responses-wide-{day}.csv"]


FORMULAS = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\tfoo", "\rbar"]


def test_every_csv_cell_that_a_spreadsheet_would_run_is_quoted():
    """Text starting = + - @ tab or CR gets a leading ' and stays otherwise as written; numbers stay numbers."""
    assert csv_row(FORMULAS) == ["'" + text for text in FORMULAS]
    assert csv_row([-1, 2.5, None, "", "a=b", "x-1", "Holešovice"]) == [-1, 2.5, None, "", "a=b", "x-1", "Holešovice"]


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_formulas_in_comments_reach_the_csv_as_text(client, seeded, admin_headers, layout):
    """A comment typed as a spreadsheet formula arrives in the long and wide CSV quoted, its score a number."""
    items = ["vs1", "vs2", "vs3", "vs4", "vs5", "vs6"]
    post_sync(client, seeded["prague-7"], [
        make_record([make_answer(item, 2, comment=text) for item, text in zip(items, FORMULAS)])])
    rows = read_csv(client.get(f"/api/v1/export/responses.csv?walk=prague-7&layout={layout}", headers=admin_headers))
    if layout == "long":
        comments = {row["item"]: row["comment"] for row in rows}
        assert {row["score"] for row in rows if row["item"] in items} == {"2"}
    else:
        comments = {item: rows[0][f"{item}_comment"] for item in items}
        assert {rows[0][f"{item}_score"] for item in items} == {"2"}
    for item, text in zip(items, FORMULAS):
        # The sync rules trim a comment's surrounding blanks: a tab or CR in front never arrives.
        assert comments[item] == ("'" + text if text.strip() == text else text.strip())
