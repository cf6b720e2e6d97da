"""The walk day as a new walker and facilitator live it, at a phone viewport: offline mark, one count, the
participant's language, finishing with thanks and the group's tally, restoring and handing on a backup."""
import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from server.extensions import db as _db
from server.models import Response

from .conftest import PHONE, answer_item, open_walker, walk_link

COUNTS = "Checklists saved on this phone: {saved} · sent: {sent}."
ITEM_VS4_EN = ("City related information and advice is available and accessible to TCN and migrants, taking account of "
               "particular language needs, community locations, etc.")


def axe_violations(page):
    """Return axe-core's report of the page's violations, empty when there are none."""
    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


def server_records(live):
    """Return {id: (device_id, revision)} of the checklists the server holds."""
    with live.app.app_context():
        rows = {r.id: (r.device_id, r.revision) for r in _db.session.execute(_db.select(Response)).scalars()}
        _db.session.remove()
    return rows


@pytest.mark.browser
def test_offline_mark_and_one_count_on_every_screen(live, context, page):
    """Offline, the header says so quietly; the station line, Sync tab and list show the same count, then 'sent'."""
    open_walker(page, walk_link(live, "prague-7", "P7-2"))
    expect(page.locator("#network")).to_have_text("Online")
    context.set_offline(True)
    expect(page.locator("#network")).to_have_text("Offline")
    answer_item(page, "ue1", 3)
    expect(page.locator("#sync-status")).to_contain_text(COUNTS.format(saved=1, sent=0))
    page.get_by_role("button", name="Checklists").click()
    expect(page.locator("#records-counts")).to_have_text(COUNTS.format(saved=1, sent=0))
    page.get_by_role("button", name="Sync", exact=True).click()
    expect(page.locator("#device-counts")).to_have_text(COUNTS.format(saved=1, sent=0))
    expect(page.locator("[data-walk='prague-7'] .walk-count")).to_have_text(COUNTS.format(saved=1, sent=0))
    assert axe_violations(page) == ""
    context.set_offline(False)
    expect(page.locator("#network")).to_have_text("Online")
    expect(page.locator("#device-counts")).to_have_text(COUNTS.format(saved=1, sent=1), timeout=10_000)
    expect(page.locator("#sync-status")).to_have_text(COUNTS.format(saved=1, sent=1))


@pytest.mark.browser
def test_participant_language_switches_the_app_and_marks_draft_translations(live, page):
    """Choosing Czech as the participant's language turns the whole app Czech, marks the draft with English beside."""
    open_walker(page, walk_link(live, "prague-7", "P7-3"))
    expect(page.locator("#draft-note")).to_have_count(0)
    answer_item(page, "vs4", 2)
    page.locator("details.profile summary").click()
    page.locator("#p-lang").select_option("cs")
    expect(page.get_by_role("button", name="Odpovědi")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "cs")
    expect(page.get_by_label("Jazyk", exact=True)).to_have_value("cs")
    expect(page.locator("#draft-note")).to_contain_text("koncept překladu")
    english = page.locator("#item-vs4 .english")
    expect(english).to_contain_text("Koncept překladu. Anglicky:")
    expect(english.locator("[lang=en]")).to_have_text(ITEM_VS4_EN)
    expect(page.locator("#p-lang")).to_have_value("cs")
    assert axe_violations(page) == ""


@pytest.mark.browser
def test_finishing_shows_thanks_with_what_was_done_and_the_group_tally(live, page):
    """A participant who finishes sees their items and stations, that it was sent, and the group's live tally."""
    open_walker(page, walk_link(live, "prague-7", "P7-2"))
    answer_item(page, "ue1", 4)
    answer_item(page, "ue2", "dk")
    page.get_by_role("button", name="I have finished").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    summary = page.locator("#thanks-summary")
    expect(summary).to_contain_text("Items answered: 2 of 30")
    expect(summary).to_contain_text("Stations: 1")
    assert axe_violations(page) == ""
    # The finished checklist goes out at once; the tally is fetched once it is on the server.
    expect(page.locator("#sync-status")).to_have_text(COUNTS.format(saved=1, sent=1), timeout=10_000)
    page.get_by_role("button", name="Answer").click()
    expect(page.locator("#thanks-sent")).to_have_text("Your checklist is on the server.")
    expect(page.locator("#tally-total")).to_have_text("Checklists received from the whole group: 1")
    expect(page.locator("#tally li").filter(has_text="P7-2")).to_contain_text("1")
    page.get_by_role("button", name="New participant").click()
    expect(page.get_by_role("heading", level=2, name="New participant")).to_be_visible()


@pytest.mark.browser
def test_thanks_offline_says_answers_wait_on_the_phone(live, context, page):
    """Offline, the thank-you screen says the checklist waits on this phone and the tally comes when online."""
    open_walker(page, walk_link(live, "prague-7", "P7-2"))
    context.set_offline(True)
    answer_item(page, "ue1", 5)
    page.get_by_role("button", name="I have finished").click()
    expect(page.locator("#thanks-sent")).to_contain_text("saved on this phone")
    expect(page.locator("#tally")).to_contain_text("when the phone is online")


@pytest.mark.browser
def test_hand_a_backup_to_another_phone_and_restore_it(live, browser, tmp_path):
    """Phone A, offline, saves a backup; phone B restores it (merging by id and revision) and sends it as its own."""
    a_context, b_context = browser.new_context(**PHONE, accept_downloads=True), browser.new_context(**PHONE)
    try:
        a, b = a_context.new_page(), b_context.new_page()
        open_walker(a, walk_link(live, "prague-7", "P7-2"))
        a_context.set_offline(True)
        answer_item(a, "ue1", 2)
        answer_item(a, "ue2", 4)
        a.get_by_role("button", name="Sync", exact=True).click()
        expect(a.locator("#share-backup")).to_have_count(0)  # no Web Share with files here: download instead
        with a.expect_download() as download:
            a.get_by_role("button", name="Download backup").click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        backup = json.loads(path.read_text())
        assert [len(r["answers"]) for r in backup["responses"]] == [2]

        # Phone B has never seen the walk's key: the file brings it, so B can send A's answers.
        b.goto(live.url + "/")
        expect(b.locator("#offline-status")).to_have_text("Ready to work offline.", timeout=20_000)
        b_context.set_offline(True)
        b.get_by_role("button", name="Sync", exact=True).click()
        b.locator("#restore-file").set_input_files(str(path))
        expect(b.locator("#restore-result")).to_have_text(f"{path.name}: 1 added, 0 updated, 0 already here.")
        expect(b.locator("#device-counts")).to_have_text(COUNTS.format(saved=1, sent=0))
        b.locator("#restore-file").set_input_files(str(path))
        expect(b.locator("#restore-result")).to_have_text(f"{path.name}: 0 added, 0 updated, 1 already here.")
        assert axe_violations(b) == ""
        assert server_records(live) == {}
        b_context.set_offline(False)
        expect(b.locator("#device-counts")).to_have_text(COUNTS.format(saved=1, sent=1), timeout=10_000)
        record_id = backup["responses"][0]["id"]
        b_device = b.evaluate("""async () => new Promise((resolve) => {
          const open = indexedDB.open('city-audit-walker');
          open.onsuccess = () => { open.result.transaction('meta').objectStore('meta').get('device_id').onsuccess =
            (e) => resolve(e.target.result); };
        })""")
        assert server_records(live) == {record_id: (b_device, backup["responses"][0]["revision"])}

        # A newer revision from A replaces B's copy; an older one never does.
        newer = {**backup, "responses": [{**backup["responses"][0], "revision": 5,
                                          "answers": backup["responses"][0]["answers"][:1]}]}
        (tmp_path / "newer.json").write_text(json.dumps(newer))
        b.locator("#restore-file").set_input_files(str(tmp_path / "newer.json"))
        expect(b.locator("#restore-result")).to_have_text("newer.json: 0 added, 1 updated, 0 already here.")
        expect(b.locator("#device-counts")).to_have_text(COUNTS.format(saved=1, sent=1), timeout=10_000)
        assert server_records(live)[record_id][1] == 5
        (tmp_path / "other.json").write_text('{"hello": 1}')
        b.locator("#restore-file").set_input_files(str(tmp_path / "other.json"))
        expect(b.locator("#restore-result")).to_have_text("other.json is not a backup file of this app.")
    finally:
        a_context.close()
        b_context.close()


@pytest.mark.browser
def test_share_sheet_gets_the_backup_file_where_the_browser_can_share_files(live, browser):
    """Where Web Share takes files, "Send a backup to another phone" hands the backup file to the share sheet."""
    context = browser.new_context(**PHONE)
    context.add_init_script("""
      window.__shared = [];
      navigator.canShare = (data) => Boolean(data && data.files && data.files.length);
      navigator.share = async (data) => { for (const f of data.files) window.__shared.push([f.name, f.type, await f.text()]); };
    """)
    try:
        page = context.new_page()
        open_walker(page, walk_link(live, "prague-7", "P7-2"))
        answer_item(page, "ue1", 1)
        page.get_by_role("button", name="Sync", exact=True).click()
        page.get_by_role("button", name="Send a backup to another phone").click()
        page.wait_for_function("() => window.__shared.length === 1")
        name, kind, text = page.evaluate("window.__shared[0]")
        assert name.startswith("city-audit-backup-") and name.endswith(".json") and kind == "application/json"
        doc = json.loads(text)
        assert doc["format"] == "city-audit-walker-backup" and doc["responses"][0]["answers"][0]["score"] == 1
        assert "prague-7" in doc["walk_keys"]
    finally:
        context.close()


@pytest.mark.browser
def test_storage_note_is_calm_once_and_only_with_unsent_answers(live, browser):
    """When the browser refuses persistent storage, one calm note shows while answers are unsent, never again."""
    context = browser.new_context(**PHONE)
    context.add_init_script("navigator.storage.persist = async () => false;")
    try:
        page = context.new_page()
        open_walker(page, walk_link(live, "prague-7", "P7-2"))
        context.set_offline(True)
        answer_item(page, "ue1", 3)
        note = page.locator("#storage-banner")
        expect(note).to_contain_text("Good to know")
        expect(note).not_to_contain_text("not protected")
        note.get_by_role("button", name="OK").click()
        expect(note).to_have_count(0)  # the page settles before the next tap
        answer_item(page, "ue2", 3)
        expect(page.locator("#participant-status")).to_contain_text("Answers: 2")
        page.reload()
        answer_item(page, "ue1", 5)
        expect(page.locator("#participant-status")).to_contain_text("Answers: 2")
        expect(note).to_have_count(0)
    finally:
        context.close()
