"""The report's inline SVG charts: a bar per scored item, readable text, groups compared at a glance."""
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from server.documents.charts import (
    GROUP_LABELS,
    group_comparison_svg,
    item_group_svg,
    topic_bars_svg,
)
from server.reports.queries import Filters, report_data
from server.reports.report import ItemTally, build_report
from tests.conftest import sync_prague_2018

SVG = "{http://www.w3.org/2000/svg}"
DEFINITION = {"topics": [{"id": "access", "title": {"en": "Access & <safety>", "cs": "Přístupnost"}, "items": [
    {"id": "a1", "text": {"en": 'Ramps at "all" stops <&> lifts', "cs": "Rampy na zastávkách v Holešovicích"}},
    {"id": "a2", "text": {"en": "Signs in English"}},
    {"id": "a3", "text": {"en": "Nobody scored this one"}}]}]}


def _topic():
    tallies = {"a1": ItemTally(), "a2": ItemTally(), "a3": ItemTally()}
    tallies["a1"].add(5, False, 3)
    tallies["a1"].add(2, False, 1)
    tallies["a2"].add(3, False, 2)
    tallies["a3"].add(None, True, 2)
    return build_report(DEFINITION, 4, tallies)["topics"][0]


def _bars(svg):
    return ET.fromstring(svg).iter(f"{SVG}rect")


def _scored_bars(svg):
    return [rect for rect in _bars(svg) if rect.get("class") == "bar"]


def test_topic_chart_has_one_bar_per_scored_item_and_says_no_answers_for_the_rest():
    """Each scored item gets a bar with its score; an item nobody scored says "no answers" and has none."""
    svg = topic_bars_svg(_topic())
    bars = _scored_bars(svg)
    assert [bar.get("data-item") for bar in bars] == ["a1", "a2"]
    texts = [text.text for text in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "4.25" in texts and "3.00" in texts and "no answers" in texts


def test_bars_are_drawn_to_scale_from_one_to_five():
    """A mean of 4.25 draws a bar 3.25/2 times as long as a mean of 3.00, both starting at the 1 line."""
    first, second = _scored_bars(topic_bars_svg(_topic()))
    assert first.get("x") == second.get("x")
    assert float(first.get("width")) / float(second.get("width")) == pytest.approx(3.25 / 2, rel=0.01)


def test_text_with_markup_characters_stays_valid_svg():
    """Item texts with <, & and quotes are escaped: the chart parses and shows them as written."""
    svg = topic_bars_svg(_topic())
    root = ET.fromstring(svg)
    labels = ["".join(text.itertext()) for text in root.iter(f"{SVG}text") if text.get("class") == "label"]
    assert labels[0].endswith('a1 Ramps at "all" stops <&> lifts')
    assert root.find(f"{SVG}title").text == "Access & <safety>"


def test_chart_is_described_for_screen_readers():
    """The SVG is an image with a title and a description that lists every item's score."""
    root = ET.fromstring(topic_bars_svg(_topic(), "cs", decimal_mark=","))
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id and root.find(f"{SVG}title").text == "Přístupnost"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert "a1 4,25" in desc.text and "a2 3,00" in desc.text and "a3 bez odpovědí" in desc.text


def test_charts_need_nothing_from_the_network():
    """The chart has no links, scripts, images or styles to fetch, so it draws offline."""
    svg = topic_bars_svg(_topic())
    for forbidden in ("href", "<script", "<image", "url(", "@import", "http://", "https://"):
        assert forbidden not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_group_labels_are_named_in_english_and_czech():
    """Every participant group has a readable name in English and Czech."""
    assert set(GROUP_LABELS) == {"tcn", "eu", "czech", "ngo", "city", "other"}
    assert all(labels["en"] and labels["cs"] for labels in GROUP_LABELS.values())


@pytest.fixture
def prague(client, seeded):
    """The 26 checklists of the 2018 Prague walks, synced."""
    return sync_prague_2018(client, seeded)


def _by_group():
    filters = Filters(checklist="integra-city-audit")
    return {group: report_data(replace(filters, group=group)) for group in GROUP_LABELS}


def test_topic_charts_of_the_2018_report_have_a_bar_per_item(prague):
    """The four 2018 topics draw 8, 7, 10 and 5 bars, each with the report's score."""
    report = report_data(Filters(checklist="integra-city-audit"))
    counts = []
    for topic in report["topics"]:
        svg = topic_bars_svg(topic)
        bars = _scored_bars(svg)
        counts.append(len(bars))
        assert [bar.get("data-item") for bar in bars] == [item["id"] for item in topic["items"]]
    assert counts == [8, 7, 10, 5]
    assert ">3.92<" in topic_bars_svg(report["topics"][0])


def test_ngo_workers_bars_are_shorter_than_third_country_nationals(prague):
    """As in the 2018 report, NGO workers rate more critically than migrants and city staff in every topic."""
    svg = group_comparison_svg(_by_group())
    bars = _scored_bars(svg)
    width = {(bar.get("data-topic"), bar.get("data-group")): float(bar.get("width")) for bar in bars}
    topics = {topic for topic, _ in width}
    assert topics == {"all", "vision-services", "participation-inclusion", "environment-safety", "attitudes"}
    for topic in topics:
        assert width[(topic, "ngo")] < width[(topic, "tcn")], topic
        assert width[(topic, "ngo")] < width[(topic, "city")], topic
    legend = [text.text for text in ET.fromstring(svg).iter(f"{SVG}text") if text.get("class") == "legend"]
    assert "NGO workers (n=6)" in legend and "Third-country nationals (n=10)" in legend


def test_group_chart_leaves_out_groups_without_checklists(prague):
    """A group nobody from took part in gets neither a bar nor a legend entry."""
    reports = _by_group()
    reports["eu"] = {**reports["eu"], "responses": 0}
    svg = group_comparison_svg(reports)
    assert not [bar for bar in _scored_bars(svg) if bar.get("data-group") == "eu"]
    assert "EU citizens" not in svg


def test_item_chart_compares_groups_on_one_item(prague):
    """The per-item chart draws one bar per group for that item, with its mean."""
    svg = item_group_svg("vs1", _by_group(), "cs")
    bars = _scored_bars(svg)
    assert sorted(bar.get("data-group") for bar in bars) == sorted(GROUP_LABELS)
    assert {bar.get("data-item") for bar in bars} == {"vs1"}
    assert "Pracovníci neziskových organizací" in svg
