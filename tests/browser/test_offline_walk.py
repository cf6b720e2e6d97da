"""A walker at a station with no signal: the app opens, shows the station's items and keeps every answer."""
import json
import urllib.request

import pytest
from playwright.sync_api import expect

from server.extensions import db as _db
from server.models import Answer, Response
from tests.conftest import bearer

from .conftest import (
    EVERYTHING_SENT,
    answer_item,
    launch_phone,
    live_admin_token,
    open_walker,
    walk_link,
)

P7_3 = "Holešovice Market, Vietnamese market hall (Holešovická tržnice)"
# The three answers given offline at P7-3: item -> (score, don't know).
GIVEN = {"vs4": (2, False), "cp5": (None, True), "ue9": (5, False)}


def answer_three_at_p7_3(page):
    """Give the three GIVEN answers on P7-3's screen."""
    for item, (score, _dont_know) in GIVEN.items():
        answer_item(page, item, score or "dk")


def expect_three_checked(page):
    """The three GIVEN answers show as chosen."""
    for item, (score, _dont_know) in GIVEN.items():
        expect(page.locator(f"#i-{item}-{score or 'dk'}")).to_be_checked()


def stored_answers(live):
    """Return {(item, score, dont_know, station, comment)} for every answer on the server."""
    with live.app.app_context():
        rows = _db.session.execute(_db.select(Answer)).scalars().all()
        result = {(a.item, a.score, a.dont_know, a.station_code, a.comment) for a in rows}
        _db.session.remove()
    return result


def response_count(live):
    """Return how many checklists the server holds."""
    with live.app.app_context():
        count = _db.session.query(Response).count()
        _db.session.remove()
    return count


@pytest.mark.browser
def test_unvisited_station_opens_offline_with_its_items(live, context, page):
    """After one online visit, a different station's link opens offline with its items, and answers survive a reload."""
    open_walker(page, walk_link(live, "prague-7", "P7-1"))
    context.set_offline(True)
    page.goto(walk_link(live, "prague-7", "P7-3"))
    expect(page.get_by_role("heading", level=1)).to_have_text(P7_3)
    station_items = page.locator("section.focus fieldset")
    expect(station_items).to_have_count(6)
    expect(station_items.first.locator("legend")).to_have_text(
        "City related information and advice is available and accessible to TCN and migrants, taking account of "
        "particular language needs, community locations, etc.")
    answer_three_at_p7_3(page)
    expect(page.locator("#participant-status")).to_contain_text("Answers: 3")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(P7_3)
    expect_three_checked(page)
    expect(page.locator("#i-ue4-3")).not_to_be_checked()


@pytest.mark.browser
def test_answers_survive_closing_the_browser(live, playwright_instance, tmp_path):
    """Answers given offline are still there after the browser is closed and reopened without a connection."""
    phone = launch_phone(playwright_instance, tmp_path / "profile")
    page = phone.new_page()
    open_walker(page, walk_link(live, "prague-7", "P7-1"))
    phone.set_offline(True)
    page.goto(walk_link(live, "prague-7", "P7-3"))
    answer_three_at_p7_3(page)
    expect(page.locator("#participant-status")).to_contain_text("Answers: 3")
    phone.close()

    phone = launch_phone(playwright_instance, tmp_path / "profile", offline=True)
    try:
        page = phone.new_page()
        page.goto(f"{live.url}/w/prague-7/P7-3")
        expect(page.get_by_role("heading", level=1)).to_have_text(P7_3)
        expect_three_checked(page)
    finally:
        phone.close()


@pytest.mark.browser
def test_sync_delivers_exactly_the_answers_given_offline(live, context, page):
    """Back online, the server's report shows exactly the offline answers, at their stations; a second sync sends nothing."""
    open_walker(page, walk_link(live, "prague-7", "P7-1"))
    context.set_offline(True)
    page.goto(walk_link(live, "prague-7", "P7-3"))
    answer_three_at_p7_3(page)
    page.get_by_role("link", name="Next station: P7-4").click()
    answer_item(page, "at3", 4)
    page.locator("#item-at3 summary").click()
    page.locator("#item-at3").get_by_label("Comment (optional)").fill("Staff spoke only Czech  ")
    expect(page.locator("#participant-status")).to_contain_text("Answers: 4")
    assert response_count(live) == 0

    sent = []
    page.on("request", lambda r: r.method == "POST" and r.url.endswith("/api/v1/walks/prague-7/sync") and sent.append(r))
    context.set_offline(False)
    page.get_by_role("button", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").click()
    # Coming online starts a sync by itself; the tap may find it already done.
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT)
    assert stored_answers(live) == {
        ("vs4", 2, False, "P7-3", None), ("cp5", None, True, "P7-3", None), ("ue9", 5, False, "P7-3", None),
        ("at3", 4, False, "P7-4", "Staff spoke only Czech")}

    token = live_admin_token(live)
    request = urllib.request.Request(f"{live.url}/api/v1/report?checklist=integra-city-audit&walk=prague-7",
                                     headers=bearer(token))
    with urllib.request.urlopen(request, timeout=10) as reply:
        report = json.load(reply)
    assert report["responses"] == 1
    items = {item["id"]: item for topic in report["topics"] for item in topic["items"]}
    assert (items["vs4"]["answered"], items["vs4"]["mean"]) == (1, 2)
    assert (items["ue9"]["answered"], items["ue9"]["mean"]) == (1, 5)
    assert (items["at3"]["answered"], items["at3"]["mean"]) == (1, 4)
    assert (items["cp5"]["answered"], items["cp5"]["dont_know"]) == (0, 1)
    assert sum(item["answered"] for item in items.values()) == 3

    assert len(sent) == 1, "one checklist of one walk goes in one request"
    assert sent[0].headers["content-encoding"] == "gzip"
    sent.clear()
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_contain_text("Nothing new to send: everything is on the server.")
    assert sent == []
    assert response_count(live) == 1


@pytest.mark.browser
def test_walk_never_opened_explains_itself_offline(live, context, page):
    """A walk created after the app's last online visit says offline that it is not on the device yet, and opens once online."""
    from server.catalog.definitions import load_walk
    open_walker(page, walk_link(live, "prague-7", "P7-1"))
    with live.app.app_context():
        load_walk({"slug": "karlin", "title": {"en": "Karlín"}, "checklist": {"slug": "integra-city-audit"},
                   "stations": [{"code": "KA-1", "title": {"en": "Karlín Square"}, "position": 1, "items": ["ue1"]}]})
        _db.session.commit()
        _db.session.remove()
    context.set_offline(True)
    page.goto(walk_link(live, "karlin", "KA-1"))
    expect(page.get_by_role("alert")).to_have_text(
        "This walk is not saved on this device yet. Connect to the internet and open the link again; "
        "after that it works offline.")
    context.set_offline(False)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Karlín Square")
