"""The next audit without touching code: brno-2026 with a checklist imported from an XLSForm, stations placed on
the map, checklists synced, and its report."""
import io

from server.extensions import db
from server.models import Walk
from tests.conftest import csrf_token, make_answer, make_record, post_sync, sync_prague_2018
from tests.test_xlsform import workbook

LABELS = ["label::English (en)", "label::Czech (cs)", "label::Ukrainian (uk)"]
SURVEY = [["type", "name", *LABELS],
          ["begin_group", "paths", "Cycle paths", "Cyklostezky", "Велодоріжки"],
          ["select_one s14", "wide", "Paths are wide enough", "Stezky jsou dost široké", "Доріжки достатньо широкі"],
          ["text", "wide_comment", "Comment", "Komentář", "Коментар"],
          ["select_one s14", "lit", "Paths are lit at night", "Stezky jsou v noci osvětlené", "Доріжки освітлені"],
          ["end_group", None, None, None, None],
          ["begin_group", "parking", "Parking", "Parkování", "Паркування"],
          ["select_one s14", "racks", "There are enough racks", "Stojanů je dost", "Стійок достатньо"],
          ["end_group", None, None, None, None]]
CHOICES = [["list_name", "name", *LABELS],
           ["s14", "1", "1 – poor", "1 – špatné", "1 – погано"], ["s14", "2", "2", "2", "2"],
           ["s14", "3", "3", "3", "3"], ["s14", "4", "4 – good", "4 – dobré", "4 – добре"]]


def test_brno_2026_runs_on_an_imported_xlsform_with_stations_placed_on_the_map(admin, admin_headers):
    """Import a 1–4 en/cs/uk XLSForm, create brno-2026 and a walk, place its stations on the map, sync, report."""
    form = workbook(SURVEY, CHOICES, (("form_id", "form_title"), ("brno-cycling", "Cycling in Brno")))
    reply = admin.post("/api/v1/admin/checklists/import", headers=admin_headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(form), "brno.xlsx")})
    assert reply.status_code == 201 and reply.json == {"slug": "brno-cycling", "version": 1}
    checklist = admin.get("/api/v1/checklists/brno-cycling").json
    assert checklist["languages"] == ["en", "cs", "uk"]
    assert checklist["scale"] == {"min": 1, "max": 4, "dont_know": False,
                                  "labels": {"1": {"en": "poor", "cs": "špatné", "uk": "погано"},
                                             "4": {"en": "good", "cs": "dobré", "uk": "добре"}}}
    audit = {"slug": "brno-2026", "title": {"en": "Brno 2026", "cs": "Brno 2026", "uk": "Брно 2026"},
             "city": "Brno", "starts_on": "2026-09-01", "ends_on": "2026-09-30",
             "checklist": {"slug": "brno-cycling", "version": 1}, "closed": False}
    assert admin.post("/api/v1/admin/audits", json=audit, headers=admin_headers).status_code == 201
    walk = {"slug": "brno-centre", "audit": "brno-2026", "title": {"en": "Brno centre", "cs": "Centrum Brna"},
            "checklist": {"slug": "brno-cycling"},
            "stations": [{"code": "BR-1", "title": {"en": "Freedom Square"}, "position": 1},
                         {"code": "BR-2", "title": {"en": "Main station"}, "position": 2}]}
    assert admin.post("/api/v1/admin/walks", json=walk, headers=admin_headers).status_code == 201
    token = csrf_token(admin, "/admin/walks/brno-centre")
    for code, lat, lon in (("BR-1", 49.19522, 16.60796), ("BR-2", 49.19060, 16.61283)):
        placed = admin.post(f"/admin/walks/brno-centre/stations/{code}/place",
                            data={"lat": str(lat), "lon": str(lon), "csrf_token": token})
        assert placed.status_code == 200 and placed.json == {"code": code, "lat": lat, "lon": lon}
    shown = admin.get("/api/v1/walks/brno-centre").json
    assert [(s["code"], s["lat"], s["lon"]) for s in shown["stations"]] == [
        ("BR-1", 49.19522, 16.60796), ("BR-2", 49.1906, 16.61283)]

    db.session.expire_all()
    brno = db.session.execute(db.select(Walk).where(Walk.slug == "brno-centre")).scalar_one()
    records = [make_record([make_answer("wide", score, station="BR-1"), make_answer("racks", 4, station="BR-2")],
                           checklist="brno-cycling", language="uk") for score in (1, 2, 4)]
    records.append(make_record([make_answer("lit", 3, station="BR-2")], checklist="brno-cycling", language="cs"))
    records.append(make_record([make_answer("wide", 5, station="BR-1")], checklist="brno-cycling"))
    records.append(make_record([make_answer("wide", dont_know=True, station="BR-1")], checklist="brno-cycling"))
    reply = post_sync(admin, brno, records)
    assert [r["status"] for r in reply.json["results"]] == ["accepted"] * 4 + ["rejected"] * 2
    sync_prague_2018(admin, {w.slug: w for w in db.session.execute(db.select(Walk)).scalars()
                             if w.slug in ("prague-7", "libus", "centre")})

    report = admin.get("/api/v1/report?audit=brno-2026", headers=admin_headers).json
    assert report["responses"] == 4
    items = {item["id"]: item for topic in report["topics"] for item in topic["items"]}
    assert (items["wide"]["mean"], items["wide"]["answered"], items["wide"]["non_response_pct"]) == (2.33, 3, 25.0)
    assert items["wide"]["distribution"] == {"1": 1, "2": 1, "3": 0, "4": 1}
    assert (items["lit"]["mean"], items["lit"]["answered"]) == (3.0, 1)
    assert (items["racks"]["mean"], items["racks"]["non_response_pct"]) == (4.0, 25.0)
    page = admin.get("/admin/report?audit=brno-2026&checklist=brno-cycling").get_data(as_text=True)
    assert 'data-lat="49.19522"' in page and "data-report-map" in page
