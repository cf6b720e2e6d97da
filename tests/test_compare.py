"""Year-on-year comparison: the API, the pure arithmetic, the console view, the report PDF and the XLSX."""
import copy
import io
import json

import pytest
from openpyxl import load_workbook

from server.catalog.contract import SHARED_SCHEMA_DIR
from server.reports.compare import AuditCounts, by_change, compare, firm
from server.reports.report import ItemTally
from tests.conftest import each_pdf_page, make_answer, make_record, post_sync, sync_prague_2018
from tests.conftest import page_text as text

INTEGRA = json.loads((SHARED_SCHEMA_DIR / "checklists" / "integra-city-audit.json").read_text(encoding="utf-8"))
PRAGUE_2026 = {"slug": "prague-2026", "title": {"en": "Prague 2026"}, "city": "Prague",
               "starts_on": "2026-05-01", "ends_on": None, "checklist": {"slug": "integra-city-audit", "version": 2}}
VS1_REWORDED = "The city's website explains the services for migrants in their languages."


def integra_v2():
    """The INTEGRA checklist as a 2026 audit might adapt it: vs3 dropped, vs9 added, vs1 reworded."""
    definition = copy.deepcopy(INTEGRA)
    topic = definition["topics"][0]
    topic["items"] = [item for item in topic["items"] if item["id"] != "vs3"]
    topic["items"][0]["text"] = {**topic["items"][0]["text"], "en": VS1_REWORDED}
    topic["items"].append({"id": "vs9", "text": {"en": "Migrants can book an appointment online."}})
    return definition


# 2026: seven checklists; vs1 scored by six of them (one "don't know"), vs2 by three, vs9 by six.
VS1_2026 = [5, 5, 4, 4, 4, 3]
VS2_2026 = [2, 3, 3]


@pytest.fixture
def two_prague_audits(client, seeded, admin_headers):
    """prague-2018 with its 26 checklists, and prague-2026 on INTEGRA version 2 with seven."""
    dataset = sync_prague_2018(client, seeded)  # answered, version 1 stays as it is: the edit is version 2
    assert client.post("/api/v1/checklists", json=integra_v2(), headers=admin_headers).get_json()["version"] == 2
    assert client.post("/api/v1/admin/audits", json=PRAGUE_2026, headers=admin_headers).status_code == 201
    walk = {"slug": "holesovice-2026", "audit": "prague-2026", "title": {"en": "Holešovice 2026"},
            "checklist": {"slug": "integra-city-audit"},
            "stations": [{"code": "H26-1", "title": {"en": "Market hall 22"}, "position": 1}]}
    assert client.post("/api/v1/admin/walks", json=walk, headers=admin_headers).status_code == 201
    records = []
    for index in range(7):
        answers = [make_answer("vs1", VS1_2026[index], station="H26-1") if index < 6
                   else make_answer("vs1", None, dont_know=True, station="H26-1")]
        if index < 3:
            answers.append(make_answer("vs2", VS2_2026[index], station="H26-1"))
        if index < 6:
            answers.append(make_answer("vs9", 4, station="H26-1"))
        records.append(make_record(answers, version=2, group="tcn" if index < 4 else "ngo"))
    from server.extensions import db
    from server.models import Walk
    stored = db.session.execute(db.select(Walk).where(Walk.slug == "holesovice-2026")).scalar_one()
    reply = post_sync(client, stored, records)
    assert {result["status"] for result in reply.get_json()["results"]} == {"accepted"}
    return dataset["expected"]["items"]


def items_of(reply):
    """Return {item id: item} of a comparison reply."""
    return {item["id"]: item for topic in reply["topics"] for item in topic["items"]}


def test_comparison_of_two_prague_audits_gives_means_changes_and_not_asked(client, two_prague_audits, admin_headers):
    """2018 vs 2026: each mean with its n, the change last minus first, and null where a version lacks the item."""
    reply = client.get("/api/v1/report/compare?audits=prague-2018,prague-2026", headers=admin_headers)
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert body["audits"] == [{"slug": "prague-2018", "responses": 26}, {"slug": "prague-2026", "responses": 7}]
    items = items_of(body)
    printed = two_prague_audits
    vs1 = items["vs1"]
    assert vs1["by_audit"] == [
        {"audit": "prague-2018", "mean": 3.92, "answered": 26, "non_response_pct": 0.0},
        {"audit": "prague-2026", "mean": 4.17, "answered": 6, "non_response_pct": 14.29}]  # 25/6, 1 of 7
    assert float(printed["vs1"]["mean"]) == 3.92
    assert vs1["change"] == 0.25
    assert vs1["text"]["en"] == VS1_REWORDED  # the newest wording
    assert items["vs2"]["by_audit"][1] == {"audit": "prague-2026", "mean": 2.67, "answered": 3,
                                           "non_response_pct": 57.14}
    assert items["vs2"]["change"] == round(2.67 - float(printed["vs2"]["mean"]), 2) == -1.5
    assert items["vs3"]["by_audit"][0]["mean"] == float(printed["vs3"]["mean"])
    assert items["vs3"]["by_audit"][1] is None and items["vs3"]["change"] is None  # not asked in 2026
    assert items["vs9"]["by_audit"][0] is None and items["vs9"]["change"] is None  # not asked in 2018
    assert items["vs9"]["by_audit"][1]["mean"] == 4.0
    # An item asked by both that nobody scored in 2026 has no mean and no change, but is not "not asked".
    assert items["at1"]["by_audit"][1] == {"audit": "prague-2026", "mean": None, "answered": 0,
                                           "non_response_pct": 100.0}
    assert items["at1"]["change"] is None
    assert [topic["id"] for topic in body["topics"]] == [topic["id"] for topic in INTEGRA["topics"]]
    # The order given is the order compared: the change is always last minus first.
    backwards = items_of(client.get("/api/v1/report/compare?audits=prague-2026,prague-2018",
                                    headers=admin_headers).get_json())
    assert backwards["vs1"]["change"] == -0.25


def test_comparison_filters_by_group_and_station(client, two_prague_audits, admin_headers):
    """group= and station= narrow every audit's side as they narrow the report."""
    body = client.get("/api/v1/report/compare?audits=prague-2018,prague-2026&group=tcn",
                      headers=admin_headers).get_json()
    assert body["audits"] == [{"slug": "prague-2018", "responses": 10}, {"slug": "prague-2026", "responses": 4}]
    assert items_of(body)["vs1"]["by_audit"][1]["mean"] == 4.5  # 5, 5, 4, 4
    body = client.get("/api/v1/report/compare?audits=prague-2018,prague-2026&station=h26-1",
                      headers=admin_headers).get_json()
    assert body["audits"][0]["responses"] == 0 and body["audits"][1]["responses"] == 7
    assert items_of(body)["vs1"]["by_audit"][0]["mean"] is None and items_of(body)["vs1"]["change"] is None


@pytest.mark.parametrize("query, status, field", [
    ("audits=prague-2018", 400, "audits"),
    ("audits=prague-2018,prague-2018", 400, "audits"),
    ("", 400, "audits"),
    ("audits=prague-2018,prague-2026&group=aliens", 400, "group"),
    ("audits=prague-2018,nowhere", 404, None),
])
def test_bad_comparison_requests_get_a_clear_error(client, two_prague_audits, admin_headers, query, status, field):
    """Fewer than two audits, a repeated one, an unknown group or audit: a clear error in the envelope."""
    reply = client.get(f"/api/v1/report/compare?{query}", headers=admin_headers)
    assert reply.status_code == status
    error = reply.get_json()["error"]
    assert error["message"]
    if field:
        assert field in error["details"]
    assert client.get("/api/v1/report/compare?audits=prague-2018,prague-2026").status_code == 401


def _counts(slug, definition, scores, responses):
    tallies = {}
    for item, values in scores.items():
        tally = tallies.setdefault(item, ItemTally())
        for value in values:
            tally.add(value, False)
    return AuditCounts(slug, responses, [definition], tallies)


def test_change_is_the_difference_of_the_printed_means_exactly():
    """3.30 → 3.10 is a change of −0.2 exactly (no float residue), and 3 audits compare first with last."""
    definition = {"topics": [{"id": "t", "title": {"en": "T"}, "items": [{"id": "x", "text": {"en": "X"}}]}]}
    result = compare([_counts("a", definition, {"x": [3, 3, 3, 4, 4, 3, 3, 3, 4, 3]}, 10),
                      _counts("b", definition, {"x": [1]}, 1),
                      _counts("c", definition, {"x": [3, 3, 3, 3, 3, 3, 3, 3, 4, 3]}, 10)])
    item = result["topics"][0]["items"][0]
    assert [cell["mean"] for cell in item["by_audit"]] == [3.3, 1.0, 3.1]
    assert item["change"] == -0.2
    assert firm(item["by_audit"][0], item["by_audit"][2]) and not firm(item["by_audit"][0], item["by_audit"][1])


def test_items_sort_by_change_with_unknown_changes_last():
    """The largest rise comes first, the largest fall last, items without a change after them."""
    items = [{"id": "a", "change": -0.5}, {"id": "b", "change": None}, {"id": "c", "change": 1.0},
             {"id": "d", "change": 0.0}]
    assert [item["id"] for item in by_change(items)] == ["c", "d", "a", "b"]


def test_console_comparison_shows_means_with_n_changes_sorted_and_arrows_only_when_firm(admin, two_prague_audits):
    """The console view: every mean with its n, "not asked", changes sorted, an arrow only with 5+ answers at both ends."""
    reply = admin.get("/admin/report/compare?audits=prague-2026&audits=prague-2018")
    assert reply.status_code == 200
    page = text(reply)
    assert page.count('class="chart chart-compare"') == len(INTEGRA["topics"])
    topic = page[page.index('id="topic-vision-services"'):page.index('id="topic-participation-inclusion"')]
    rows = topic.split("<tr data-item=")[1:]
    order = [row.split('"')[1] for row in rows]
    assert order[:2] == ["vs1", "vs2"]  # +0.25, then −1.50; items without a change after them
    assert set(order[2:]) == {"vs3", "vs4", "vs5", "vs6", "vs7", "vs8", "vs9"}
    vs1 = rows[order.index("vs1")]
    assert "3.92 <small>n=26</small>" in vs1 and "4.17 <small>n=6</small>" in vs1 and "▲ +0.25" in vs1
    vs2 = rows[order.index("vs2")]
    assert 'class="num few" data-audit="prague-2026">2.67 <small>n=3</small>' in vs2
    assert "−1.50" in vs2 and "▼" not in vs2
    assert "not asked" in rows[order.index("vs3")] and "not asked" in rows[order.index("vs9")]
    chart = topic[topic.index("<svg"):topic.index("</svg>")]
    assert chart.count("marker-end=") == 1  # only vs1 has firm ends and a change (vs6, vs7… nobody scored in 2026)
    assert 'class="dot few"' in chart and ">n=3<" in chart
    assert "/api/v1/export/report.pdf?audit=prague-2026&amp;compare=prague-2018%2Cprague-2026" in \
        reply.get_data(as_text=True)


def test_console_comparison_asks_for_two_audits(admin, seeded):
    """With one audit chosen the page asks for a second; an unknown one is named."""
    page = text(admin.get("/admin/report/compare?audits=prague-2018&audits=nowhere"))
    assert "There is no audit 'nowhere'." in page and "Choose at least two audits to compare." in page


def test_report_pdf_and_xlsx_carry_the_comparison(client, two_prague_audits, admin_headers):
    """compare=a,b adds the comparison table to the report PDF and the report XLSX."""
    query = "audit=prague-2026&compare=prague-2018,prague-2026"
    pdf = client.get(f"/api/v1/export/report.pdf?{query}", headers=admin_headers)
    assert pdf.status_code == 200, pdf.get_data(as_text=True)[:300]
    pages = "\n".join(textpage.get_text_range() for _, textpage in each_pdf_page(pdf.data))
    assert "Audits compared" in pages and "▲ +0.25" in pages and "2.67 (n=3)" in pages and "not asked" in pages
    workbook = load_workbook(io.BytesIO(client.get(f"/api/v1/export/report.xlsx?{query}",
                                                   headers=admin_headers).data))
    rows = {row[1]: row for row in workbook["Audits compared"].iter_rows(min_row=2, values_only=True)}
    assert rows["vs1"][3:] == (3.92, 26, 0, 4.17, 6, 0.1429, 0.25, "up")
    assert rows["vs3"][6] == "not asked" and rows["vs3"][9] is None
    assert rows["vs2"][10] == "too few answers (under 5)"
    assert list(workbook["Audits"].iter_rows(min_row=2, values_only=True)) == [
        ("Prague City Integration Audit 2018", "prague-2018", 26), ("Prague 2026", "prague-2026", 7)]
    one = client.get("/api/v1/export/report.pdf?audit=prague-2026&compare=prague-2026", headers=admin_headers)
    assert one.status_code == 400 and "compare" in one.get_json()["error"]["details"]
