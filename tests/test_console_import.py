"""Importing device backups, the sync log with correct-and-re-apply, and API tokens in the console."""
import csv
import io
import json
import re

import pytest

from server.extensions import db
from server.models import Answer, ApiToken, Response, SyncLogEntry
from tests.conftest import (
    bearer,
    csrf_token,
    make_answer,
    make_record,
    make_user,
    post_sync,
    sign_in,
)
from tests.conftest import page_text as text

DEVICE = "5d2b8a3e-6c1f-4e0a-9b7d-2f4c6a8e0b13"


def upload(client, document, name="walker-backup.json"):
    """Upload a backup file through the import form."""
    data = document if isinstance(document, bytes) else json.dumps(document, ensure_ascii=False).encode()
    return client.post("/admin/import", data={"csrf_token": csrf_token(client, "/admin/import"),
                                              "backup": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def counts():
    """Return (checklists, answers) stored."""
    return (db.session.execute(db.select(db.func.count()).select_from(Response)).scalar_one(),
            db.session.execute(db.select(db.func.count()).select_from(Answer)).scalar_one())


def summary(reply):
    """Read the four totals of an import summary."""
    page = text(reply)
    return {status: int(re.search(rf"<strong>(\d+)</strong> {label}", page).group(1)) for status, label in
            [("accepted", "accepted"), ("duplicate", "already received"), ("stale", "older"),
             ("refused", "refused")]}


def walker_backup():
    """A walker app backup: the sync format, each checklist naming its walk."""
    return {"format": "city-audit-walker-backup", "exported_at": "2018-06-12T18:00:00Z", "device_id": DEVICE,
            "responses": [
                {"walk": "prague-7", **make_record([make_answer("ue1", 2, comment="přístupnost: schody",
                                                                station="P7-1")])},
                {"walk": "prague-7", **make_record([make_answer("vs1", 5)], group="ngo", language="cs")},
                {"walk": "libus", **make_record([make_answer("at1", 3, station="LI-1")])},
            ]}


def test_importing_the_same_backup_twice_adds_nothing(admin, seeded):
    """A backup imported twice stores its checklists once; the second import reports them as duplicates."""
    backup = walker_backup()
    first = upload(admin, backup)
    assert first.status_code == 200
    assert summary(first) == {"accepted": 3, "duplicate": 0, "stale": 0, "refused": 0}
    stored = counts()
    assert stored == (3, 3)
    second = upload(admin, backup)
    assert summary(second) == {"accepted": 0, "duplicate": 3, "stale": 0, "refused": 0}
    assert counts() == stored
    comment = db.session.execute(db.select(Answer.comment).where(Answer.item == "ue1")).scalar_one()
    assert comment == "přístupnost: schody"
    sources = db.session.execute(db.select(SyncLogEntry.source).distinct()).scalars().all()
    assert sources == ["import"]


def test_import_recognises_checklists_a_device_already_synced(admin, seeded):
    """Checklists that reached the server by sync are duplicates in the backup; an edited one replaces them."""
    backup = walker_backup()
    prague = [{k: v for k, v in r.items() if k != "walk"} for r in backup["responses"] if r["walk"] == "prague-7"]
    post_sync(admin, seeded["prague-7"], prague, device_id=DEVICE)
    edited = dict(backup["responses"][1], revision=2, answers=[make_answer("vs1", 4)])
    older = dict(backup["responses"][0], revision=1)
    post_sync(admin, seeded["prague-7"], [dict(older, revision=3, walk=None)], device_id=DEVICE)
    reply = upload(admin, {**backup, "responses": [older, edited, backup["responses"][2]]})
    assert summary(reply) == {"accepted": 2, "duplicate": 0, "stale": 1, "refused": 0}
    assert counts() == (3, 3)


def test_import_accepts_a_walk_named_once_for_the_file(admin, seeded):
    """A sync request with a top-level walk, or a list of them, imports like the walker app's backup."""
    single = {"device_id": DEVICE, "walk": "libus", "responses": [make_record([make_answer("at2", 4)])]}
    assert summary(upload(admin, single)) == {"accepted": 1, "duplicate": 0, "stale": 0, "refused": 0}
    other = {"device_id": "6e3c8a3e-6c1f-4e0a-9b7d-2f4c6a8e0b13", "walk": "centre",
             "responses": [make_record([make_answer("at2", 2)])]}
    reply = upload(admin, [single, other])
    assert summary(reply) == {"accepted": 1, "duplicate": 1, "stale": 0, "refused": 0}
    assert counts() == (2, 2)


def test_import_accepts_the_servers_json_download(admin, seeded, admin_headers):
    """The console's JSON download imports back with nothing new: every checklist is a duplicate."""
    upload(admin, walker_backup())
    exported = admin.get("/api/v1/export/responses.json", headers=admin_headers).get_data()
    reply = upload(admin, exported, "responses.json")
    assert summary(reply) == {"accepted": 0, "duplicate": 3, "stale": 0, "refused": 0}


def test_import_refuses_records_with_reasons(admin, seeded):
    """Unknown walks, missing walks and invalid answers are refused with reasons; good records still go in."""
    backup = walker_backup()
    backup["responses"] += [
        {"walk": "atlantis", **make_record()},
        make_record(),
        {"walk": "libus", **make_record([make_answer("at1", 7)])},
    ]
    reply = upload(admin, backup)
    page = text(reply)
    assert summary(reply) == {"accepted": 3, "duplicate": 0, "stale": 0, "refused": 3}
    assert "There is no walk 'atlantis' on this server." in page
    assert "The record names no walk, and neither does the file." in page
    assert "Must be a whole number from 1 to 5, or null." in page
    assert "where an admin can correct and re-apply them" in page
    assert "were not stored: correct the file and import it again" in page
    refused = db.session.execute(db.select(SyncLogEntry).where(SyncLogEntry.outcome == "rejected")).scalars().all()
    assert [entry.walk_slug for entry in refused] == ["libus"]


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty."),
    (b"\xff\xfe not text", "The file is not UTF-8 text"),
    (b"{\"device_id\": ", "The file is not valid JSON"),
    (b"{\"walks\": []}", "it has no list of \"responses\""),
])
def test_bad_backup_files_get_a_readable_error(admin, seeded, content, message):
    """A file that is not a backup is refused with a message saying why, and nothing is stored."""
    reply = upload(admin, content, "photo.json")
    assert reply.status_code == 400
    assert message in text(reply) and "photo.json" in text(reply)
    assert counts() == (0, 0)


def test_facilitators_import_only_into_their_walks(client, seeded):
    """A facilitator's backup goes into their walk; checklists of other walks are refused."""
    make_user("fiona", "facilitator", walks=["prague-7"])
    sign_in(client, "fiona")
    reply = upload(client, walker_backup())
    assert summary(reply) == {"accepted": 2, "duplicate": 0, "stale": 0, "refused": 1}
    assert "You are not a facilitator of the walk 'libus'." in text(reply)
    assert client.get("/admin/log").status_code == 403


def refused_entry(client, walk):
    """Sync one invalid checklist and return its log entry."""
    record = make_record([make_answer("vs1", 4, station="P7-1"), make_answer("vs2", 6)])
    post_sync(client, walk, [record], device_id=DEVICE)
    return db.session.execute(db.select(SyncLogEntry).where(SyncLogEntry.outcome == "rejected")).scalar_one()


def test_log_lists_refused_records_with_reasons(admin, seeded):
    """The log shows a refused record's reason, and its entry shows what arrived."""
    entry = refused_entry(admin, seeded["prague-7"])
    listing = text(admin.get("/admin/log?outcome=rejected&walk=prague-7"))
    assert f"#{entry.id}" in listing and "Must be a whole number from 1 to 5, or null." in listing
    assert f"#{entry.id}" not in text(admin.get("/admin/log?outcome=accepted"))
    page = text(admin.get(f"/admin/log/{entry.id}"))
    assert "answers.1.score" in page and '"score": 6' in page
    assert "Correct and re-apply" in page


def test_correct_and_reapply_appends_a_new_entry(admin, seeded):
    """A corrected record is stored through the sync rules as a new entry; the old one is kept and marked."""
    entry = refused_entry(admin, seeded["prague-7"])
    original = entry.payload
    corrected = json.loads(original)
    corrected["answers"][1]["score"] = 5
    reply = admin.post(f"/admin/log/{entry.id}/reapply", data={
        "csrf_token": csrf_token(admin, f"/admin/log/{entry.id}"), "device_id": DEVICE,
        "payload": json.dumps(corrected)})
    assert reply.status_code == 302
    db.session.expire_all()
    old = db.session.get(SyncLogEntry, entry.id)
    new = db.session.get(SyncLogEntry, old.superseded_by)
    assert old.payload == original and old.outcome == "rejected"
    assert (new.source, new.outcome, new.device_id) == ("reapply", "accepted", DEVICE)
    stored = db.session.execute(db.select(Answer.score).where(Answer.item == "vs2")).scalar_one()
    assert stored == 5
    page = text(admin.get(f"/admin/log/{entry.id}"))
    assert f"entry #{new.id}" in page and "Correct and re-apply" not in page
    assert f"#{entry.id}" not in text(admin.get("/admin/log?outcome=rejected&open=1"))
    assert text(admin.get("/admin/walks/prague-7/status")).count("log entry #") == 0


def test_reapply_that_still_fails_keeps_the_entry_open(admin, seeded):
    """A correction that is still invalid is logged, the reason shown, and the old entry stays open."""
    entry = refused_entry(admin, seeded["prague-7"])
    reply = admin.post(f"/admin/log/{entry.id}/reapply", data={
        "csrf_token": csrf_token(admin, f"/admin/log/{entry.id}"), "device_id": DEVICE,
        "payload": entry.payload.replace('"score":6', '"score":0').replace('"score": 6', '"score": 0')})
    page = text(reply)
    assert reply.status_code == 200 and "The correction was not taken" in page
    assert "Must be a whole number from 1 to 5, or null." in page
    db.session.expire_all()
    assert db.session.get(SyncLogEntry, entry.id).superseded_by is None
    broken = admin.post(f"/admin/log/{entry.id}/reapply", data={
        "csrf_token": csrf_token(admin, f"/admin/log/{entry.id}"), "device_id": DEVICE, "payload": "{oops"})
    assert broken.status_code == 400 and "The corrected record is not valid JSON" in text(broken)
    assert counts() == (0, 0)


def test_records_sent_with_a_replaced_key_leave_nothing_to_rescue(admin, seeded):
    """A phone with replaced codes is refused before its body is read: the log holds nothing, the phone keeps it."""
    walk = seeded["prague-7"]
    old_key = walk.key
    walk.rotate_key()
    db.session.commit()
    record = make_record([make_answer("vs1", 4)])
    assert post_sync(admin, walk, [record], device_id=DEVICE, key=old_key).status_code == 403
    assert db.session.execute(db.select(SyncLogEntry)).scalars().all() == []
    assert post_sync(admin, walk, [record], device_id=DEVICE).json["results"][0]["status"] == "accepted"
    assert counts() == (1, 1)


def test_tokens_are_shown_once_and_can_be_revoked(admin, seeded):
    """A token made in the console is shown once, works for scripts, and stops working when revoked."""
    page = admin.post("/admin/tokens", data={"csrf_token": csrf_token(admin, "/admin/tokens"),
                                             "role": "admin", "label": "nightly export"})
    assert page.headers["Cache-Control"] == "no-store"
    plaintext = re.search(r'id="new-token" value="(cat_[^"]+)"', text(page)).group(1)
    script = admin.application.test_client()
    assert script.get("/api/v1/report?checklist=integra-city-audit", headers=bearer(plaintext)).status_code == 200
    listing = text(admin.get("/admin/tokens"))
    assert plaintext not in listing and "nightly export" in listing
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    admin.post(f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(admin, "/admin/tokens")})
    assert script.get("/api/v1/report?checklist=integra-city-audit", headers=bearer(plaintext)).status_code == 401


def test_facilitator_tokens_need_a_walk(admin, seeded):
    """A facilitator token without walks is refused with the reason; one with a walk sees only it."""
    reply = admin.post("/admin/tokens", data={"csrf_token": csrf_token(admin, "/admin/tokens"),
                                              "role": "facilitator", "label": "Libuš phone"})
    assert reply.status_code == 400 and "A facilitator token needs at least one walk." in text(reply)
    reply = admin.post("/admin/tokens", data={"csrf_token": csrf_token(admin, "/admin/tokens"),
                                              "role": "facilitator", "label": "Libuš phone", "walks": ["libus"]})
    plaintext = re.search(r'id="new-token" value="(cat_[^"]+)"', text(reply)).group(1)
    script = admin.application.test_client()
    assert script.get("/api/v1/admin/walks/libus/status", headers=bearer(plaintext)).status_code == 200
    assert script.get("/api/v1/admin/walks/centre/status", headers=bearer(plaintext)).status_code == 403


@pytest.mark.parametrize("page", [str(2**63), "99999999999999999999"])
def test_log_page_numbers_beyond_any_page_show_the_first(admin, seeded, page):
    """A page number no database can count to shows the log's first page instead of failing."""
    refused_entry(admin, seeded["prague-7"])
    reply = admin.get(f"/admin/log?page={page}")
    assert reply.status_code == 200 and "Must be a whole number from 1 to 5, or null." in text(reply)


def test_reapply_of_json_nested_absurdly_deep_is_refused_readably(admin, seeded):
    """A correction nesting 1000 levels deep is refused with a readable reason, and the entry stays open."""
    entry = refused_entry(admin, seeded["prague-7"])
    record = json.loads(entry.payload)
    record["answers"][1]["comment"] = "deep"
    payload = json.dumps(record).replace('"deep"', "[" * 1000 + "]" * 1000)
    reply = admin.post(f"/admin/log/{entry.id}/reapply", data={
        "csrf_token": csrf_token(admin, f"/admin/log/{entry.id}"), "device_id": DEVICE, "payload": payload})
    assert reply.status_code == 400 and "nests arrays or objects too deeply" in text(reply)
    db.session.expire_all()
    assert db.session.get(SyncLogEntry, entry.id).superseded_by is None


def test_log_csv_lists_records_with_formulas_quoted(admin, seeded):
    """The log's CSV has each record with its outcome and reasons; text a spreadsheet would run is quoted."""
    walk = seeded["prague-7"]
    bad = {**make_record(), "id": '=HYPERLINK("http://x","click")'}
    post_sync(admin, walk, [bad], device_id=DEVICE)
    admin.post(f"/api/v1/walks/{walk.slug}/sync", data=b"+cmd|' /C calc'!A0",
               headers={"X-Walk-Key": walk.key, "Content-Type": "application/json"})
    reply = admin.get("/admin/log.csv?walk=prague-7")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["outcome"] for row in rows] == ["rejected", "rejected"]
    assert rows[0]["response_id"] == "'" + bad["id"] and rows[0]["device_id"] == DEVICE
    assert "UUID" in rows[0]["reasons"] and json.loads(rows[0]["payload"])["id"] == bad["id"]
    assert rows[1]["payload"] == "'+cmd|' /C calc'!A0" and "Not valid JSON" in rows[1]["reasons"]
    assert 'href="/admin/log.csv?' in text(admin.get("/admin/log"))
