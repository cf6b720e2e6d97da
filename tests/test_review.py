"""Review states: set one at a time or in bulk, `edited` after a new revision, and the review= filter everywhere."""
import csv
import io
import json

import pytest

from server.models import Response
from tests.conftest import bearer, make_answer, make_record, make_token, post_sync

ITEM = "vs1"


def _sync(client, walk, score, **kwargs):
    record = make_record([make_answer(ITEM, score)], **kwargs)
    reply = post_sync(client, walk, [record])
    assert reply.get_json()["results"][0]["status"] == "accepted", reply.get_json()
    return record


def _review(client, headers, record_id, state, note=None):
    return client.post(f"/api/v1/admin/responses/{record_id}/review", json={"state": state, "note": note},
                       headers=headers)


def _state(db, record_id):
    db.session.expire_all()
    return db.session.get(Response, record_id).review_state


@pytest.fixture
def three(client, seeded):
    """Three checklists on prague-7 scored 1, 3 and 5."""
    walk = seeded["prague-7"]
    return [_sync(client, walk, score) for score in (1, 3, 5)]


def test_new_checklist_is_received(client, db, three):
    """A checklist arrives in the state `received`."""
    assert _state(db, three[0]["id"]) == "received"


@pytest.mark.parametrize("state", ["has_issues", "approved", "rejected", "received"])
def test_admin_sets_each_state_with_a_note(client, db, three, admin_headers, state):
    """An admin sets any review state with a note; the reply and the database show it."""
    reply = _review(client, admin_headers, three[0]["id"], state, "checked against the paper form")
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert body["state"] == state and body["note"] == "checked against the paper form"
    assert body["reviewed_by"] and body["reviewed_at"]
    assert _state(db, three[0]["id"]) == state


def test_edited_is_not_a_decision_and_bad_states_are_refused(client, three, admin_headers):
    """`edited` and unknown states are refused with 400; an unknown checklist is 404."""
    assert _review(client, admin_headers, three[0]["id"], "edited").status_code == 400
    assert _review(client, admin_headers, three[0]["id"], "great").status_code == 400
    reply = _review(client, admin_headers, "00000000-0000-4000-8000-000000000000", "approved")
    assert reply.status_code == 404
    assert _review(client, admin_headers, "not-a-uuid", "approved").status_code == 400


@pytest.mark.parametrize("state", ["has_issues", "approved", "rejected"])
def test_new_revision_after_review_is_edited(client, db, seeded, admin_headers, state):
    """A new revision of a reviewed checklist comes back `edited`, so it is looked at again."""
    record = _sync(client, seeded["prague-7"], 2)
    assert _review(client, admin_headers, record["id"], state).status_code == 200
    newer = {**record, "revision": 2, "answers": [make_answer(ITEM, 4)]}
    assert post_sync(client, seeded["prague-7"], [newer]).get_json()["results"][0]["status"] == "accepted"
    assert _state(db, record["id"]) == "edited"


def test_new_revision_before_review_stays_received(client, db, seeded):
    """An edit of a checklist nobody reviewed yet stays `received`; a duplicate changes nothing."""
    record = _sync(client, seeded["prague-7"], 2)
    newer = {**record, "revision": 2, "answers": [make_answer(ITEM, 4)]}
    post_sync(client, seeded["prague-7"], [newer])
    assert _state(db, record["id"]) == "received"


def test_duplicate_after_review_keeps_the_decision(client, db, seeded, admin_headers):
    """Syncing the same revision again after approval keeps it approved."""
    record = _sync(client, seeded["prague-7"], 2)
    _review(client, admin_headers, record["id"], "approved")
    assert post_sync(client, seeded["prague-7"], [record]).get_json()["results"][0]["status"] == "duplicate"
    assert _state(db, record["id"]) == "approved"


def test_facilitator_reviews_only_their_walks(client, db, seeded):
    """A facilitator token reviews checklists of its walks and gets 404 for another walk's."""
    own = _sync(client, seeded["prague-7"], 2)
    other = _sync(client, seeded["libus"], 2)
    headers = bearer(make_token("facilitator", ["prague-7"]))
    assert _review(client, headers, own["id"], "approved").status_code == 200
    assert _review(client, headers, other["id"], "approved").status_code == 404
    assert _state(db, other["id"]) == "received"


def _mean(client, headers, query=""):
    body = client.get(f"/api/v1/report?checklist=integra-city-audit{query}", headers=headers).get_json()
    item = next(i for topic in body["topics"] for i in topic["items"] if i["id"] == ITEM)
    return body["responses"], item["mean"], body["filters"]["review"]


def test_report_leaves_out_rejected_by_default_and_says_so(client, three, admin_headers):
    """Rejecting the checklist scored 1 removes it from the report; review=all brings it back."""
    assert _mean(client, admin_headers)[:2] == (3, 3.0)
    _review(client, admin_headers, three[0]["id"], "rejected", "test entry by the facilitator")
    responses, mean, states = _mean(client, admin_headers)
    assert (responses, mean) == (2, 4.0)
    assert "rejected" not in states and "received" in states
    assert _mean(client, admin_headers, "&review=all")[:2] == (3, 3.0)
    assert _mean(client, admin_headers, "&review=rejected")[:2] == (1, 1.0)


def test_review_filter_picks_states(client, three, admin_headers):
    """review=approved,has_issues counts only those; an unknown state is a 400."""
    _review(client, admin_headers, three[1]["id"], "approved")
    _review(client, admin_headers, three[2]["id"], "has_issues")
    responses, mean, states = _mean(client, admin_headers, "&review=approved,has_issues")
    assert (responses, mean, states) == (2, 4.0, ["has_issues", "approved"])
    assert _mean(client, admin_headers, "&review=received")[:2] == (1, 1.0)
    reply = client.get("/api/v1/report?checklist=integra-city-audit&review=bogus", headers=admin_headers)
    assert reply.status_code == 400 and reply.get_json()["error"]["details"]["review"]


def test_downloads_leave_out_rejected_and_say_which_states(client, three, admin_headers):
    """CSV and JSON downloads drop rejected checklists by default, name each row's state and the states included."""
    _review(client, admin_headers, three[0]["id"], "rejected")
    reply = client.get("/api/v1/export/responses.csv?layout=wide", headers=admin_headers)
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["response_id"] for row in rows} == {three[1]["id"], three[2]["id"]}
    assert {row["review_state"] for row in rows} == {"received"}
    document = json.loads(client.get("/api/v1/export/responses.json", headers=admin_headers).data)
    assert len(document["responses"]) == 2
    assert document["filters"]["review"] == ["received", "has_issues", "approved", "edited"]
    everything = json.loads(client.get("/api/v1/export/responses.json?review=all", headers=admin_headers).data)
    assert len(everything["responses"]) == 3
    assert {r["review_state"] for r in everything["responses"]} == {"received", "rejected"}


def test_xlsx_about_sheet_names_the_review_states(client, three, admin_headers):
    """The workbook's About sheet says which review states it holds."""
    from openpyxl import load_workbook
    reply = client.get("/api/v1/export/responses.xlsx?review=approved", headers=admin_headers)
    assert reply.status_code == 200
    about = load_workbook(io.BytesIO(reply.data), read_only=True)["About"]
    values = {row[0]: row[1] for row in about.iter_rows(values_only=True) if len(row) > 1}
    assert values["Filter: review"].startswith("approved")
