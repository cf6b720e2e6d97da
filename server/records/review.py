"""Review of received checklists: the states, who may set them, and what results include by default.

A checklist arrives `received`. A reviewer (an admin, or a facilitator of its walk) marks it
`has_issues`, `approved` or `rejected`, with a note; `rejected` keeps it out of the report,
comparisons and downloads unless asked for, without deleting it. A new revision arriving after a
review sets `edited`, so the change is looked at again.
"""
from sqlalchemy import select, update

from ..extensions import db
from ..models import Response, utcnow
from .parts import RecordPart, register

RECEIVED, HAS_ISSUES, APPROVED, REJECTED, EDITED = "received", "has_issues", "approved", "rejected", "edited"
STATES = (RECEIVED, HAS_ISSUES, APPROVED, REJECTED, EDITED)
LABELS = {RECEIVED: "received", HAS_ISSUES: "has issues", APPROVED: "approved", REJECTED: "rejected",
          EDITED: "edited after review"}
# What a reviewer may choose; `edited` is only ever set by a new revision.
DECISIONS = (RECEIVED, HAS_ISSUES, APPROVED, REJECTED)
# Results leave out rejected checklists unless asked for.
DEFAULT_STATES = (RECEIVED, HAS_ISSUES, APPROVED, EDITED)
REVIEWED = (HAS_ISSUES, APPROVED, REJECTED)
MAX_NOTE = 2000
FILTER_RE = r"^\s*(all|(received|has_issues|approved|rejected|edited)(\s*,\s*(received|has_issues|approved|rejected|edited))*)\s*,?\s*$"


class ReviewError(ValueError):
    """A review decision that cannot be applied; the message says why, for people."""


def parse_states(value):
    """Read a `review=` filter: states separated by commas (or a list of them), or 'all'.

    Return a tuple in STATES order; None or '' means the default (all but rejected).
    Raise ReviewError naming an unknown state.
    """
    if value is None or value == "" or value == []:
        return DEFAULT_STATES
    parts = value if isinstance(value, (list, tuple)) else [value]
    names = {name.strip().lower() for part in parts for name in str(part).split(",") if name.strip()}
    if not names:
        return DEFAULT_STATES
    if "all" in names:
        return STATES
    unknown = sorted(names - set(STATES))
    if unknown:
        raise ReviewError(f"Unknown review state {', '.join(repr(name) for name in unknown)}; "
                          f"use {', '.join(STATES)} or all.")
    return tuple(state for state in STATES if state in names)


def describe_states(states):
    """Say in words which review states a report or download includes."""
    states = tuple(states or DEFAULT_STATES)
    if set(states) == set(STATES):
        return "all checklists, whatever their review state"
    if set(states) == set(DEFAULT_STATES):
        return "all checklists except rejected ones"
    return "checklists " + ", ".join(LABELS[state] for state in states)


def check_decision(state, note):
    """Return (state, note) cleaned, or raise ReviewError."""
    if state not in DECISIONS:
        raise ReviewError(f"Choose a review state: {', '.join(DECISIONS)}.")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ReviewError(f"The note is longer than {MAX_NOTE} characters.")
    if "\x00" in note:
        raise ReviewError("The note cannot contain NUL characters.")
    return state, note or None


def review(response_ids, state, note, reviewer, walk_ids=None):
    """Set the review state and note of these checklists; return the ids changed, sorted.

    `walk_ids` limits the change to checklists of those walks (a facilitator's); an id outside
    them, or unknown, raises ReviewError and nothing changes. The caller commits.
    """
    state, note = check_decision(state, note)
    ids = sorted(set(response_ids))
    if not ids:
        raise ReviewError("Choose at least one checklist.")
    found = db.session.execute(select(Response.id, Response.walk_id).where(Response.id.in_(ids))).all()
    allowed = {row.id for row in found if walk_ids is None or row.walk_id in walk_ids}
    missing = [record_id for record_id in ids if record_id not in allowed]
    if missing:
        raise ReviewError(f"No checklist {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''} that you may review.")
    db.session.execute(update(Response).where(Response.id.in_(ids)).values(
        review_state=state, review_note=note, reviewed_at=utcnow(), reviewed_by=reviewer[:80]))
    return ids


def mark_edited(response_ids):
    """Set `edited` on those of these checklists a reviewer had already judged (a new revision arrived)."""
    if response_ids:
        db.session.execute(update(Response.__table__).where(
            Response.__table__.c.id.in_(list(response_ids)),
            Response.__table__.c.review_state.in_(REVIEWED)).values(review_state=EDITED))


class ReviewPart(RecordPart):
    """In the one path in: a newer revision of a reviewed checklist comes back `edited`."""

    name = "review"

    def store(self, walk, device_id, written):
        mark_edited([item.id for item in written if not item.new])


register(ReviewPart())
