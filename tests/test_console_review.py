"""Console: review checklists one by one or in bulk, read one on a page, delete on request, read the audit trail."""
import csv
import io
import uuid

from sqlalchemy import select

from server.models import AuditEvent, DeletedRecord, Response
from tests.conftest import csrf_token, make_answer, make_record, make_user, page_text, post_sync, sign_in

COMMENT = "Úřad nemá informace v angličtině"


def _sync(client, walk, group="tcn", device_id=None, comment=COMMENT):
    record = make_record([make_answer("vs1", 2, comment=comment)], group=group)
    assert post_sync(client, walk, [record], device_id=device_id).get_json()["results"][0]["status"] == "accepted"
    return record


def _state(db, record_id):
    db.session.expire_all()
    return db.session.get(Response, record_id).review_state


def test_checklist_page_shows_answers_and_reviews(admin, db, seeded):
    """One page shows a checklist's answers and comment; the review form sets state and note."""
    record = _sync(admin, seeded["prague-7"])
    page = page_text(admin.get(f"/admin/review/{record['id']}"))
    assert COMMENT in page and "received" in page and "No photos with this checklist." in page
    token = csrf_token(admin, f"/admin/review/{record['id']}")
    reply = admin.post(f"/admin/review/{record['id']}",
                       data={"csrf_token": token, "state": "has_issues", "note": "two answers look swapped"})
    assert reply.status_code == 302
    assert _state(db, record["id"]) == "has_issues"
    assert "two answers look swapped" in page_text(admin.get(f"/admin/review/{record['id']}"))


def test_bulk_review_and_filters(admin, db, seeded):
    """Ticking several checklists rejects them at once; the list filters by walk, state and group."""
    walk = seeded["prague-7"]
    first, second = _sync(admin, walk, "ngo"), _sync(admin, walk, "ngo")
    kept = _sync(admin, seeded["libus"], "eu")
    token = csrf_token(admin, "/admin/review")
    reply = admin.post("/admin/review/bulk", data={"csrf_token": token, "ids": [first["id"], second["id"]],
                                                          "state": "rejected", "note": "test entries"})
    assert reply.status_code == 302
    assert _state(db, first["id"]) == _state(db, second["id"]) == "rejected" and _state(db, kept["id"]) == "received"
    listed = page_text(admin.get("/admin/review?state=rejected"))
    assert first["id"][:8] in listed and kept["id"][:8] not in listed
    assert kept["id"][:8] in page_text(admin.get("/admin/review?walk=libus&group=eu"))
    assert first["id"][:8] not in page_text(admin.get("/admin/review?walk=libus"))
    assert len(db.session.execute(select(AuditEvent).where(AuditEvent.action == "review")).all()) == 2


def test_facilitator_reviews_own_walk_only(app, client, db, seeded):
    """A facilitator sees and reviews their walk's checklists; another walk's are refused and unchanged."""
    own, other = _sync(client, seeded["libus"]), _sync(client, seeded["prague-7"])
    make_user("fiona", "facilitator", walks=["libus"])
    sign_in(client, "fiona")
    listed = page_text(client.get("/admin/review"))
    assert own["id"][:8] in listed and other["id"][:8] not in listed
    assert client.get(f"/admin/review/{other['id']}").status_code == 403
    token = csrf_token(client, "/admin/review")
    client.post("/admin/review/bulk", data={"csrf_token": token, "ids": [own["id"], other["id"]],
                                                   "state": "approved"})
    assert _state(db, own["id"]) == "received" and _state(db, other["id"]) == "received"
    client.post("/admin/review/bulk", data={"csrf_token": token, "ids": [own["id"]], "state": "approved"})
    assert _state(db, own["id"]) == "approved"
    assert client.post(f"/admin/review/{own['id']}/delete", data={"csrf_token": token, "reason": "x"}
                       ).status_code == 403


def test_console_deletes_a_checklist_with_a_reason(admin, db, seeded):
    """The delete button removes the checklist and keeps a tombstone with the reason; no reason, no deletion."""
    record = _sync(admin, seeded["prague-7"])
    token = csrf_token(admin, f"/admin/review/{record['id']}")
    admin.post(f"/admin/review/{record['id']}/delete", data={"csrf_token": token, "reason": ""})
    assert db.session.get(Response, record["id"]) is not None
    reply = admin.post(f"/admin/review/{record['id']}/delete",
                       data={"csrf_token": token, "reason": "asked by e-mail"})
    assert reply.status_code == 302
    db.session.expire_all()
    assert db.session.get(Response, record["id"]) is None
    assert db.session.get(DeletedRecord, record["id"]).reason == "asked by e-mail"


def test_personal_data_page_finds_exports_and_deletes_a_device(admin, db, seeded):
    """Looking up a device lists its checklists, links the JSON export, and deletes them all with a reason."""
    device = str(uuid.uuid4())
    first, second = _sync(admin, seeded["prague-7"], device_id=device), _sync(admin, seeded["libus"], device_id=device)
    other = _sync(admin, seeded["libus"])
    page = page_text(admin.get(f"/admin/personal-data?device={device}"))
    assert first["id"] in page and second["id"] in page and other["id"] not in page
    assert f"/api/v1/admin/personal-data?device={device}" in page
    export = admin.get(f"/api/v1/admin/personal-data?device={device}")
    assert export.status_code == 200 and len(export.get_json()["checklists"]) == 2
    token = csrf_token(admin, "/admin/personal-data")
    admin.post("/admin/personal-data/delete", data={"csrf_token": token, "device": device,
                                                    "reason": "the walker asked at the café"})
    db.session.expire_all()
    assert db.session.execute(select(Response.id)).scalars().all() == [other["id"]]
    assert "Deleted on request earlier" in page_text(admin.get(f"/admin/personal-data?device={device}"))


def test_audit_trail_page_filters_and_downloads_csv(admin, db, seeded):
    """The trail page lists events newest first, filters by action, and downloads them as CSV; no edit form."""
    admin.post("/admin/walks/libus/close", data={"csrf_token": csrf_token(admin, "/admin/walks/libus")})
    page = page_text(admin.get("/admin/audit-trail?action=walk_closed"))
    assert "walk closed" in page and "libus" in page and "signed in" not in page.split("Events")[-1]
    assert "<form method=\"post\"" not in page.split("Events")[-1]
    reply = admin.get("/admin/audit-trail.csv?action=walk_closed")
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(row["action"], row["target"], row["actor"]) for row in rows] == [("walk_closed", "libus", "anna")]
    assert admin.get("/admin/audit-trail?since=9999-12-31&until=9999-12-31").status_code == 200


def test_audit_trail_is_for_admins(app, client, seeded):
    """Facilitators cannot open the audit trail or the personal-data page."""
    make_user("fiona", "facilitator", walks=["libus"])
    sign_in(client, "fiona")
    assert client.get("/admin/audit-trail").status_code == 403
    assert client.get("/admin/personal-data").status_code == 403


def test_audit_csv_neutralizes_formulas(app, client, seeded):
    """Usernames typed as spreadsheet formulas reach the audit CSV as text with a leading ', nothing else changed."""
    make_user("anna")
    typed = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\tfoo", "\rbar"]
    for username in typed:
        client.post("/admin/sign-in", data={"username": username, "password": "x", "csrf_token": csrf_token(client)})
    sign_in(client, "anna")
    text = client.get("/admin/audit-trail.csv?action=sign_in_failed").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    actors = {row["actor"] for row in rows}
    targets = {row["target"] for row in rows}
    for username in typed:
        name = username.strip()  # the sign-in form trims the blanks around a name
        shown = "'" + name if name[0] in "=+-@" else name
        assert shown in actors and shown in targets


def test_report_and_downloads_pages_say_which_review_states(admin, seeded):
    """The report and downloads pages say rejected checklists are left out, and the review filter changes that."""
    _sync(admin, seeded["prague-7"])
    assert "all checklists except rejected ones" in page_text(admin.get("/admin/report"))
    page = page_text(admin.get("/admin/downloads?review=rejected&review=received"))
    assert "checklists received, rejected" in page
    assert "review=received%2Crejected" in page


def test_personal_data_finds_a_device_by_the_8_characters_the_app_shows(admin, seeded):
    """The walker app shows a device id's first 8 characters; the lookup finds the device by them."""
    device = str(uuid.uuid4())
    record = _sync(admin, seeded["prague-7"], device_id=device)
    page = page_text(admin.get(f"/admin/personal-data?device={device[:8].upper()}"))
    assert record["id"] in page and device in page
    assert "No device id starts with" in page_text(admin.get("/admin/personal-data?device=00000000"))
    assert "is not an id" in page_text(admin.get("/admin/personal-data?device=abc"))
