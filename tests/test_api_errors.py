"""Every API error comes as the JSON envelope with the right status, and nothing good is lost."""
import gzip
import io
import json
import uuid

import pytest
from sqlalchemy import func, select, text

from server.catalog.definitions import shared_definitions
from server.extensions import db, limiter
from server.models import SyncLogEntry
from tests.conftest import bearer, make_answer, make_record, make_token, post_sync, seeded_app


def envelope(reply, status, code=None):
    """Assert the reply is the error envelope with this status (and code); return the error."""
    assert reply.status_code == status, reply.data[:300]
    assert reply.mimetype == "application/json"
    error = reply.json["error"]
    assert set(error) == {"code", "message", "details"} and error["message"]
    if code:
        assert error["code"] == code
    return error


def sync_raw(client, walk, data, content_type="application/json", **headers):
    return client.post(f"/api/v1/walks/{walk.slug}/sync", data=data,
                       headers={"X-Walk-Key": walk.key, "Content-Type": content_type, **headers})


def test_malformed_json_is_400_and_the_body_is_kept(client, db, seeded):
    """A truncated upload is refused as malformed, and what arrived is kept in the log."""
    reply = sync_raw(client, seeded["centre"], b'{"device_id": "x", "responses": [{"id"')
    envelope(reply, 400, "malformed_json")
    entry = db.session.execute(select(SyncLogEntry)).scalar_one()
    assert entry.outcome == "rejected" and entry.payload.startswith('{"device_id"')


def test_bad_envelope_is_400_naming_the_fields(client, db, seeded):
    """A request without a device id is refused, saying which field is wrong; its records are logged."""
    body = {"responses": [make_record([make_answer("vs1", 3)])]}
    error = envelope(sync_raw(client, seeded["centre"], json.dumps(body)), 400, "malformed_request")
    assert "device_id" in error["details"]
    assert db.session.execute(select(SyncLogEntry.outcome)).scalars().all() == ["rejected"]


def test_body_that_is_not_an_object_is_400(client, seeded):
    """A JSON list instead of an object is refused clearly."""
    envelope(sync_raw(client, seeded["centre"], b"[1, 2]"), 400, "malformed_request")


def test_not_json_is_415(client, seeded):
    """A form post or plain text is refused as the wrong media type."""
    envelope(sync_raw(client, seeded["centre"], b"device_id=1", "application/x-www-form-urlencoded"), 415)


def test_unknown_content_encoding_is_415(client, seeded):
    """Only gzip (or no) compression is understood."""
    envelope(sync_raw(client, seeded["centre"], b"{}", **{"Content-Encoding": "br"}), 415)


def test_corrupt_gzip_is_400(client, seeded):
    """A gzip body cut short is refused, not half-read."""
    data = gzip.compress(json.dumps({"device_id": str(uuid.uuid4()), "responses": []}).encode())[:-8]
    envelope(sync_raw(client, seeded["centre"], data, **{"Content-Encoding": "gzip"}), 400, "malformed_body")


def test_missing_walk_key_is_401_and_wrong_key_is_403(client, seeded):
    """Without the walk's key nothing is stored; the message says where the key comes from."""
    walk = seeded["centre"]
    record = make_record([make_answer("vs1", 3)])
    error = envelope(post_sync(client, walk, [record], key=""), 401, "missing_walk_key")
    assert "X-Walk-Key" in error["message"]
    envelope(post_sync(client, walk, [record], key="guess"), 403, "wrong_walk_key")


def test_replaced_key_is_403_with_advice(client, db, seeded):
    """A phone holding codes from before a key rotation is told so; with the new key its checklist arrives."""
    walk = seeded["centre"]
    old_key = walk.key
    walk.rotate_key()
    db.session.commit()
    record = make_record([make_answer("vs1", 3)])
    error = envelope(post_sync(client, walk, [record], key=old_key), 403, "walk_key_replaced")
    assert "replaced" in error["message"] and "facilitator" in error["message"]
    assert post_sync(client, walk, [record]).json["results"][0]["status"] == "accepted"


class WatchedBody(io.BytesIO):
    """A request body that remembers whether the server read any of it."""

    touched = False

    def read(self, size=-1):
        self.touched = True
        return super().read(size)

    def readinto(self, buffer):
        self.touched = True
        return super().readinto(buffer)

    def readline(self, size=-1):
        self.touched = True
        return super().readline(size)


def stored_bytes(db):
    """Return the size of the database (SQLite) or of the sync log table with its TOAST (PostgreSQL)."""
    if db.engine.dialect.name == "sqlite":
        return db.session.execute(text("PRAGMA page_count")).scalar()
    return db.session.execute(text("SELECT pg_total_relation_size('sync_log')")).scalar()


MiB = 1024 * 1024


@pytest.mark.parametrize("case", ["replaced key", "wrong key", "declared too large"])
def test_refused_sync_body_is_neither_read_nor_stored(_schema, case):
    """A 1 MiB sync refused for its key or declared size is answered before its body is read; nothing is stored."""
    with seeded_app(_schema, SYNC_MAX_BYTES=MiB // 2 if case == "declared too large" else 8 * MiB) as (app, walks):
        walk = walks["centre"]
        key = walk.key
        if case == "replaced key":
            walk.rotate_key()
            db.session.commit()
        elif case == "wrong key":
            key = "not-the-key"
        records = [make_record([make_answer("vs1", 3, comment="x" * 1900)]) for _ in range(540)]
        data = json.dumps({"device_id": str(uuid.uuid4()), "responses": records}).encode()
        assert len(data) > MiB
        size_before = stored_bytes(db)
        db.session.commit()
        body = WatchedBody(data)
        reply = app.test_client().post(
            f"/api/v1/walks/{walk.slug}/sync", input_stream=body, content_length=len(data),
            headers={"X-Walk-Key": key, "Content-Type": "application/json"})
        assert reply.status_code == (413 if case == "declared too large" else 403)
        assert not body.touched
        assert db.session.execute(select(func.count()).select_from(SyncLogEntry)).scalar() == 0
        assert stored_bytes(db) == size_before


def test_refused_requests_count_towards_the_rate_limit(_schema):
    """Malformed bodies from one address are cut off with a 429, and the log stops growing."""
    with seeded_app(_schema, RATELIMIT_ENABLED=True, AUTH_FAILURE_RATE_LIMIT="5/minute",
                    RATELIMIT_STORAGE_URI="memory://") as (app, walks):
        walk = walks["centre"]
        limiter.reset()
        client = app.test_client()
        codes = [sync_raw(client, walk, b'{"device_id": "x", "responses": [').status_code for _ in range(8)]
        assert codes == [400] * 5 + [429] * 3
        assert db.session.execute(select(func.count()).select_from(SyncLogEntry)).scalar() == 5
        limiter.reset()


def test_the_log_keeps_no_more_than_the_record_sent(client, db, seeded):
    """A record full of long unknown values is logged once: its reasons quote the values cut short."""
    answers = [make_answer(f"{i}" + "x" * 20_000, 3, station="y" * 20_000) for i in range(40)]
    record = {**make_record(), "checklist": "z" * 20_000, "answers": answers}
    body = json.dumps({"device_id": str(uuid.uuid4()), "responses": [record]})
    reply = sync_raw(client, seeded["centre"], body)
    assert reply.json["results"][0]["status"] == "rejected"
    entry = db.session.execute(select(SyncLogEntry)).scalar_one()
    assert len(entry.payload) + len(json.dumps(entry.errors)) < len(body) * 1.05
    assert len(reply.data) < 20_000


def test_closed_walk_refuses_sync_and_keeps_the_records(client, db, seeded):
    """After a walk is closed, late checklists are refused with a reason but kept for the admin."""
    walk = seeded["libus"]
    walk.closed = True
    db.session.commit()
    envelope(post_sync(client, walk, [make_record([make_answer("vs1", 3)])]), 403, "walk_closed")
    assert db.session.execute(select(SyncLogEntry.outcome)).scalars().all() == ["rejected"]


def test_unknown_walk_and_checklist_are_404(client, seeded):
    """Links to walks or checklists that do not exist say so in JSON."""
    envelope(client.get("/api/v1/walks/nowhere"), 404, "not_found")
    envelope(client.post("/api/v1/walks/nowhere/sync", json={}), 404)
    envelope(client.get("/api/v1/checklists/nothing"), 404)
    error = envelope(client.get("/api/v1/checklists/integra-city-audit?version=5"), 404)
    assert "no version 5" in error["message"]
    envelope(client.get("/api/v1/checklists/integra-city-audit?version=abc"), 400)


def test_unknown_api_route_is_json_404(client):
    """Even a mistyped API address answers JSON, never an HTML page."""
    envelope(client.get("/api/v1/no-such-thing"), 404)
    envelope(client.get("/api/v2/walks"), 404)


def test_wrong_method_is_405_with_allow(client, seeded):
    """GET on the sync endpoint is refused with the allowed methods."""
    reply = client.get("/api/v1/walks/centre/sync")
    envelope(reply, 405, "method_not_allowed")
    assert "POST" in reply.headers["Allow"]


def test_too_many_checklists_is_413(_schema):
    """A batch over the documented count limit is refused with the limit, and kept in the log."""
    with seeded_app(_schema, SYNC_MAX_RESPONSES=5) as (app, walks):
        walk = walks["centre"]
        reply = post_sync(app.test_client(), walk, [make_record() for _ in range(6)])
        error = envelope(reply, 413, "payload_too_large")
        assert error["details"] == {"max_responses": 5}
        assert len(db.session.execute(select(SyncLogEntry)).scalars().all()) == 6


def test_too_large_body_and_gzip_bomb_are_413(_schema):
    """Bodies over the byte limit are refused, whether sent plain or as a small gzip that expands."""
    with seeded_app(_schema, SYNC_MAX_BYTES=10_000) as (app, walks):
        walk = walks["centre"]
        client = app.test_client()
        big = json.dumps({"device_id": str(uuid.uuid4()), "responses": [], "pad": "x" * 20_000})
        envelope(sync_raw(client, walk, big), 413)
        bomb = gzip.compress(big.encode())
        assert len(bomb) < 10_000
        envelope(sync_raw(client, walk, bomb, **{"Content-Encoding": "gzip"}), 413)


@pytest.mark.parametrize("storage", ["memory://", "redis://127.0.0.1:6379/15"])
def test_sync_rate_limit_is_429_in_json(_schema, storage):
    """Past the per-address sync limit the phone is told to wait; memory or Redis storage alike."""
    with seeded_app(_schema, RATELIMIT_ENABLED=True, SYNC_RATE_LIMIT="3/minute",
                    RATELIMIT_STORAGE_URI=storage) as (app, walks):
        walk = walks["centre"]
        limiter.reset()
        client = app.test_client()
        codes = [post_sync(client, walk, [make_record()]).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        error = envelope(post_sync(client, walk, [make_record()]), 429, "too_many_requests")
        assert "3 per 1 minute" in error["message"]
        limiter.reset()


def test_default_sync_limit_serves_a_cafe_of_phones(_schema):
    """The default limit lets one address sync at least 120 times a minute (twenty phones, retries)."""
    with seeded_app(_schema, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://") as (app, walks):
        walk = walks["centre"]
        limiter.reset()
        client = app.test_client()
        body = json.dumps({"device_id": str(uuid.uuid4()), "responses": []})
        codes = {sync_raw(client, walk, body).status_code for _ in range(121)}
        assert codes == {200}
        limiter.reset()


def test_repeated_auth_failures_are_rate_limited(_schema):
    """Guessing walk keys from one address is cut off, with a JSON 429."""
    with seeded_app(_schema, RATELIMIT_ENABLED=True, AUTH_FAILURE_RATE_LIMIT="5/minute",
                    RATELIMIT_STORAGE_URI="memory://") as (app, walks):
        walk = walks["centre"]
        limiter.reset()
        client = app.test_client()
        codes = [post_sync(client, walk, [], key=f"guess{i}").status_code for i in range(7)]
        assert codes[:5] == [403] * 5 and codes[5:] == [429, 429]
        limiter.reset()


def test_admin_errors_are_json(client, seeded):
    """Admin endpoints answer missing or bad tokens and bad input with the envelope."""
    envelope(client.get("/api/v1/admin/walks"), 401, "unauthorized")
    envelope(client.get("/api/v1/admin/walks", headers={"Authorization": "Bearer nope"}), 401, "invalid_token")
    headers = {"Authorization": f"Bearer {make_token('admin')}"}
    envelope(client.post("/api/v1/admin/walks", data="x", headers=headers), 415)
    envelope(client.post("/api/v1/admin/walks", data="{", headers={**headers, "Content-Type": "application/json"}),
             400, "malformed_json")
    error = envelope(client.post("/api/v1/admin/walks", json={"slug": "x"}, headers=headers), 400, "invalid")
    assert error["details"]
    envelope(client.get("/api/v1/report", headers=headers), 400)
    envelope(client.get("/api/v1/report?checklist=integra-city-audit&group=student", headers=headers), 400)


def test_unknown_walk_on_a_streamed_export_is_404_before_any_row(client, seeded, admin_headers):
    """Exporting a mistyped walk answers a JSON 404, not a download that breaks off midway."""
    for path in ("/api/v1/export/responses.json", "/api/v1/export/responses.csv?checklist=integra-city-audit"):
        separator = "&" if "?" in path else "?"
        envelope(client.get(f"{path}{separator}walk=nowhere", headers=admin_headers), 404, "not_found")


def test_numbers_no_database_column_holds_are_400(client, seeded, admin_headers):
    """A version or size beyond what is stored, or written in other digits, is refused, not a crash."""
    huge = "809353760470913253376"
    envelope(client.get(f"/api/v1/checklists/integra-city-audit?version={huge}"), 400, "invalid")
    envelope(client.get("/api/v1/checklists/integra-city-audit?version=%C2%B2"), 400, "invalid")  # '²'
    envelope(client.get("/api/v1/checklists/integra-city-audit?version=" + "9" * 5000), 400, "invalid")
    envelope(client.get(f"/api/v1/report?checklist=integra-city-audit&version={huge}", headers=admin_headers),
             400, "invalid")
    envelope(client.get("/api/v1/admin/walks/centre/qr.png?scale=%C2%B2", headers=admin_headers), 400, "invalid")
    envelope(client.patch("/api/v1/admin/walks/centre", json={"checklist_version": 3_000_000_000},
                          headers=admin_headers), 400, "invalid")
    envelope(client.delete(f"/api/v1/admin/tokens/{huge}", headers=admin_headers), 404)


def test_nul_characters_in_the_address_are_400(client, seeded, admin_headers):
    """A %00 in a path or filter is refused before the database sees it (PostgreSQL cannot store it)."""
    envelope(client.get("/api/v1/walks/centre%00"), 400, "invalid")
    envelope(client.get("/api/v1/report?checklist=integra-city-audit&walk=%00", headers=admin_headers),
             400, "invalid")
    envelope(client.get("/api/v1/export/responses.csv?checklist=integra-city-audit&language=cs%00",
                        headers=admin_headers), 400, "invalid")


def test_admin_bodies_are_read_as_strict_json(client, seeded, admin_headers):
    """Absurdly deep nesting, NaN and NUL characters in an admin's JSON are refused, never stored."""
    deep = b"[" * 100_000 + b"]" * 100_000
    envelope(client.post("/api/v1/admin/walks", data=deep, content_type="application/json",
                         headers=admin_headers), 400, "malformed_json")
    station = b'{"title": {"en": "Florenc"}, "lat": NaN, "lon": 14.44}'
    envelope(client.put("/api/v1/admin/walks/centre/stations/CE-9", data=station, content_type="application/json",
                        headers=admin_headers), 400, "malformed_json")
    envelope(client.post("/api/v1/admin/tokens", json={"role": "admin", "label": "tablet\u0000"},
                         headers=admin_headers), 400, "invalid")
    assert client.get("/api/v1/admin/tokens", headers=admin_headers).json["tokens"][-1]["label"] is None


def test_walk_definitions_beyond_integer_columns_are_400(client, seeded, admin_headers):
    """A walk whose slug is not text, or whose numbers no database holds, is refused with reasons."""
    walk = next(d for path, d in shared_definitions("walks") if d["slug"] == "centre")
    envelope(client.post("/api/v1/admin/walks", json={**walk, "slug": [None, None]}, headers=admin_headers),
             400, "invalid")
    stations = [{**walk["stations"][0], "position": 2**40}]
    error = envelope(client.put("/api/v1/admin/walks/centre", json={**walk, "stations": stations},
                                headers=admin_headers), 400, "invalid")
    assert error["details"][0]["path"] == "stations/0/position"
    envelope(client.put(f"/api/v1/admin/walks/centre/stations/{walk['stations'][0]['code']}",
                        json={"title": {"en": "Old Town Square"}, "position": 2**40}, headers=admin_headers),
             400, "invalid")


def test_station_with_half_a_position_is_400(client, seeded, admin_headers):
    """A station given a latitude without a longitude is refused, as the walk format requires both."""
    error = envelope(client.put("/api/v1/admin/walks/centre/stations/CE-9",
                                json={"title": {"en": "Florenc"}, "lat": 50.0893}, headers=admin_headers),
                     400, "invalid")
    assert [(e["path"], "lon" in e["message"]) for e in error["details"]] == [("", True)]


def test_sync_body_nested_absurdly_deep_is_400_and_kept(client, db, seeded):
    """A body nesting lists a thousand deep is refused clearly, and what arrived is kept in the log."""
    nested = "[" * 1000 + "]" * 1000
    body = f'{{"device_id": "{uuid.uuid4()}", "responses": [{nested}]}}'
    envelope(sync_raw(client, seeded["centre"], body), 400, "malformed_request")
    entry = db.session.execute(select(SyncLogEntry)).scalar_one()
    assert entry.outcome == "rejected" and entry.payload == body


def test_sync_body_with_a_raw_nul_is_kept_readable(client, db, seeded):
    """A corrupt body holding a NUL byte is refused and kept, the NUL written as its JSON escape."""
    envelope(sync_raw(client, seeded["centre"], b'{"device_id": "\x00'), 400, "malformed_json")
    assert db.session.execute(select(SyncLogEntry.payload)).scalar_one() == '{"device_id": "\\u0000'


def test_report_dates_outside_the_utc_calendar_are_400(client, seeded, admin_headers):
    """A since/until that falls before year 1 or after 9999 in UTC is refused, not a failed download."""
    for path, query in [("report.pdf", "since=0001-01-01T00:00:00%2B14:00"),
                        ("responses.xlsx", "until=9999-12-31T23:59:59-14:00")]:
        error = envelope(client.get(f"/api/v1/export/{path}?checklist=integra-city-audit&{query}",
                                    headers=admin_headers), 400, "invalid")
        assert "Out of range" in json.dumps(error["details"])


@pytest.mark.parametrize("path", ["/api/v1/checklists", "/api/v1/admin/walks", "/api/v1/admin/audits"])
def test_json_nested_absurdly_deep_is_400(client, seeded, admin_headers, path):
    """An admin body nesting 1000 levels (inside the parser's limit) is refused as malformed, not a failure."""
    body = '{"slug": "deep", "title": ' + "[" * 1000 + "]" * 1000 + "}"
    reply = client.post(path, data=body, headers={**admin_headers, "Content-Type": "application/json"})
    error = envelope(reply, 400, "malformed_request")
    assert "deep" in error["message"]


@pytest.mark.parametrize("token", [None, "not-a-token", "facilitator"])
def test_admin_body_is_not_read_without_the_right_token(client, seeded, token):
    """An admin write without a valid admin token is answered 401/403 before its body is read; nothing changes."""
    if token == "facilitator":
        token = make_token(role="facilitator", walks=["centre"])
    data = json.dumps({"slug": "x" * 10, "padding": "x" * MiB}).encode()
    body = WatchedBody(data)
    headers = {"Content-Type": "application/json", **(bearer(token) if token else {})}
    reply = client.post("/api/v1/admin/walks", input_stream=body, content_length=len(data), headers=headers)
    assert reply.status_code == (403 if token and not token.startswith("not") else 401)
    assert reply.json["error"]["message"]
    assert not body.touched
