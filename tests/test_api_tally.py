"""GET /walks/<slug>/tally: what a walk's group has sent so far, for walkers who finish and facilitators."""
from tests.conftest import make_answer, make_record, post_sync


def test_tally_counts_checklists_in_all_and_per_station(client, seeded):
    """Two checklists, one answered at two stations: the tally says 2 in all, and per station who answered there."""
    walk = seeded["prague-7"]
    post_sync(client, walk, [make_record([make_answer("vs1", 3, station="P7-1"), make_answer("vs2", 4, station="P7-2")]),
                             make_record([make_answer("vs1", 5, station="P7-1")])])
    reply = client.get("/api/v1/walks/prague-7/tally", headers={"X-Walk-Key": walk.key})
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["walk"] == "prague-7" and body["checklists"] == 2
    counts = {s["code"]: s["checklists"] for s in body["stations"]}
    assert counts["P7-1"] == 2 and counts["P7-2"] == 1 and counts["P7-3"] == 0
    assert [s["code"] for s in body["stations"]] == [s.code for s in walk.stations]


def test_tally_needs_the_walk_key(client, seeded):
    """Without the key, or with another walk's, the tally is refused in the JSON envelope."""
    missing = client.get("/api/v1/walks/prague-7/tally")
    assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "missing_walk_key"
    wrong = client.get("/api/v1/walks/prague-7/tally", headers={"X-Walk-Key": seeded["libus"].key})
    assert wrong.status_code == 403
    assert client.get("/api/v1/walks/nowhere/tally", headers={"X-Walk-Key": "x"}).status_code == 404


def test_openapi_describes_the_tally(client):
    """The API description lists the tally with its walk-key security and schema."""
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/walks/{slug}/tally"]["get"]
    assert operation["security"] == [{"walkKey": []}]
    assert "WalkTally" in spec["components"]["schemas"]
