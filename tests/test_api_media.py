"""Photo and voice uploads: PUT/HEAD /walks/<slug>/media/<sha256>, on the folder and on S3 storage."""
import csv
import io
import uuid
import zipfile

import pytest
from PIL import Image
from sqlalchemy import func, select

from server.extensions import db as _db
from server.media.storage import file_key, media_storage, thumbnail_key
from server.models import MediaFile, Photo, SyncLogEntry, Walk
from tests.conftest import make_record, post_sync, seeded_app
from tests.photos import MotoServer, clean_jpeg, has_gps, jpeg_with_gps, photo_meta, s3_credentials, sha


@pytest.fixture(scope="module")
def moto():
    """moto's stand-alone S3 server, started once for this module."""
    s3_credentials()
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["folder", "s3"])
def media_config(request, tmp_path):
    """Config for each storage backend: a folder, or a fresh bucket on the moto server."""
    if request.param == "folder":
        return {"MEDIA_URL": f"file://{tmp_path / 'media'}"}
    server = request.getfixturevalue("moto")
    bucket = server.make_bucket(f"media-{uuid.uuid4().hex[:12]}")
    return {"MEDIA_URL": f"s3://{bucket}/city-audit", "MEDIA_S3_ENDPOINT_URL": server.url}


@pytest.fixture
def walk_app(_schema, media_config):
    """An app with seeded walks on the storage backend under test; yields (app, walks)."""
    with seeded_app(_schema, **media_config) as (app, walks):
        yield app, walks


def put(client, walk, data, *, digest=None, key=None, content_type="image/jpeg", headers=None):
    """PUT a file to the walk's media address."""
    return client.put(f"/api/v1/walks/{walk.slug}/media/{digest or sha(data)}", data=data,
                      headers={"X-Walk-Key": walk.key if key is None else key, "Content-Type": content_type,
                               **(headers or {})})


def head(client, walk, digest):
    """HEAD the walk's media address."""
    return client.head(f"/api/v1/walks/{walk.slug}/media/{digest}", headers={"X-Walk-Key": walk.key})


def sync_photo(client, walk, data, **meta):
    """Sync a checklist carrying one photo of `data`; return the photo's metadata."""
    photo = photo_meta(data, **meta)
    reply = post_sync(client, walk, [{**make_record(), "photos": [photo]}])
    assert reply.get_json()["results"][0]["status"] == "accepted", reply.get_json()
    return photo


def nothing_stored(digest):
    """Tell that neither the database nor the storage holds the file."""
    held = _db.session.get(MediaFile, digest)
    return held is None and not media_storage().exists(file_key(digest))


def test_upload_stores_once_without_gps_and_makes_a_thumbnail(walk_app):
    """A phone photo with GPS is stored once, ≤ 1600 px, without EXIF, with a ~320 px thumbnail; resends change nothing."""
    app, walks = walk_app
    client, walk = app.test_client(), walks["prague-7"]
    data = jpeg_with_gps()
    photo = sync_photo(client, walk, data)
    assert head(client, walk, photo["sha256"]).status_code == 404
    assert put(client, walk, data).status_code == 201
    assert head(client, walk, photo["sha256"]).status_code == 200
    assert put(client, walk, data).status_code == 200
    storage = media_storage()
    stored = storage.read(file_key(photo["sha256"]))
    assert not has_gps(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert max(image.size) == 1600 and not image.getexif()
    with Image.open(io.BytesIO(storage.read(thumbnail_key(photo["sha256"])))) as thumb:
        assert max(thumb.size) == 320
    assert _db.session.execute(select(func.count()).select_from(MediaFile)).scalar_one() == 1


def test_a_clean_photo_is_kept_byte_for_byte(walk_app):
    """A photo the app already resized without metadata is stored exactly as sent."""
    app, walks = walk_app
    client, walk = app.test_client(), walks["prague-7"]
    data = clean_jpeg()
    sync_photo(client, walk, data)
    assert put(client, walk, data).status_code == 201
    assert media_storage().read(file_key(sha(data))) == data


def test_two_nodes_share_the_files(walk_app, media_config, _schema):
    """A file uploaded through one server node is held, listed and downloadable through another."""
    app, walks = walk_app
    walk = walks["prague-7"]
    data = clean_jpeg(color=(10, 20, 30))
    photo = sync_photo(app.test_client(), walk, data)
    assert put(app.test_client(), walk, data).status_code == 201
    from server import create_app
    from tests.conftest import app_config, make_token
    other = create_app(app_config(_schema, **media_config))
    with other.app_context():
        client = other.test_client()
        assert client.head(f"/api/v1/walks/prague-7/media/{photo['sha256']}",
                           headers={"X-Walk-Key": walk.key}).status_code == 200
        token = make_token("admin")
        reply = client.get(f"/api/v1/admin/walks/prague-7/photos/{photo['id']}/file",
                           headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200 and reply.data == data
        _db.session.remove()
        _db.engine.dispose()


def test_zip_holds_every_stored_photo_and_the_csv(walk_app):
    """photos.zip holds <station>/<photo id>.jpg for each stored photo and photos.csv with every photo."""
    app, walks = walk_app
    client, walk = app.test_client(), walks["prague-7"]
    first, second = clean_jpeg(color=(1, 2, 3)), clean_jpeg(color=(200, 2, 3))
    arrived = sync_photo(client, walk, first, caption="=HYPERLINK(\"x\")")
    waiting = sync_photo(client, walk, second, station="P7-2", rating="needs_change")
    assert put(client, walk, first).status_code == 201
    from tests.conftest import make_token
    reply = client.get("/api/v1/export/photos.zip?walk=prague-7",
                       headers={"Authorization": f"Bearer {make_token('admin')}"})
    assert reply.status_code == 200 and reply.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(reply.data))
    assert archive.read(f"P7-1/{arrived['id']}.jpg") == first
    assert f"P7-2/{waiting['id']}.jpg" not in archive.namelist()
    table = archive.read("photos.csv").decode("utf-8-sig")
    assert arrived["id"] in table and waiting["id"] in table and "waiting" in table
    assert "'=HYPERLINK" in table  # a caption cannot run as a spreadsheet formula


@pytest.mark.parametrize("caption", ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"])
def test_photos_csv_quotes_captions_a_spreadsheet_would_run(client, walks, caption):
    """A caption typed as a formula is in photos.csv as text with a leading ', the rest as written."""
    photo = sync_photo(client, walks["prague-7"], clean_jpeg(), caption=caption)
    from tests.conftest import make_token
    reply = client.get("/api/v1/export/photos.zip?walk=prague-7",
                       headers={"Authorization": f"Bearer {make_token('admin')}"})
    table = zipfile.ZipFile(io.BytesIO(reply.data)).read("photos.csv").decode("utf-8-sig")
    row = next(row for row in csv.DictReader(io.StringIO(table)) if row["photo_id"] == photo["id"])
    assert row["caption"] == "'" + caption


@pytest.fixture
def walks(seeded, tmp_path, app):
    """The seeded walks, media kept in a temporary folder."""
    app.config["MEDIA_URL"] = f"file://{tmp_path / 'media'}"
    app.extensions.pop("media_storage", None)
    return seeded


def test_wrong_hash_is_refused_and_nothing_written(client, walks):
    """A body whose SHA-256 is not the one in the address gets 400 and is not kept."""
    walk = walks["prague-7"]
    data = clean_jpeg()
    photo = sync_photo(client, walk, data)
    damaged = data[:-10] + b"0123456789"
    reply = put(client, walk, damaged, digest=photo["sha256"])
    assert reply.status_code == 400 and reply.get_json()["error"]["code"] == "hash_mismatch"
    assert nothing_stored(photo["sha256"])
    assert list((media_storage().incoming).glob("*")) == []


def test_not_an_image_is_refused(client, walks):
    """Bytes that are not a readable image of the declared type get 400 and are not kept."""
    walk = walks["prague-7"]
    junk = b"this is not a photo" * 100
    meta = photo_meta(clean_jpeg())
    meta.update(sha256=sha(junk), bytes=len(junk))
    post_sync(client, walk, [{**make_record(), "photos": [meta]}])
    reply = put(client, walk, junk)
    assert reply.status_code == 400 and reply.get_json()["error"]["code"] == "not_decodable"
    assert nothing_stored(sha(junk))
    truncated = clean_jpeg()[:3000]
    meta.update(sha256=sha(truncated), bytes=len(truncated), id=str(uuid.uuid4()))
    post_sync(client, walk, [{**make_record(), "photos": [meta]}])
    assert put(client, walk, truncated).status_code == 400
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, "PNG")
    meta.update(sha256=sha(png.getvalue()), bytes=len(png.getvalue()), id=str(uuid.uuid4()))
    post_sync(client, walk, [{**make_record(), "photos": [meta]}])
    reply = put(client, walk, png.getvalue(), content_type="image/jpeg")
    assert reply.status_code == 400 and reply.get_json()["error"]["code"] == "not_decodable"
    assert nothing_stored(sha(png.getvalue()))


def test_too_big_is_refused_from_content_length(client, walks, app):
    """A file over the limit gets 413 from its Content-Length, before the body is read."""
    app.config["MEDIA_MAX_BYTES"] = 1000
    walk = walks["prague-7"]
    data = clean_jpeg()
    sync_photo(client, walk, data)
    reply = put(client, walk, data)
    assert reply.status_code == 413 and reply.get_json()["error"]["details"] == {"max_bytes": 1000}
    assert nothing_stored(sha(data))


def test_too_big_without_length_is_refused_while_reading(client, walks, app):
    """A body sent without Content-Length is cut off at the limit with 413."""
    app.config["MEDIA_MAX_BYTES"] = 1000
    walk = walks["prague-7"]
    data = clean_jpeg()
    sync_photo(client, walk, data)
    reply = client.put(f"/api/v1/walks/prague-7/media/{sha(data)}", input_stream=io.BytesIO(data),
                       headers={"X-Walk-Key": walk.key, "Content-Type": "image/jpeg",
                                "Transfer-Encoding": "chunked"}, environ_base={"wsgi.input_terminated": True})
    assert reply.status_code == 413
    assert nothing_stored(sha(data))


def test_wrong_or_rotated_key_is_refused_before_reading(client, walks, db):
    """A wrong key or one replaced by a rotation gets 403; nothing is stored or logged."""
    walk = walks["prague-7"]
    data = clean_jpeg()
    sync_photo(client, walk, data)
    logged = db.session.execute(select(func.count()).select_from(SyncLogEntry)).scalar_one()
    reply = put(client, walk, data, key="not-the-key")
    assert reply.status_code == 403 and reply.get_json()["error"]["code"] == "wrong_walk_key"
    old_key = walk.key
    walk.rotate_key()
    db.session.commit()
    reply = put(client, walk, data, key=old_key)
    assert reply.status_code == 403 and reply.get_json()["error"]["code"] == "walk_key_replaced"
    assert client.head(f"/api/v1/walks/prague-7/media/{sha(data)}", headers={"X-Walk-Key": old_key}).status_code == 403
    assert nothing_stored(sha(data))
    assert db.session.execute(select(func.count()).select_from(SyncLogEntry)).scalar_one() == logged


def test_unknown_walk_and_unnamed_file_are_refused(client, walks):
    """An unknown walk gets 404; a file no synced photo names gets 409; a bad address 400."""
    walk = walks["prague-7"]
    data = clean_jpeg()
    reply = client.put(f"/api/v1/walks/nowhere/media/{sha(data)}", data=data,
                       headers={"X-Walk-Key": walk.key, "Content-Type": "image/jpeg"})
    assert reply.status_code == 404 and reply.get_json()["error"]["code"] == "not_found"
    reply = put(client, walk, data)
    assert reply.status_code == 409 and reply.get_json()["error"]["code"] == "unknown_file"
    assert put(client, walk, data, digest="ABC").status_code == 400
    assert put(client, walk, data, content_type="text/html").status_code == 415
    assert nothing_stored(sha(data))


def test_voice_note_is_stored_beside_its_photo(client, walks, admin_headers):
    """A voice note (WebM from the recorder) is accepted as audio and downloadable; a photo sent as audio is not."""
    walk = walks["prague-7"]
    image = clean_jpeg()
    voice = b"\x1a\x45\xdf\xa3" + b"\x00" * 500
    photo = sync_photo(client, walk, image, voice={"sha256": sha(voice), "bytes": len(voice),
                                                   "content_type": "audio/webm", "duration_s": 12.5})
    assert put(client, walk, voice, content_type="audio/webm;codecs=opus").status_code == 201
    assert put(client, walk, image, content_type="audio/webm").status_code == 400
    listed = client.get("/api/v1/admin/walks/prague-7/photos", headers=admin_headers).get_json()["photos"]
    assert listed[0]["status"] == "waiting"  # the photo itself has not arrived
    assert put(client, walk, image).status_code == 201
    listed = client.get("/api/v1/admin/walks/prague-7/photos", headers=admin_headers).get_json()["photos"]
    assert listed[0]["status"] == "stored"
    assert client.get(listed[0]["voice_url"], headers=admin_headers).data == voice
    assert photo["id"] == listed[0]["id"]


def test_photo_rows_follow_the_checklist(client, walks, db):
    """A photo's caption and rating are stored with its checklist; a new revision edits them like answers."""
    walk = walks["prague-7"]
    data = clean_jpeg()
    photo = photo_meta(data)
    record = {**make_record(), "photos": [photo]}
    post_sync(client, walk, [record])
    stored = db.session.get(Photo, (photo["id"], record["id"]))
    assert (stored.caption, stored.rating, stored.station_code) == ("A ramp at the entrance", "works", "P7-1")
    stored.shown = True
    db.session.commit()
    edited = {**record, "revision": 2, "photos": [{**photo, "caption": "A steep ramp", "rating": "needs_change"}]}
    assert post_sync(client, walk, [edited]).get_json()["results"][0]["status"] == "accepted"
    db.session.expire_all()
    stored = db.session.get(Photo, (photo["id"], record["id"]))
    assert (stored.caption, stored.rating, stored.shown) == ("A steep ramp", "needs_change", True)
    assert post_sync(client, walk, [edited]).get_json()["results"][0]["status"] == "duplicate"
    other = {**make_record(), "photos": [{**photo, "caption": "Someone else's"}]}
    assert post_sync(client, walk, [other]).get_json()["results"][0]["status"] == "accepted"
    db.session.expire_all()
    stored = db.session.get(Photo, (photo["id"], record["id"]))
    assert (stored.caption, stored.shown) == ("A steep ramp", True)  # another checklist cannot take it over


def test_admin_lists_shows_and_hides_photos(client, walks, admin_headers):
    """Admins see every photo with its status; photos start hidden and can be shown; facilitators of other walks cannot."""
    walk = walks["prague-7"]
    data = clean_jpeg()
    photo = sync_photo(client, walk, data)
    listed = client.get("/api/v1/admin/walks/prague-7/photos", headers=admin_headers).get_json()["photos"]
    assert [(p["id"], p["status"], p["shown"], p["group"], p["url"]) for p in listed] == \
        [(photo["id"], "waiting", False, "tcn", None)]
    assert client.get(f"/api/v1/admin/walks/prague-7/photos/{photo['id']}/file",
                      headers=admin_headers).status_code == 404
    put(client, walk, data)
    listed = client.get("/api/v1/admin/walks/prague-7/photos", headers=admin_headers).get_json()["photos"]
    assert listed[0]["status"] == "stored"
    assert client.get(listed[0]["thumbnail_url"], headers=admin_headers).mimetype == "image/jpeg"
    reply = client.patch(f"/api/v1/admin/walks/prague-7/photos/{photo['id']}", json={"shown": True},
                         headers=admin_headers)
    assert reply.status_code == 200 and reply.get_json()["shown"] is True
    assert client.get("/api/v1/admin/photos?shown=true", headers=admin_headers).get_json()["photos"][0]["id"] \
        == photo["id"]
    assert client.get("/api/v1/admin/walks/prague-7/photos?rating=bad", headers=admin_headers).status_code == 400
    from tests.conftest import bearer, make_token
    other = bearer(make_token("facilitator", walks=["libus"]))
    assert client.get("/api/v1/admin/walks/prague-7/photos", headers=other).status_code == 403
    assert client.get(listed[0]["url"], headers=other).status_code == 403
    assert client.get("/api/v1/admin/photos", headers=other).get_json()["photos"] == []


def test_status_counts_photos_stored_and_waiting(client, walks, admin_headers):
    """The live status of a walk counts photos whose files arrived and those still waiting."""
    walk = walks["prague-7"]
    first, second = clean_jpeg(color=(5, 5, 5)), clean_jpeg(color=(250, 5, 5))
    sync_photo(client, walk, first)
    sync_photo(client, walk, second)
    put(client, walk, first)
    status = client.get("/api/v1/admin/walks/prague-7/status", headers=admin_headers).get_json()
    assert status["photos"] == {"stored": 1, "waiting": 1}


def test_unreferenced_files_are_deleted_shared_ones_kept(client, walks, db):
    """delete_unreferenced removes a file no photo names and keeps one another photo still names."""
    from server.media.photos import delete_unreferenced
    walk = walks["prague-7"]
    data = clean_jpeg()
    photo = sync_photo(client, walk, data)
    put(client, walk, data)
    assert delete_unreferenced([photo["sha256"]]) == 0
    db.session.execute(Photo.__table__.delete())
    db.session.commit()
    assert delete_unreferenced([photo["sha256"]]) == 1
    assert nothing_stored(photo["sha256"])
    assert not media_storage().exists(thumbnail_key(photo["sha256"]))


def test_upload_stores_while_another_request_writes(client, walks, db, monkeypatch):
    """A file whose upload ends while another request holds the write lock is stored (201), not refused as busy."""
    import threading
    import time

    import server.media.uploads as uploads
    walk = walks["prague-7"]
    data = clean_jpeg()
    sync_photo(client, walk, data)
    checked, locked, engine = uploads.check_file, threading.Event(), db.engine

    def another_request():
        with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as other:
            other.execute(Walk.__table__.update().where(Walk.__table__.c.id == walk.id).values(closed=False))
            locked.set()
            time.sleep(1)
            other.commit()

    def check_while_another_writes(path, content_type):
        writer = threading.Thread(target=another_request)
        writer.start()
        locked.wait(10)
        check_while_another_writes.writer = writer
        return checked(path, content_type)

    monkeypatch.setattr(uploads, "check_file", check_while_another_writes)
    assert put(client, walk, data).status_code == 201
    check_while_another_writes.writer.join()
    assert not nothing_stored(sha(data))


def test_deleting_a_checklist_deletes_its_photos_and_files(client, walks, admin_headers, db):
    """An admin deleting a participant's checklist removes its photos' rows, files and thumbnails from storage."""
    walk = walks["prague-7"]
    data = clean_jpeg()
    photo = photo_meta(data)
    record = {**make_record(), "photos": [photo]}
    post_sync(client, walk, [record])
    assert put(client, walk, data).status_code == 201
    reply = client.delete(f"/api/v1/admin/responses/{record['id']}", json={"reason": "The participant asked."},
                          headers=admin_headers)
    assert reply.status_code == 200 and reply.get_json()["photos"] == 1
    assert db.session.execute(select(func.count()).select_from(Photo)).scalar_one() == 0
    assert nothing_stored(photo["sha256"]) and not media_storage().exists(thumbnail_key(photo["sha256"]))
