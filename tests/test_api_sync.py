"""The sync rules, one by one: what a device sends, what the server keeps, what it answers."""
import gzip
import json
import threading
import uuid

from sqlalchemy import func, select

from server.extensions import db
from server.models import Answer, Response, SyncLogEntry
from tests.conftest import make_answer, make_record, post_sync, seeded_app


def count(db, model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def statuses(reply):
    return [result["status"] for result in reply.json["results"]]


def test_new_checklist_is_accepted_with_answers_at_their_stations(client, db, seeded):
    """A checklist sent once is stored with each answer linked to the station where it was given."""
    walk = seeded["prague-7"]
    record = make_record([make_answer("vs1", 4, station="P7-1"), make_answer("ue4", 2, station="P7-3",
                                                                             comment="Žádné toalety")])
    reply = post_sync(client, walk, [record])
    assert reply.status_code == 200
    assert reply.json["results"] == [{"id": record["id"], "status": "accepted", "revision": 1}]
    assert reply.json["server_time"].endswith("Z")
    answers = {a.item: a for a in db.session.execute(select(Answer)).scalars()}
    assert (answers["vs1"].score, answers["vs1"].station_code) == (4, "P7-1")
    assert (answers["ue4"].comment, answers["ue4"].station_code) == ("Žádné toalety", "P7-3")


def test_resending_a_whole_batch_is_all_duplicate_and_changes_nothing(client, db, seeded):
    """A phone that retries after a lost reply creates no second copy of anything."""
    walk = seeded["libus"]
    records = [make_record([make_answer("vs1", s, station="LI-2")]) for s in (1, 2, 3)]
    device = str(uuid.uuid4())
    assert statuses(post_sync(client, walk, records, device_id=device)) == ["accepted"] * 3
    assert statuses(post_sync(client, walk, records, device_id=device)) == ["duplicate"] * 3
    assert count(db, Response) == 3
    assert count(db, Answer) == 3


def test_higher_revision_replaces_the_answers(client, db, seeded):
    """Editing a synced checklist on the phone replaces what the server holds."""
    walk = seeded["centre"]
    record = make_record([make_answer("vs1", 2), make_answer("vs2", 3)])
    post_sync(client, walk, [record])
    edited = {**record, "revision": 2, "answers": [make_answer("vs1", 5, station="CE-1")]}
    reply = post_sync(client, walk, [edited])
    assert reply.json["results"][0] == {"id": record["id"], "status": "accepted", "revision": 2}
    rows = db.session.execute(select(Answer.item, Answer.score, Answer.station_code)).all()
    assert rows == [("vs1", 5, "CE-1")]
    assert db.session.get(Response, record["id"]).revision == 2


def test_lower_revision_is_stale_and_changes_nothing(client, db, seeded):
    """An old copy arriving late from a second device does not undo a newer edit."""
    walk = seeded["centre"]
    record = make_record([make_answer("vs1", 2)], revision=3)
    post_sync(client, walk, [record])
    old = {**record, "revision": 2, "answers": [make_answer("vs1", 5)]}
    reply = post_sync(client, walk, [old])
    assert reply.json["results"][0] == {"id": record["id"], "status": "stale", "revision": 3}
    assert db.session.execute(select(Answer.score)).scalar_one() == 2


def test_same_revision_with_other_content_is_rejected_and_logged(client, db, seeded):
    """A changed checklist that kept its revision is refused with a reason, and kept in the log."""
    walk = seeded["centre"]
    record = make_record([make_answer("vs1", 2)])
    post_sync(client, walk, [record])
    changed = {**record, "answers": [make_answer("vs1", 4)]}
    result = post_sync(client, walk, [changed]).json["results"][0]
    assert result["status"] == "rejected"
    assert "revision" in result["errors"] and "raise the revision" in result["errors"]["revision"][0]
    assert db.session.execute(select(Answer.score)).scalar_one() == 2
    logged = db.session.execute(select(SyncLogEntry).where(SyncLogEntry.outcome == "rejected")).scalar_one()
    assert json.loads(logged.payload)["answers"][0]["score"] == 4


def test_mixed_batch_keeps_the_good_and_explains_the_bad(client, db, seeded):
    """One broken checklist in a batch does not hold back the others; results come in request order."""
    walk = seeded["prague-7"]
    good1 = make_record([make_answer("vs1", 3)])
    bad = make_record([make_answer("vs1", 7), make_answer("zz9", 1), make_answer("vs2", 2, station="CE-1")])
    good2 = make_record([make_answer("vs3", 5, dont_know=False)])
    reply = post_sync(client, walk, [good1, bad, good2])
    assert statuses(reply) == ["accepted", "rejected", "accepted"]
    errors = reply.json["results"][1]["errors"]
    assert set(errors) == {"answers.0.score", "answers.1.item", "answers.2.station"}
    assert count(db, Response) == 2
    assert count(db, SyncLogEntry) == 3


def test_every_record_is_logged_with_its_outcome(client, db, seeded):
    """The append-only log keeps each record as sent, with device, time and outcome."""
    walk = seeded["prague-7"]
    device = str(uuid.uuid4())
    record = make_record([make_answer("vs1", 3)])
    post_sync(client, walk, [record], device_id=device)
    post_sync(client, walk, [record], device_id=device)
    entries = db.session.execute(select(SyncLogEntry).order_by(SyncLogEntry.id)).scalars().all()
    assert [e.outcome for e in entries] == ["accepted", "duplicate"]
    assert all(e.device_id == device and e.walk_slug == "prague-7" and e.received_at for e in entries)
    assert json.loads(entries[0].payload) == record


def test_unknown_checklist_version_is_refused_with_the_known_ones(client, seeded):
    """A phone holding a version the server never had is told which versions exist."""
    reply = post_sync(client, seeded["libus"], [make_record([make_answer("vs1", 3)], version=9)])
    result = reply.json["results"][0]
    assert result["status"] == "rejected"
    assert result["errors"]["checklist_version"] == [
        "Checklist 'integra-city-audit' has no version 9; known versions: 1."]


def test_record_of_another_walk_cannot_be_taken_over(client, db, seeded):
    """A checklist id already stored for one walk is refused on another walk."""
    record = make_record([make_answer("vs1", 3)])
    post_sync(client, seeded["libus"], [record])
    moved = {**record, "revision": 2}
    result = post_sync(client, seeded["centre"], [moved]).json["results"][0]
    assert result["status"] == "rejected" and result["errors"]["id"] == [
        "This checklist id cannot be used on this walk; the phone must give the checklist a new id."]


def test_rejection_never_reveals_another_walks_record(client, db, seeded):
    """Refusing an id held by another walk tells nothing of that walk's record, not even its revision."""
    record = make_record([make_answer("vs1", 3)], revision=7)
    post_sync(client, seeded["libus"], [record])
    for revision in (1, 7, 8):
        result = post_sync(client, seeded["centre"], [{**record, "revision": revision}]).json["results"][0]
        assert result["status"] == "rejected" and "revision" not in result
        assert "7" not in json.dumps(result["errors"]) and "walk '" not in json.dumps(result["errors"])


def test_same_id_twice_in_one_batch_keeps_the_higher_revision(client, db, seeded):
    """A batch carrying two revisions of one checklist stores the later one once."""
    walk = seeded["centre"]
    first = make_record([make_answer("vs1", 1)])
    second = {**first, "revision": 2, "answers": [make_answer("vs1", 5)]}
    assert statuses(post_sync(client, walk, [first, second, first])) == ["accepted", "accepted", "stale"]
    assert count(db, Response) == 1
    assert db.session.execute(select(Answer.score)).scalar_one() == 5


def test_gzip_body_is_accepted(client, db, seeded):
    """A phone compressing its batch with gzip is understood."""
    walk = seeded["centre"]
    body = {"device_id": str(uuid.uuid4()), "responses": [make_record([make_answer("vs1", 4)])]}
    reply = client.post(f"/api/v1/walks/{walk.slug}/sync", data=gzip.compress(json.dumps(body).encode()),
                        headers={"X-Walk-Key": walk.key, "Content-Encoding": "gzip",
                                 "Content-Type": "application/json"})
    assert reply.status_code == 200 and statuses(reply) == ["accepted"]


def test_five_hundred_checklists_in_one_request_are_accepted(client, db, seeded):
    """A tablet that collected a whole day's checklists can send 500 at once."""
    walk = seeded["prague-7"]
    records = [make_record([make_answer(f"vs{i % 8 + 1}", i % 5 + 1, station="P7-2")]) for i in range(500)]
    reply = post_sync(client, walk, records)
    assert reply.status_code == 200 and statuses(reply) == ["accepted"] * 500
    assert count(db, Response) == 500


def test_a_failed_batch_stores_nothing_but_keeps_the_log(app, client, db, seeded, monkeypatch):
    """If storing fails midway, none of the batch's checklists are half-stored, and the log keeps them all."""
    from server.records import ingest

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    walk = seeded["prague-7"]
    monkeypatch.setattr(ingest, "_record_outcomes", broken)
    records = [make_record([make_answer("vs1", 3)]) for _ in range(3)]
    reply = post_sync(client, walk, records)
    assert reply.status_code == 500
    assert reply.json["error"]["code"] == "internal_error"
    assert count(db, Response) == 0 and count(db, Answer) == 0
    logged = db.session.execute(select(SyncLogEntry)).scalars().all()
    assert len(logged) == 3 and {e.outcome for e in logged} == {None}


def test_two_devices_posting_the_same_record_at_once_create_one(_schema):
    """Two phones delivering the same checklist at the same moment leave exactly one copy."""
    with seeded_app(_schema) as (app, walks):
        slug, key = walks["centre"].slug, walks["centre"].key
    records = [make_record([make_answer(f"vs{i}", i % 5 + 1) for i in range(1, 9)]) for _ in range(40)]
    body = json.dumps({"device_id": str(uuid.uuid4()), "responses": records})
    barrier = threading.Barrier(4)
    replies = []

    def deliver():
        client = app.test_client()
        barrier.wait()
        reply = client.post(f"/api/v1/walks/{slug}/sync", data=body,
                            headers={"X-Walk-Key": key, "Content-Type": "application/json"})
        replies.append(reply)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in replies] == [200] * 4
    outcomes = sorted(tuple(statuses(r)) for r in replies)
    assert outcomes == [("accepted",) * 40] + [("duplicate",) * 40] * 3
    with app.app_context():
        assert count(db, Response) == 40
        assert count(db, Answer) == 40 * 8
        db.session.remove()
        db.engine.dispose()


def test_concurrent_edits_keep_the_highest_revision(_schema):
    """Revisions 2..6 of one checklist racing in from several requests leave revision 6 stored."""
    with seeded_app(_schema) as (app, walks):
        slug, key = walks["centre"].slug, walks["centre"].key
    base = make_record([make_answer("vs1", 1)])
    versions = [{**base, "revision": r, "answers": [make_answer("vs1", r - 1)]} for r in range(2, 7)]
    barrier = threading.Barrier(len(versions))

    def deliver(record):
        client = app.test_client()
        barrier.wait()
        client.post(f"/api/v1/walks/{slug}/sync", json={"device_id": str(uuid.uuid4()), "responses": [record]},
                    headers={"X-Walk-Key": key})

    threads = [threading.Thread(target=deliver, args=(v,)) for v in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        stored = db.session.get(Response, base["id"])
        assert stored.revision == 6
        assert [a.score for a in stored.answers] == [5]
        db.session.remove()
        db.engine.dispose()


def test_absurd_numbers_are_refused_not_crashing(client, db, seeded):
    """A revision or score far beyond any real value is refused with its field named, and logged."""
    from server.records.backup import import_backup, read_backup

    record = make_record([make_answer("vs1", 10**30)], revision=10**30)
    groups = read_backup(json.dumps({"device_id": str(uuid.uuid4()), "walk": "centre",
                                     "responses": [record]}).encode())
    summary = import_backup(groups, lambda walk: True, "127.0.0.1")
    assert summary["counts"]["rejected"] == 1
    assert set(summary["refused"][0]["errors"]) == {"revision", "answers.0.score"}
    assert str(10**30) in db.session.execute(select(SyncLogEntry.payload)).scalar_one()


def test_nul_characters_and_impossible_dates_never_break_a_batch(client, db, seeded):
    """A NUL typed into a comment is dropped, a NUL in an id is refused, a date before year 1 UTC is
    refused: each with a reply for every record, on SQLite and PostgreSQL alike."""
    walk = seeded["centre"]
    good = make_record([make_answer("vs1", 4, comment="Nádraží\x00 ok")])
    bad_id = {**make_record([make_answer("vs1", 3)]), "id": "\x00" * 36}
    bad_date = make_record([make_answer("vs2", 2, answered_at="0001-01-01T00:00:00+14:00")])
    reply = post_sync(client, walk, [good, bad_id, bad_date])
    assert reply.status_code == 200
    assert statuses(reply) == ["accepted", "rejected", "rejected"]
    assert "answers.0.answered_at" in reply.json["results"][2]["errors"]
    assert db.session.execute(select(Answer.comment)).scalar_one() == "Nádraží ok"
    assert count(db, SyncLogEntry) == 3


def test_token_use_is_noted_without_a_write_per_request(client, db, seeded):
    """Scripts calling the API in a loop do not turn every read into a database write."""
    from server.models import ApiToken
    from tests.conftest import bearer, make_token

    token = make_token("admin")
    assert client.get("/api/v1/admin/walks", headers=bearer(token)).status_code == 200
    first = db.session.execute(select(ApiToken.last_used_at)).scalar_one()
    assert first is not None
    assert client.get("/api/v1/admin/walks", headers=bearer(token)).status_code == 200
    assert db.session.execute(select(ApiToken.last_used_at)).scalar_one() == first


def test_answer_fields_of_the_wrong_json_type_are_refused_not_crashing(client, db, seeded):
    """A station, item or comment sent as a list or object is refused with its field named; the rest is kept."""
    walk = seeded["centre"]
    good = make_record([make_answer("vs1", 4)])
    odd = make_record([{**make_answer("vs1", 3), "station": ["CE-1"]},
                       {**make_answer("vs2", 3), "item": {"id": "vs2"}},
                       {**make_answer("vs3", 3), "comment": ["x"]}])
    reply = post_sync(client, walk, [good, odd])
    assert reply.status_code == 200
    assert statuses(reply) == ["accepted", "rejected"]
    assert set(reply.json["results"][1]["errors"]) == {"answers.0.station", "answers.1.item", "answers.2.comment"}
    assert count(db, SyncLogEntry) == 2
