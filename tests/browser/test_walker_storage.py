"""The walker app's storage figure, its warning when the phone's quota is near, and location left alone."""
import gzip
import io
import json
import os
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from server.extensions import db as _db
from server.models import Photo

from .conftest import EVERYTHING_SENT, answer_item, live_admin_token, open_walker, walk_link

MIB = 1048576
NEARLY_FULL = "Storage is nearly full: sync the photos soon."
STORAGE_USE = re.compile(r"^Storage used: ([\d.]+) of ([\d.]+) MB\.$")

# Makes the browser report a fixed use of its storage quota, as a phone with little room left would.
ESTIMATE = """(([usage, quota]) => {
  navigator.storage.estimate = async () => ({usage, quota});
})(%s);"""

# Counts every request for the phone's position; the count lives through reloads of the tab.
COUNT_LOCATION = """(() => {
  const geo = navigator.geolocation;
  for (const name of ["getCurrentPosition", "watchPosition"]) {
    const real = geo[name].bind(geo);
    geo[name] = (...args) => {
      sessionStorage.setItem("locationCalls", String(Number(sessionStorage.getItem("locationCalls") || 0) + 1));
      return real(...args);
    };
  }
})();"""
LOCATION_WORDS = {"lat", "latitude", "lon", "lng", "longitude", "location", "geo", "geolocation", "coords",
                  "coordinates", "gps", "position", "place", "accuracy", "altitude"}
LOCATION_CALLS = "() => Number(sessionStorage.getItem('locationCalls') || 0)"

STORED_MEDIA_BYTES = """async () => {
  const db = await new Promise((ok) => {
    const r = indexedDB.open("city-audit-walker"); r.onsuccess = () => ok(r.result); });
  const all = await new Promise((ok) => {
    db.transaction("media").objectStore("media").getAll().onsuccess = (e) => ok(e.target.result); });
  db.close();
  return all.reduce((sum, entry) => sum + entry.blob.size, 0);
}"""


def add_photo(page, tmp_path, name="IMG_0002.jpg", noisy=False):
    """Add a photo through "Add photo" and wait for its caption field; a noisy one stays large after resizing."""
    if noisy:
        image = Image.frombytes("RGB", (1600, 1200), os.urandom(1600 * 1200 * 3))
    else:
        image = Image.new("RGB", (1200, 900), (40, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    page.get_by_label("Add photo").set_input_files(str(path))
    expect(page.get_by_label("Caption")).to_be_visible(timeout=20_000)
    expect(page.locator("#photos-status")).to_have_text(re.compile(r"^(Photo saved\.|Storage is nearly full.*)$"),
                                                        timeout=20_000)


def location_fields(photo):
    """Return the fields of a photo's metadata that would tell where it was taken."""
    return {key for key in photo if LOCATION_WORDS & set(key.lower().split("_"))}


def sync_body(request):
    """Return the JSON a sync request carries (the app gzips it where the browser can)."""
    data = request.post_data_buffer
    if request.headers.get("content-encoding") == "gzip":
        data = gzip.decompress(data)
    return json.loads(data)


def storage_figure(page):
    """Open the Sync screen and return the storage it shows as used, in MB."""
    page.get_by_role("button", name="Sync", exact=True).click()
    line = page.locator("#storage-use")
    expect(line).to_have_text(STORAGE_USE)
    return float(STORAGE_USE.match(line.inner_text()).group(1))


@pytest.mark.browser
def test_sync_screen_shows_the_storage_a_new_photo_takes(live, page, tmp_path):
    """The Sync screen says how much of the phone's storage the app uses, and the figure grows with a photo."""
    open_walker(page, walk_link(live, "prague-7", "P7-3"))
    before = storage_figure(page)
    page.goto(walk_link(live, "prague-7", "P7-3"))
    add_photo(page, tmp_path, noisy=True)
    stored = page.evaluate(STORED_MEDIA_BYTES)
    assert stored > MIB  # a photo big enough to show in a figure given to a tenth of a MB
    after = storage_figure(page)
    assert after - before >= stored / MIB - 0.2, (before, after, stored)
    expect(page.get_by_text(NEARLY_FULL)).to_have_count(0)


@pytest.mark.browser
def test_warning_shows_when_the_phone_storage_is_nearly_full(live, context, page, tmp_path):
    """With 90 % of the quota used, a new photo and the Sync screen show a calm warning to sync the photos soon."""
    context.add_init_script(ESTIMATE % json.dumps([900 * MIB, 1000 * MIB]))
    open_walker(page, walk_link(live, "prague-7", "P7-3"))
    add_photo(page, tmp_path)
    expect(page.get_by_role("alert").filter(has_text=NEARLY_FULL)).to_be_visible()
    page.get_by_role("button", name="Sync", exact=True).click()
    expect(page.locator("#storage-use")).to_have_text("Storage used: 900 of 1000 MB.")
    expect(page.locator(".device-view").get_by_role("alert").filter(has_text=NEARLY_FULL)).to_be_visible()


@pytest.mark.browser
def test_no_warning_while_the_phone_storage_has_room(live, context, page, tmp_path):
    """With 5 % of the quota used, adding a photo and opening the Sync screen show the figure and no warning."""
    context.add_init_script(ESTIMATE % json.dumps([50 * MIB, 1000 * MIB]))
    open_walker(page, walk_link(live, "prague-7", "P7-3"))
    add_photo(page, tmp_path)
    expect(page.locator("#photos-status")).to_have_text("Photo saved.")
    page.get_by_role("button", name="Sync", exact=True).click()
    expect(page.locator("#storage-use")).to_have_text("Storage used: 50 of 1000 MB.")
    expect(page.get_by_text(NEARLY_FULL)).to_have_count(0)


@pytest.mark.browser
def test_location_is_never_taken(live, context, page, tmp_path):
    """A photo, an answer and a sync never ask for the phone's position, and the server holds no location."""
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 50.1035, "longitude": 14.4378})
    context.add_init_script(COUNT_LOCATION)
    sent = []
    page.on("request", lambda r: sent.append(sync_body(r)) if r.method == "POST" and r.url.endswith("/sync") else None)
    open_walker(page, walk_link(live, "prague-7", "P7-3"))
    answer_item(page, "vs4", 2)
    add_photo(page, tmp_path)
    page.get_by_label("Caption").fill("Bench in the shade by the tram stop")
    page.get_by_label("Works well").check()
    # The app offers no switch for location: nothing on the station screen names it.
    expect(page.get_by_label(re.compile("location|position|GPS", re.I))).to_have_count(0)
    page.get_by_role("button", name="Sync", exact=True).click()
    expect(page.get_by_label(re.compile("location|position|GPS", re.I))).to_have_count(0)
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT, timeout=30_000)
    expect(page.locator("#photos-waiting")).to_have_text("No photos waiting to upload.")
    assert page.evaluate(LOCATION_CALLS) == 0
    page.reload()
    assert page.evaluate(LOCATION_CALLS) == 0
    # The count is live: a request for the position made in the tab is seen.
    page.evaluate("() => new Promise((done) => navigator.geolocation.getCurrentPosition(done, done))")
    assert page.evaluate(LOCATION_CALLS) == 1

    photos = [p for body in sent if body for r in body.get("responses", []) for p in r.get("photos") or []]
    assert len(photos) == 1
    assert not location_fields(photos[0]), photos[0]
    with live.app.app_context():
        assert _db.session.execute(_db.select(_db.func.count()).select_from(Photo)).scalar() == 1
        _db.session.remove()
    token = live_admin_token(live)
    listed = live.app.test_client().get("/api/v1/admin/walks/prague-7/photos",
                                         headers={"Authorization": f"Bearer {token}"}).get_json()["photos"]
    assert [p["caption"] for p in listed] == ["Bench in the shade by the tram stop"]
    assert not location_fields(listed[0]), listed[0]
