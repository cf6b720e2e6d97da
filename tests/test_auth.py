"""Who may do what: every admin route refuses strangers, facilitators see only their walks."""
import re

import pytest
from sqlalchemy import select

from server.models import ApiToken
from tests.conftest import bearer, make_answer, make_record, make_token, post_sync

PROTECTED = ("/api/v1/admin", "/api/v1/report", "/api/v1/export")
SAMPLE_ARGS = {"slug": "prague-7", "walk": "prague-7", "code": "P7-1", "token_id": 1, "id": 1}


def protected_routes(app):
    """Yield (method, url) for every route that needs a token, with sample arguments filled in."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PROTECTED) or (rule.rule == "/api/v1/checklists" and "POST" in rule.methods):
            url = re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", lambda m: str(SAMPLE_ARGS.get(m.group(1), "x")), rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url


def test_every_protected_route_refuses_requests_without_a_token(app, client, seeded):
    """No admin, report or export route answers anything but 401 to an anonymous caller."""
    routes = list(protected_routes(app))
    assert len(routes) >= 19
    for method, url in routes:
        reply = client.open(url, method=method, json={})
        assert reply.status_code == 401, (method, url, reply.status_code)
        assert reply.json["error"]["code"] == "unauthorized"


def test_revoked_and_unknown_tokens_are_refused(app, client, db, seeded):
    """A revoked token stops working at once."""
    plaintext = make_token("admin")
    assert client.get("/api/v1/admin/walks", headers=bearer(plaintext)).status_code == 200
    token = db.session.execute(select(ApiToken)).scalar_one()
    reply = client.delete(f"/api/v1/admin/tokens/{token.id}", headers=bearer(plaintext))
    assert reply.status_code == 200 and reply.json["revoked_at"]
    assert client.get("/api/v1/admin/walks", headers=bearer(plaintext)).status_code == 401


def test_tokens_are_stored_hashed(db, seeded):
    """The database never holds a token's plaintext."""
    plaintext = make_token("admin")
    row = db.session.execute(select(ApiToken)).scalar_one()
    assert plaintext not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
    assert ApiToken.find(plaintext) == row and ApiToken.find(plaintext + "x") is None


def test_facilitator_sees_own_walk_status_but_no_other(client, seeded):
    """A facilitator watches what arrived for their walk, and nothing of other walks."""
    token = make_token("facilitator", walks=["prague-7"])
    post_sync(client, seeded["prague-7"], [make_record([make_answer("vs1", 4, station="P7-2")])])
    reply = client.get("/api/v1/admin/walks/prague-7/status", headers=bearer(token))
    assert reply.status_code == 200 and reply.json["checklists"] == 1
    assert reply.json["stations"][1] | {"title": None} == {"code": "P7-2", "checklists": 1, "answers": 1,
                                                          "title": None}
    assert client.get("/api/v1/admin/walks/libus/status", headers=bearer(token)).status_code == 403
    walks = client.get("/api/v1/admin/walks", headers=bearer(token)).json["walks"]
    assert [w["slug"] for w in walks] == ["prague-7"]


@pytest.mark.parametrize("method,url", [
    ("GET", "/api/v1/report?checklist=integra-city-audit"),
    ("GET", "/api/v1/export/responses.csv"),
    ("GET", "/api/v1/export/responses.json"),
    ("POST", "/api/v1/admin/walks/prague-7/rotate-key"),
    ("POST", "/api/v1/admin/walks/prague-7/close"),
    ("PATCH", "/api/v1/admin/walks/prague-7"),
    ("GET", "/api/v1/admin/tokens"),
    ("POST", "/api/v1/checklists"),
])
def test_facilitator_cannot_export_or_administer(client, seeded, method, url):
    """Facilitators get 403 on exports, the report and admin actions, even for their own walk."""
    token = make_token("facilitator", walks=["prague-7"])
    reply = client.open(url, method=method, json={}, headers=bearer(token))
    assert reply.status_code == 403 and reply.json["error"]["code"] == "forbidden"


def test_walk_key_of_one_walk_does_not_open_another(client, seeded):
    """A key printed on one walk's codes cannot deliver into another walk."""
    reply = post_sync(client, seeded["libus"], [make_record()], key=seeded["centre"].key)
    assert reply.status_code == 403
