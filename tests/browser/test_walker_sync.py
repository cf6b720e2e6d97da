"""Sending checklists: nothing leaves the device until the server has it, and refusals stay visible."""
import gzip
import json
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from jsonschema import Draft202012Validator
from playwright.sync_api import expect

from server.records.backup import read_backup
from server.extensions import db as _db
from server.models import Answer, Response
from tests.conftest import bearer

from .conftest import (
    EVERYTHING_SENT,
    WAITING_ONE,
    answer_item,
    live_admin_token,
    open_walker,
    walk_link,
)

SYNC_REQUEST_SCHEMA = Path(__file__).resolve().parents[2] / "shared_schema" / "sync-request.schema.json"


def admin_call(live, method, path):
    """Call the admin API on the live server; return the decoded reply."""
    request = urllib.request.Request(f"{live.url}/api/v1{path}", method=method, headers=bearer(live_admin_token(live)))
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.load(reply)


def server_responses(live):
    """Return [(group, revision, {item: score})] for every checklist the server holds."""
    with live.app.app_context():
        rows = []
        for response in _db.session.execute(_db.select(Response)).scalars():
            answers = _db.session.execute(_db.select(Answer).where(Answer.response_id == response.id)).scalars()
            rows.append((response.participant_group, response.revision, {a.item: a.score for a in answers}))
        _db.session.remove()
    return sorted(rows, key=lambda row: row[0] or "")


def server_ids(live):
    """Return the ids of the checklists the server holds."""
    with live.app.app_context():
        ids = list(_db.session.execute(_db.select(Response.id)).scalars())
        _db.session.remove()
    return ids


def axe_violations(page):
    """Return axe-core's report of the page's violations, empty when there are none."""
    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


def sync_now(page):
    """Open the sync view and press "Sync now"."""
    page.get_by_role("button", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").click()


@pytest.mark.browser
def test_server_down_keeps_everything_queued_and_retries(live, page):
    """A server answering 500, then no server at all, loses nothing; the app retries by itself once it is back."""
    open_walker(page, walk_link(live, "prague-7", "P7-2"))
    answer_item(page, "ue1", 3)
    expect(page.locator("#participant-status")).to_contain_text("Answers: 1")
    failed = []
    page.route("**/api/v1/walks/prague-7/sync", lambda route: (failed.append(500), route.fulfill(
        status=500, json={"error": {"code": None, "message": "Internal error", "details": None}})))
    page.get_by_role("button", name="Sync", exact=True).click()
    with page.expect_response("**/api/v1/walks/prague-7/sync"):
        page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_contain_text("The server could not be reached.")
    page.unroute("**/api/v1/walks/prague-7/sync")
    page.route("**/api/v1/walks/prague-7/sync", lambda route: (failed.append("down"), route.abort("connectionrefused")))
    with page.expect_event("requestfailed"):
        page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_contain_text("The server could not be reached.")
    assert failed == [500, "down"]
    assert server_responses(live) == []
    page.get_by_role("button", name="Checklists").click()
    expect(page.locator(".card .state")).to_contain_text("In progress")

    page.unroute("**/api/v1/walks/prague-7/sync")
    # No tap: the backoff timer (at most 5 s after a manual try) sends it.
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT, timeout=8000)
    assert server_responses(live) == [(None, 1, {"ue1": 3})]
    expect(page.locator(".card .state")).to_contain_text("Synced")


@pytest.mark.browser
def test_refused_checklist_stays_on_the_device_with_its_reason(live, page):
    """A checklist the server refuses is kept, marked refused, with the server's reason, even after a reload."""
    open_walker(page, walk_link(live, "prague-7", "P7-5"))
    answer_item(page, "ue2", 1)
    expect(page.locator("#participant-status")).to_contain_text("Answers: 1")
    # The organisers remove the station while the walker is still out: answers given there are refused.
    admin_call(live, "DELETE", "/admin/walks/prague-7/stations/P7-5")
    sync_now(page)
    expect(page.locator("#sync-status")).to_contain_text("Refused: 1.")
    assert server_responses(live) == []
    page.reload()
    page.get_by_role("button", name="Checklists").click()
    card = page.locator(".card")
    expect(card.locator(".state")).to_contain_text("Refused")
    expect(card.locator(".reason")).to_have_text(
        "The server refused it: ue2: Unknown station 'P7-5' on walk 'prague-7'.")
    page.get_by_role("button", name="Sync", exact=True).click()
    expect(page.locator("[data-walk='prague-7'] .walk-count")).to_contain_text("Refused: 1.")


@pytest.mark.browser
def test_replaced_walk_codes_are_explained_and_a_new_code_sends(live, page):
    """After the facilitator replaces the walk's codes, the app says so, keeps the answers, and sends them once a new code is scanned."""
    open_walker(page, walk_link(live, "prague-7", "P7-1"))
    page.locator("#topic-attitudes > summary").click()
    answer_item(page, "at1", 5)
    expect(page.locator("#participant-status")).to_contain_text("Answers: 1")
    admin_call(live, "POST", "/admin/walks/prague-7/rotate-key")
    sync_now(page)
    expect(page.get_by_role("alert")).to_have_text(
        "This walk's codes were replaced; ask the facilitator for the new ones, then scan a QR code or enter the "
        "walk code printed under it. Your answers stay on this device.")
    expect(page.locator("#sync-status")).to_have_text(WAITING_ONE)
    assert server_responses(live) == []
    page.goto(walk_link(live, "prague-7", "P7-2"))
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT)
    expect(page.get_by_role("alert")).to_have_count(0)
    assert server_responses(live) == [(None, 1, {"at1": 5})]


@pytest.mark.browser
def test_closed_walk_keeps_answers_until_reopened(live, page):
    """While the facilitator has closed the walk, the app says so and keeps the answers; once reopened they go."""
    open_walker(page, walk_link(live, "prague-7", "P7-2"))
    answer_item(page, "ue5", 2)
    expect(page.locator("#participant-status")).to_contain_text("Answers: 1")
    admin_call(live, "POST", "/admin/walks/prague-7/close")
    sync_now(page)
    expect(page.get_by_role("alert")).to_have_text(
        "This walk is closed; ask the facilitator to reopen it. Your answers stay on this device.")
    expect(page.locator("#sync-status")).to_have_text(WAITING_ONE)
    assert server_responses(live) == []
    admin_call(live, "POST", "/admin/walks/prague-7/reopen")
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT)
    expect(page.get_by_role("alert")).to_have_count(0)
    assert server_responses(live) == [(None, 1, {"ue5": 2})]


@pytest.mark.browser
def test_two_participants_on_one_device_become_two_checklists(live, page):
    """Two walkers sharing a phone end up as two checklists on the server, each with its own profile and answers."""
    open_walker(page, walk_link(live, "prague-7", "P7-2"))
    answer_item(page, "ue1", 4)
    page.get_by_text("About you (optional)").click()
    page.get_by_label("I am").select_option("tcn")
    page.get_by_role("button", name="New participant").click()
    expect(page.get_by_role("heading", name="New participant")).to_be_visible()
    expect(page.locator("#i-ue1-4")).not_to_be_checked()
    answer_item(page, "ue1", 2)
    page.get_by_text("About you (optional)").click()
    page.get_by_label("I am").select_option("ngo")
    expect(page.get_by_role("heading", name="Participant 2")).to_be_visible()
    page.get_by_role("button", name="Checklists").click()
    expect(page.locator(".card")).to_have_count(2)
    expect(page.locator(".card .state")).to_have_text(["In progress · open now", "Waiting to sync"])
    sync_now(page)
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT)
    assert server_responses(live) == [("ngo", 1, {"ue1": 2}), ("tcn", 1, {"ue1": 4})]
    page.get_by_role("button", name="Checklists").click()
    page.get_by_role("button", name="Continue this checklist").click()
    expect(page.get_by_role("heading", name="Participant 1")).to_be_visible()
    expect(page.locator("#i-ue1-4")).to_be_checked()


@pytest.mark.browser
def test_editing_a_synced_checklist_sends_a_new_revision(live, page):
    """Changing an answer after it was sent queues the checklist again with a higher revision, and the server takes the change."""
    open_walker(page, walk_link(live, "prague-7", "P7-4"))
    answer_item(page, "cp5", 2)
    sync_now(page)
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT)
    assert server_responses(live) == [(None, 1, {"cp5": 2})]
    page.get_by_role("button", name="Answer").click()
    answer_item(page, "cp5", 3)
    expect(page.locator("#sync-status")).to_have_text(WAITING_ONE)
    sync_now(page)
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT)
    assert server_responses(live) == [(None, 2, {"cp5": 3})]


@pytest.mark.browser
def test_backup_file_is_a_sync_request_the_server_accepts(live, page, tmp_path):
    """The downloaded backup holds every checklist in the sync request format; the admin import and the sync API both take it."""
    open_walker(page, walk_link(live, "prague-7", "P7-3"))
    answer_item(page, "vs4", 1)
    page.locator("#item-vs4 summary").click()
    page.locator("#item-vs4").get_by_label("Comment (optional)").fill("Only in Czech")
    expect(page.locator("#participant-status")).to_contain_text("Answers: 1")
    page.get_by_role("button", name="Sync", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download backup").click()
    path = tmp_path / "backup.json"
    download.value.save_as(path)
    backup = json.loads(path.read_text(encoding="utf-8"))
    assert not list(Draft202012Validator(json.loads(SYNC_REQUEST_SCHEMA.read_text())).iter_errors(backup))
    (response,) = backup["responses"]
    assert response["walk"] == "prague-7"
    assert [(a["item"], a["score"], a["station"], a["comment"]) for a in response["answers"]] == [
        ("vs4", 1, "P7-3", "Only in Czech")]
    assert not {"syncState", "sentRevision", "syncedRevision", "refusal", "number"} & set(response)

    (group,) = read_backup(path.read_bytes())
    assert (group.walk, group.device_id, len(group.records)) == ("prague-7", backup["device_id"], 1)

    key = walk_link(live, "prague-7").split("#k=")[1]
    request = urllib.request.Request(f"{live.url}/api/v1/walks/prague-7/sync", data=path.read_bytes(), method="POST",
                                     headers={"Content-Type": "application/json", "X-Walk-Key": key})
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert [r["status"] for r in json.load(reply)["results"]] == ["accepted"]
    assert server_responses(live) == [(None, 1, {"vs4": 1})]


@pytest.mark.browser
def test_too_large_request_is_split_into_smaller_ones(live, page):
    """When the server says a request is too large (413), the app sends the same checklists in smaller requests."""
    open_walker(page, walk_link(live, "prague-7", "P7-2"))
    answer_item(page, "ue1", 5)
    page.get_by_role("button", name="New participant").click()
    answer_item(page, "ue1", 1)
    expect(page.get_by_role("heading", name="Participant 2")).to_be_visible()
    sizes = []

    def only_one_at_a_time(route):
        count = len(json.loads(gzip.decompress(route.request.post_data_buffer))["responses"])
        sizes.append(count)
        if count > 1:
            route.fulfill(status=413, json={"error": {"code": None, "message": "Too large", "details": None}})
        else:
            route.continue_()

    page.route("**/api/v1/walks/prague-7/sync", only_one_at_a_time)
    sync_now(page)
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT)
    assert sizes == [2, 1, 1]
    assert sorted(answers["ue1"] for _group, _revision, answers in server_responses(live)) == [1, 5]


def walk_code(live, slug):
    """Return a walk's walk code as printed under its QR codes."""
    from server.models import Walk
    with live.app.app_context():
        code = _db.session.execute(_db.select(Walk).where(Walk.slug == slug)).scalar_one().printed_code
        _db.session.remove()
    return code


def open_typed_station_offline(live, context, page, code):
    """Load the app online once, then, offline, open a station by typing its printed code (no walk key)."""
    open_walker(page, live.url + "/")
    context.set_offline(True)
    page.get_by_label("Station code").fill(code)
    page.get_by_role("button", name="Open").click()


NO_KEY = ("Your answers are saved on this phone. To send them, enter the walk code printed under the QR code, "
          "or scan a QR code.")


@pytest.mark.browser
def test_a_walk_code_typed_as_a_station_code_says_where_it_goes(live, context, page):
    """A walk code typed into the start screen's station code field says to open a station first and enter it there."""
    open_walker(page, live.url + "/")
    context.set_offline(True)
    typed = walk_code(live, "prague-7").lower().replace("-", " ")
    page.get_by_label("Station code").fill(typed)
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("alert")).to_have_text(
        f"{typed} is a walk code, not a station code. First open a station: scan its QR code or type its station "
        "code. Then enter the walk code on the station page to send your answers.")
    assert axe_violations(page) == ""
    # The station code still opens the station, where the walk code field is.
    page.get_by_label("Station code").fill("P7-2")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_label("Walk code")).to_be_visible()


@pytest.mark.browser
def test_a_station_opened_by_typed_code_sends_once_the_walk_code_is_entered(live, context, page):
    """Offline by typed code the station page says why answers wait and what to do; online, the walk code sends them."""
    open_typed_station_offline(live, context, page, "p7-2")
    expect(page.get_by_role("heading", level=1)).to_have_text("Strossmayer Square (Strossmayerovo náměstí)")
    expect(page.locator("#notices")).to_have_text(NO_KEY)
    answer_item(page, "ue1", 3)
    expect(page.locator("#participant-status")).to_contain_text("Answers: 1")
    assert axe_violations(page) == ""

    context.set_offline(False)
    # Coming online tries to sync: still no key, so the answers wait and the station page keeps saying why.
    expect(page.locator("#sync-status")).to_have_text(WAITING_ONE)
    expect(page.locator("#notices")).to_have_text(NO_KEY)
    # The Sync tab says the same and leads to the walk's page, where the walk code goes.
    page.get_by_role("button", name="Sync", exact=True).click()
    expect(page.locator("[data-walk='prague-7'] .problem")).to_have_text(NO_KEY)
    page.get_by_role("link", name="Enter the walk code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prague 7: Holešovice and Letná")
    field = page.get_by_label("Walk code")
    field.fill("ABCD-EFGH")
    page.get_by_role("button", name="Use this code").click()
    expect(page.locator("#walk-code-message")).to_have_text(
        "That walk code is not right. Check the code printed under the QR code.")
    assert server_responses(live) == []
    field.fill(walk_code(live, "prague-7").lower().replace("-", " "))
    page.get_by_role("button", name="Use this code").click()
    expect(page.locator("#walk-code-message")).to_have_text("Walk code accepted: your answers are being sent.")
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT)
    expect(page.locator("#notices")).to_have_text("")
    assert server_responses(live) == [(None, 1, {"ue1": 3})]
    assert axe_violations(page) == ""
    # The key is kept: the walk's stations open without asking again.
    page.get_by_role("link", name="Next station: P7-1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prague 7 Town Hall (nábř. Kpt. Jaroše)")
    expect(page.get_by_label("Walk code")).to_have_count(0)


@pytest.mark.browser
def test_a_walk_code_typed_offline_is_kept_and_exchanged_when_online(live, context, page):
    """Typed with no network, the walk code waits on the phone; once online the answers go without another tap."""
    open_typed_station_offline(live, context, page, "P7-4")
    answer_item(page, "at3", 2)
    page.get_by_label("Walk code").fill(walk_code(live, "prague-7"))
    page.get_by_role("button", name="Use this code").click()
    expect(page.locator("#walk-code-message")).to_have_text(
        f"The walk code {walk_code(live, 'prague-7')} is kept on this phone. It is checked, and your answers are "
        "sent, as soon as the phone is online.")
    page.reload()  # still offline: the code survives a reload
    expect(page.locator("#walk-code-message")).to_contain_text("is kept on this phone")
    assert server_responses(live) == []
    context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT, timeout=10_000)
    assert server_responses(live) == [(None, 1, {"at3": 2})]


@pytest.mark.browser
def test_a_checklist_the_organisers_deleted_leaves_the_outbox(live, page):
    """A checklist deleted on the server on request is shown as removed, no longer counted as unsent nor sent again."""
    open_walker(page, walk_link(live, "prague-7", "P7-2"))
    answer_item(page, "ue1", 4)
    sync_now(page)
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT)
    (record_id,) = server_ids(live)
    request = urllib.request.Request(
        f"{live.url}/api/v1/admin/responses/{record_id}", method="DELETE",
        data=json.dumps({"reason": "the participant asked on the day"}).encode(),
        headers={**bearer(live_admin_token(live)), "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()
    # The walker changes an answer: the new revision is refused as deleted.
    page.get_by_role("button", name="Answer").click()
    answer_item(page, "ue1", 2)
    sent = []
    page.on("request", lambda r: r.method == "POST" and r.url.endswith("/sync") and sent.append(r))
    sync_now(page)
    expect(page.locator("#device-counts")).to_have_text("Checklists saved on this phone: 0 · sent: 0.")
    expect(page.locator("#sync-status")).not_to_contain_text("Refused")
    assert len(sent) == 1 and server_ids(live) == []
    page.get_by_role("button", name="Checklists").click()
    card = page.locator(f"[data-record='{record_id}']")
    expect(card.locator(".state")).to_have_text("Removed by the organisers")
    expect(card.get_by_role("button", name="Resume")).to_have_count(0)
    assert axe_violations(page) == ""
    sync_now(page)
    expect(page.locator("#sync-status")).to_contain_text("Nothing new to send")
    assert len(sent) == 1, "a removed checklist is never sent again"
    # The next answer starts a new participant's checklist, which is sent as usual.
    page.get_by_role("button", name="Answer").click()
    answer_item(page, "ue2", 5)
    sync_now(page)
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT)
    assert len(server_ids(live)) == 1 and server_ids(live) != [record_id]


@pytest.mark.browser
def test_after_the_key_is_replaced_the_new_walk_code_sends_from_the_station_page(live, page):
    """When a sync finds the walk's codes replaced, the station page offers the walk code; the new one sends."""
    open_walker(page, walk_link(live, "prague-7", "P7-2"))
    answer_item(page, "ue1", 5)
    old_code = walk_code(live, "prague-7")
    admin_call(live, "POST", "/admin/walks/prague-7/rotate-key")
    expect(page.get_by_label("Walk code")).to_have_count(0)
    # The phone comes back online on the station page: that sync finds the key replaced and offers the field.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#notices")).to_contain_text("This walk's codes were replaced")
    page.get_by_label("Walk code").fill(old_code)
    page.get_by_role("button", name="Use this code").click()
    expect(page.locator("#walk-code-message")).to_have_text(
        "That walk code is not right. Check the code printed under the QR code.")
    page.get_by_label("Walk code").fill(walk_code(live, "prague-7"))
    page.get_by_role("button", name="Use this code").click()
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT)
    assert server_responses(live) == [(None, 1, {"ue1": 5})]
