"""Review decisions in bulk through the API: one state and note on many checklists, through the same rules."""
from sqlalchemy import select

from server.models import AuditEvent, Response
from tests.conftest import bearer, make_answer, make_record, make_token, post_sync

BULK = "/api/v1/admin/reviews"


def _sync(client, walk, count=3):
    records = [make_record([make_answer("vs1", score)]) for score in range(1, count + 1)]
    reply = post_sync(client, walk, records)
    assert {r["status"] for r in reply.get_json()["results"]} == {"accepted"}
    return [record["id"] for record in records]


def _states(db, ids):
    db.session.expire_all()
    return {response.id: response.review_state for response in
            db.session.execute(select(Response).where(Response.id.in_(ids))).scalars()}


def test_admin_rejects_several_checklists_at_once_with_one_note(client, db, seeded, admin_headers):
    """Every named checklist gets the state and note; the reply lists each decision."""
    ids = _sync(client, seeded["prague-7"])
    reply = client.post(BULK, json={"ids": ids[:2], "state": "rejected", "note": "test walk"}, headers=admin_headers)
    assert reply.status_code == 200, reply.get_json()
    reviewed = reply.get_json()["reviewed"]
    assert sorted(r["id"] for r in reviewed) == sorted(ids[:2])
    assert {(r["state"], r["note"], r["walk"]) for r in reviewed} == {("rejected", "test walk", "prague-7")}
    assert _states(db, ids) == {ids[0]: "rejected", ids[1]: "rejected", ids[2]: "received"}


def test_each_bulk_decision_is_one_audit_trail_event(client, db, seeded, admin_headers):
    """The audit trail shows a review event per checklist, with the state, note and walk."""
    ids = _sync(client, seeded["prague-7"])
    client.post(BULK, json={"ids": ids, "state": "approved", "note": None}, headers=admin_headers)
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "review")).scalars().all()
    assert sorted(event.target for event in events) == sorted(ids)
    assert all(event.details["state"] == "approved" and event.details["walk"] == "prague-7" for event in events)


def test_one_unknown_id_changes_nothing(client, db, seeded, admin_headers):
    """A list naming a checklist that does not exist is refused whole: no state changes, no event."""
    ids = _sync(client, seeded["prague-7"])
    unknown = "00000000-0000-4000-8000-000000000000"
    reply = client.post(BULK, json={"ids": [ids[0], unknown], "state": "rejected"}, headers=admin_headers)
    assert reply.status_code == 400 and unknown in reply.get_json()["error"]["message"]
    assert set(_states(db, ids).values()) == {"received"}
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "review")).first() is None


def test_facilitator_reviews_only_their_walks_in_bulk(client, db, seeded):
    """A facilitator's bulk decision on another walk's checklist is refused and changes nothing."""
    own, other = _sync(client, seeded["prague-7"], 1), _sync(client, seeded["libus"], 1)
    headers = bearer(make_token("facilitator", ["prague-7"]))
    refused = client.post(BULK, json={"ids": own + other, "state": "approved"}, headers=headers)
    assert refused.status_code == 400
    assert set(_states(db, own + other).values()) == {"received"}
    allowed = client.post(BULK, json={"ids": own, "state": "approved"}, headers=headers)
    assert allowed.status_code == 200 and _states(db, own) == {own[0]: "approved"}


def test_bad_bulk_requests_are_refused(client, seeded, admin_headers):
    """No ids, a malformed id, `edited` or an over-long note get a 400 naming the field."""
    ids = _sync(client, seeded["prague-7"], 1)
    for body, field in (({"ids": [], "state": "approved"}, "ids"), ({"ids": ["x"], "state": "approved"}, "ids"),
                        ({"ids": ids, "state": "edited"}, "state"),
                        ({"ids": ids, "state": "approved", "note": "n" * 2001}, "note")):
        reply = client.post(BULK, json=body, headers=admin_headers)
        assert reply.status_code == 400 and field in reply.get_json()["error"]["details"], body
    assert client.post(BULK, json={"ids": ids, "state": "approved"}).status_code == 401
