"""The console's Photos page, the report's PhotoVoice section (page and PDF) and the example photos."""
import io
import re
import zipfile

import pytest

from server.models import Photo
from tests.conftest import csrf_token, each_pdf_page, make_record, page_text, post_sync
from tests.photos import clean_jpeg, photo_meta


@pytest.fixture
def media(app, tmp_path):
    """Media kept in a temporary folder."""
    app.config["MEDIA_URL"] = f"file://{tmp_path / 'media'}"
    app.extensions.pop("media_storage", None)


def plain(reply):
    """Return a page's visible text, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(reply)).split()).replace(" ·", " ·")


def sync_and_upload(client, walk, data, **meta):
    """Sync a checklist with one photo and upload its file; return the photo's metadata."""
    photo = photo_meta(data, **meta)
    post_sync(client, walk, [{**make_record(), "photos": [photo]}])
    reply = client.put(f"/api/v1/walks/{walk.slug}/media/{photo['sha256']}", data=data,
                       headers={"X-Walk-Key": walk.key, "Content-Type": "image/jpeg"})
    assert reply.status_code == 201
    return photo


def test_gallery_lists_photos_hidden_until_shown(admin, seeded, media, db):
    """An admin sees each photo with caption, station and rating, hidden at first, and can show it."""
    walk = seeded["prague-7"]
    photo = sync_and_upload(admin, walk, clean_jpeg(), caption="Ramp by the tram stop")
    waiting = photo_meta(clean_jpeg(color=(9, 9, 9)), caption="Still on the phone", station="P7-2")
    post_sync(admin, walk, [{**make_record(), "photos": [waiting]}])
    text = plain(admin.get("/admin/photos"))
    assert "Ramp by the tram stop" in text and "Works well" in text and "P7-1" in text
    assert "Still on the phone" in text and "Waiting for the file" in text
    assert "2 photos · 1 stored · 1 waiting for the file" in text
    assert "Show in the report" in text
    reply = admin.post(f"/admin/walks/prague-7/photos/{photo['id']}/shown",
                       data={"shown": "true", "csrf_token": csrf_token(admin, "/admin/photos"),
                             "back": "/admin/photos?walk=prague-7"})
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/admin/photos?walk=prague-7")
    assert db.session.execute(db.select(Photo.shown).where(Photo.id == photo["id"])).scalar_one() is True
    shown_only = page_text(admin.get("/admin/photos?shown=true"))
    assert "Ramp by the tram stop" in shown_only and "Still on the phone" not in shown_only
    large = page_text(admin.get(f"/admin/walks/prague-7/photos/{photo['id']}"))
    assert f"/api/v1/admin/walks/prague-7/photos/{photo['id']}/file" in large and "Hide from the report" in large
    assert admin.get(re.search(r'src="([^"]+/thumbnail)"', admin.get("/admin/photos").get_data(as_text=True))
                     .group(1)).mimetype == "image/jpeg"


def test_status_page_counts_photos(admin, seeded, media):
    """The live status page says how many photos are stored and how many wait for their file."""
    walk = seeded["prague-7"]
    sync_and_upload(admin, walk, clean_jpeg())
    post_sync(admin, walk, [{**make_record(), "photos": [photo_meta(clean_jpeg(color=(1, 1, 1)))]}])
    text = plain(admin.get("/admin/walks/prague-7/status"))
    assert "Photos: 1 stored · 1 waiting for the file" in text


def test_audit_status_and_page_count_photos_per_walk(admin, seeded, media, admin_headers):
    """The audit's live status (API and console page) says per walk how many photos are stored and waiting."""
    walk = seeded["prague-7"]
    sync_and_upload(admin, walk, clean_jpeg())
    post_sync(admin, walk, [{**make_record(), "photos": [photo_meta(clean_jpeg(color=(1, 1, 1)))]}])
    status = admin.get("/api/v1/admin/audits/prague-2018/status", headers=admin_headers).get_json()
    assert {w["walk"]: w["photos"] for w in status["walks"]} == {
        "centre": {"stored": 0, "waiting": 0}, "libus": {"stored": 0, "waiting": 0},
        "prague-7": {"stored": 1, "waiting": 1}}
    page = admin.get("/admin/audits/prague-2018")
    assert "Photos: 1 stored · 1 waiting for the file" in plain(page)
    assert 'href="/admin/photos?audit=prague-2018"' in page_text(page)


def test_report_page_and_pdf_show_the_photovoice_section(admin, seeded, media, db, admin_headers):
    """The report counts ratings per topic and shows only the photos an admin chose, captioned in the report's language."""
    walk = seeded["prague-7"]
    shown = sync_and_upload(admin, walk, clean_jpeg(), caption="Schody bez rampy", rating="needs_change")
    sync_and_upload(admin, walk, clean_jpeg(color=(3, 3, 3)), caption="A private moment", rating="works")
    row = db.session.execute(db.select(Photo).where(Photo.id == shown["id"])).scalar_one()
    row.shown, row.caption_translations = True, {"en": "Steps without a ramp"}
    db.session.commit()
    text = plain(admin.get("/admin/report?checklist=integra-city-audit&walk=prague-7"))
    section = text[text.index("PhotoVoice"):]
    assert "Steps without a ramp" in section and "A private moment" not in section
    pdf = admin.get("/api/v1/export/report.pdf?checklist=integra-city-audit&walk=prague-7", headers=admin_headers)
    pages = [textpage.get_text_bounded() for _, textpage in each_pdf_page(pdf.data)]
    last = "\n".join(pages[-2:])
    assert "PhotoVoice" in last and "Steps without a ramp" in last and "A private moment" not in last
    assert "Needs change" in last


def test_load_example_adds_synthetic_photos(runner, admin, seeded, admin_headers, media):
    """load-example adds example photo cards with captions, some shown, that the ZIP holds."""
    result = runner.invoke(args=["load-example"])
    assert result.exit_code == 0 and "32 example photos" in result.output
    photos = admin.get("/api/v1/admin/photos", headers=admin_headers).get_json()["photos"]
    assert len(photos) == 32 and all(p["status"] == "stored" for p in photos)
    assert all(p["caption"].startswith("Example") for p in photos) and 0 < sum(p["shown"] for p in photos) < 32
    again = runner.invoke(args=["load-example"])
    assert "26 duplicate" in again.output and "0 stored now" in again.output
    archive = zipfile.ZipFile(io.BytesIO(admin.get("/api/v1/export/photos.zip", headers=admin_headers).data))
    assert len([n for n in archive.namelist() if n.endswith(".jpg")]) == 32


def test_photos_filter_by_audit_and_review_in_the_api_gallery_and_zip(admin, seeded, media, admin_headers):
    """audit= and review= pick the same photos in the API, the gallery and photos.zip; rejected ones stay out unless asked."""
    from tests.test_audits import PRAGUE_2026, holesovice_walk, stored
    assert admin.post("/api/v1/admin/audits", json=PRAGUE_2026, headers=admin_headers).status_code == 201
    assert admin.post("/api/v1/admin/walks", json=holesovice_walk(), headers=admin_headers).status_code == 201
    old = sync_and_upload(admin, seeded["prague-7"], clean_jpeg(), caption="Old bench 2018")
    new = sync_and_upload(admin, stored("holesovice-2026"), clean_jpeg(color=(5, 5, 5)), station="H26-1",
                          caption="New bench 2026")
    refused = photo_meta(clean_jpeg(color=(7, 7, 7)), caption="Blurred faces 2026", station="H26-1")
    record = {**make_record(), "photos": [refused]}
    post_sync(admin, stored("holesovice-2026"), [record])
    assert admin.post(f"/api/v1/admin/responses/{record['id']}/review", json={"state": "rejected"},
                      headers=admin_headers).status_code == 200

    def listed(query):
        reply = admin.get(f"/api/v1/admin/photos?{query}", headers=admin_headers)
        assert reply.status_code == 200, reply.get_json()
        return {photo["caption"]: photo for photo in reply.get_json()["photos"]}

    assert set(listed("")) == {"Old bench 2018", "New bench 2026"}
    assert set(listed("audit=prague-2026")) == {"New bench 2026"}
    assert set(listed("audit=prague-2018")) == {"Old bench 2018"}
    assert set(listed("audit=prague-2026&review=all")) == {"New bench 2026", "Blurred faces 2026"}
    assert set(listed("review=rejected")) == {"Blurred faces 2026"}
    assert listed("review=rejected")["Blurred faces 2026"]["review"] == "rejected"
    assert listed("")["New bench 2026"]["audit"] == "prague-2026"
    walk_list = admin.get("/api/v1/admin/walks/holesovice-2026/photos?review=received,rejected",
                          headers=admin_headers).get_json()["photos"]
    assert {photo["caption"] for photo in walk_list} == {"New bench 2026", "Blurred faces 2026"}
    assert admin.get("/api/v1/admin/photos?review=lost", headers=admin_headers).status_code == 400
    assert admin.get("/api/v1/admin/photos?audit=nowhere", headers=admin_headers).status_code == 404

    gallery = plain(admin.get("/admin/photos?audit=prague-2026"))
    assert "New bench 2026" in gallery and "Old bench 2018" not in gallery and "Blurred faces" not in gallery
    assert "Review: all checklists except rejected ones." in gallery
    every = plain(admin.get("/admin/photos?audit=prague-2026&review=received&review=rejected"))
    assert "Blurred faces 2026" in every and "checklist rejected" in every
    zip_href = re.search(r'href="(/api/v1/export/photos\.zip[^"]*)"', page_text(
        admin.get("/admin/photos?audit=prague-2026&review=rejected"))).group(1)
    assert "audit=prague-2026" in zip_href and "review=rejected" in zip_href

    def zipped(query):
        reply = admin.get(f"/api/v1/export/photos.zip?{query}", headers=admin_headers)
        archive = zipfile.ZipFile(io.BytesIO(reply.data))
        return archive.read("photos.csv").decode("utf-8-sig"), reply.headers["Content-Disposition"]

    table, name = zipped("audit=prague-2026")
    assert new["id"] in table and old["id"] not in table and refused["id"] not in table
    assert "prague-2026-photos" in name
    table, _ = zipped("audit=prague-2026&review=all")
    assert refused["id"] in table and ",rejected," in table


def test_admin_translates_a_caption_and_the_report_pdf_uses_it(admin, seeded, media, db, admin_headers):
    """An admin adds a Czech caption translation on the photo's page; the Czech report PDF shows it, English the original."""
    walk = seeded["prague-7"]
    photo = sync_and_upload(admin, walk, clean_jpeg(), caption="Steps without a ramp", rating="needs_change")
    view = f"/admin/walks/prague-7/photos/{photo['id']}"
    token = csrf_token(admin, view)
    admin.post(f"{view}/shown", data={"shown": "true", "csrf_token": token})
    page = page_text(admin.get(view))
    assert 'name="caption_cs"' in page and 'name="caption_uk"' in page
    reply = admin.post(f"{view}/captions", data={"caption_cs": " Schody bez rampy ", "caption_uk": "",
                                                 "csrf_token": token, "back": "/admin/photos?walk=prague-7"})
    assert reply.status_code == 302
    assert "translations are saved" in plain(admin.get(reply.headers["Location"]))
    db.session.expire_all()
    assert translations_of(db, photo) == {
        "cs": "Schody bez rampy"}
    assert ">Schody bez rampy</textarea>" in page_text(admin.get(view))

    def pdf_text(lang):
        pdf = admin.get(f"/api/v1/export/report.pdf?checklist=integra-city-audit&walk=prague-7&lang={lang}",
                        headers=admin_headers)
        return "\n".join(page.get_text_bounded() for _, page in each_pdf_page(pdf.data))

    assert "Schody bez rampy" in pdf_text("cs")
    english = pdf_text("en")
    assert "Steps without a ramp" in english and "Schody bez rampy" not in english
    too_long = admin.post(f"{view}/captions", data={"caption_cs": "x" * 1001, "csrf_token": token},
                          follow_redirects=True)
    assert "Not saved" in plain(too_long)
    db.session.expire_all()
    assert translations_of(db, photo) == {
        "cs": "Schody bez rampy"}
    emptied = admin.post(f"{view}/captions", data={"caption_cs": "", "csrf_token": token})
    assert emptied.status_code == 302
    db.session.expire_all()
    assert translations_of(db, photo) is None


def translations_of(db, photo):
    """Return a stored photo's caption translations."""
    db.session.expire_all()
    return db.session.execute(db.select(Photo.caption_translations).where(Photo.id == photo["id"])).scalar_one()


def test_api_patch_sets_caption_translations(admin, seeded, media, admin_headers, db):
    """PATCH on a photo stores trimmed caption translations and drops emptied ones."""
    photo = sync_and_upload(admin, seeded["prague-7"], clean_jpeg(), caption="Steps")
    url = f"/api/v1/admin/walks/prague-7/photos/{photo['id']}"
    reply = admin.patch(url, json={"caption_translations": {"uk": " Сходи ", "cs": ""}}, headers=admin_headers)
    assert reply.status_code == 200 and reply.get_json()["caption_translations"] == {"uk": "Сходи"}
    assert translations_of(db, photo) == {"uk": "Сходи"}


def test_report_photovoice_leaves_out_photos_of_rejected_checklists(admin, seeded, media, db, admin_headers):
    """A shown photo whose checklist a reviewer rejected leaves the report's PhotoVoice section, as its answers do."""
    walk = seeded["prague-7"]
    sync_and_upload(admin, walk, clean_jpeg(), caption="Wide pavement")
    photo = photo_meta(clean_jpeg(color=(40, 40, 40)), caption="Faces in the crowd")
    record = {**make_record(), "photos": [photo]}
    post_sync(admin, walk, [record])
    admin.put(f"/api/v1/walks/prague-7/media/{photo['sha256']}", data=clean_jpeg(color=(40, 40, 40)),
              headers={"X-Walk-Key": walk.key, "Content-Type": "image/jpeg"})
    db.session.execute(db.update(Photo).values(shown=True))
    db.session.commit()
    assert admin.post(f"/api/v1/admin/responses/{record['id']}/review", json={"state": "rejected"},
                      headers=admin_headers).status_code == 200
    text = plain(admin.get("/admin/report?checklist=integra-city-audit&walk=prague-7"))
    section = text[text.index("PhotoVoice"):]
    assert "Wide pavement" in section and "Faces in the crowd" not in section
    everything = plain(admin.get("/admin/report?checklist=integra-city-audit&walk=prague-7&review=all"))
    assert "Faces in the crowd" in everything[everything.index("PhotoVoice"):]
