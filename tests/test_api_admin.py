"""What admins do through the API: walks, stations, keys, checklist versions, and the public reads."""
import copy
import json
import re
import threading
from datetime import datetime, timedelta

from jsonschema import Draft202012Validator
from sqlalchemy import select

from server.catalog.definitions import shared_definitions
from server.extensions import db
from server.models import Response, Walk
from tests.conftest import PUBLIC_URL, make_answer, make_record, make_token, post_sync, seeded_app


def integra():
    return copy.deepcopy(next(d for _, d in shared_definitions("checklists")))


def new_walk(**changes):
    walk = {"slug": "karlin", "title": {"en": "Karlín", "cs": "Karlín"},
            "checklist": {"slug": "integra-city-audit"},
            "stations": [{"code": "KA-1", "title": {"en": "Florenc bus station", "cs": "Autobusové nádraží Florenc"},
                          "position": 1, "lat": 50.0893, "lon": 14.4401, "items": ["ue2", "ue5"]},
                         {"code": "KA-2", "title": {"en": "Karlín Square", "cs": "Karlínské náměstí"},
                          "position": 2, "lat": 50.0925, "lon": 14.4508, "items": None}]}
    walk.update(changes)
    return walk


def test_public_walk_lists_stations_in_order_without_the_key(client, seeded):
    """The walker app reads a walk's stations and first items; the key is not in it."""
    walk = client.get("/api/v1/walks/libus").json
    assert walk["checklist"] == {"slug": "integra-city-audit", "version": 1}
    assert [s["position"] for s in walk["stations"]] == sorted(s["position"] for s in walk["stations"])
    assert "key" not in json.dumps(walk)
    assert {"code", "title", "position", "lat", "lon", "items"} <= set(walk["stations"][0])
    assert any("SAPA" in s["title"]["en"] for s in walk["stations"])


def test_checklist_is_served_with_version_and_languages(client, seeded):
    """The app gets the 30 items in four topics with their Czech text and the 1–5 scale."""
    checklist = client.get("/api/v1/checklists/integra-city-audit").json
    assert checklist["version"] == 1 and checklist["scale"]["min"] == 1 and checklist["scale"]["max"] == 5
    assert "cs" in checklist["languages"]
    assert sum(len(t["items"]) for t in checklist["topics"]) == 30
    reply = client.get("/api/v1/checklists/integra-city-audit")
    again = client.get("/api/v1/checklists/integra-city-audit", headers={"If-None-Match": reply.headers["ETag"]})
    assert again.status_code == 304


def test_admin_walk_gives_key_and_exact_station_links(client, seeded, admin_headers):
    """Each station's link carries the walk, the station code and the key, on the public address."""
    walk = client.get("/api/v1/admin/walks/prague-7", headers=admin_headers).json
    key = seeded["prague-7"].key
    assert walk["key"] == key
    assert walk["url"] == f"{PUBLIC_URL}/w/prague-7#k={key}"
    assert walk["stations"][0]["url"] == f"{PUBLIC_URL}/w/prague-7/P7-1#k={key}"


def test_changed_checklist_becomes_a_new_version_and_old_answers_keep_theirs(client, db, seeded, admin_headers):
    """Editing the checklist makes version 2; checklists sent with version 1 stay version 1."""
    post_sync(client, seeded["centre"], [make_record([make_answer("vs1", 4)])])
    definition = integra()
    assert client.post("/api/v1/checklists", json=definition, headers=admin_headers).status_code == 200
    definition["topics"][0]["items"][0]["text"]["en"] = "The city has a published diversity strategy."
    reply = client.post("/api/v1/checklists", json=definition, headers=admin_headers)
    assert reply.status_code == 201 and reply.json["version"] == 2
    assert client.get("/api/v1/checklists/integra-city-audit").json["version"] == 2
    assert client.get("/api/v1/checklists/integra-city-audit?version=1").json["version"] == 1
    stored = db.session.execute(select(Response)).scalar_one()
    assert stored.checklist.version == 1
    # The walk stays on version 1 until an admin moves it; then new checklists may use version 2.
    assert client.get("/api/v1/walks/centre").json["checklist"]["version"] == 1
    moved = client.patch("/api/v1/admin/walks/centre", json={"checklist_version": 2}, headers=admin_headers)
    assert moved.json["checklist"]["version"] == 2
    reply = post_sync(client, seeded["centre"], [make_record([make_answer("vs1", 2)], version=2)])
    assert reply.json["results"][0]["status"] == "accepted"


def test_invalid_checklist_is_refused_with_reasons(client, seeded, admin_headers):
    """A definition with a duplicated item id is refused and nothing changes."""
    definition = integra()
    definition["topics"][1]["items"][0]["id"] = "vs1"
    reply = client.post("/api/v1/checklists", json=definition, headers=admin_headers)
    assert reply.status_code == 400
    assert any("vs1" in d["message"] for d in reply.json["error"]["details"])
    assert client.get("/api/v1/checklists/integra-city-audit").json["version"] == 1


def test_admin_creates_edits_and_deletes_a_walk(client, seeded, admin_headers):
    """An admin defines a new walk with stations, edits a station, and removes the walk."""
    reply = client.post("/api/v1/admin/walks", json=new_walk(), headers=admin_headers)
    assert reply.status_code == 201
    assert [s["code"] for s in reply.json["stations"]] == ["KA-1", "KA-2"]
    assert client.post("/api/v1/admin/walks", json=new_walk(), headers=admin_headers).status_code == 409
    station = {"title": {"en": "Invalidovna", "cs": "Invalidovna"}, "lat": 50.0967, "lon": 14.4636,
               "items": ["ue9"]}
    reply = client.put("/api/v1/admin/walks/karlin/stations/KA-3", json=station, headers=admin_headers)
    assert reply.status_code == 201 and reply.json["stations"][-1]["code"] == "KA-3"
    reply = client.put("/api/v1/admin/walks/karlin/stations/KA-3", json={**station, "items": ["nope"]},
                       headers=admin_headers)
    assert reply.status_code == 400 and "nope" in json.dumps(reply.json["error"]["details"])
    reply = client.delete("/api/v1/admin/walks/karlin/stations/KA-1", headers=admin_headers)
    assert [s["code"] for s in reply.json["stations"]] == ["KA-2", "KA-3"]
    assert client.delete("/api/v1/admin/walks/karlin", headers=admin_headers).status_code == 204
    assert client.get("/api/v1/walks/karlin").status_code == 404


def test_walk_with_answers_cannot_be_deleted(client, seeded, admin_headers):
    """A walk that has received checklists is kept; the admin is told to close it."""
    post_sync(client, seeded["centre"], [make_record([make_answer("vs1", 4)])])
    reply = client.delete("/api/v1/admin/walks/centre", headers=admin_headers)
    assert reply.status_code == 409 and "close" in reply.json["error"]["message"]


def test_station_codes_stay_unique_across_walks(client, seeded, admin_headers):
    """A typed station code always leads to one place: codes cannot repeat across walks."""
    walk = new_walk(stations=[{**new_walk()["stations"][0], "code": "P7-1"}])
    reply = client.post("/api/v1/admin/walks", json=walk, headers=admin_headers)
    assert reply.status_code == 400 and "P7-1" in reply.json["error"]["message"]


def test_close_reopen_and_rotate_key(client, seeded, admin_headers):
    """Closing stops deliveries, reopening resumes them, rotating the key retires printed codes."""
    walk = seeded["libus"]
    record = make_record([make_answer("vs1", 3)])
    assert client.post("/api/v1/admin/walks/libus/close", headers=admin_headers).json["closed"] is True
    assert post_sync(client, walk, [record]).status_code == 403
    assert client.post("/api/v1/admin/walks/libus/reopen", headers=admin_headers).json["closed"] is False
    old_key = walk.key
    rotated = client.post("/api/v1/admin/walks/libus/rotate-key", headers=admin_headers).json
    assert rotated["key"] != old_key and f"#k={rotated['key']}" in rotated["stations"][0]["url"]
    assert re.fullmatch(r"[2-9a-km-zA-HJ-NP-Z]{16}", rotated["key"])  # nothing to misread or lose
    assert post_sync(client, walk, [record], key=old_key).json["error"]["code"] == "walk_key_replaced"
    assert post_sync(client, walk, [record], key=rotated["key"]).json["results"][0]["status"] == "accepted"


def test_tokens_can_be_made_for_facilitators_of_named_walks(client, seeded, admin_headers):
    """An admin makes a facilitator token for one walk; its secret is shown once."""
    reply = client.post("/api/v1/admin/tokens", json={"role": "facilitator", "walks": ["libus"],
                                                      "label": "Libuš tablet"}, headers=admin_headers)
    assert reply.status_code == 201 and reply.json["token"].startswith("cat_")
    listed = client.get("/api/v1/admin/tokens", headers=admin_headers).json["tokens"]
    assert all("token" not in t for t in listed) and listed[-1]["walks"] == ["libus"]
    reply = client.post("/api/v1/admin/tokens", json={"role": "facilitator"}, headers=admin_headers)
    assert reply.status_code == 400


def test_openapi_document_describes_the_api(client):
    """Clients and fuzzers get an OpenAPI 3 document naming every endpoint and the sync limits."""
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in ("/walks/{slug}/sync", "/checklists/{slug}", "/walks/{slug}", "/admin/walks/{slug}",
                 "/report", "/export/responses.csv", "/export/responses.json"):
        assert path in spec["paths"], path
    assert {"SyncRequest", "SyncReply", "Report", "Error", "AdminWalk"} <= set(spec["components"]["schemas"])
    assert "1000 checklists" in spec["info"]["description"]


def openapi_validator(spec, name):
    """Return a JSON Schema validator for one of the OpenAPI document's schemas (`nullable` read as a null type)."""
    def convert(node):
        if isinstance(node, list):
            return [convert(child) for child in node]
        if not isinstance(node, dict):
            return node
        converted = {key: convert(value) for key, value in node.items() if key != "nullable"}
        if node.get("nullable") and "type" in converted:
            converted["type"] = [converted["type"], "null"]
        return converted
    return Draft202012Validator({"components": convert(spec["components"]), "$ref": f"#/components/schemas/{name}"})


def test_served_checklist_and_tokens_match_the_openapi_document(client, seeded, admin_headers):
    """What the API serves fits the schemas it publishes, so generated clients can read it."""
    spec = client.get("/api/v1/openapi.json").json
    checklist = client.get("/api/v1/checklists/integra-city-audit").json
    assert list(openapi_validator(spec, "Checklist").iter_errors(checklist)) == []
    created = client.post("/api/v1/admin/tokens", json={"role": "admin"}, headers=admin_headers).json
    revoked = client.delete(f"/api/v1/admin/tokens/{created['id']}", headers=admin_headers).json
    assert list(openapi_validator(spec, "Token").iter_errors(revoked)) == []
    for stamp in (created["created_at"], revoked["created_at"], revoked["revoked_at"]):
        assert datetime.fromisoformat(stamp).utcoffset() == timedelta(0), stamp  # RFC 3339 needs the offset


def test_every_status_the_api_answers_is_documented(client, seeded, admin_headers):
    """A station created (201), an unchanged checklist (200), a clash (409) and a form post (415) are all in the document."""
    paths = client.get("/api/v1/openapi.json").json["paths"]
    station = {"title": {"en": "Florenc"}, "lat": 50.0893, "lon": 14.4401}
    answered = [
        ("/admin/walks/{slug}/stations/{code}", "put",
         client.put("/api/v1/admin/walks/centre/stations/CE-9", json=station, headers=admin_headers)),
        ("/checklists", "post", client.post("/api/v1/checklists", json=integra(), headers=admin_headers)),
        ("/admin/walks", "post", client.post("/api/v1/admin/walks", json=new_walk(slug="centre"),
                                             headers=admin_headers)),
        ("/admin/tokens", "post", client.post("/api/v1/admin/tokens", data="role=admin", headers=admin_headers)),
    ]
    assert [reply.status_code for *_, reply in answered] == [201, 200, 409, 415]
    for path, method, reply in answered:
        assert str(reply.status_code) in paths[path][method]["responses"], (path, method)
    assert all("429" in operation["responses"] for operations in paths.values() for operation in operations.values())


def test_station_put_refuses_what_the_walk_format_forbids(client, seeded, admin_headers):
    """A station PUT is checked like a whole walk: an empty or English-less title, an empty text or a stray field is refused."""
    for body in ({"title": {}}, {"title": {"cs": "Florenc"}}, {"title": {"en": ""}},
                 {"title": {"en": "Florenc"}, "colour": "red"}, {"title": {"en": "Florenc"}, "items": []}):
        reply = client.put("/api/v1/admin/walks/centre/stations/CE-9", json=body, headers=admin_headers)
        assert reply.status_code == 400, body
        assert reply.json["error"]["code"] == "invalid" and reply.json["error"]["details"]
    assert "CE-9" not in [s["code"] for s in client.get("/api/v1/walks/centre").json["stations"]]


def test_station_put_moves_a_station_and_keeps_the_others_in_order(client, seeded, admin_headers):
    """Placing a station on the map saves its coordinates; a position moves it and renumbers the rest."""
    codes = [s["code"] for s in client.get("/api/v1/walks/centre").json["stations"]]
    last = codes[-1]
    station = next(s for s in client.get("/api/v1/walks/centre").json["stations"] if s["code"] == last)
    reply = client.put(f"/api/v1/admin/walks/centre/stations/{last}", headers=admin_headers,
                       json={"title": station["title"], "lat": 50.08, "lon": 14.42, "position": 1})
    assert reply.status_code == 200
    stations = reply.json["stations"]
    assert [s["code"] for s in stations] == [last, *codes[:-1]]
    assert [s["position"] for s in stations] == list(range(1, len(codes) + 1))
    assert (stations[0]["lat"], stations[0]["lon"]) == (50.08, 14.42)


def test_admin_writes_side_by_side_never_fail(_schema):
    """Admins closing, reopening and saving at the same moment all succeed; none gets a 5xx or 'database is locked'."""
    with seeded_app(_schema) as (app, walks):
        token = make_token("admin")
        definition = next(d for _, d in shared_definitions("checklists") if d["slug"] == "integra-city-audit")
    headers = {"Authorization": f"Bearer {token}"}
    barrier = threading.Barrier(6)
    statuses = []

    def close_and_reopen(slug):
        client = app.test_client()
        barrier.wait()
        for _ in range(8):
            for action in ("close", "reopen"):
                statuses.append(client.post(f"/api/v1/admin/walks/{slug}/{action}", headers=headers).status_code)

    def save_checklist(worker):
        client = app.test_client()
        barrier.wait()
        for round_ in range(8):
            title = {**definition["title"], "en": f"Audit {worker}-{round_}"}
            statuses.append(client.post("/api/v1/checklists", json={**definition, "title": title},
                                        headers=headers).status_code)

    threads = [threading.Thread(target=close_and_reopen, args=(slug,)) for slug in ("libus", "centre", "prague-7")]
    threads += [threading.Thread(target=save_checklist, args=(worker,)) for worker in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 3 * 16 + 3 * 8
    assert all(status < 500 for status in statuses), sorted(set(statuses))
    with app.app_context():
        assert not any(walk.closed for walk in db.session.execute(db.select(Walk)).scalars())
        db.session.remove()
        db.engine.dispose()
