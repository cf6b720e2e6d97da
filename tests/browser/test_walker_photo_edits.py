"""PhotoVoice in the walker app: a photo is re-captioned or removed before it is sent, and edited after."""
import pytest
from playwright.sync_api import expect

from server.extensions import db as _db
from server.models import Response
from tests.photos import clean_jpeg

from .conftest import EVERYTHING_SENT, open_walker, walk_link
from .test_walker_photos import SAVED_PHOTO, add_phone_photo, server_photos

DEVICE_FILES = """async () => {
  const db = await new Promise((ok) => { const r = indexedDB.open("city-audit-walker"); r.onsuccess = () => ok(r.result); });
  const files = await new Promise((ok) => {
    db.transaction("media").objectStore("media").getAll().onsuccess = (e) => ok(e.target.result); });
  db.close();
  return files.length;
}"""


def sync(page):
    """Send everything from the Sync tab and wait until it is all on the server."""
    page.get_by_role("button", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT, timeout=30_000)


@pytest.mark.browser
def test_photo_is_recaptioned_or_removed_before_sync_and_edited_after(live, page, tmp_path):
    """A removed photo leaves the phone and never reaches the server; a caption edited after sync is a new revision."""
    open_walker(page, walk_link(live, "prague-7", "P7-1"))
    add_phone_photo(page, tmp_path)
    page.get_by_label("Caption").fill("Blurred, take it again")
    page.wait_for_function(SAVED_PHOTO, arg=["Blurred, take it again", None])
    page.get_by_role("button", name="Remove photo").click()
    expect(page.get_by_label("Caption")).to_have_count(0)
    page.wait_for_function(f"async () => ({DEVICE_FILES})() === 0")

    second = tmp_path / "IMG_0002.jpg"
    second.write_bytes(clean_jpeg(1200, 900, (30, 90, 200)))
    page.get_by_label("Add photo").set_input_files(str(second))
    caption = page.get_by_label("Caption")
    caption.fill("A ramp")
    caption.fill("A ramp at the entrance")
    page.get_by_label("Works well").check()
    page.wait_for_function(SAVED_PHOTO, arg=["A ramp at the entrance", "works"])
    sync(page)
    photos, files = server_photos(live)
    assert files == 1 and [(p["caption"], p["rating"]) for p, _ in photos] == [("A ramp at the entrance", "works")]

    uploads = []
    page.on("request", lambda r: "/media/" in r.url and r.method == "PUT" and uploads.append(r.url))
    page.goto(walk_link(live, "prague-7", "P7-1"))
    page.get_by_label("Caption").fill("A ramp at the side entrance")
    page.get_by_label("Needs change").check()
    page.wait_for_function(SAVED_PHOTO, arg=["A ramp at the side entrance", "needs_change"])
    sync(page)
    photos, files = server_photos(live)
    assert files == 1 and [(p["caption"], p["rating"]) for p, _ in photos] == [
        ("A ramp at the side entrance", "needs_change")]
    assert uploads == []
    with live.app.app_context():
        assert [r.revision for r in _db.session.execute(_db.select(Response)).scalars()] == [2]
        _db.session.remove()


V1_DATABASE = """async (record) => {
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open("city-audit-walker", 1);
    r.onupgradeneeded = () => {
      const d = r.result;
      d.createObjectStore("meta");
      d.createObjectStore("walks", {keyPath: "slug"});
      d.createObjectStore("checklists", {keyPath: ["slug", "version"]});
      d.createObjectStore("keys", {keyPath: "walk"});
      d.createObjectStore("records", {keyPath: "id"}).createIndex("walk", "walk");
    };
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  await new Promise((ok) => {
    const tx = db.transaction("records", "readwrite");
    tx.objectStore("records").put(record);
    tx.oncomplete = ok;
  });
  db.close();
}"""

DATABASE_NOW = """async (id) => {
  const db = await new Promise((ok) => { const r = indexedDB.open("city-audit-walker"); r.onsuccess = () => ok(r.result); });
  const record = await new Promise((ok) => {
    db.transaction("records").objectStore("records").get(id).onsuccess = (e) => ok(e.target.result); });
  const out = {version: db.version, stores: [...db.objectStoreNames].sort(), answers: record ? record.answers : null};
  db.close();
  return out;
}"""


@pytest.mark.browser
def test_the_photo_store_upgrade_keeps_checklists_saved_by_the_older_app(live, page, tmp_path):
    """A phone whose app saved a checklist before photos existed keeps it, and can add photos, after the upgrade."""
    from tests.conftest import make_answer, make_record
    page.goto(f"{live.url}/api/v1/walks")  # the app's origin, before the app runs
    record = {**make_record([make_answer("ue1", 4, station="P7-1")]), "walk": "prague-7", "number": 1,
              "syncState": "in-progress", "sentRevision": 0, "syncedRevision": 0, "refusal": None}
    page.evaluate(V1_DATABASE, record)
    open_walker(page, walk_link(live, "prague-7", "P7-1"))
    page.wait_for_function(f"async () => ({DATABASE_NOW})({record['id']!r}).then((db) => db.version === 2)")
    now = page.evaluate(DATABASE_NOW, record["id"])
    assert now["stores"] == ["checklists", "keys", "media", "meta", "records", "walks"]
    assert [(a["item"], a["score"]) for a in now["answers"]] == [("ue1", 4)]
    add_phone_photo(page, tmp_path)
    page.wait_for_function(f"async () => ({DEVICE_FILES})() === 1")
