"""POST /walks/<slug>/key: a phone that opened a walk by a typed station code exchanges the printed walk code."""
from server.extensions import limiter
from tests.conftest import bearer, make_answer, make_record, make_token, post_sync, seeded_app


def exchange(client, slug, code):
    """Ask for a walk's key with a walk code; return the response."""
    return client.post(f"/api/v1/walks/{slug}/key", json={"code": code})


def test_the_printed_code_gives_the_walk_key_and_the_key_syncs(client, seeded):
    """The code as printed, or typed in small letters without the dash, gives the key the QR code carries."""
    walk = seeded["prague-7"]
    printed = client.get("/api/v1/admin/walks/prague-7", headers=bearer(make_token())).get_json()["code"]
    assert len(printed) == 9 and printed[4] == "-" and not set(printed) & set("01OI")
    for typed in (printed, printed.lower().replace("-", ""), f" {printed[:4]} {printed[5:]} "):
        reply = exchange(client, "prague-7", typed)
        assert reply.status_code == 200, typed
        assert reply.get_json() == {"walk": "prague-7", "key": walk.key}
    synced = post_sync(client, walk, [make_record([make_answer("vs1", 4, station="P7-1")])],
                       key=reply.get_json()["key"])
    assert synced.get_json()["results"][0]["status"] == "accepted"


def test_a_wrong_code_is_a_json_403_and_no_key(client, seeded):
    """A mistyped code, or another walk's code, is refused in the JSON envelope without any key in the reply."""
    other = seeded["libus"]
    for code in ("ABCD-EFGH", other.code):
        reply = exchange(client, "prague-7", code)
        assert reply.status_code == 403
        body = reply.get_json()
        assert body["error"]["code"] == "wrong_walk_code" and "printed under the QR code" in body["error"]["message"]
        assert seeded["prague-7"].key not in reply.get_data(as_text=True)
        assert other.key not in reply.get_data(as_text=True)


def test_a_missing_code_or_an_unknown_walk_is_refused_in_json(client, seeded):
    """No code, a code that is not text, a body that is not JSON, or an unknown walk: a clear JSON error."""
    for body in ({}, {"code": 12345678}, {"code": ""}):
        reply = client.post("/api/v1/walks/prague-7/key", json=body)
        assert reply.status_code == 400 and reply.get_json()["error"]["code"] == "invalid", body
    not_json = client.post("/api/v1/walks/prague-7/key", data="code=ABCD", content_type="text/plain")
    assert not_json.status_code == 415 and not_json.get_json()["error"]
    unknown = exchange(client, "atlantis", seeded["prague-7"].code)
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "not_found"


def test_rotating_the_key_retires_the_old_code(client, seeded, admin_headers):
    """After the key is replaced, the old walk code is refused; the new code gives the new key."""
    before = client.get("/api/v1/admin/walks/prague-7", headers=admin_headers).get_json()["code"]
    rotated = client.post("/api/v1/admin/walks/prague-7/rotate-key", headers=admin_headers).get_json()
    assert rotated["code"] != before
    refused = exchange(client, "prague-7", before)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "wrong_walk_code"
    reply = exchange(client, "prague-7", rotated["code"])
    assert reply.status_code == 200 and reply.get_json()["key"] == rotated["key"]


def test_guessing_codes_is_cut_off_like_guessing_keys(_schema):
    """Failed code exchanges count against the same per-address limit as wrong walk keys: then a JSON 429."""
    with seeded_app(_schema, RATELIMIT_ENABLED=True, AUTH_FAILURE_RATE_LIMIT="5/minute",
                    RATELIMIT_STORAGE_URI="memory://") as (app, walks):
        limiter.reset()
        client = app.test_client()
        codes = [exchange(client, "prague-7", f"GUESS{i:03d}").status_code for i in range(5)]
        assert codes == [403] * 5
        # Even the right code waits now, and a wrong key on sync does too: one budget for guessing.
        after = exchange(client, "prague-7", walks["prague-7"].code)
        assert after.status_code == 429 and after.get_json()["error"]["code"] == "too_many_requests"
        assert post_sync(client, walks["prague-7"], [], key="guess").status_code == 429
        limiter.reset()


def test_openapi_describes_the_exchange(client):
    """The API description lists the exchange with its body, its reply and the 403 for a wrong code."""
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/walks/{slug}/key"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/WalkCode")
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/WalkKey")
    assert {"403", "429"} <= set(operation["responses"])
    assert "code" in spec["components"]["schemas"]["AdminWalk"]["properties"]
