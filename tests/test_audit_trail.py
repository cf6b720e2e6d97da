"""The audit trail: each admin or facilitator action writes one event with who, when, from where and what."""
import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from server.access.audit_trail import ACTIONS, record
from server.models import AuditEvent
from tests.conftest import csrf_token, make_answer, make_record, make_user, post_sync, sign_in
from tests.test_console_users import OtherBrowser


def events(db, action=None):
    """Return the events, oldest first (only those of `action` when given)."""
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.execute(query).scalars().all()


def one(db, action):
    """Return the single event of this action, failing when there is not exactly one."""
    found = events(db, action)
    assert len(found) == 1, [(e.action, e.target) for e in events(db)]
    return found[0]


API_ACTIONS = [
    ("walk_created", "post", "/api/v1/admin/walks", {"slug": "letna", "title": {"en": "Letná"},
                                                      "checklist": {"slug": "integra-city-audit", "version": 1},
                                                      "stations": [{"code": "L-1", "title": {"en": "Park"}, "position": 1}]}),
    ("walk_changed", "patch", "/api/v1/admin/walks/libus", {"title": {"en": "Libuš again"}}),
    ("walk_closed", "post", "/api/v1/admin/walks/libus/close", None),
    ("key_rotated", "post", "/api/v1/admin/walks/libus/rotate-key", None),
    ("station_changed", "put", "/api/v1/admin/walks/libus/stations/LI-9", {"title": {"en": "New stop"}}),
    ("token_created", "post", "/api/v1/admin/tokens", {"role": "admin", "label": "nightly"}),
]


@pytest.mark.parametrize("action,method,path,body", API_ACTIONS, ids=[a[0] for a in API_ACTIONS])
def test_api_actions_write_one_event(client, db, seeded, admin_headers, action, method, path, body):
    """Each admin API change writes exactly one event naming the token and the address."""
    reply = getattr(client, method)(path, json=body, headers=admin_headers,
                                    environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert reply.status_code in (200, 201), reply.get_json()
    event = one(db, action)
    assert event.actor and event.actor_role == "admin" and event.remote_addr == "192.0.2.7" and event.at


def test_reopen_revoke_delete_review_and_deletion_events(client, db, seeded, admin_headers):
    """Reopening, revoking a token, deleting a walk, a review decision and a deletion each write one event."""
    client.post("/api/v1/admin/walks/libus/close", headers=admin_headers)
    client.post("/api/v1/admin/walks/libus/reopen", headers=admin_headers)
    assert one(db, "walk_reopened").target == "libus"
    token = client.post("/api/v1/admin/tokens", json={"role": "admin", "label": "x"}, headers=admin_headers).get_json()
    client.delete(f"/api/v1/admin/tokens/{token['id']}", headers=admin_headers)
    assert one(db, "token_revoked").target == f"#{token['id']}"
    record_ = make_record([make_answer("vs1", 3)])
    post_sync(client, seeded["prague-7"], [record_])
    client.post(f"/api/v1/admin/responses/{record_['id']}/review", json={"state": "approved", "note": "ok"},
                headers=admin_headers)
    event = one(db, "review")
    assert event.target == record_["id"] and event.details["state"] == "approved"
    client.delete(f"/api/v1/admin/responses/{record_['id']}", json={"reason": "asked"}, headers=admin_headers)
    assert one(db, "deletion").details["reason"] == "asked"
    client.get(f"/api/v1/admin/personal-data?record={record_['id']}", headers=admin_headers)
    assert one(db, "personal_data_export")


def test_checklist_saved_event(client, db, seeded, admin_headers):
    """Loading a checklist through the API writes one `checklist_saved` event saying how it was saved."""
    definition = client.get("/api/v1/checklists/integra-city-audit").get_json()
    definition.pop("version")
    definition["title"] = {"en": "Changed title"}
    assert client.post("/api/v1/checklists", json=definition, headers=admin_headers).status_code in (200, 201)
    event = one(db, "checklist_saved")
    assert event.target == "integra-city-audit v1" and event.details["in_place"] is True
    assert event.details["new_version"] is False


def test_downloads_write_an_event_with_their_filters(client, db, seeded, admin_headers):
    """Each download is in the trail with its file and filters."""
    client.get("/api/v1/export/responses.csv?layout=wide&walk=libus", headers=admin_headers)
    event = one(db, "download")
    assert event.target == "responses.csv" and event.details["filters"]["walk"] == "libus"
    assert event.details["filters"]["review"] == ["received", "has_issues", "approved", "edited"]


def test_console_sign_in_failure_sign_out_and_user_changes(app, client, db, seeded):
    """Signing in, a wrong password, signing out and user changes in the console are each one event."""
    make_user("anna")
    assert sign_in(client, "anna", "wrong-password").status_code == 401
    assert one(db, "sign_in_failed").actor == "anna"
    sign_in(client, "anna")
    assert one(db, "sign_in").actor == "anna"
    fiona = make_user("fiona", "facilitator", walks=["libus"])
    token = csrf_token(client, f"/admin/users/{fiona.id}/edit")
    client.post(f"/admin/users/{fiona.id}/edit", data={"csrf_token": token, "role": "facilitator",
                                                       "walks": ["libus", "centre"]})
    event = one(db, "user_changed")
    assert event.target == "fiona" and event.details["after"]["walks"] == ["centre", "libus"]
    client.post(f"/admin/users/{fiona.id}/deactivate", data={"csrf_token": csrf_token(client, "/admin/users")})
    assert one(db, "user_disabled").target == "fiona"
    client.post("/admin/sign-out", data={"csrf_token": csrf_token(client, "/admin/walks")})
    assert one(db, "sign_out").actor == "anna"


def test_console_walk_actions(admin, db):
    """Closing a walk and rotating its key in the console are events by the signed-in user."""
    admin.post("/admin/walks/libus/close", data={"csrf_token": csrf_token(admin, "/admin/walks/libus")})
    admin.post("/admin/walks/libus/rotate-key", data={"csrf_token": csrf_token(admin, "/admin/walks/libus")})
    assert one(db, "walk_closed").actor == "anna"
    assert one(db, "key_rotated").target == "libus"


def test_cli_actions_are_recorded(runner, db, seeded):
    """create-token and create-user on the command line are in the trail as 'command line'."""
    runner.invoke(args=["create-token", "--role", "admin", "--label", "ops"])
    runner.invoke(args=["create-user", "olga", "--role", "admin", "--password-stdin"], input="a-long-password\n")
    assert one(db, "token_created").actor == "command line"
    assert one(db, "user_created").target == "olga"


def test_trail_cannot_be_changed(app, db):
    """The database refuses to change a recorded event."""
    record("sign_in", "anna", actor="anna", commit=True)
    with pytest.raises(DBAPIError):
        db.session.execute(AuditEvent.__table__.update().values(actor="mallory"))
        db.session.commit()
    db.session.rollback()
    assert one(db, "sign_in").actor == "anna"


def test_unknown_action_is_a_programming_error(app):
    """Recording an action not in the list fails loudly, so the console's filter knows every action."""
    with pytest.raises(ValueError):
        record("made_coffee")
    assert "deletion" in ACTIONS
