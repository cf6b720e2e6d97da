"""Checklists on scales other than INTEGRA's 1–5 with "don't know": definitions, sync and the report."""
import copy

import pytest

from server.catalog.definitions import DefinitionError, check_checklist, load_checklist, load_walk
from server.extensions import db
from server.models import Checklist
from tests.conftest import make_answer, make_record, post_sync
from tests.definitions import small_checklist, small_walk


@pytest.fixture
def bike_walk(app):
    """A walk on a 1–4 checklist without "don't know"."""
    load_checklist(small_checklist())
    walk, _ = load_walk(small_walk())
    db.session.commit()
    return walk


def statuses(reply):
    return [result["status"] for result in reply.get_json()["results"]]


def test_a_one_to_four_scale_without_dont_know_is_a_valid_checklist():
    """An admin may define a 1–4 scale that offers no "don't know"."""
    check_checklist(small_checklist())


@pytest.mark.parametrize("scale", [{"min": 1, "max": 11}, {"min": 2, "max": 5}, {"min": 1, "max": 1},
                                   {"min": 1, "max": 4, "dont_know": "no"},
                                   {"min": 1, "max": 4, "labels": {"5": {"en": "best"}}}])
def test_impossible_scales_are_refused(scale):
    """A scale beyond 0–10, with max not above min, or labelled off the scale is refused."""
    definition = {**small_checklist(), "scale": scale}
    with pytest.raises(DefinitionError) as caught:
        check_checklist(definition)
    assert any(error["path"].startswith("scale") for error in caught.value.errors)


def test_scores_off_the_checklists_scale_are_refused(client, bike_walk):
    """On a 1–4 checklist a 5 and a "don't know" are refused by name, a 4 is kept."""
    good = make_record([make_answer("q1_1", 4), make_answer("q1_2", 1)], checklist="bike-audit")
    five = make_record([make_answer("q1_1", 5)], checklist="bike-audit")
    unsure = make_record([make_answer("q1_1", dont_know=True)], checklist="bike-audit")
    reply = post_sync(client, bike_walk, [good, five, unsure])
    assert statuses(reply) == ["accepted", "rejected", "rejected"]
    results = reply.get_json()["results"]
    assert "1 to 4" in str(results[1]["errors"])
    assert "does not offer" in str(results[2]["errors"])


def test_integra_still_takes_five_and_dont_know(client, seeded):
    """The INTEGRA checklist, whose file names no dont_know, keeps its 1–5 scale with "don't know"."""
    record = make_record([make_answer("ue2", 5, station="CE-1"), make_answer("ue5", dont_know=True)])
    assert statuses(post_sync(client, seeded["centre"], [record])) == ["accepted"]


def test_report_distribution_follows_the_scale(client, bike_walk, admin_headers):
    """The report counts scores 1 to 4 for a 1–4 checklist, with no column for a 5 nobody could give."""
    records = [make_record([make_answer("q1_1", score)], checklist="bike-audit") for score in (1, 4, 4)]
    assert statuses(post_sync(client, bike_walk, records)) == ["accepted"] * 3
    report = client.get("/api/v1/report?checklist=bike-audit", headers=admin_headers).get_json()
    item = report["topics"][0]["items"][0]
    assert item["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 2}
    assert item["mean"] == 3.0


def test_changing_the_scale_of_an_answered_checklist_makes_a_new_version(client, bike_walk):
    """Before any answers a 1–4 checklist widens to 1–5 in place; once answered, a change is a new version and
    the answered version keeps its scale."""
    changed = copy.deepcopy(small_checklist())
    changed["scale"] = {"min": 1, "max": 5}
    same, outcome = load_checklist(changed)
    assert outcome == "updated" and same.version == 1 and same.definition["scale"]["max"] == 5
    db.session.commit()
    assert statuses(post_sync(client, bike_walk, [make_record([make_answer("q1_1", 5)], checklist="bike-audit")])) \
        == ["accepted"]
    changed["scale"] = {"min": 1, "max": 4, "dont_know": False}
    second, outcome = load_checklist(changed)
    assert outcome == "created" and second.version == 2
    first = db.session.execute(db.select(Checklist).where(Checklist.slug == "bike-audit", Checklist.version == 1)
                               ).scalar_one()
    assert first.definition["scale"]["max"] == 5


def test_charts_pdf_and_xlsx_draw_the_checklists_own_scale(client, bike_walk, admin_headers, seeded):
    """A 1–4 checklist's charts, report PDF and XLSX run from 1 to 4: a mean of 4 fills the bar, no 5 anywhere."""
    import io
    import re

    from openpyxl import load_workbook

    from tests.conftest import each_pdf_page, make_user, sign_in
    records = [make_record([make_answer("q1_1", 4), make_answer("q1_2", 1)], checklist="bike-audit")
               for _ in range(3)]
    assert statuses(post_sync(client, bike_walk, records)) == ["accepted"] * 3
    make_user("anna")
    sign_in(client, "anna")
    page = client.get("/admin/report?checklist=bike-audit").get_data(as_text=True)
    chart = re.search(r'<svg[^>]*chart-topic.*?</svg>', page, re.S).group(0)
    assert "from 1 (worst) to 4 (best)" in chart and "to 5" not in chart
    ticks = re.findall(r'<text x="[\d.]+" y="[\d.]+" text-anchor="middle" fill="#595959">(\d+)</text>', chart)
    assert ticks == ["1", "2", "3", "4"]
    grid = [float(x) for x in re.findall(r'<line x1="([\d.]+)"', chart)]
    full = re.search(r'<rect class="bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*data-item="q1_1"', chart)
    assert abs(float(full.group(1)) + float(full.group(2)) - max(grid)) < 0.2  # 4 of 4 reaches the last gridline
    pdf = client.get("/api/v1/export/report.pdf?checklist=bike-audit", headers=admin_headers)
    text = "\n".join(page.get_text_bounded() for _, page in each_pdf_page(pdf.data))
    assert "from 1 (worst) to 4 (best)" in text and "to 5 (best)" not in text
    assert "\r\n1 2 3 4\r\n" in text and "1 2 3 4 5" not in text  # the bar chart's tick labels
    workbook = load_workbook(io.BytesIO(client.get("/api/v1/export/report.xlsx?checklist=bike-audit",
                                                   headers=admin_headers).data))
    header = [cell.value for cell in next(workbook.worksheets[0].iter_rows(max_row=1))]
    assert header[-4:] == ["Scored 1", "Scored 2", "Scored 3", "Scored 4"] and "Scored 5" not in header
    first = [cell.value for cell in list(workbook.worksheets[0].iter_rows(min_row=2, max_row=2))[0]]
    assert first[-4:] == [0, 0, 0, 3]
    about = {row[0].value: row[1].value for row in workbook["About"].iter_rows()}
    assert about["Score"].startswith("Mean of the scores given, 1 (worst) to 4 (best)")


def test_an_unanswered_edit_that_drops_an_item_a_station_names_is_a_new_version(app):
    """Dropping an item that a station of a walk shows first keeps that walk's version intact: the edit is version 2."""
    load_checklist(small_checklist())
    walk = small_walk()
    walk["stations"][0]["items"] = ["q2_2"]
    load_walk(walk)
    db.session.commit()
    changed = copy.deepcopy(small_checklist())
    changed["topics"][1]["items"].pop()
    row, outcome = load_checklist(changed)
    assert outcome == "created" and row.version == 2
    changed["topics"][0]["items"][0]["text"]["en"] = "Reworded"
    row, outcome = load_checklist(changed)
    assert outcome == "updated" and row.version == 2  # no walk is on version 2 yet, nobody answered it


def test_console_report_page_names_the_scale_and_shows_a_score_of_zero(client, app, seeded):
    """On a 0–4 checklist the report page's score note says 0 worst, 4 best, and a comment scored 0 says so."""
    from tests.conftest import make_user, page_text, sign_in
    load_checklist(small_checklist("zero-four", minimum=0, maximum=4))
    walk, _ = load_walk(small_walk("zero-walk", "zero-four"))
    db.session.commit()
    record = make_record([make_answer("q1_1", 0, comment="Broken kerb")], checklist="zero-four")
    assert statuses(post_sync(client, walk, [record])) == ["accepted"]
    make_user("anna")
    sign_in(client, "anna")
    page = " ".join(page_text(client.get("/admin/report?checklist=zero-four")).split())
    assert "the mean of the scores given (0 worst, 4 best)" in page and "5 best" not in page
    assert "scored 0" in page
