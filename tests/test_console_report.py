"""The report page and the downloads page: the same figures as the API, charts, comments, filters."""
import csv
import html
import io
import re
from html.parser import HTMLParser

import pytest

from tests.conftest import (
    make_answer,
    make_record,
    make_user,
    page_text,
    post_sync,
    sign_in,
    sync_prague_2018,
)


class ReportTables(HTMLParser):
    """Collect {item id: {column: cell text}} from the report's tables, and the bars of each chart."""

    def __init__(self):
        super().__init__()
        self.rows, self.bars, self.item, self.column, self.svg = {}, {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-item" in attrs:
            self.item = attrs["data-item"]
            self.rows[self.item] = {}
        elif tag == "td" and self.item and "data-col" in attrs:
            self.column = attrs["data-col"]
            self.rows[self.item][self.column] = ""
        elif tag == "svg":
            self.svg = attrs.get("aria-labelledby", "").split()[0]
            self.bars[self.svg] = []
        elif tag == "rect" and self.svg and "bar" in (attrs.get("class") or "").split():
            self.bars[self.svg].append(attrs.get("data-item") or attrs.get("data-group"))

    def handle_endtag(self, tag):
        if tag == "td":
            self.column = None
        elif tag == "tr":
            self.item = None
        elif tag == "svg":
            self.svg = None

    def handle_data(self, data):
        if self.item and self.column:
            self.rows[self.item][self.column] += data.strip()


def read_report(reply):
    """Parse the report page."""
    assert reply.status_code == 200, reply.get_data(as_text=True)[:500]
    parser = ReportTables()
    parser.text = reply.get_data(as_text=True)
    parser.feed(parser.text)
    return parser


@pytest.fixture
def prague_2018(client, seeded):
    """The 26 checklists of the 2018 Prague report, and a signed-in admin."""
    dataset = sync_prague_2018(client, seeded)
    make_user("anna")
    sign_in(client, "anna")
    return dataset


def shown(value, suffix=""):
    """Format a figure as the page shows it with the default number format."""
    return "–" if value is None else f"{value:.2f}{suffix}"


@pytest.mark.parametrize("query, api_query", [
    ("", ""), ("walk=prague-7", "walk=prague-7"), ("group=ngo", "group=ngo"), ("station=LI-2", "station=LI-2"),
    ("language=cs", "language=cs"),
    # The page's "to" day counts in full.
    ("walk=centre&group=tcn&since=2018-06-20&until=2018-06-26",
     "walk=centre&group=tcn&since=2018-06-20T00:00:00Z&until=2018-06-27T00:00:00Z"),
])
def test_report_page_shows_the_api_figures(client, prague_2018, admin_headers, query, api_query):
    """Every item's score, non-response share and answered count on the page equal the report API's."""
    expected = client.get(f"/api/v1/report?checklist=integra-city-audit&{api_query}",
                          headers=admin_headers).get_json()
    page = read_report(client.get(f"/admin/report?checklist=integra-city-audit&{query}"))
    assert expected["responses"] > 0
    assert f"<strong>{expected['responses']}</strong> checklist" in page.text
    items = [item for topic in expected["topics"] for item in topic["items"]]
    assert len(page.rows) == len(items) == 30
    for item in items:
        row = page.rows[item["id"]]
        pct = item["non_response_pct"]
        assert row == {"score": shown(item["mean"]),
                       "non-response": "–" if pct is None else (f"{int(pct)}%" if pct == int(pct) else f"{pct:.2f}%"),
                       "answered": str(item["answered"])}, item["id"]


def test_report_prints_the_2018_figures_in_czech_format(client, prague_2018):
    """With the Czech number format the page shows the 2018 report's '3,44' and '30,77%'."""
    page = read_report(client.get("/admin/report?decimal=,"))
    for item_id, figures in prague_2018["expected"]["items"].items():
        assert page.rows[item_id]["score"] == figures["mean"].replace(".", ","), item_id
        pct = figures["non_response_pct"].replace(".", ",")
        assert page.rows[item_id]["non-response"] in (pct + "%", pct.split(",")[0] + "%"), item_id
    assert page.rows["at1"] == {"score": "3,44", "non-response": "30,77%", "answered": "18"}


def test_every_topic_chart_has_one_bar_per_item(client, prague_2018):
    """Each topic's chart draws exactly one bar per item, in the table's order."""
    page = read_report(client.get("/admin/report"))
    topics = {"vision-services": "vs", "participation-inclusion": "cp", "environment-safety": "ue",
              "attitudes": "at"}
    for topic, prefix in topics.items():
        bars = page.bars[f"chart-{topic}-title"]
        rows = [item for item in page.rows if item.startswith(prefix)]
        assert bars == rows, topic


def test_group_comparison_shows_ngo_workers_more_critical(client, prague_2018):
    """The comparison by group has a bar per group and topic, and NGO workers' overall mean is lowest."""
    text = html.unescape(client.get("/admin/report").get_data(as_text=True))
    page = read_report(client.get("/admin/report"))
    bars = page.bars["chart-groups-title"]
    groups = prague_2018["expected"]["participant_groups"]
    assert sorted(set(bars)) == sorted(groups)
    assert len(bars) == len(groups) * 5  # all topics, then each of the four topics
    overall = dict(re.findall(r'<td class="num" data-group="(\w+)">([\d.]+)</td>', text))
    assert overall == {group: figures["mean"] for group, figures in groups.items()}
    assert min(overall, key=lambda group: float(overall[group])) == "ngo"
    assert "NGO workers" in text
    filtered = read_report(client.get("/admin/report?group=ngo"))
    assert "chart-groups-title" not in filtered.bars


def test_checklists_without_a_group_are_counted_but_not_charted(client, prague_2018, seeded):
    """A walker who skipped the profile is in the totals, and the page says why the groups add up to less."""
    page = html.unescape(client.get("/admin/report").get_data(as_text=True))
    assert "gave no participant group" not in page  # every 2018 checklist names its group
    post_sync(client, seeded["centre"], [make_record([make_answer("vs1", 5)], group=None)])
    page = html.unescape(client.get("/admin/report").get_data(as_text=True))
    assert "1 checklist gave no participant group: counted in the totals above, in no group here." in page
    assert sum(int(n) for n in re.findall(r'<span class="n">\(n=(\d+)\)</span>', page)) == 26


def test_best_and_worst_items_are_called_out(client, prague_2018, admin_headers):
    """The best and worst evaluated items are named with their scores."""
    text = html.unescape(client.get("/admin/report").get_data(as_text=True))
    best = re.search(r'<h3 id="best-heading">Best</h3>(.*?)</ol>', text, re.S).group(1)
    worst = re.search(r'<h3 id="worst-heading">Worst</h3>(.*?)</ol>', text, re.S).group(1)
    report = client.get("/api/v1/report?checklist=integra-city-audit", headers=admin_headers).get_json()
    items = sorted((item for topic in report["topics"] for item in topic["items"]), key=lambda i: -i["mean"])
    assert f"{items[0]['mean']:.2f}" in best and items[0]["text"]["en"] in best
    assert f"{items[-1]['mean']:.2f}" in worst and items[-1]["text"]["en"] in worst


def test_sort_by_score_orders_items_best_first(client, prague_2018):
    """Sorting by score lists each topic's items from the best score down."""
    page = read_report(client.get("/admin/report?sort=score"))
    scores = [float(row["score"]) for item, row in page.rows.items() if item.startswith("ue")]
    assert scores == sorted(scores, reverse=True)
    assert list(read_report(client.get("/admin/report")).rows)[:3] == ["vs1", "vs2", "vs3"]


def test_comments_and_czech_texts_round_trip(client, seeded):
    """Comments appear under their item, and Czech item texts show when chosen."""
    make_user("anna")
    sign_in(client, "anna")
    post_sync(client, seeded["prague-7"], [make_record([
        make_answer("ue1", 2, comment="Holešovice: přístupnost tramvajové zastávky je špatná.", station="P7-2"),
        make_answer("vs1", None, dont_know=True, comment="Nevím.")], group="ngo", language="cs")])
    text = html.unescape(client.get("/admin/report?lang=cs").get_data(as_text=True))
    assert "Holešovice: přístupnost tramvajové zastávky je špatná." in text
    assert "Pracovníci neziskových organizací, scored 2, at P7-2" in text
    assert "Město má strategii podpory rozmanitosti" in text
    other_walk = html.unescape(client.get("/admin/report?walk=libus").get_data(as_text=True))
    assert "přístupnost tramvajové" not in other_walk


def test_report_links_its_downloads_with_the_filters(client, prague_2018):
    """The report page links the report as XLSX and PDF with the same filters, and a print button."""
    text = html.unescape(client.get("/admin/report?walk=libus&decimal=,&lang=cs").get_data(as_text=True))
    assert "/api/v1/export/report.xlsx?checklist=integra-city-audit&walk=libus&lang=cs&decimal=comma" in text
    assert "/api/v1/export/report.pdf?checklist=integra-city-audit&walk=libus&lang=cs&decimal=comma" in text
    assert "data-print" in text
    assert "Showing: walk Libuš" in text


def test_bad_filters_are_explained_not_fatal(client, prague_2018):
    """A wrong date or unknown walk is named on the page and the rest of the report still shows."""
    reply = client.get("/admin/report?since=12.6.2018&walk=atlantis")
    text = html.unescape(reply.get_data(as_text=True))
    assert reply.status_code == 200
    assert "'12.6.2018' is not a date like 2018-06-12" in text
    assert "There is no walk 'atlantis' you can see" in text
    assert "<strong>26</strong> checklists" in text


def test_downloads_page_links_carry_the_filters(client, prague_2018):
    """Each download link carries the chosen filters; the wide CSV it links has one row per checklist."""
    text = html.unescape(client.get("/admin/downloads?walk=centre&until=2018-12-31").get_data(as_text=True))
    assert "<strong>10</strong> checklists match" in text
    links = re.findall(r'href="(/api/v1/export/[^"]+)"', text)
    assert len(links) == 5
    for link in links:
        assert "walk=centre" in link and "until=2019-01-01T00%3A00%3A00%2B00%3A00" in link
    wide = next(link for link in links if "layout=wide" in link)
    reply = client.get(wide)
    assert reply.status_code == 200
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 10 and {row["walk"] for row in rows} == {"centre"}
    xlsx = next(link for link in links if "responses.xlsx" in link)
    assert client.get(xlsx).status_code == 200


def test_report_without_checklists_says_so(client, seeded):
    """Before any checklist arrives the report shows zero, empty tables and no charts, without failing."""
    make_user("anna")
    sign_in(client, "anna")
    page = read_report(client.get("/admin/report"))
    assert "<strong>0</strong> checklists" in page.text
    assert len(page.rows) == 30 and {row["score"] for row in page.rows.values()} == {"–"}
    assert page.bars == {}
    downloads = html.unescape(client.get("/admin/downloads").get_data(as_text=True))
    assert "<strong>0</strong> checklists match" in downloads


def test_walks_and_stations_compare_with_the_api_figures(client, prague_2018, admin_headers):
    """Each walk, then each of its stations, has the report API's n and topic means for that walk or station."""
    page = html.unescape(client.get("/admin/report").get_data(as_text=True))
    rows = dict(re.findall(r'<tr data-place="([^"]+)"[^>]*>(.*?)</tr>', page, re.S))
    assert [place for place in rows if "/" not in place] == ["centre", "libus", "prague-7"]
    assert {place.split("/")[1] for place in rows if "/" in place} >= {"P7-1", "LI-2", "CE-6"}
    lowest_station = None
    for place, row in rows.items():
        walk, _, station = place.partition("/")
        query = f"checklist=integra-city-audit&walk={walk}" + (f"&station={station}" if station else "")
        api = client.get(f"/api/v1/report?{query}", headers=admin_headers).get_json()
        cells = dict(re.findall(r'data-col="([^"]+)">([^<]*)</td>', row))
        assert cells["n"] == str(api["responses"]), place
        assert {topic["id"]: cells[topic["id"]] for topic in api["topics"]} == \
            {topic["id"]: shown(topic["mean"]) for topic in api["topics"]}, place
        if station and (lowest_station is None or cells["all"] < lowest_station[1]):
            lowest_station = (station, cells["all"])
    assert f"Lowest rated station: <strong>{lowest_station[0]} " in page
    one_walk = html.unescape(client.get("/admin/report?walk=libus").get_data(as_text=True))
    assert re.findall(r'<tr data-place="([^"/]+)"', one_walk) == ["libus"]
    assert 'data-place="' not in client.get("/admin/report?station=LI-2").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/report", "/admin/downloads"])
def test_the_last_calendar_day_as_until_shows_everything(client, prague_2018, path):
    """until=9999-12-31 (the last day there is) keeps every checklist instead of failing the page."""
    everything = client.get(path)
    reply = client.get(f"{path}?until=9999-12-31&since=0001-01-01")
    assert reply.status_code == 200
    pattern = r"(\d+)(?:</strong>)? checklists?"
    counts = re.findall(pattern, page_text(reply))
    assert counts and counts == re.findall(pattern, page_text(everything))
