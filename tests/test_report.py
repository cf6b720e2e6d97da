"""The audit report's arithmetic: means of those who answered, non-response of all checklists."""
import pytest

from server.reports.report import (
    ItemTally,
    build_report,
    format_percent,
    format_score,
    ranked_items,
    round_half_up,
    tally,
)
from tests.conftest import (
    bearer,
    make_answer,
    make_record,
    make_token,
    post_sync,
    sync_prague_2018,
)

ONE_TOPIC = {"topics": [{"id": "t", "title": {"en": "T"}, "items": [
    {"id": "a", "text": {"en": "A"}}, {"id": "b", "text": {"en": "B"}}, {"id": "c", "text": {"en": "C"}}]}]}


def test_mean_counts_only_scores_and_non_response_counts_everything_else():
    """Blank, don't-know and never-reached items all count as non-response; the mean ignores them."""
    rows = [("a", 4, False, 2), ("a", 5, False, 1), ("a", None, True, 1), ("b", None, False, 1)]
    report = build_report(ONE_TOPIC, 5, tally(rows))
    a, b, c = report["topics"][0]["items"]
    assert (a["answered"], a["mean"], a["non_response"], a["non_response_pct"], a["dont_know"]) == (3, 4.33, 2, 40.0, 1)
    assert (b["answered"], b["mean"], b["non_response"], b["non_response_pct"]) == (0, None, 5, 100.0)
    assert (c["answered"], c["non_response"]) == (0, 5)
    assert a["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}
    assert report["topics"][0]["mean"] == 4.33


def test_rounding_is_half_up_like_the_printed_report():
    """81 of 24 is 3.375 and prints as 3,38, as in the 2018 report (not 3.37)."""
    assert round_half_up(81, 24) == 3.38
    assert round_half_up(100 * 2, 26) == 7.69
    assert round_half_up(1, 0) is None
    assert format_score(3.38) == "3,38" and format_score(4.0, ".") == "4.00"
    assert format_percent(0.0) == "0%" and format_percent(7.69) == "7,69%"


def test_no_checklists_gives_empty_figures_not_errors():
    """A report over nothing shows no means and no percentages instead of failing."""
    item = build_report(ONE_TOPIC, 0, {})["topics"][0]["items"][0]
    assert (item["mean"], item["non_response_pct"], item["non_response"]) == (None, None, 0)


def test_best_and_worst_items():
    """The best and the worst evaluated items are named in order."""
    tallies = {"a": ItemTally(), "b": ItemTally(), "c": ItemTally()}
    tallies["a"].add(5, False, 2)
    tallies["b"].add(2, False, 2)
    tallies["c"].add(4, False, 2)
    best, worst = ranked_items(build_report(ONE_TOPIC, 2, tallies), count=2)
    assert [i["id"] for i in best] == ["a", "c"] and [i["id"] for i in worst] == ["b", "c"]


@pytest.fixture
def synced(client, seeded):
    """Three checklists: two on Prague 7 (tcn, ngo), one on the centre walk (city)."""
    post_sync(client, seeded["prague-7"], [
        make_record([make_answer("vs1", 5, station="P7-1"), make_answer("vs2", 4, station="P7-3")], group="tcn"),
        make_record([make_answer("vs1", 1, station="P7-3"), make_answer("vs2", None, dont_know=True,
                                                                        station="P7-3")], group="ngo"),
    ])
    post_sync(client, seeded["centre"], [make_record([make_answer("vs1", 3, station="CE-1")], group="city")])
    return bearer(make_token("admin"))


def report_item(client, headers, query, item="vs1"):
    reply = client.get(f"/api/v1/report?checklist=integra-city-audit&{query}", headers=headers)
    assert reply.status_code == 200, reply.json
    items = {i["id"]: i for t in reply.json["topics"] for i in t["items"]}
    return reply.json, items[item]


def test_report_filters_by_walk_group_and_station(client, synced):
    """Filtering the report narrows both the checklists counted and the answers averaged."""
    body, vs1 = report_item(client, synced, "")
    assert body["responses"] == 3 and (vs1["answered"], vs1["mean"]) == (3, 3.0)
    body, vs1 = report_item(client, synced, "walk=prague-7")
    assert body["responses"] == 2 and vs1["mean"] == 3.0
    body, vs1 = report_item(client, synced, "group=ngo")
    assert body["responses"] == 1 and vs1["mean"] == 1.0
    body, vs2 = report_item(client, synced, "group=ngo", "vs2")
    assert (vs2["non_response"], vs2["dont_know"], vs2["non_response_pct"]) == (1, 1, 100.0)
    body, vs1 = report_item(client, synced, "station=P7-3")
    assert body["responses"] == 2 and (vs1["answered"], vs1["mean"]) == (1, 1.0)
    body, vs2 = report_item(client, synced, "station=P7-3", "vs2")
    assert (vs2["answered"], vs2["mean"], vs2["non_response"]) == (1, 4.0, 1)
    body, _ = report_item(client, synced, "version=1&language=en")
    assert body["responses"] == 3 and body["checklist"] == {"slug": "integra-city-audit", "version": 1}
    assert body["filters"] == {"checklist": "integra-city-audit", "version": 1, "language": "en",
                               "review": ["received", "has_issues", "approved", "edited"]}


def test_report_of_unknown_walk_is_404(client, synced):
    """A typo in the walk filter is reported, not silently ignored."""
    assert client.get("/api/v1/report?checklist=integra-city-audit&walk=nowhere", headers=synced).status_code == 404


def test_report_reproduces_the_2018_prague_tables(client, seeded, admin_headers):
    """From synced data the report prints every score and non-response share of the 2018 report."""
    dataset = sync_prague_2018(client, seeded)
    report = client.get("/api/v1/report?checklist=integra-city-audit", headers=admin_headers).json
    assert report["responses"] == 26
    items = {i["id"]: i for t in report["topics"] for i in t["items"]}
    assert len(items) == 30
    for item_id, expected in dataset["expected"]["items"].items():
        figures = items[item_id]
        assert f"{figures['mean']:.2f}" == expected["mean"], item_id
        assert f"{figures['non_response_pct']:.2f}" == expected["non_response_pct"], item_id
        assert format_score(figures["mean"]) == expected["printed_score"], item_id
        printed = expected["printed_non_response"]
        assert format_percent(figures["non_response_pct"]) == printed.replace("26,29%", "26,92%"), item_id


def test_syncing_the_2018_walks_twice_leaves_26_checklists(client, seeded, admin_headers):
    """Facilitators syncing every device again change nothing: still 26 checklists, same figures."""
    sync_prague_2018(client, seeded)
    first = client.get("/api/v1/report?checklist=integra-city-audit", headers=admin_headers).json
    sync_prague_2018(client, seeded, expected="duplicate")
    second = client.get("/api/v1/report?checklist=integra-city-audit", headers=admin_headers).json
    assert second["responses"] == 26 and second == first


def test_2018_ngo_workers_rate_more_critically(client, seeded, admin_headers):
    """As the 2018 report observed, NGO workers' scores are lower than migrants' and city staff's."""
    sync_prague_2018(client, seeded)

    def overall(group):
        report = client.get(f"/api/v1/report?checklist=integra-city-audit&group={group}", headers=admin_headers).json
        scored = [i for t in report["topics"] for i in t["items"]]
        return sum(i["score_sum"] for i in scored) / sum(i["answered"] for i in scored)

    assert overall("ngo") < overall("tcn") and overall("ngo") < overall("city")


def test_2018_best_topic_is_urban_environment(client, seeded, admin_headers):
    """The report's finding holds in the figures: urban environment and safety is the best topic,
    and affordable rental housing the lowest evaluated aspect of all."""
    sync_prague_2018(client, seeded)
    report = client.get("/api/v1/report?checklist=integra-city-audit", headers=admin_headers).json
    best_topic = max(report["topics"], key=lambda t: t["mean"])
    assert best_topic["id"] == "environment-safety"
    _, worst = ranked_items(report, count=1)
    assert worst[0]["id"] == "ue8"
