"""Console checklist pages: author a checklist, edit it into a new version, preview it, import and export XLSForm."""
import io
import re

from sqlalchemy import select

from server.catalog.xlsform import checklist_to_xlsform
from server.extensions import db
from server.models import Checklist, Walk
from tests.conftest import csrf_token, make_answer, make_record, post_sync
from tests.conftest import page_text as text
from tests.definitions import small_checklist


def fields(page):
    """Return the editor's current field values (inputs, textareas, checked boxes), as a browser would post them."""
    html = page.get_data(as_text=True)
    values = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = __import__("html").unescape(value.group(1)) if value else ""
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = __import__("html").unescape(value)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option(?: value="([^"]*)")?[^>]*selected[^>]*>([^<]*)<', body)
        if chosen:
            values[name] = chosen.group(1) if chosen.group(1) is not None else chosen.group(2)
    return values


def press(client, path, page, action, **changes):
    """Post the editor as shown on `page`, with some fields changed, pressing the button `action`."""
    return client.post(path, data={**fields(page), **changes, "action": action})


def versions(slug):
    db.session.expire_all()
    return db.session.execute(select(Checklist.version).where(Checklist.slug == slug)
                              .order_by(Checklist.version)).scalars().all()


def test_admin_authors_a_one_to_four_checklist_in_three_languages(admin):
    """An admin builds topics and items, adds Ukrainian, sets a 1–4 scale without "don't know", and saves."""
    path = "/admin/checklists/new"
    page = admin.get(path)
    assert page.status_code == 200 and "Preview" in text(page)
    page = press(admin, path, page, "add_language", new_language="uk")
    assert "Ukrainian" in text(page) and 'name="title_uk"' in page.get_data(as_text=True)
    page = press(admin, path, page, "add_item:0")
    page = press(admin, path, page, "add_topic")
    page = press(admin, path, page, "preview", slug="brno-bikes", title_en="Cycling in Brno", title_cs="Cyklistika",
                 scale_max="4", dont_know="", t0_id="paths", t0_title_en="Paths", t0_i0_id="wide",
                 t0_i0_text_en="Paths are wide", t0_i0_text_cs="Stezky jsou široké", t0_i0_text_uk="Доріжки широкі",
                 t0_i1_id="lit", t0_i1_text_en="Paths are lit", t1_id="parking", t1_title_en="Parking",
                 t1_i0_id="racks", t1_i0_text_en="There are racks", scale_label_1_en="poor", scale_label_4_en="good")
    shown = text(page)
    assert "untranslated" in shown  # lit has no Czech or Ukrainian yet
    assert 'name="scale_label_5_en"' not in page.get_data(as_text=True)  # the 1–4 scale has no 5
    page = press(admin, path, page, "item_up:0:1")  # "lit" before "wide"
    reply = press(admin, path, page, "save")
    assert reply.status_code == 302, text(reply)[:2000]
    saved = admin.get("/api/v1/checklists/brno-bikes").json
    assert saved["version"] == 1 and saved["languages"] == ["en", "cs", "uk"]
    assert saved["scale"] == {"min": 1, "max": 4, "dont_know": False,
                              "labels": {"1": {"en": "poor"}, "4": {"en": "good"}}}
    assert [[i["id"] for i in t["items"]] for t in saved["topics"]] == [["lit", "wide"], ["racks"]]
    assert saved["topics"][0]["items"][1]["text"] == {"en": "Paths are wide", "cs": "Stezky jsou široké",
                                                      "uk": "Доріжки широкі"}


def test_an_invalid_draft_is_shown_again_with_reasons_and_nothing_saved(admin):
    """A duplicated item id or a missing English text is named per topic and item; nothing is saved."""
    path = "/admin/checklists/new"
    page = admin.get(path)
    page = press(admin, path, page, "add_item:0")
    reply = press(admin, path, page, "save", slug="dup", title_en="Dup", t0_i0_id="same", t0_i0_text_en="A",
                  t0_i1_id="same", t0_i1_text_en="", t0_title_en="T")
    assert reply.status_code == 400
    shown = text(reply)
    assert "Nothing was saved" in shown and "Topic 1, item 2 (same)" in shown and "used twice" in shown
    assert versions("dup") == []


def test_saving_a_used_checklist_makes_a_new_version_and_walks_keep_theirs(admin, seeded):
    """Editing INTEGRA after checklists arrived saves version 2; the walks stay on version 1 until moved."""
    record = make_record([make_answer("ue2", 4, station="CE-1")])
    assert post_sync(admin, seeded["centre"], [record]).status_code == 200
    path = "/admin/checklists/integra-city-audit/edit"
    page = admin.get(path)
    assert page.status_code == 200
    reply = press(admin, path, page, "save")  # unchanged: no new version
    assert reply.status_code == 302 and versions("integra-city-audit") == [1]
    page = admin.get(path)
    reply = press(admin, path, page, "save", t0_i0_text_en="The city has a diversity strategy.")
    assert reply.status_code == 302 and versions("integra-city-audit") == [1, 2]
    v1 = admin.get("/api/v1/checklists/integra-city-audit?version=1").json
    v2 = admin.get("/api/v1/checklists/integra-city-audit?version=2").json
    assert v1["topics"][0]["items"][0]["text"]["en"].startswith("The city has a strategy for promoting")
    assert v2["topics"][0]["items"][0]["text"]["en"] == "The city has a diversity strategy."
    assert v2["topics"][0]["items"][1]["reconstructed"] is True  # what the editor does not show is kept
    assert {k: v for k, v in v2.items() if k not in ("topics", "version")} == \
        {k: v for k, v in v1.items() if k not in ("topics", "version")}
    assert {w.checklist_version for w in db.session.execute(select(Walk)).scalars()} == {1}
    page = text(admin.get("/admin/checklists/integra-city-audit"))
    assert "version 2" in page and "centre" in page


def test_checklist_page_previews_in_a_language_and_offers_the_xlsform(admin, seeded):
    """The checklist page shows a phone preview in the chosen language and links the XLSForm download."""
    page = admin.get("/admin/checklists/integra-city-audit?lang=cs")
    shown = text(page)
    assert "phone-preview" in page.get_data(as_text=True)
    assert "Město má strategii" in shown and "Don't know" in shown
    assert "/api/v1/checklists/integra-city-audit.xlsx?version=1" in shown
    assert "Checklists" in text(admin.get("/admin/checklists"))


def test_console_import_lists_refused_rows_and_saves_nothing(admin):
    """Uploading a form with a geopoint shows the row in a list; a checklist form is imported."""
    from tests.test_xlsform import workbook
    bad = workbook([["type", "name", "label"], ["begin_group", "g", "G"], ["select_one s14", "a", "A"],
                    ["geopoint", "gps", "Where"], ["end_group", None, None]])
    token = csrf_token(admin, "/admin/checklists/import")
    reply = admin.post("/admin/checklists/import", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(bad), "odk.xlsx")})
    assert reply.status_code == 422
    shown = text(reply)
    assert "nothing was saved" in shown and "geopoint" in shown and "<td class=\"num\">4</td>" in shown
    assert versions("brno-form") == []
    reply = admin.post("/admin/checklists/import", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(checklist_to_xlsform(small_checklist())),
                                                           "bikes.xlsx")})
    assert reply.status_code == 302 and versions("bike-audit") == [1]


def test_checklist_pages_are_for_admins(client, seeded):
    """A facilitator cannot open the checklist editor."""
    from tests.conftest import make_user, sign_in
    make_user("fred", role="facilitator", walks=["centre"])
    sign_in(client, "fred")
    assert client.get("/admin/checklists/new").status_code in (302, 403)


def test_editing_a_checklist_nobody_answered_saves_it_in_place(admin, seeded):
    """Before any checklist arrives, the editor says a save updates the version in place, and it does."""
    path = "/admin/checklists/integra-city-audit/edit"
    page = admin.get(path)
    assert "saving a change updates version 1 in place" in text(page)
    reply = press(admin, path, page, "save", t0_i0_text_en="The city has a diversity strategy.")
    assert reply.status_code == 302 and versions("integra-city-audit") == [1]
    assert "changed in place" in text(admin.get(reply.headers["Location"]))
    saved = admin.get("/api/v1/checklists/integra-city-audit").json
    assert saved["version"] == 1 and saved["topics"][0]["items"][0]["text"]["en"] == "The city has a diversity strategy."
    assert post_sync(admin, seeded["centre"], [make_record([make_answer("ue2", 4, station="CE-1")])]).status_code == 200
    assert "saving a change makes version 2" in text(admin.get(path))


def test_a_change_that_would_refuse_answers_on_phones_makes_a_new_version(client, seeded, admin_headers):
    """Before any checklist arrives, a reworded item is saved in place, but dropping an item, narrowing the scale
    or withdrawing "don't know" from a version a walk uses makes a new version: answers on phones still arrive."""
    checklist = client.get("/api/v1/checklists/integra-city-audit").json
    checklist["topics"][0]["items"][0]["text"]["en"] = "The city has a diversity strategy."
    reply = client.post("/api/v1/checklists", json=checklist, headers=admin_headers)
    assert reply.status_code == 200 and versions("integra-city-audit") == [1]

    dropped = client.get("/api/v1/checklists/integra-city-audit").json
    for topic in dropped["topics"]:  # at2: an item no station names
        topic["items"] = [item for item in topic["items"] if item["id"] != "at2"]
    reply = client.post("/api/v1/checklists", json=dropped, headers=admin_headers)
    assert reply.status_code == 201 and reply.json["version"] == 2
    assert {w.checklist_version for w in db.session.execute(select(Walk)).scalars()} == {1}
    # A phone still on version 1 sends an answer to the dropped item: it is taken.
    reply = post_sync(client, seeded["prague-7"], [make_record([make_answer("at2", 3)])])
    assert reply.json["results"][0]["status"] == "accepted"

    for latest, change in ((2, {"max": 4}), (3, {"dont_know": False})):
        db.session.execute(db.update(Walk).values(checklist_version=latest))
        db.session.commit()
        version = client.get(f"/api/v1/checklists/integra-city-audit?version={latest}").json
        version["scale"].update(change)
        version["scale"]["labels"] = {k: v for k, v in version["scale"].get("labels", {}).items() if int(k) <= 4}
        reply = client.post("/api/v1/checklists", json=version, headers=admin_headers)
        assert reply.status_code == 201 and reply.json["version"] == latest + 1, change
