"""PhotoVoice in the walker app: a phone photo taken offline survives reload and a killed browser, and uploads once."""
import io
import os
import signal
import subprocess

import pytest
from PIL import Image
from playwright.sync_api import expect

from server.extensions import db as _db
from server.media.storage import file_key, media_storage
from server.models import MediaFile, Photo
from tests.photos import has_gps, jpeg_with_gps, sha

from .conftest import EVERYTHING_SENT, launch_phone, open_walker, walk_link

P7_3 = "Holešovice Market, Vietnamese market hall (Holešovická tržnice)"


def server_photos(live):
    """Return [(photo row values, stored file bytes or None)] of every photo the server holds."""
    with live.app.app_context():
        rows = _db.session.execute(_db.select(Photo)).scalars().all()
        held = {m.sha256 for m in _db.session.execute(_db.select(MediaFile)).scalars()}
        storage = media_storage()
        result = [({"caption": p.caption, "rating": p.rating, "station": p.station_code, "sha256": p.sha256,
                    "width": p.width, "height": p.height},
                   storage.read(file_key(p.sha256)) if p.sha256 in held else None) for p in rows]
        count = len(held)
        _db.session.remove()
    return result, count


SAVED_PHOTO = """async ([caption, rating]) => {
  const db = await new Promise((ok) => { const r = indexedDB.open("city-audit-walker"); r.onsuccess = () => ok(r.result); });
  const records = await new Promise((ok) => {
    db.transaction("records").objectStore("records").getAll().onsuccess = (e) => ok(e.target.result); });
  db.close();
  return records.some((r) => (r.photos || []).some((p) => p.caption === caption && p.rating === rating));
}"""


def kill_chromium(profile):
    """Kill -9 the Chromium processes of one profile, as a phone's battery dying does."""
    found = subprocess.run(["pgrep", "-f", f"--user-data-dir={profile}"], capture_output=True, text=True).stdout
    for pid in found.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass


def add_phone_photo(page, tmp_path):
    """Add a 4000×3000 JPEG carrying EXIF GPS through "Add photo"."""
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(jpeg_with_gps())
    page.get_by_label("Add photo").set_input_files(str(path))
    expect(page.get_by_label("Caption")).to_be_visible(timeout=20_000)


@pytest.mark.browser
def test_photo_taken_offline_survives_a_killed_browser_and_uploads_once(live, playwright_instance, tmp_path):
    """Offline at a new station: a GPS-tagged phone photo, captioned and rated, survives a reload and a killed
    browser; online, the server gets exactly one ≤ 1600 px copy without GPS; a second sync uploads nothing."""
    profile = tmp_path / "profile"
    phone = launch_phone(playwright_instance, profile)
    page = phone.new_page()
    open_walker(page, walk_link(live, "prague-7", "P7-1"))
    phone.set_offline(True)
    page.goto(walk_link(live, "prague-7", "P7-3"))
    expect(page.get_by_role("heading", level=1)).to_have_text(P7_3)
    add_phone_photo(page, tmp_path)
    page.get_by_label("Caption").fill("Steps and no ramp at the market gate")
    page.get_by_label("Needs change").check()
    # Written to the device (IndexedDB) before the page goes away.
    page.wait_for_function(SAVED_PHOTO, arg=["Steps and no ramp at the market gate", "needs_change"])
    page.reload()
    expect(page.get_by_label("Caption")).to_have_value("Steps and no ramp at the market gate")
    kill_chromium(profile)
    try:
        phone.close()
    except Exception:  # the browser is already gone
        pass

    phone = launch_phone(playwright_instance, profile, offline=True)
    try:
        page = phone.new_page()
        page.goto(f"{live.url}/w/prague-7/P7-3")
        expect(page.get_by_label("Caption")).to_have_value("Steps and no ramp at the market gate")
        expect(page.get_by_label("Needs change")).to_be_checked()
        expect(page.get_by_role("img", name="Steps and no ramp at the market gate")).to_be_visible()
        page.wait_for_function("() => document.querySelector('.photo-list img.thumb')?.naturalWidth === 1600")
        assert server_photos(live) == ([], 0)

        uploads = []
        page.on("request", lambda r: "/media/" in r.url and uploads.append((r.method, r.url)))
        phone.set_offline(False)
        page.get_by_role("button", name="Sync", exact=True).click()
        page.get_by_role("button", name="Sync now").click()
        expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT, timeout=30_000)
        expect(page.locator("#photos-waiting")).to_have_text("No photos waiting to upload.")
        photos, files = server_photos(live)
        assert files == 1 and len(photos) == 1
        meta, stored = photos[0]
        assert (meta["caption"], meta["rating"], meta["station"]) == \
            ("Steps and no ramp at the market gate", "needs_change", "P7-3")
        with Image.open(io.BytesIO(stored)) as image:
            assert max(image.size) <= 1600 and (image.width, image.height) == (meta["width"], meta["height"])
            assert not image.getexif()
        assert not has_gps(stored) and sha(stored) == meta["sha256"]
        assert [method for method, _ in uploads].count("PUT") == 1

        uploads.clear()
        page.get_by_role("button", name="Sync now").click()
        expect(page.locator("#sync-status")).to_have_text("Nothing new to send: everything is on the server.")
        assert uploads == []
    finally:
        phone.close()


@pytest.mark.browser
def test_upload_cut_off_midway_completes_on_the_next_sync(live, context, page, tmp_path):
    """A photo upload that dies midway (the server gone) is retried: stored once, the bytes the phone holds."""
    open_walker(page, walk_link(live, "prague-7", "P7-1"))
    add_phone_photo(page, tmp_path)
    page.get_by_label("Caption").fill("Clear signs in two languages")
    cut = []

    def die_midway(route):
        if not cut:
            cut.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()
    page.route("**/media/*", lambda route: die_midway(route) if route.request.method == "PUT" else route.continue_())
    page.get_by_role("button", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_contain_text("server could not be reached", timeout=30_000)
    expect(page.locator("#photos-waiting")).to_have_text("Photos waiting to upload: 1.")
    assert cut and server_photos(live)[1] == 0
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT, timeout=30_000)
    photos, files = server_photos(live)
    assert files == 1 and sha(photos[0][1]) == photos[0][0]["sha256"]
    device_bytes = page.evaluate("""async () => {
      const db = await new Promise((ok) => { const r = indexedDB.open("city-audit-walker"); r.onsuccess = () => ok(r.result); });
      const entry = await new Promise((ok) => { db.transaction("media").objectStore("media").getAll().onsuccess = (e) => ok(e.target.result[0]); });
      return entry.uploaded ? entry.bytes : -1;
    }""")
    assert device_bytes == len(photos[0][1])
