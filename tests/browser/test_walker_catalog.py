"""The walker app keeps its stored checklists current: an edit the organisers make in place reaches the phone."""
import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.conftest import bearer

from .conftest import answer_item, live_admin_token, open_walker, walk_link
from .test_walker_sync import axe_violations, server_responses

NEW_TEXT = "Streets and squares feel safe to walk at any time of day."


def admin_json(live, method, path, body=None):
    """Call the admin API on the live server with a JSON body; return (status, decoded reply)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {**bearer(live_admin_token(live)), "Content-Type": "application/json"}
    request = urllib.request.Request(f"{live.url}/api/v1{path}", data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as reply:
        return reply.status, json.load(reply)


def edit_in_place(live):
    """As an admin, change item ue1's English text; return the saved version."""
    _, checklist = admin_json(live, "GET", "/checklists/integra-city-audit")
    for topic in checklist["topics"]:
        for item in topic["items"]:
            if item["id"] == "ue1":
                item["text"]["en"] = NEW_TEXT
    status, saved = admin_json(live, "POST", "/checklists", checklist)
    assert status == 200 and saved["version"] == checklist["version"]  # saved in place: nothing answered yet
    return saved["version"]


def drop_item(live, item_id):
    """As an admin, drop an item; the walks' version keeps it (phones may hold answers), so a new version comes."""
    _, checklist = admin_json(live, "GET", "/checklists/integra-city-audit")
    for topic in checklist["topics"]:
        topic["items"] = [item for item in topic["items"] if item["id"] != item_id]
    status, saved = admin_json(live, "POST", "/checklists", checklist)
    assert status == 201 and saved["version"] == checklist["version"] + 1


@pytest.mark.browser
def test_checklist_edited_in_place_reaches_the_phone_and_keeps_its_answers(live, context, page):
    """After the organisers reword a stored checklist, the phone shows the new text online and offline, answers
    kept; dropping a question the phone answered makes a new version, so the answer still arrives."""
    open_walker(page, walk_link(live, "prague-7", "P7-2"))
    old_text = page.locator("#item-ue1 legend").inner_text()
    assert NEW_TEXT not in old_text
    context.set_offline(True)
    answer_item(page, "ue1", 4)
    page.locator("#topic-attitudes > summary").click()
    answer_item(page, "at2", 2)
    expect(page.locator("#participant-status")).to_contain_text("Answers: 2")

    edit_in_place(live)
    drop_item(live, "at2")
    context.set_offline(False)
    page.reload()
    expect(page.locator("#item-ue1 legend")).to_contain_text(NEW_TEXT)
    expect(page.locator("#i-ue1-4")).to_be_checked()
    expect(page.locator("#i-at2-2")).to_be_checked()
    assert axe_violations(page) == ""
    page.get_by_role("button", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("[data-walk='prague-7'] .walk-count")).to_contain_text("sent: 1.")
    assert [answers for _, _, answers in server_responses(live)] == [{"ue1": 4, "at2": 2}]

    context.set_offline(True)
    page.goto(walk_link(live, "prague-7", "P7-2"))
    expect(page.locator("#item-ue1 legend")).to_contain_text(NEW_TEXT)
    expect(page.locator("#i-ue1-4")).to_be_checked()
