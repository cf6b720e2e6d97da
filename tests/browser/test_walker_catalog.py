"""The walker app keeps its stored checklists current: an edit the organisers make in place reaches the phone."""
import json
import urllib.request

import pytest
from playwright.sync_api import expect

from server.extensions import db as _db
from server.models import SyncLogEntry
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
    """As an admin, change item ue1's English text and drop item at2; return the saved version."""
    _, checklist = admin_json(live, "GET", "/checklists/integra-city-audit")
    for topic in checklist["topics"]:
        topic["items"] = [item for item in topic["items"] if item["id"] != "at2"]
        for item in topic["items"]:
            if item["id"] == "ue1":
                item["text"]["en"] = NEW_TEXT
    status, saved = admin_json(live, "POST", "/checklists", checklist)
    assert status == 200 and saved["version"] == checklist["version"]  # saved in place: nothing answered yet
    return saved["version"]


@pytest.mark.browser
def test_checklist_edited_in_place_reaches_the_phone_and_keeps_its_answers(live, context, page):
    """After the organisers edit a stored checklist, the phone shows the new text online and offline, answers kept."""
    open_walker(page, walk_link(live, "prague-7", "P7-2"))
    old_text = page.locator("#item-ue1 legend").inner_text()
    assert NEW_TEXT not in old_text
    context.set_offline(True)
    answer_item(page, "ue1", 4)
    page.locator("#topic-attitudes > summary").click()
    answer_item(page, "at2", 2)
    expect(page.locator("#participant-status")).to_contain_text("Answers: 2")

    edit_in_place(live)
    context.set_offline(False)
    page.reload()
    expect(page.locator("#item-ue1 legend")).to_contain_text(NEW_TEXT)
    expect(page.locator("#i-ue1-4")).to_be_checked()
    # The answer to the removed question is neither shown as a question nor dropped: it is listed, kept.
    expect(page.locator("#item-at2")).to_have_count(0)
    removed = page.locator("#removed-answers")
    expect(removed.get_by_role("heading", level=2)).to_have_text("Questions the organisers removed")
    expect(removed.get_by_role("listitem")).to_have_text(["at2: 2"])
    assert axe_violations(page) == ""
    # The server refuses a checklist answering a question it no longer has: nothing half-stored.
    page.get_by_role("button", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("[data-walk='prague-7'] .walk-count")).to_contain_text("Refused: 1.")
    assert server_responses(live) == []
    with live.app.app_context():  # the refused checklist is in the sync log, for the organisers to take in
        logged = [(e.outcome, json.loads(e.payload)["answers"]) for e in
                  _db.session.execute(_db.select(SyncLogEntry).where(SyncLogEntry.response_id.isnot(None))).scalars()]
        _db.session.remove()
    assert logged and all(outcome == "rejected" and {a["item"] for a in answers} == {"ue1", "at2"}
                          for outcome, answers in logged)

    context.set_offline(True)
    page.goto(walk_link(live, "prague-7", "P7-2"))
    expect(page.locator("#item-ue1 legend")).to_contain_text(NEW_TEXT)
    expect(page.locator("#i-ue1-4")).to_be_checked()
    expect(page.locator("#removed-answers li")).to_have_text(["at2: 2"])
