"""Audits: the admin API, walks joining them, a closed audit, the audit= filter, the CLI and the console."""
import csv
import io
import json

import pytest
from openpyxl import load_workbook

from server.extensions import db
from server.models import Audit, Response, Walk
from tests.test_migrations import empty_database  # noqa: F401 (a fixture)
from tests.conftest import (
    csrf_token,
    make_answer,
    make_record,
    post_sync,
    sync_prague_2018,
)
from tests.conftest import page_text as text

PRAGUE_2026 = {"slug": "prague-2026", "title": {"en": "Prague 2026", "cs": "Praha 2026"}, "city": "Prague",
               "starts_on": "2026-05-01", "ends_on": "2026-06-30",
               "checklist": {"slug": "integra-city-audit", "version": 1}, "closed": False}


def holesovice_walk(audit="prague-2026", code="H26-1"):
    """Return a one-station walk definition in an audit."""
    return {"slug": "holesovice-2026", "audit": audit, "title": {"en": "Holešovice 2026"},
            "checklist": {"slug": "integra-city-audit"},
            "stations": [{"code": code, "title": {"en": "Market hall 22"}, "position": 1}]}


def stored(slug):
    """Return a walk as stored now."""
    db.session.expire_all()
    return db.session.execute(db.select(Walk).where(Walk.slug == slug)).scalar_one()


@pytest.fixture
def prague_2026(client, seeded, admin_headers):
    """The audit prague-2026 with one walk, holesovice-2026, both made through the admin API."""
    assert client.post("/api/v1/admin/audits", json=PRAGUE_2026, headers=admin_headers).status_code == 201
    assert client.post("/api/v1/admin/walks", json=holesovice_walk(), headers=admin_headers).status_code == 201
    return stored("holesovice-2026")


def test_the_2018_walks_belong_to_the_audit_prague_2018(client, seeded, admin_headers):
    """The shipped walks are the audit prague-2018: Prague, 2018, the INTEGRA checklist, its 26 checklists."""
    sync_prague_2018(client, seeded)
    reply = client.get("/api/v1/admin/audits/prague-2018", headers=admin_headers)
    assert reply.status_code == 200
    audit = reply.get_json()
    assert audit["city"] == "Prague" and audit["starts_on"].startswith("2018")
    assert audit["checklist"] == {"slug": "integra-city-audit", "version": 1}
    assert audit["walks"] == ["centre", "libus", "prague-7"]
    assert audit["responses"] == 26
    walk = client.get("/api/v1/walks/prague-7").get_json()
    assert walk["audit"] == "prague-2018"


def test_create_read_and_replace_an_audit(client, seeded, admin_headers):
    """POST makes an audit (201), GET shows it in the list and alone, PUT changes it; the body comes back."""
    reply = client.post("/api/v1/admin/audits", json=PRAGUE_2026, headers=admin_headers)
    assert reply.status_code == 201
    assert reply.get_json() == {**PRAGUE_2026, "walks": [], "responses": 0}
    listed = client.get("/api/v1/admin/audits", headers=admin_headers).get_json()["audits"]
    assert [audit["slug"] for audit in listed] == ["prague-2026", "prague-2018"]  # newest first
    changed = {**PRAGUE_2026, "city": "Praha", "ends_on": None, "title": {"en": "Prague audit 2026"}}
    reply = client.put("/api/v1/admin/audits/prague-2026", json=changed, headers=admin_headers)
    assert reply.status_code == 200, reply.get_json()
    assert client.get("/api/v1/admin/audits/prague-2026", headers=admin_headers).get_json() == {
        **changed, "walks": [], "responses": 0}


def test_an_audit_without_version_uses_the_latest_checklist(client, seeded, admin_headers):
    """An audit may name only the checklist; it is bound to the latest version when saved."""
    body = {"slug": "brno-2026", "title": {"en": "Brno 2026"}, "checklist": {"slug": "integra-city-audit"}}
    reply = client.post("/api/v1/admin/audits", json=body, headers=admin_headers)
    assert reply.status_code == 201
    assert reply.get_json()["checklist"] == {"slug": "integra-city-audit", "version": 1}
    assert reply.get_json()["closed"] is False and reply.get_json()["starts_on"] is None


@pytest.mark.parametrize("change, path", [
    ({"title": {"cs": "Praha"}}, "title"),
    ({"starts_on": "1.5.2026"}, "starts_on"),
    ({"starts_on": "2026-02-30"}, "starts_on"),
    ({"ends_on": "2026-04-01"}, "ends_on"),
    ({"checklist": {"slug": "no-such-checklist"}}, "checklist"),
    ({"checklist": {"slug": "integra-city-audit", "version": 9}}, "checklist"),
    ({"surprise": 1}, ""),
])
def test_invalid_audits_are_refused_with_the_reason(client, seeded, admin_headers, change, path):
    """A bad audit is refused with 400 naming the field, and nothing is saved."""
    reply = client.post("/api/v1/admin/audits", json={**PRAGUE_2026, **change}, headers=admin_headers)
    assert reply.status_code == 400
    error = reply.get_json()["error"]
    assert error["code"] == "invalid"
    assert path in [detail["path"] for detail in error["details"]]
    assert db.session.execute(db.select(Audit).where(Audit.slug == "prague-2026")).first() is None


def test_audit_conflicts_and_unknowns(client, seeded, admin_headers):
    """A second POST of a slug is 409, an unknown audit 404, a PUT changing the slug 400, a facilitator 403."""
    assert client.post("/api/v1/admin/audits", json=PRAGUE_2026, headers=admin_headers).status_code == 201
    assert client.post("/api/v1/admin/audits", json=PRAGUE_2026, headers=admin_headers).status_code == 409
    assert client.get("/api/v1/admin/audits/nowhere", headers=admin_headers).status_code == 404
    assert client.put("/api/v1/admin/audits/nowhere", json=PRAGUE_2026, headers=admin_headers).status_code == 404
    moved = client.put("/api/v1/admin/audits/prague-2026", json={**PRAGUE_2026, "slug": "other"},
                       headers=admin_headers)
    assert moved.status_code == 400
    from tests.conftest import bearer, make_token
    facilitator = bearer(make_token("facilitator", walks=["libus"]))
    assert client.get("/api/v1/admin/audits", headers=facilitator).status_code == 403


def test_walks_join_the_audit_they_name(client, prague_2026, admin_headers):
    """A walk naming an audit is listed under it and uses the audit's checklist version."""
    audit = client.get("/api/v1/admin/audits/prague-2026", headers=admin_headers).get_json()
    assert audit["walks"] == ["holesovice-2026"]
    assert prague_2026.audit.slug == "prague-2026" and prague_2026.checklist_version == 1
    shown = client.get("/api/v1/admin/walks/holesovice-2026", headers=admin_headers).get_json()
    assert shown["audit"] == "prague-2026"


def test_a_walk_cannot_name_an_unknown_audit_or_one_with_another_checklist(client, seeded, admin_headers):
    """Naming an audit that does not exist, or that uses another checklist, is a 400 and saves nothing."""
    reply = client.post("/api/v1/admin/walks", json=holesovice_walk("nowhere"), headers=admin_headers)
    assert reply.status_code == 400 and reply.get_json()["error"]["details"][0]["path"] == "audit"
    client.post("/api/v1/checklists", headers=admin_headers, json={
        "slug": "tiny", "title": {"en": "Tiny"}, "languages": ["en"], "scale": {"min": 1, "max": 5},
        "topics": [{"id": "t", "title": {"en": "T"}, "items": [{"id": "t1", "text": {"en": "One"}}]}]})
    other = {"slug": "tiny-2026", "title": {"en": "Tiny 2026"}, "checklist": {"slug": "tiny"}}
    assert client.post("/api/v1/admin/audits", json=other, headers=admin_headers).status_code == 201
    reply = client.post("/api/v1/admin/walks", json=holesovice_walk("tiny-2026"), headers=admin_headers)
    assert reply.status_code == 400
    assert "uses checklist tiny" in reply.get_json()["error"]["details"][0]["message"]
    assert db.session.execute(db.select(Walk).where(Walk.slug == "holesovice-2026")).first() is None


def test_a_walk_without_audit_goes_to_the_newest_open_audit_of_its_checklist(client, prague_2026, admin_headers):
    """A walk file written before audits existed still loads: into the newest open audit using its checklist."""
    definition = {**holesovice_walk(code="X-1"), "slug": "letna"}
    del definition["audit"]
    assert client.post("/api/v1/admin/walks", json=definition, headers=admin_headers).status_code == 201
    assert stored("letna").audit.slug == "prague-2026"
    # Replaced without naming an audit, it stays where it is.
    client.put("/api/v1/admin/audits/prague-2026", json={**PRAGUE_2026, "closed": True}, headers=admin_headers)
    assert client.put("/api/v1/admin/walks/letna", json=definition, headers=admin_headers).status_code == 200
    assert stored("letna").audit.slug == "prague-2026"


def test_a_walk_without_audit_on_a_fresh_server_gets_an_audit_named_after_its_checklist(client, app, admin_headers):
    """With no audit yet, a walk without one gets a new audit named after its checklist, not an error."""
    from server.catalog.definitions import load_checklist, read_json
    from server.catalog.contract import SHARED_SCHEMA_DIR
    load_checklist(read_json(SHARED_SCHEMA_DIR / "checklists" / "integra-city-audit.json"))
    definition = read_json(SHARED_SCHEMA_DIR / "walks" / "libus.json")
    del definition["audit"]
    db.session.commit()
    assert client.post("/api/v1/admin/walks", json=definition, headers=admin_headers).status_code == 201
    audit = client.get("/api/v1/admin/audits/integra-city-audit", headers=admin_headers).get_json()
    assert audit["walks"] == ["libus"] and audit["checklist"] == {"slug": "integra-city-audit", "version": 1}
    assert audit["title"]["en"]


def test_a_closed_audit_refuses_syncs_to_its_walks_and_keeps_them_in_the_log(client, prague_2026, admin_headers):
    """Closing an audit refuses every walk's sync like a closed walk (403 walk_closed); reopening accepts again."""
    closed = client.put("/api/v1/admin/audits/prague-2026", json={**PRAGUE_2026, "closed": True},
                        headers=admin_headers)
    assert closed.get_json()["closed"] is True
    record = make_record([make_answer("vs1", 4, station="H26-1")])
    reply = post_sync(client, prague_2026, [record])
    assert reply.status_code == 403
    assert reply.get_json()["error"]["code"] == "walk_closed"
    assert "audit" in reply.get_json()["error"]["message"]
    assert client.get("/api/v1/walks/holesovice-2026").get_json()["closed"] is True
    assert db.session.execute(db.select(Response)).first() is None
    # The 2018 walks are in another audit and still take checklists.
    assert post_sync(client, stored("libus"), [make_record([make_answer("vs1", 3)])]).status_code == 200
    client.put("/api/v1/admin/audits/prague-2026", json={**PRAGUE_2026, "closed": False}, headers=admin_headers)
    reply = post_sync(client, prague_2026, [record])
    assert reply.status_code == 200 and reply.get_json()["results"][0]["status"] == "accepted"


def _sync_2026(client, walk):
    """Sync three checklists to the 2026 walk: vs1 scored 2, 3 and 4."""
    records = [make_record([make_answer("vs1", score, station="H26-1")], group="tcn") for score in (2, 3, 4)]
    assert post_sync(client, walk, records).status_code == 200


def test_report_and_downloads_filter_by_audit(client, prague_2026, admin_headers):
    """audit=<slug> limits the report and every download to that audit's walks."""
    sync_prague_2018(client, {slug: stored(slug) for slug in ("prague-7", "libus", "centre")})
    _sync_2026(client, stored("holesovice-2026"))
    report = client.get("/api/v1/report?audit=prague-2026", headers=admin_headers).get_json()
    assert report["responses"] == 3 and report["filters"]["audit"] == "prague-2026"
    assert report["topics"][0]["items"][0]["mean"] == 3.0
    assert client.get("/api/v1/report?audit=prague-2018", headers=admin_headers).get_json()["responses"] == 26
    assert client.get("/api/v1/report?checklist=integra-city-audit", headers=admin_headers).get_json()[
        "responses"] == 29
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/api/v1/export/responses.csv?audit=prague-2026&layout=wide", headers=admin_headers)
        .get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["walk"] for row in rows} == {"holesovice-2026"} and len(rows) == 3
    exported = json.loads(client.get("/api/v1/export/responses.json?audit=prague-2018",
                                     headers=admin_headers).get_data(as_text=True))
    assert len(exported["responses"]) == 26 and exported["filters"]["audit"] == "prague-2018"
    workbook = load_workbook(io.BytesIO(client.get("/api/v1/export/responses.xlsx?audit=prague-2026",
                                                   headers=admin_headers).data))
    assert workbook["Responses"].max_row == 1 + 3
    pdf = client.get("/api/v1/export/report.pdf?audit=prague-2026", headers=admin_headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    missing = client.get("/api/v1/report?audit=nowhere", headers=admin_headers)
    assert missing.status_code == 404 and "nowhere" in missing.get_json()["error"]["message"]


def test_audit_status_counts_each_walk_and_station(client, prague_2026, admin_headers):
    """The audit's live status lists its walks, with checklists per station."""
    _sync_2026(client, prague_2026)
    status = client.get("/api/v1/admin/audits/prague-2026/status", headers=admin_headers).get_json()
    assert status["checklists"] == 3 and status["closed"] is False
    assert [walk["walk"] for walk in status["walks"]] == ["holesovice-2026"]
    assert status["walks"][0]["stations"][0] == {"code": "H26-1", "title": {"en": "Market hall 22"},
                                                 "checklists": 3, "answers": 3}


def test_cli_lists_and_loads_audits(runner, seeded, tmp_path):
    """`audits load FILE` creates an audit (a second run leaves it), `audits list` shows it with its walks."""
    path = tmp_path / "prague-2026.json"
    path.write_text(json.dumps(PRAGUE_2026), encoding="utf-8")
    assert "prague-2026: created" in runner.invoke(args=["audits", "load", str(path)]).output
    assert "exists, left as it is" in runner.invoke(args=["audits", "load", str(path)]).output
    listed = runner.invoke(args=["audits", "list"]).output.splitlines()
    assert listed[0].startswith("prague-2026\tPrague 2026\tPrague\t2026-05-01 to 2026-06-30")
    assert "3 walks" in listed[1] and listed[1].startswith("prague-2018")
    path.write_text(json.dumps({**PRAGUE_2026, "slug": "bad", "ends_on": "2020-01-01"}), encoding="utf-8")
    failed = runner.invoke(args=["audits", "load", str(path)])
    assert failed.exit_code == 1 and "ends_on: The audit cannot end before it starts." in failed.output


def console_post(client, path, data):
    """Post a console form with its page's token."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_console_creates_edits_and_shows_an_audit(admin, seeded):
    """An admin creates an audit in the console, sees its walks with stations and counts, and closes it."""
    reply = console_post(admin, "/admin/audits/new", {
        "slug": "prague-2026", "title_en": "Prague 2026", "title_cs": "Praha 2026", "city": "Prague",
        "starts_on": "2026-05-01", "ends_on": "", "checklist": "integra-city-audit:1"})
    assert reply.status_code == 302, text(reply)
    assert db.session.execute(db.select(Audit).where(Audit.slug == "prague-2026")).scalar_one().city == "Prague"
    listing = text(admin.get("/admin/audits"))
    assert "Prague 2026" in listing and "Prague City Integration Audit 2018" in listing
    page = text(admin.get("/admin/audits/prague-2018"))
    assert "Prague 7: Holešovice and Letná" in page and "P7-1" in page and "LI-1" in page
    reply = console_post(admin, "/admin/audits/prague-2026/edit", {
        "title_en": "Prague 2026", "city": "Prague", "starts_on": "2026-05-01", "ends_on": "2026-04-01",
        "checklist": "integra-city-audit:1", "closed": "on"})
    assert reply.status_code == 400 and "cannot end before it starts" in text(reply)
    reply = console_post(admin, "/admin/audits/prague-2026/edit", {
        "title_en": "Prague 2026", "city": "Prague", "starts_on": "2026-05-01", "ends_on": "",
        "checklist": "integra-city-audit:1", "closed": "on"})
    assert reply.status_code == 302
    assert "This audit is closed" in text(admin.get("/admin/audits/prague-2026"))
    assert admin.get("/admin/audits/nowhere").status_code == 404


def test_console_report_filters_by_audit(admin, seeded, client):
    """The console report offers the audits and counts only the chosen audit's checklists."""
    sync_prague_2018(client, seeded)
    page = text(admin.get("/admin/report?audit=prague-2018"))
    assert '<option value="prague-2018" selected>' in page
    assert "26" in page


def test_migration_puts_existing_walks_in_prague_2018_and_keeps_their_stations_and_checklists(empty_database):
    """Upgrading a database that has walks, stations and checklists puts the walks in prague-2018, losing nothing."""
    from flask_migrate import upgrade
    from sqlalchemy import text as sql

    from server import create_app
    from tests.conftest import app_config
    app = create_app(app_config(empty_database))
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0001")
        now = "2018-06-12 10:00:00"
        with db.engine.begin() as connection:
            connection.execute(sql("INSERT INTO checklists (id, slug, version, definition, content_hash, created_at) "
                                   "VALUES (1, 'integra-city-audit', 1, '{\"topics\": []}', 'x', :now)"), {"now": now})
            connection.execute(sql("INSERT INTO walks (id, slug, title, checklist_slug, checklist_version, key, "
                                   "old_keys, closed, created_at) VALUES (1, 'libus', '{\"en\": \"Libuš\"}', "
                                   "'integra-city-audit', 1, 'k', '[]', false, :now)"), {"now": now})
            connection.execute(sql("INSERT INTO stations (id, walk_id, code, title, position) "
                                   "VALUES (1, 1, 'LI-1', '{\"en\": \"SAPA\"}', 1)"))
            connection.execute(sql(
                "INSERT INTO responses (id, walk_id, checklist_id, device_id, revision, started_at, updated_at, "
                "content_hash, received_at, synced_at) VALUES ('r1', 1, 1, 'd1', 1, :now, :now, 'h', :now, :now)"),
                {"now": now})
        upgrade(directory=directory)
        audit = db.session.execute(db.select(Audit)).scalar_one()
        assert (audit.slug, audit.city, audit.starts_on.year) == ("prague-2018", "Prague", 2018)
        assert (audit.checklist_slug, audit.checklist_version) == ("integra-city-audit", 1)
        walk = db.session.execute(db.select(Walk)).scalar_one()
        assert walk.audit_id == audit.id and [s.code for s in walk.stations] == ["LI-1"]
        assert db.session.execute(db.select(Response.id)).scalars().all() == ["r1"]
        db.session.remove()
        db.engine.dispose()


BRNO_CHECKLIST = {
    "slug": "brno-walks", "title": {"en": "Brno city walks", "cs": "Brněnské procházky", "uk": "Прогулянки Брном"},
    "languages": ["en", "cs", "uk"], "scale": {"min": 1, "max": 5},
    "topics": [
        {"id": "services", "title": {"en": "Services", "cs": "Služby", "uk": "Послуги"}, "items": [
            {"id": "sv1", "text": {"en": "Signs are in several languages.", "cs": "Značení je ve více jazycích.",
                                   "uk": "Вказівники кількома мовами."}},
            {"id": "sv2", "text": {"en": "Staff help newcomers.", "cs": "Personál pomáhá nově příchozím.",
                                   "uk": "Персонал допомагає новоприбулим."}}]},
        {"id": "space", "title": {"en": "Public space", "cs": "Veřejný prostor", "uk": "Громадський простір"},
         "items": [{"id": "ps1", "text": {"en": "The square feels safe.", "cs": "Náměstí působí bezpečně.",
                                          "uk": "Площа здається безпечною."}}]}]}


def test_brno_2026_audit_from_the_admin_api_reports_its_own_checklists(client, seeded, admin_headers):
    """A new city's audit: its checklist, the audit brno-2026, a walk with placed stations, synced checklists, its report."""
    assert client.post("/api/v1/checklists", json=BRNO_CHECKLIST, headers=admin_headers).status_code == 201
    audit = {"slug": "brno-2026", "title": {"en": "Brno 2026", "cs": "Brno 2026", "uk": "Брно 2026"}, "city": "Brno",
             "starts_on": "2026-09-01", "ends_on": "2026-09-30", "checklist": {"slug": "brno-walks"}}
    created = client.post("/api/v1/admin/audits", json=audit, headers=admin_headers)
    assert created.status_code == 201 and created.get_json()["checklist"] == {"slug": "brno-walks", "version": 1}
    walk = {"slug": "brno-centre", "audit": "brno-2026", "title": {"en": "Brno centre"},
            "checklist": {"slug": "brno-walks"},
            "stations": [{"code": "BR-1", "title": {"en": "Náměstí Svobody"}, "position": 1,
                          "lat": 49.19522, "lon": 16.60796},
                         {"code": "BR-2", "title": {"en": "Main station"}, "position": 2,
                          "lat": 49.19060, "lon": 16.61283}]}
    assert client.post("/api/v1/admin/walks", json=walk, headers=admin_headers).status_code == 201
    records = [make_record([make_answer("sv1", score, station="BR-1"), make_answer("ps1", 4, station="BR-2")],
                           checklist="brno-walks", language="uk") for score in (1, 2, 4)]
    records.append(make_record([make_answer("sv1", None, dont_know=True, station="BR-1")], checklist="brno-walks"))
    reply = post_sync(client, stored("brno-centre"), records)
    assert [result["status"] for result in reply.get_json()["results"]] == ["accepted"] * 4
    sync_prague_2018(client, {slug: stored(slug) for slug in ("prague-7", "libus", "centre")})
    report = client.get("/api/v1/report?audit=brno-2026", headers=admin_headers).get_json()
    assert report["checklist"] == {"slug": "brno-walks", "version": 1} and report["responses"] == 4
    items = {item["id"]: item for topic in report["topics"] for item in topic["items"]}
    assert (items["sv1"]["mean"], items["sv1"]["answered"], items["sv1"]["non_response_pct"]) == (2.33, 3, 25.0)
    assert (items["sv2"]["mean"], items["sv2"]["non_response_pct"]) == (None, 100.0)
    assert items["ps1"]["mean"] == 4.0
    shown = client.get("/api/v1/admin/audits/brno-2026", headers=admin_headers).get_json()
    assert shown["walks"] == ["brno-centre"] and shown["responses"] == 4
    status = client.get("/api/v1/admin/audits/brno-2026/status", headers=admin_headers).get_json()
    assert [(s["code"], s["checklists"]) for s in status["walks"][0]["stations"]] == [("BR-1", 4), ("BR-2", 3)]


def test_console_moves_a_walk_to_another_audit_and_links_the_comparison(admin, seeded, admin_headers, client):
    """On the walk's edit page an admin moves it to another audit; audit and report pages lead to the comparison."""
    assert client.post("/api/v1/admin/audits", json={**PRAGUE_2026, "checklist": {"slug": "integra-city-audit"}},
                       headers=admin_headers).status_code == 201
    page = text(admin.get("/admin/walks/libus/edit"))
    assert '<option value="prague-2018" selected>' in page and '<option value="prague-2026">' in page
    reply = console_post(admin, "/admin/walks/libus/edit", {"title_en": "Libuš: SAPA marketplace", "version": "1",
                                                             "audit": "prague-2026"})
    assert reply.status_code == 302
    assert stored("libus").audit.slug == "prague-2026"
    refused = console_post(admin, "/admin/walks/libus/edit", {"title_en": "Libuš", "version": "1",
                                                               "audit": "nowhere"})
    assert refused.status_code == 400 and stored("libus").audit.slug == "prague-2026"
    audit_page = admin.get("/admin/audits/prague-2018").get_data(as_text=True)
    assert 'action="/admin/report/compare"' in audit_page and '<option value="prague-2026">' in audit_page
    assert 'href="/admin/report/compare?audits=prague-2018"' in admin.get(
        "/admin/report?audit=prague-2018").get_data(as_text=True)
