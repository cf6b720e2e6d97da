"""XLSX downloads: every sheet opens in a spreadsheet with numbers as numbers and Czech text intact."""
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from server.documents.exports import LONG_FIELDS, wide_fields
from server.documents.xlsx import MIMETYPE, sheet_names
from tests.conftest import (
    bearer,
    make_answer,
    make_record,
    make_token,
    post_sync,
    sync_prague_2018,
)

REPORT_SHEETS = ["Report – City Vision and Servi…", "Report – Civic Participation a…",
                 "Report – Urban Environment and…", "Report – Attitudes towards TCN…"]


@pytest.fixture
def prague(client, seeded):
    """The 26 checklists of the 2018 Prague walks, synced."""
    return sync_prague_2018(client, seeded)


def _download(client, url, headers):
    reply = client.get(url, headers=headers)
    assert reply.status_code == 200, reply.get_json()
    assert reply.mimetype == MIMETYPE
    disposition = reply.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and disposition.rstrip('"').endswith(".xlsx")
    assert re.search(r'filename="[a-z0-9-]+-(responses|report)-\d{4}-\d{2}-\d{2}\.xlsx"', disposition), disposition
    assert int(reply.headers["Content-Length"]) == len(reply.data)
    return load_workbook(io.BytesIO(reply.data))


def _table(sheet):
    rows = list(sheet.iter_rows())
    return [cell.value for cell in rows[0]], rows[1:]


def _report_items(client, headers, query=""):
    report = client.get(f"/api/v1/report?checklist=integra-city-audit{query}", headers=headers).json
    return report, {item["id"]: item for topic in report["topics"] for item in topic["items"]}


def test_responses_workbook_has_a_sheet_per_layout_table_and_definition(client, prague, admin_headers):
    """The workbook holds responses, answers, the report's tables, the checklist and the About sheet."""
    book = _download(client, "/api/v1/export/responses.xlsx", admin_headers)
    assert book.sheetnames == ["Responses", "Answers", *REPORT_SHEETS, "By walk and station", "By participant group",
                               "Checklist", "About"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"


def test_responses_sheet_has_one_row_per_checklist_in_the_wide_layout(client, prague, admin_headers):
    """26 checklists give 26 rows with the CSV's wide columns, scores as numbers and times as dates."""
    book = _download(client, "/api/v1/export/responses.xlsx", admin_headers)
    header, rows = _table(book["Responses"])
    assert header == wide_fields([item["id"] for item in _items(client)])
    assert len(rows) == 26
    ids = {row[0].value for row in rows}
    assert ids == {record["id"] for batch in prague["batches"] for record in batch["request"]["responses"]}
    column = {name: index for index, name in enumerate(header)}
    scores = [row[column["vs1_score"]] for row in rows]
    assert all(cell.data_type == "n" and isinstance(cell.value, int) for cell in scores)
    assert sum(cell.value for cell in scores) / 26 == pytest.approx(3.92, abs=0.005)
    started = rows[0][column["started_at"]]
    assert isinstance(started.value, datetime) and started.is_date and started.value.tzinfo is None


def _items(client):
    checklist = client.get("/api/v1/checklists/integra-city-audit").json
    return [item for topic in checklist["topics"] for item in topic["items"]]


def test_answers_sheet_has_one_row_per_answer(client, prague, admin_headers):
    """Every answer synced is one row of the long layout, with its score as a number."""
    book = _download(client, "/api/v1/export/responses.xlsx", admin_headers)
    header, rows = _table(book["Answers"])
    assert header == LONG_FIELDS
    answers = [answer for batch in prague["batches"] for record in batch["request"]["responses"]
               for answer in record["answers"]]
    assert len(rows) == len(answers)
    column = {name: index for index, name in enumerate(header)}
    scored = [row[column["score"]] for row in rows if row[column["score"]].value is not None]
    assert len(scored) == sum(1 for answer in answers if answer["score"] is not None)
    assert all(cell.data_type == "n" for cell in scored)
    assert {row[column["dont_know"]].value for row in rows} == {0, 1}


def test_report_sheets_equal_the_report_api(client, prague, admin_headers):
    """Each topic sheet shows the API's score, non-response share and counts for every item."""
    report, items = _report_items(client, admin_headers)
    book = _download(client, "/api/v1/export/responses.xlsx", admin_headers)
    seen = 0
    for name, topic in zip(REPORT_SHEETS, report["topics"]):
        header, rows = _table(book[name])
        assert header[:7] == ["Item", "Text", "Score", "Non-response %", "Answered", "Don't know", "Non-response"]
        assert [row[0].value for row in rows] == [item["id"] for item in topic["items"]]
        for row in rows:
            item = items[row[0].value]
            score, share = row[2], row[3]
            assert score.value == item["mean"] and score.data_type == "n" and score.number_format == "0.00"
            assert share.value == pytest.approx(item["non_response_pct"] / 100)
            assert share.number_format == "0.00%"
            assert [cell.value for cell in row[4:7]] == [item["answered"], item["dont_know"], item["non_response"]]
            seen += 1
    assert seen == 30
    vs1 = next(row for row in _table(book[REPORT_SHEETS[0]])[1] if row[0].value == "vs1")
    assert (vs1[2].value, vs1[3].value) == (3.92, 0)


def test_walk_and_station_sheet_equals_the_report_api(client, prague, admin_headers):
    """Each walk and each station with answers is a row with the report API's n and topic means, as numbers."""
    book = _download(client, "/api/v1/export/report.xlsx", admin_headers)
    header, rows = _table(book["By walk and station"])
    assert header[:5] == ["Walk", "Station", "Place", "Checklists", "All topics"]
    assert [row[0].value for row in rows if row[1].value is None] == ["centre", "libus", "prague-7"]
    assert sum(1 for row in rows if row[1].value) == 16  # every station of the three walks has answers
    for row in rows:
        walk, station = row[0].value, row[1].value
        report, _ = _report_items(client, admin_headers, f"&walk={walk}" + (f"&station={station}" if station else ""))
        assert row[3].value == report["responses"]
        assert [cell.value for cell in row[5:]] == [topic["mean"] for topic in report["topics"]]
        assert all(cell.number_format == "0.00" for cell in row[4:] if cell.value is not None)
    assert next(row[2].value for row in rows if row[1].value == "P7-3").startswith("Holešovice Market")


def test_checklist_and_about_sheets_describe_the_export(client, prague, admin_headers):
    """The checklist sheet has every item in every language; About names the filters and the counts."""
    book = _download(client, "/api/v1/export/responses.xlsx?walk=libus", admin_headers)
    header, rows = _table(book["Checklist"])
    assert header[:8] == ["topic", "topic_title", "item", "text_en", "text_cs", "text_uk", "text_ru", "text_vi"]
    assert len(rows) == 30
    column = {name: index for index, name in enumerate(header)}
    assert (rows[0][column["reviewed_en"]].value, rows[0][column["reviewed_cs"]].value) == (True, False)
    about = {row[0].value: row[1].value for row in _table(book["About"])[1]}
    assert about["Filter: walk"] == "libus" and about["Filter: group"] == "(any)"
    assert about["Checklists"] == 8 and len(_table(book["Responses"])[1]) == 8
    assert isinstance(about["Exported at (UTC)"], datetime)


def test_czech_text_and_formula_like_comments_round_trip(client, seeded, admin_headers):
    """Czech comments come back letter for letter, and a comment starting with '=' stays text."""
    post_sync(client, seeded["prague-7"], [make_record([
        make_answer("ue7", 2, comment="Holešovice: přístupnost pro vozíčkáře chybí", station="P7-2"),
        make_answer("ue8", 1, comment="=HYPERLINK(\"http://example.org\")", station="P7-2"),
    ], group="czech", language="cs")])
    book = _download(client, "/api/v1/export/responses.xlsx?lang=cs", admin_headers)
    header, rows = _table(book["Answers"])
    column = {name: index for index, name in enumerate(header)}
    comments = {row[column["item"]].value: row[column["comment"]] for row in rows}
    assert comments["ue7"].value == "Holešovice: přístupnost pro vozíčkáře chybí"
    assert comments["ue8"].value == "=HYPERLINK(\"http://example.org\")" and comments["ue8"].data_type == "s"
    czech_text = next(item["text"]["cs"] for item in _items(client) if item["id"] == "ue7")
    assert {row[column["item_text"]].value for row in rows if row[column["item"]].value == "ue7"} == {czech_text}
    wide_header, wide_rows = _table(book["Responses"])
    assert wide_rows[0][wide_header.index("ue7_comment")].value == "Holešovice: přístupnost pro vozíčkáře chybí"
    assert "Report – Vize města a služby" in book.sheetnames


def test_formula_like_comments_stay_typed_text(client, seeded, admin_headers):
    """Comments a spreadsheet would run as formulas are text cells in the XLSX, exactly as stored."""
    typed = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]
    items = ["vs1", "vs2", "vs3", "vs4"]
    post_sync(client, seeded["prague-7"], [make_record([make_answer(i, 2, comment=t) for i, t in zip(items, typed)])])
    header, rows = _table(_download(client, "/api/v1/export/responses.xlsx", admin_headers)["Answers"])
    column = {name: index for index, name in enumerate(header)}
    comments = {row[column["item"]].value: row[column["comment"]] for row in rows}
    for item, text in zip(items, typed):
        assert comments[item].value == text and comments[item].data_type == "s"


def test_report_workbook_has_only_the_report_tables_and_about(client, prague, admin_headers):
    """The report download holds the four topic tables and the walk and station comparison for the filters, and About."""
    report, items = _report_items(client, admin_headers, "&walk=libus&group=ngo")
    book = _download(client, "/api/v1/export/report.xlsx?walk=libus&group=ngo", admin_headers)
    assert book.sheetnames == [*REPORT_SHEETS, "By walk and station", "About"]  # one group: nothing to compare
    assert {row[0].value for row in _table(book["By walk and station"])[1]} == {"libus"}
    for name in REPORT_SHEETS:
        for row in _table(book[name])[1]:
            assert row[2].value == items[row[0].value]["mean"]
            assert row[4].value == items[row[0].value]["answered"]
    about = {row[0].value: row[1].value for row in _table(book["About"])[1]}
    assert about["Checklists"] == report["responses"] == 2
    assert about["Filter: group"] == "ngo"


def test_sheet_names_fit_excel_and_stay_unique():
    """Long, clashing or forbidden-character titles become distinct names of at most 31 characters."""
    names = sheet_names(["A very long topic title that Excel would refuse", "A very long topic title that Excel "
                         "would refuse too", "Why? [draft]: a/b"])
    assert all(len(name) <= 31 for name in names)
    assert len({name.casefold() for name in names}) == 3
    assert not any(char in names[2] for char in "\\/?*[]:")


def test_bad_filters_are_refused_with_a_json_error(client, prague, admin_headers):
    """A group that does not exist gets a 400 JSON error instead of a file."""
    reply = client.get("/api/v1/export/responses.xlsx?group=aliens", headers=admin_headers)
    assert reply.status_code == 400 and "group" in reply.json["error"]["details"]


@pytest.mark.parametrize("url", ["/api/v1/export/responses.xlsx", "/api/v1/export/report.xlsx"])
def test_only_admins_download_workbooks(client, seeded, url):
    """Without a token the download is refused with 401, and a facilitator gets 403, both as JSON."""
    anonymous = client.get(url)
    assert anonymous.status_code == 401 and anonymous.json["error"]["code"] == "unauthorized"
    facilitator = client.get(url, headers=bearer(make_token("facilitator", walks=["prague-7"])))
    assert facilitator.status_code == 403 and facilitator.json["error"]["code"] == "forbidden"


def test_workbook_before_any_checklist_arrives_has_headers_only(client, seeded, admin_headers):
    """With nothing synced yet the download still opens: headers, no rows, empty report figures."""
    book = _download(client, "/api/v1/export/responses.xlsx", admin_headers)
    assert book["Responses"].max_row == 1 and book["Answers"].max_row == 1
    header, rows = _table(book[REPORT_SHEETS[0]])
    assert len(rows) == 8 and {row[2].value for row in rows} == {None}


def test_report_workbook_compares_participant_groups(client, prague, admin_headers):
    """The report XLSX has a column per participant group with its n, and each mean equals the report API's for it."""
    book = _download(client, "/api/v1/export/report.xlsx", admin_headers)
    header, rows = _table(book["By participant group"])
    groups = {}
    for column, name in enumerate(header[2:], start=2):
        group = next(g for g, label in [("tcn", "third-country"), ("eu", "EU"), ("czech", "Czech"), ("ngo", "NGO"),
                                        ("city", "City"), ("other", "Other")] if label.lower() in name.lower())
        groups[group] = column
    assert len(groups) >= 3
    by_id = {row[0].value: row for row in rows}
    for group, column in groups.items():
        report, items = _report_items(client, admin_headers, f"&group={group}")
        assert header[column].endswith(f"(n={report['responses']})")
        assert by_id["vs1"][column].value == items["vs1"]["mean"]
        assert by_id[report["topics"][0]["id"]][column].value == report["topics"][0]["mean"]
    # The 2018 finding: NGO workers rated most critically of all groups.
    overall = {group: by_id["All topics"][column].value for group, column in groups.items()}
    assert min(overall, key=overall.get) == "ngo"


def test_report_workbook_filtered_to_one_group_has_no_group_sheet(client, prague, admin_headers):
    """With one group chosen there is nothing to compare, so no group sheet."""
    book = _download(client, "/api/v1/export/report.xlsx?group=ngo", admin_headers)
    assert "By participant group" not in book.sheetnames


def test_answers_past_excels_row_limit_continue_on_more_sheets(client, prague, admin_headers, monkeypatch):
    """A table longer than a sheet holds goes on in "Answers (2)" …, none lost, and the About sheet says so."""
    from server.documents import xlsx

    monkeypatch.setattr(xlsx, "EXCEL_MAX_ROWS", 100)  # stands in for 1,048,576: the 26 checklists hold 780 answers
    book = _download(client, "/api/v1/export/responses.xlsx", admin_headers)
    parts = [name for name in book.sheetnames if name == "Answers" or name.startswith("Answers (")]
    assert parts == ["Answers"] + [f"Answers ({n})" for n in range(2, len(parts) + 1)] and len(parts) > 1
    header, first = _table(book["Answers"])
    assert header == LONG_FIELDS and len(first) == 99
    assert all(book[name].max_row <= 100 and _table(book[name])[0] == LONG_FIELDS for name in parts)
    csv_text = client.get("/api/v1/export/responses.csv?layout=long", headers=admin_headers).data.decode("utf-8-sig")
    assert sum(len(_table(book[name])[1]) for name in parts) == len(csv_text.strip().splitlines()) - 1
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert "Answers (2)" in about["Continued on"]



def test_timestamps_before_1900_are_dates_not_negative_numbers(client, seeded, admin_headers):
    """A phone clock set to year 1 shows in the XLSX as that time written out, never as a negative number."""
    post_sync(client, seeded["prague-7"], [make_record([make_answer("vs1", 2, answered_at="0001-01-01T00:00:00Z")])])
    header, rows = _table(_download(client, "/api/v1/export/responses.xlsx", admin_headers)["Answers"])
    cell = next(row for row in rows if row[header.index("item")].value == "vs1")[header.index("answered_at")]
    assert cell.value == "0001-01-01T00:00:00Z" and cell.data_type == "s"
