"""The audit trail page: who did what, when and from where; filters and a CSV download; nothing to edit."""
import csv
import io
from datetime import date, datetime, time, timedelta, timezone

from flask import Response as FlaskResponse
from flask import render_template, request, stream_with_context
from sqlalchemy import select

from ..access.audit_trail import ACTIONS, CSV_FIELDS, event_row, events_query, record
from ..documents.cells import csv_row
from ..extensions import db
from ..models import AuditEvent
from . import bp
from .access import page_number, signed_in

PAGE_SIZE = 100


def _day(value, problems, label):
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
        return datetime.combine(day, time(), timezone.utc)
    except (ValueError, OverflowError):
        problems.append(f"'{value[:40]}' is not a date like 2018-06-12; the {label} filter was left out.")
        return None


def _filters():
    args = {key: request.args.get(key, "").strip()[:200] for key in ("actor", "action", "target", "since", "until")}
    problems = []
    if args["action"] and args["action"] not in ACTIONS:
        problems.append(f"'{args['action']}' is not an action; all actions are shown.")
        args["action"] = ""
    since = _day(args["since"], problems, "from")
    until = _day(args["until"], problems, "to")
    if until is not None:
        try:
            until += timedelta(days=1)  # the "to" day counts in full
        except OverflowError:
            until = None
    query = events_query(args["actor"], args["action"], args["target"], since, until)
    return args, query, problems


@bp.get("/audit-trail")
@signed_in("admin")
def trail_list():
    """List the trail of admin and facilitator actions, newest first, filtered by who, what and when."""
    args, query, problems = _filters()
    page = page_number(request.args)
    events = db.session.execute(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).scalars().all()
    actors = db.session.execute(select(AuditEvent.actor).distinct().where(AuditEvent.actor.is_not(None))
                                .order_by(AuditEvent.actor).limit(500)).scalars().all()
    return render_template("console/audit_trail.html", events=events[:PAGE_SIZE], more=len(events) > PAGE_SIZE,
                           page=page, args=args, problems=problems, actions=ACTIONS, actors=actors)


def _csv_chunks(query):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(csv_row(CSV_FIELDS))
    for count, event in enumerate(db.session.execute(query.execution_options(yield_per=500)).scalars(), 1):
        writer.writerow(csv_row(event_row(event)))
        if count % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@bp.get("/audit-trail.csv")
@signed_in("admin")
def trail_csv():
    """Download the filtered trail as CSV."""
    args, query, _ = _filters()
    record("download", "audit.csv", {"filters": {k: v for k, v in args.items() if v}}, commit=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    reply = FlaskResponse(stream_with_context(_csv_chunks(query)), mimetype="text/csv")
    reply.headers["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    reply.headers["Cache-Control"] = "no-store"
    return reply
