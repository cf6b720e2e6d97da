"""Review page: review the checklists that arrived (one at a time or in bulk), read one checklist, delete on request."""
from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, inspect, select

from ..access.audit_trail import record
from ..extensions import db
from ..media.photos import PhotoRemoval
from ..models import GROUPS, Answer, Response, Walk
from ..records.deletion import DeletionError, delete_records
from ..records.review import DECISIONS, LABELS, STATES, ReviewError, review
from . import bp
from .access import can_see, current_user, signed_in, visible_walks

PAGE_SIZE = 50


def _list_args():
    args = {key: request.args.get(key, "").strip() for key in ("walk", "state", "group", "device")}
    if args["state"] not in STATES:
        args["state"] = ""
    if args["group"] not in GROUPS:
        args["group"] = ""
    return args


def _query(args, walks):
    counted = select(Answer.response_id, func.count().label("answers")).group_by(Answer.response_id).subquery()
    query = (select(Response, Walk.slug, func.coalesce(counted.c.answers, 0))
             .join(Walk, Response.walk_id == Walk.id)
             .outerjoin(counted, counted.c.response_id == Response.id)
             .where(Response.walk_id.in_([w.id for w in walks])))
    if args["walk"]:
        query = query.where(Walk.slug == args["walk"])
    if args["state"]:
        query = query.where(Response.review_state == args["state"])
    if args["group"]:
        query = query.where(Response.participant_group == args["group"])
    if args["device"]:
        query = query.where(Response.device_id == args["device"].lower())
    return query


@bp.get("/review")
@signed_in()
def review_list():
    """List the checklists received, filtered by walk, review state and group, for review one by one or in bulk."""
    user = current_user()
    walks = visible_walks(user)
    args = _list_args()
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < len(page) < 7 else 1
    rows = db.session.execute(_query(args, walks).order_by(Response.received_at.desc(), Response.id)
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    counts = dict(db.session.execute(
        select(Response.review_state, func.count()).where(Response.walk_id.in_([w.id for w in walks]))
        .group_by(Response.review_state)).all())
    return render_template("console/review/list.html", rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE,
                           page=page, args=args, walks=walks, groups=GROUPS, states=STATES, labels=LABELS,
                           decisions=DECISIONS, counts=counts, back=request.full_path.rstrip("?"))


def _back(default):
    target = request.form.get("back", "")
    return target if target.startswith("/admin/review") else default


def _reviewable_walk_ids(user):
    return None if user.role == "admin" else {w.id for w in user.walks}


@bp.post("/review/bulk")
@signed_in()
def review_bulk():
    """Set one review state and note on every ticked checklist."""
    user = current_user()
    ids = request.form.getlist("ids")
    state, note = request.form.get("state", ""), request.form.get("note", "")
    try:
        changed = review(ids, state, note, user.username, _reviewable_walk_ids(user))
    except ReviewError as error:
        db.session.rollback()
        flash(f"Nothing was changed: {error}", "error")
        return redirect(_back(url_for("console.review_list")))
    for record_id in changed:
        record("review", record_id, {"state": state, "note": note.strip() or None, "bulk": len(changed)})
    db.session.commit()
    flash(f"{len(changed)} checklist{'' if len(changed) == 1 else 's'} marked {LABELS[state]}.")
    return redirect(_back(url_for("console.review_list")))


def _checklist_or_404(record_id):
    response = db.session.get(Response, record_id.lower()) if len(record_id) <= 64 else None
    if response is None:
        abort(404, description=f"There is no checklist {record_id}; it may have been deleted.")
    if not can_see(current_user(), response.walk):
        abort(403, description=f"You are not a facilitator of the walk '{response.walk.slug}'.")
    return response


def photo_rows(record_id):
    """Return the photos stored with a checklist as dicts (empty until the server stores photos)."""
    if "photos" not in inspect(db.session.connection()).get_table_names():
        return []
    table = db.Table("photos", db.MetaData(), autoload_with=db.session.connection())
    if "response_id" not in table.c:
        return []
    return [dict(row._mapping) for row in db.session.execute(select(table).where(table.c.response_id == record_id))]


@bp.get("/review/<record_id>")
@signed_in()
def review_show(record_id):
    """Show one checklist on one page: its answers by topic, photos, review state and note."""
    response = _checklist_or_404(record_id)
    definition = response.checklist.definition
    answers = {answer.item: answer for answer in response.answers}
    topics = [(topic, [(item, answers.get(item["id"])) for item in topic["items"]]) for topic in definition["topics"]]
    return render_template("console/review/show.html", response=response, topics=topics,
                           photos=photo_rows(response.id), labels=LABELS, decisions=DECISIONS,
                           export_href="/api/v1/admin/personal-data?" + urlencode({"record": response.id}))


@bp.post("/review/<record_id>")
@signed_in()
def review_one(record_id):
    """Set this checklist's review state with a note."""
    response = _checklist_or_404(record_id)
    user = current_user()
    state, note = request.form.get("state", ""), request.form.get("note", "")
    try:
        review([response.id], state, note, user.username)
    except ReviewError as error:
        db.session.rollback()
        flash(f"Nothing was changed: {error}", "error")
        return redirect(url_for("console.review_show", record_id=response.id))
    record("review", response.id, {"state": state, "note": note.strip() or None, "walk": response.walk.slug})
    db.session.commit()
    flash(f"Checklist marked {LABELS[state]}.")
    return redirect(url_for("console.review_show", record_id=response.id))


@bp.post("/review/<record_id>/delete")
@signed_in("admin")
def review_delete(record_id):
    """Delete this checklist completely on a participant's request; a tombstone keeps the id and the reason."""
    response = _checklist_or_404(record_id)
    record_id, walk = response.id, response.walk.slug
    photos = PhotoRemoval()
    try:
        counts = delete_records([record_id], current_user().username, request.form.get("reason"),
                                remove_photos=photos)
    except DeletionError as error:
        db.session.rollback()
        flash(f"Nothing was deleted: {error}", "error")
        return redirect(url_for("console.review_show", record_id=record_id))
    record("deletion", record_id, {"reason": request.form.get("reason", "").strip(), "records": counts["ids"],
                                   "walk": walk, **{k: v for k, v in counts.items() if k != "ids"}})
    db.session.commit()
    photos.finish()  # the files go once the rows are gone for good
    flash(f"Checklist {record_id} is deleted: {counts['answers']} answers, {counts['photos']} photos and "
          f"{counts['log_entries']} log copies removed. A phone that sends it again is told it was deleted.")
    return redirect(url_for("console.review_list", walk=walk))
