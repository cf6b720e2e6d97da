"""Deleting a participant's data: gone from report, downloads and log; a resync is refused `deleted`; retention."""
import json
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from server.models import Answer, DeletedRecord, Response, SyncLogEntry, utcnow
from tests.conftest import bearer, make_answer, make_record, make_token, post_sync

SECRET = "Moje adresa je Dělnická 12"  # something a participant would want gone


def _sync(client, walk, score=2, device_id=None, comment=SECRET):
    record = make_record([make_answer("vs1", score, comment=comment)])
    reply = post_sync(client, walk, [record], device_id=device_id)
    assert reply.get_json()["results"][0]["status"] == "accepted"
    return record


def _delete(client, headers, record_id, reason="the participant asked on 2018-06-20"):
    return client.delete(f"/api/v1/admin/responses/{record_id}", json={"reason": reason}, headers=headers)


def _log_payloads(db):
    db.session.expire_all()
    return " ".join(db.session.execute(select(SyncLogEntry.payload)).scalars())


def test_deleted_checklist_is_gone_everywhere(client, db, seeded, admin_headers):
    """After deletion the answers, the comment and every log copy are gone; a tombstone without content stays."""
    walk = seeded["prague-7"]
    kept = _sync(client, walk, 4, comment="kept")
    gone = _sync(client, walk, 1)
    assert SECRET in _log_payloads(db)
    reply = _delete(client, admin_headers, gone["id"])
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["deleted"] == [gone["id"]] and reply.get_json()["answers"] == 1
    assert db.session.get(Response, gone["id"]) is None
    assert db.session.execute(select(func.count()).select_from(Answer)
                              .where(Answer.response_id == gone["id"])).scalar_one() == 0
    assert SECRET not in _log_payloads(db)
    report = client.get("/api/v1/report?checklist=integra-city-audit&review=all", headers=admin_headers).get_json()
    assert report["responses"] == 1
    csv_text = client.get("/api/v1/export/responses.csv?review=all", headers=admin_headers).get_data(as_text=True)
    json_text = client.get("/api/v1/export/responses.json?review=all", headers=admin_headers).get_data(as_text=True)
    for text in (csv_text, json_text):
        assert gone["id"] not in text and SECRET not in text and kept["id"] in text
    tombstone = db.session.get(DeletedRecord, gone["id"])
    assert tombstone.reason == "the participant asked on 2018-06-20" and tombstone.deleted_by
    assert set(DeletedRecord.__table__.c.keys()) == {"response_id", "deleted_at", "deleted_by", "reason"}


def test_resync_of_a_deleted_checklist_is_refused_and_stores_nothing(client, db, seeded, admin_headers):
    """A phone syncing a deleted checklist again gets rejected/deleted; neither the record nor its text is stored."""
    walk = seeded["prague-7"]
    record = _sync(client, walk)
    _delete(client, admin_headers, record["id"])
    for again in (record, {**record, "revision": 5}):
        reply = post_sync(client, walk, [again])
        result = reply.get_json()["results"][0]
        assert reply.status_code == 200
        assert result["status"] == "rejected" and result["code"] == "deleted"
    db.session.expire_all()
    assert db.session.get(Response, record["id"]) is None
    assert SECRET not in _log_payloads(db)
    entries = db.session.execute(select(SyncLogEntry).where(SyncLogEntry.response_id == record["id"])).scalars().all()
    assert entries and all(e.payload == "" and e.payload_removed == "deleted" for e in entries)


def test_deleting_needs_a_reason_and_an_admin(client, db, seeded, admin_headers):
    """No reason: 400; a facilitator: 403; an unknown id: 404; nothing is deleted."""
    record = _sync(client, seeded["prague-7"])
    assert _delete(client, admin_headers, record["id"], reason="  ").status_code == 400
    facilitator = bearer(make_token("facilitator", ["prague-7"]))
    assert _delete(client, facilitator, record["id"]).status_code == 403
    assert _delete(client, admin_headers, str(uuid.uuid4())).status_code == 404
    assert db.session.get(Response, record["id"]) is not None
    assert _delete(client, admin_headers, record["id"]).status_code == 200
    assert _delete(client, admin_headers, record["id"]).status_code == 404  # already deleted


def test_delete_every_checklist_of_a_device(client, db, seeded, admin_headers):
    """Deleting by device removes all its checklists, refused ones in the log too, and leaves others alone."""
    walk = seeded["prague-7"]
    device = str(uuid.uuid4())
    first, second = _sync(client, walk, device_id=device), _sync(client, walk, device_id=device)
    refused = make_record([make_answer("vs1", 9, comment=SECRET)])  # score out of range: refused, only logged
    post_sync(client, walk, [refused], device_id=device)
    other = _sync(client, walk, comment="someone else")
    reply = client.delete(f"/api/v1/admin/devices/{device}/responses", json={"reason": "asked by phone owner"},
                          headers=admin_headers)
    assert reply.status_code == 200, reply.get_json()
    assert set(reply.get_json()["deleted"]) == {first["id"], second["id"], refused["id"]}
    db.session.expire_all()
    assert db.session.execute(select(Response.id)).scalars().all() == [other["id"]]
    assert SECRET not in _log_payloads(db) and "someone else" in _log_payloads(db)
    assert post_sync(client, walk, [refused], device_id=device).get_json()["results"][0]["code"] == "deleted"


def test_personal_data_export_by_record_and_device(client, db, seeded, admin_headers):
    """An admin exports what is stored about one checklist or one device as JSON, answers and log included."""
    walk = seeded["prague-7"]
    device = str(uuid.uuid4())
    record = _sync(client, walk, device_id=device)
    reply = client.get(f"/api/v1/admin/personal-data?record={record['id']}", headers=admin_headers)
    assert reply.status_code == 200 and "attachment" in reply.headers["Content-Disposition"]
    document = reply.get_json()
    assert document["checklists"][0]["answers"][0]["comment"] == SECRET
    assert document["sync_log"][0]["payload"]["id"] == record["id"]
    by_device = client.get(f"/api/v1/admin/personal-data?device={device}", headers=admin_headers).get_json()
    assert [c["id"] for c in by_device["checklists"]] == [record["id"]]
    assert client.get("/api/v1/admin/personal-data", headers=admin_headers).status_code == 400
    missing = client.get(f"/api/v1/admin/personal-data?device={uuid.uuid4()}", headers=admin_headers)
    assert missing.status_code == 404


def test_purge_log_drops_old_settled_payloads_and_keeps_refused(app, client, db, seeded, runner):
    """purge-log --older-than 90d empties old accepted payloads and keeps refused ones for repair."""
    walk = seeded["prague-7"]
    accepted = _sync(client, walk)
    refused = make_record([make_answer("vs1", 9)])
    post_sync(client, walk, [refused])
    recent = _sync(client, walk, comment="recent")
    old = utcnow() - timedelta(days=120)
    db.session.execute(SyncLogEntry.__table__.update().where(
        SyncLogEntry.response_id.in_([accepted["id"], refused["id"]])).values(received_at=old))
    db.session.commit()
    result = runner.invoke(args=["purge-log", "--older-than", "90d"])
    assert result.exit_code == 0, result.output
    assert "1 log entry" in result.output
    db.session.expire_all()
    by_id = {e.response_id: e for e in db.session.execute(select(SyncLogEntry)).scalars()}
    assert by_id[accepted["id"]].payload == "" and by_id[accepted["id"]].payload_removed == "purged"
    assert json.loads(by_id[refused["id"]].payload)["id"] == refused["id"]
    assert json.loads(by_id[recent["id"]].payload)["id"] == recent["id"]
    assert db.session.get(Response, accepted["id"]) is not None  # the checklist itself stays
    assert runner.invoke(args=["purge-log", "--older-than", "soon"]).exit_code != 0
