"""The audit report as PDF: every score of the 2018 tables readable in the file, in either decimal style."""
import re

import pytest

from server.reports.report import format_percent, format_score
from tests.conftest import bearer, each_pdf_page, make_answer, make_record, make_token, post_sync, sync_prague_2018


@pytest.fixture
def prague(client, seeded):
    """The 26 checklists of the 2018 Prague walks, synced."""
    return sync_prague_2018(client, seeded)


def pages_text(data):
    """Return the text of each page of a PDF, as a reader's copy-and-paste would see it."""
    return [textpage.get_text_range() for _, textpage in each_pdf_page(data)]


def _pdf(client, headers, query=""):
    reply = client.get(f"/api/v1/export/report.pdf{query}", headers=headers)
    assert reply.status_code == 200, reply.get_json()
    assert reply.mimetype == "application/pdf"
    assert reply.headers["Content-Disposition"].startswith("attachment;")
    return pages_text(reply.data)


def _report(client, headers, query=""):
    return client.get(f"/api/v1/report?checklist=integra-city-audit{query}", headers=headers).json


def _topic_page(pages, title):
    """The page whose heading (the line under the running title) starts the topic."""
    return next(text for text in pages if text.splitlines()[1].startswith(title[:40]))


def test_each_topic_page_prints_its_items_scores_and_non_response(client, prague, admin_headers):
    """Each topic's page shows every item's score with two decimals, its non-response share and n."""
    pages = _pdf(client, admin_headers)
    report = _report(client, admin_headers)
    assert "Checklists 26" in pages[0]
    for topic in report["topics"]:
        text = _topic_page(pages, topic["title"]["en"])
        for item in topic["items"]:
            assert f"{item['mean']:.2f}" in text, item["id"]
            assert format_percent(item["non_response_pct"], ".") in text, item["id"]
    assert "3.92" in _topic_page(pages, "City Vision and Services")


def test_best_and_worst_items_are_named(client, prague, admin_headers):
    """The best (ue6, 4.65) and the worst (ue8, 2.86) evaluated items of 2018 are called out."""
    pages = _pdf(client, admin_headers)
    ranked = next(text for text in pages if "Best evaluated items" in text)
    best, worst = ranked.split("Worst evaluated items")
    assert "ue6" in best and "4.65" in best
    assert "ue8" in worst and "2.86" in worst


def test_group_comparison_page_lists_each_group_with_its_n(client, prague, admin_headers):
    """The group page names each group with its number of checklists and NGO workers' lower mean."""
    pages = _pdf(client, admin_headers)
    groups = next(text for text in pages if "Mean score by participant group" in text)
    assert "NGO workers (n=6)" in groups and "Third-country nationals (n=10)" in groups
    assert "3.14" in groups and "4.16" in groups  # NGO and TCN means over all topics


def test_group_page_says_how_many_checklists_gave_no_group(client, prague, seeded, admin_headers):
    """A checklist without a participant group is in the totals; the group page says it is in no group."""
    groups = next(text for text in _pdf(client, admin_headers) if "Mean score by participant group" in text)
    assert "gave no participant group" not in groups
    post_sync(client, seeded["libus"], [make_record([make_answer("vs1", 1)], group=None)])
    groups = next(text for text in _pdf(client, admin_headers) if "Mean score by participant group" in text)
    assert "1 checklist(s) gave no participant group" in " ".join(groups.split())


def test_walk_and_station_page_lists_each_place_with_its_figures(client, prague, admin_headers):
    """A page compares the walks and their stations: n and the topic means, as the report API gives them."""
    pages = _pdf(client, admin_headers)
    text = " ".join(next(page for page in pages if "By walk and station" in page).split())
    for walk, station, title in (("prague-7", None, "Prague 7: Holešovice and Letná"),
                                 ("libus", "LI-3", "LI-3 SAPA market halls")):
        report = _report(client, admin_headers, f"&walk={walk}" + (f"&station={station}" if station else ""))
        means = (format_score(topic["mean"], ".") or "–" for topic in report["topics"])
        row = rf"{re.escape(title)} {report['responses']} [\d.]+ " + " ".join(re.escape(mean) for mean in means)
        assert re.search(row, text), row


def test_decimal_comma_and_czech_headings(client, prague, admin_headers):
    """With decimal=comma and lang=cs the report reads 3,92 and 7,69% under Czech headings."""
    pages = _pdf(client, admin_headers, "?decimal=comma&lang=cs")
    text = "\n".join(pages)
    assert "Zpráva z auditu" in pages[0]
    assert "Vize města a služby" in text and "Bez odpovědi" in text
    assert format_score(3.92, ",") in text and format_percent(7.69, ",") in text
    assert "3.92" not in text


def test_filters_are_printed_and_applied(client, prague, admin_headers):
    """A report for one walk says so on its title page and shows that walk's figures."""
    pages = _pdf(client, admin_headers, "?walk=libus")
    assert "walk = libus" in pages[0]
    report = _report(client, admin_headers, "&walk=libus")
    assert report["responses"] == 8
    vs1 = report["topics"][0]["items"][0]
    assert f"{vs1['mean']:.2f}" in _topic_page(pages, "City Vision and Services")


def test_report_without_checklists_still_prints(client, seeded, admin_headers):
    """Before any checklist arrives the PDF says so instead of failing."""
    pages = _pdf(client, admin_headers)
    assert "No checklist matches these filters yet." in pages[0]


def test_bad_decimal_option_is_refused(client, seeded, admin_headers):
    """An unknown decimal style gets a 400 JSON error naming the field."""
    reply = client.get("/api/v1/export/report.pdf?decimal=dot", headers=admin_headers)
    assert reply.status_code == 400 and "decimal" in reply.json["error"]["details"]


def test_only_admins_download_the_pdf(client, seeded):
    """Without a token the PDF is refused with 401, and a facilitator gets 403, both as JSON."""
    anonymous = client.get("/api/v1/export/report.pdf")
    assert anonymous.status_code == 401 and anonymous.json["error"]["code"] == "unauthorized"
    facilitator = client.get("/api/v1/export/report.pdf", headers=bearer(make_token("facilitator", walks=["libus"])))
    assert facilitator.status_code == 403 and facilitator.json["error"]["code"] == "forbidden"
