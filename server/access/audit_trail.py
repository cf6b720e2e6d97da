"""The audit trail: who did what, when and from where, in the console, the API or on the command line.

Events are only ever added. `record` is the one way in; nothing updates or deletes an event
(the database refuses updates too, see migration 0006).
"""
import json
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent, User, as_utc, utcnow
from ..records.ingest import write_transaction
from .auth import current_principal

# action: what the console's filter calls it
ACTIONS = {
    "sign_in": "signed in",
    "sign_in_failed": "failed sign-in",
    "sign_out": "signed out",
    "password_changed": "password changed",
    "token_created": "token created",
    "token_revoked": "token revoked",
    "user_created": "user created",
    "user_changed": "user changed",
    "user_disabled": "user disabled",
    "user_enabled": "user re-enabled",
    "walk_created": "walk created",
    "walk_changed": "walk changed",
    "walk_deleted": "walk deleted",
    "walk_closed": "walk closed",
    "walk_reopened": "walk reopened",
    "key_rotated": "walk key rotated",
    "station_changed": "station changed",
    "station_deleted": "station removed",
    "checklist_saved": "checklist saved",
    "audit_saved": "audit saved",
    "review": "review decision",
    "deletion": "checklists deleted",
    "personal_data_export": "personal data exported",
    "download": "download",
    "log_repair": "log record re-applied",
    "backup_import": "backup imported",
    "log_purged": "log payloads purged",
}
MAX_TARGET = 200


def _actor(user=None):
    """Return (name, role, user id, token id) of whoever acts in this request, or of `user` when given."""
    if user is not None:
        return user.username, user.role, user.id, None
    if not has_request_context():
        return "command line", None, None, None
    principal = current_principal()
    if principal is None:
        return None, None, None, None
    name = principal.label  # a console session's label is the username
    if principal.token_id is not None and principal.user_id is not None:
        owner = db.session.get(User, principal.user_id)
        name = f"{owner.username} ({principal.label})" if owner else principal.label
    return name, principal.role, principal.user_id, principal.token_id


def _plain(value):
    """Make details JSON-ready: times as text, sets and tuples as lists."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def record_download(name, filters, **details):
    """Record a download: which file, with which filters (and any other choices, such as the layout)."""
    return record("download", name, {"filters": filters.as_dict(), **details}, commit=True)


def record(action, target=None, details=None, *, user=None, actor=None, commit=False):
    """Add one event to the trail; it is stored with the caller's next commit (or now, with commit=True).

    `action` is a key of ACTIONS; `target` names what was acted on (a walk slug, a username, a
    record id …); `details` is a small JSON-ready dict (filters, counts, old and new values).
    `user` names the actor when the request has no signed-in principal yet (a sign-in);
    `actor` overrides the name outright (e.g. a failed sign-in's typed username).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    name, role, user_id, token_id = _actor(user)
    event = AuditEvent(
        at=utcnow(), action=action, actor=(actor if actor is not None else name),
        actor_role=role, user_id=user_id, token_id=token_id,
        remote_addr=request.remote_addr if has_request_context() else None,
        target=None if target is None else str(target)[:MAX_TARGET],
        details=_plain(details) if details else None,
    )
    if event.actor is not None:
        event.actor = event.actor[:120]
    if commit:
        write_transaction()  # queue for the write lock first: a read-only request may be in a stale snapshot
    db.session.add(event)
    if commit:
        db.session.commit()
    return event


def events_query(actor=None, action=None, target=None, since=None, until=None):
    """Return a select of events, newest first, filtered by exact actor and action, a target fragment, and time."""
    query = select(AuditEvent)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if action:
        query = query.where(AuditEvent.action == action)
    if target:
        query = query.where(AuditEvent.target.contains(target, autoescape=True))
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    return query.order_by(AuditEvent.id.desc())


CSV_FIELDS = ["id", "at", "actor", "role", "address", "action", "target", "details"]


def event_row(event):
    """Return one event as the CSV download's cells."""
    at = as_utc(event.at)
    return [event.id, at.isoformat().replace("+00:00", "Z") if at else "", event.actor or "",
            event.actor_role or "", event.remote_addr or "", event.action, event.target or "",
            json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else ""]
