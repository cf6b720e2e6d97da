"""The one path in: every door delivers through ingest.deliver, and record parts hook into it."""
import json
import uuid

import pytest
from sqlalchemy import select

from server.models import Response, SyncLogEntry
from server.records import parts
from server.records.backup import import_backup, read_backup
from server.records.ingest import deliver
from server.records.repair import reapply
from tests.conftest import make_answer, make_record, post_sync


class NotedPart(parts.RecordPart):
    """A part that checks a "notes" list, refuses ids it was told are deleted, and remembers what it stored."""

    name = "test-notes"
    field = "notes"

    def __init__(self):
        self.deleted = set()
        self.stored = []

    def validate(self, value, context, fail):
        if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
            fail("notes", "Must be a list of texts.")
        return value

    def refuse(self, ids, walk):
        return {i: parts.Refusal("deleted", "This checklist was deleted.") for i in ids if i in self.deleted}

    def store(self, walk, device_id, written):
        self.stored.extend((w.id, w.new, w.previous_revision, w.record.get("notes")) for w in written)


@pytest.fixture
def part():
    noted = parts.register(NotedPart())
    yield noted
    parts.unregister(noted.name)


def test_a_part_sees_every_accepted_record_from_each_door(app, client, db, seeded, runner, part):
    """Sync, backup import, repair and load-example all store a record's parts the same way."""
    walk = seeded["centre"]
    device = str(uuid.uuid4())
    synced = make_record([make_answer("vs1", 4)])
    post_sync(client, walk, [synced], device_id=device)
    imported = make_record([make_answer("vs2", 3)])
    import_backup(read_backup(json.dumps({"device_id": device, "walk": "centre",
                                          "responses": [imported]}).encode()), lambda w: True, None)
    broken = {**make_record([make_answer("vs3", 2)]), "revision": 0}
    result = deliver(walk, device, [broken]).results[0]
    assert result["status"] == "rejected"
    entry = db.session.execute(select(SyncLogEntry).where(SyncLogEntry.response_id == broken["id"])).scalar_one()
    reapply(entry, json.dumps({**broken, "revision": 1}), device, None)
    runner.invoke(args=["load-example"])
    ids = [row[0] for row in part.stored]
    assert ids[:3] == [synced["id"], imported["id"], broken["id"]]
    assert len(ids) == 3 + 26


def test_a_part_refusal_is_rejected_with_its_code_and_kept_for_repair(client, db, seeded, part):
    """A checklist a part refuses (e.g. deleted) is answered rejected with a code, stored nowhere, kept in the log."""
    walk = seeded["centre"]
    record = make_record([make_answer("vs1", 4)])
    part.deleted.add(record["id"])
    reply = post_sync(client, walk, [record])
    assert reply.json["results"] == [{"id": record["id"], "status": "rejected", "code": "deleted",
                                      "errors": {"id": ["This checklist was deleted."]}}]
    assert db.session.get(Response, record["id"]) is None
    entry = db.session.execute(select(SyncLogEntry)).scalar_one()
    assert (entry.outcome, entry.errors) == ("rejected", {"id": ["This checklist was deleted."]})


def test_a_part_field_is_validated_stored_and_counts_as_content(client, db, seeded, part):
    """A bad part field is refused by name; a new revision reaches the part as an edit; a changed field needs one."""
    walk = seeded["centre"]
    record = {**make_record([make_answer("vs1", 4)]), "notes": ["bench"]}
    bad = {**make_record([make_answer("vs1", 4)]), "notes": [1]}
    reply = post_sync(client, walk, [record, bad])
    assert [r["status"] for r in reply.json["results"]] == ["accepted", "rejected"]
    assert reply.json["results"][1]["errors"] == {"notes": ["Must be a list of texts."]}
    same_revision = post_sync(client, walk, [{**record, "notes": ["bin"]}]).json["results"][0]
    assert same_revision["status"] == "rejected" and "revision" in same_revision["errors"]
    post_sync(client, walk, [{**record, "revision": 2, "notes": ["bin"]}])
    assert part.stored == [(record["id"], True, None, ["bench"]), (record["id"], False, 1, ["bin"])]


def test_records_without_a_part_field_keep_their_content_hash(client, db, seeded, part):
    """Registering a part does not turn resends of checklists synced before into conflicts."""
    walk = seeded["centre"]
    record = make_record([make_answer("vs1", 4)])
    parts.unregister(part.name)
    post_sync(client, walk, [record])
    parts.register(part)
    assert post_sync(client, walk, [record]).json["results"][0]["status"] == "duplicate"
