"""PhotoVoice voice notes in the walker app: recorded offline with the microphone, kept through a reload, synced."""
import hashlib
import time

import pytest
from playwright.sync_api import expect

from server.extensions import db as _db
from server.models import MediaFile, Photo

from .conftest import CHROMIUM, CHROMIUM_ARGS, EVERYTHING_SENT, PHONE, live_admin_token, open_walker, walk_link
from .test_walker_photos import P7_3, add_phone_photo

# Chromium's stand-in microphone (a beeping tone) and no permission prompt.
FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]

SAVED_VOICE = """async (caption) => {
  const db = await new Promise((ok) => { const r = indexedDB.open("city-audit-walker"); r.onsuccess = () => ok(r.result); });
  const records = await new Promise((ok) => {
    db.transaction("records").objectStore("records").getAll().onsuccess = (e) => ok(e.target.result); });
  db.close();
  const photo = records.flatMap((r) => r.photos || []).find((p) => p.caption === caption);
  return photo && photo.voice ? photo.voice : false;
}"""


def saved_voice(page, caption, timeout=30):
    """Return the voice note the phone stored for the photo with this caption, waiting until it is stored."""
    deadline = time.monotonic() + timeout
    while not (voice := page.evaluate(SAVED_VOICE, caption)):
        assert time.monotonic() < deadline, "the voice note was never stored"
        time.sleep(0.1)
    return voice


@pytest.fixture
def microphone_phone(playwright_instance):
    """A phone-sized Chromium whose microphone is Chromium's fake device, allowed without asking."""
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_MEDIA)
    context = browser.new_context(**PHONE, permissions=["microphone"])
    yield context
    context.close()
    browser.close()


@pytest.mark.browser
def test_voice_note_recorded_offline_survives_reload_and_reaches_the_server(live, microphone_phone, tmp_path):
    """Offline, a walker records a voice note on a photo; after a reload it is still there; online it syncs, the
    server holds the recording and the admin API's voice_url plays it back byte for byte."""
    page = microphone_phone.new_page()
    open_walker(page, walk_link(live, "prague-7", "P7-1"))
    microphone_phone.set_offline(True)
    page.goto(walk_link(live, "prague-7", "P7-3"))
    expect(page.get_by_role("heading", level=1)).to_have_text(P7_3)
    add_phone_photo(page, tmp_path)
    page.get_by_label("Caption").fill("Listen to the traffic at the gate")
    page.get_by_role("button", name="Record voice note").click()
    stop = page.get_by_role("button", name="Stop recording")
    expect(stop).to_be_visible()
    # About 1.5 s of sound, timed by the phone's own clock (a busy test runner cannot cut it short).
    started = page.evaluate("performance.now()")
    page.wait_for_function("(started) => performance.now() - started >= 1500", arg=started)
    stop.click()
    voice = saved_voice(page, "Listen to the traffic at the gate")
    assert voice["bytes"] > 0 and voice["content_type"].startswith("audio/") and voice["duration_s"] >= 1

    page.reload()
    expect(page.get_by_label("Caption")).to_have_value("Listen to the traffic at the gate")
    expect(page.get_by_role("button", name="Remove voice note")).to_be_visible()
    page.wait_for_function("() => document.querySelector('.voice audio')?.src.startsWith('blob:')")
    with live.app.app_context():
        assert _db.session.execute(_db.select(MediaFile)).first() is None
        _db.session.remove()

    microphone_phone.set_offline(False)
    page.get_by_role("button", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT, timeout=30_000)
    # The photo and its voice note upload after the checklist: on a loaded machine that takes more than 5 s.
    expect(page.locator("#photos-waiting")).to_have_text("No photos waiting to upload.", timeout=30_000)
    with live.app.app_context():
        photo = _db.session.execute(_db.select(Photo)).scalar_one()
        assert photo.voice_sha256 == voice["sha256"] and photo.voice_bytes == voice["bytes"]
        assert _db.session.get(MediaFile, voice["sha256"]) is not None
        walk_photo = photo.id
        _db.session.remove()

    headers = {"Authorization": f"Bearer {live_admin_token(live)}"}
    api = page.context.request
    listed = api.get(f"{live.url}/api/v1/admin/walks/prague-7/photos", headers=headers).json()["photos"]
    assert [p["id"] for p in listed] == [walk_photo] and listed[0]["status"] == "stored"
    audio = api.get(live.url + listed[0]["voice_url"], headers=headers)
    assert audio.status == 200 and audio.headers["content-type"] == voice["content_type"]
    assert hashlib.sha256(audio.body()).hexdigest() == voice["sha256"] and len(audio.body()) == voice["bytes"]
