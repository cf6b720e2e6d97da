"""Select the checklists that report and export filters match, and stream them."""
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from sqlalchemy import DateTime, String, exists, func, select, type_coerce
from sqlalchemy.orm import aliased

from ..catalog.audits import find_audit
from ..catalog.definitions import get_checklist, latest_checklist
from ..errors import ApiError
from ..extensions import db
from ..models import GROUPS, Answer, Checklist, Response, Walk
from ..records.review import STATES as REVIEW_STATES
from ..records.review import ReviewError, describe_states, parse_states
from .compare import AuditCounts, compare
from .report import build_report, tally


@dataclass
class Filters:
    """Which checklists a report or export covers; None means any."""

    checklist: str | None = None
    version: int | None = None
    audit: str | None = None
    walk: str | None = None
    station: str | None = None
    group: str | None = None
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    # Review states included (see records/review.py); None or "" means all but rejected.
    review: tuple | str | None = None

    def __post_init__(self):
        try:
            self.review = parse_states(self.review)
        except ReviewError as error:
            raise ApiError(400, str(error), code="invalid", details={"review": [str(error)]}) from error

    def as_dict(self):
        """Return the filters that are set, JSON-ready; `review` always, as the list of states included."""
        return {key: (value.isoformat() if isinstance(value, datetime) else
                      list(value) if isinstance(value, tuple) else value)
                for key, value in asdict(self).items() if value is not None}

    @property
    def review_text(self):
        """Say in words which review states these filters include."""
        return describe_states(self.review)


def audit_checklist(filters):
    """Return the filters with the checklist named: the audit's, when an audit but no checklist is asked for."""
    if filters.audit and not filters.checklist:
        return replace(filters, checklist=find_audit(filters.audit).checklist_slug)
    return filters


def find_walk(slug):
    """Return the walk with this slug or raise a 404 ApiError."""
    walk = db.session.execute(select(Walk).where(Walk.slug == slug)).scalar_one_or_none()
    if walk is None:
        raise ApiError(404, f"No walk '{slug}'.")
    return walk


def _conditions(filters, walk_ids=None):
    conditions = []
    if filters.checklist:
        conditions.append(Checklist.slug == filters.checklist)
    if filters.version:
        conditions.append(Checklist.version == filters.version)
    if filters.audit:
        conditions.append(Response.walk_id.in_(select(Walk.id).where(Walk.audit_id == find_audit(filters.audit).id)))
    if filters.walk:
        conditions.append(Response.walk_id == find_walk(filters.walk).id)
    if walk_ids is not None:
        conditions.append(Response.walk_id.in_(walk_ids))
    if filters.group:
        conditions.append(Response.participant_group == filters.group)
    if filters.language:
        conditions.append(Response.participant_language == filters.language)
    if set(filters.review) != set(REVIEW_STATES):
        conditions.append(Response.review_state.in_(filters.review))
    if filters.since:
        conditions.append(Response.updated_at >= filters.since)
    if filters.until:
        conditions.append(Response.updated_at < filters.until)
    if filters.station:
        given_there = aliased(Answer)  # the export query joins Answer too
        at_station = select(given_there.id).where(
            given_there.response_id == Response.id, given_there.station_code == filters.station.upper()
        ).correlate(Response)
        conditions.append(exists(at_station))
    return conditions


def matching_responses(filters, walk_ids=None):
    """Return a select of Response.id for the checklists the filters match."""
    return (select(Response.id).join(Checklist, Response.checklist_id == Checklist.id)
            .where(*_conditions(filters, walk_ids)))


def layout_checklist(filters):
    """Return the checklist version whose topics and items lay out a report or wide export."""
    if filters.checklist:
        return get_checklist(filters.checklist, filters.version)
    slugs = db.session.execute(select(Checklist.slug).distinct()).scalars().all()
    if len(slugs) != 1:
        raise ApiError(400, "Name the checklist (checklist=<slug>) or an audit (audit=<slug>).", code="checklist_required",
                       details={"checklists": sorted(slugs)})
    return latest_checklist(slugs[0])


def answer_counts(filters, walk_ids=None):
    """Return (checklists the filters match, {item id: ItemTally} of their answers); at a station only its answers."""
    ids = matching_responses(filters, walk_ids).subquery()
    stored = select(func.count()).select_from(Response).scalar_subquery()
    responses, every = db.session.execute(select(func.count(), stored).select_from(ids)).one()
    counts = select(Answer.item, Answer.score, Answer.dont_know, func.count())
    if responses != every:
        counts = counts.where(Answer.response_id.in_(select(ids.c.id)))
    # else the filters leave out no stored checklist (one audit's report on its own server): every answer
    # counts, and the tally index answers without a million look-ups of response ids.
    if filters.station:
        counts = counts.where(Answer.station_code == filters.station.upper())
    counts = counts.group_by(Answer.item, Answer.score, Answer.dont_know)
    return responses, tally(db.session.execute(counts).all())


def report_data(filters, walk_ids=None):
    """Compute the audit report for the filters, in the API's shape."""
    if not filters.checklist:
        raise ApiError(400, "Name the checklist (checklist=<slug>) or an audit (audit=<slug>).", code="checklist_required")
    checklist = layout_checklist(filters)
    report = build_report(checklist.definition, *answer_counts(filters, walk_ids))
    return {"checklist": {"slug": checklist.slug, "version": checklist.version},
            "filters": filters.as_dict(), **report}


def audit_answers(audit, filters):
    """Return an audit's side of a comparison: the checklist versions it asked and its answers under the filters.

    It asked its own checklist version and every version its checklists were answered with.
    """
    filters = replace(filters, audit=audit.slug, checklist=None, version=None)
    responses, tallies = answer_counts(filters)
    used = select(Response.checklist_id).where(Response.id.in_(select(matching_responses(filters).subquery().c.id)))
    versions = db.session.execute(select(Checklist).where(
        (Checklist.id.in_(used)) | ((Checklist.slug == audit.checklist_slug)
                                   & (Checklist.version == audit.checklist_version)))
        .order_by(Checklist.slug != audit.checklist_slug, Checklist.slug, Checklist.version)).scalars().all()
    return AuditCounts(audit.slug, responses, [row.definition for row in versions], tallies)


def compare_data(slugs, filters):
    """Compare the audits named, in that order, under the filters (group, station); the API's shape."""
    audits = [find_audit(slug) for slug in slugs]
    return compare([audit_answers(audit, filters) for audit in audits])


def group_reports(filters, walk_ids=None):
    """Return {group: report} for each participant group with checklists, unless the filters pick one group."""
    if filters.group:
        return {}
    reports = {group: report_data(replace(filters, group=group), walk_ids) for group in GROUPS}
    return {group: report for group, report in reports.items() if report["responses"]}


def ordered_walks(walk_ids=None):
    """Return the walks by slug; only those in `walk_ids` when given."""
    query = select(Walk).order_by(Walk.slug)
    if walk_ids is not None:
        query = query.where(Walk.id.in_(walk_ids))
    return db.session.execute(query).scalars().all()


def place_reports(filters, walks, walk_ids=None):
    """Return a row per walk with checklists under the filters, each followed by its stations with answers.

    A row is (walk, station or None, report); at a station only the answers given there count.
    Nothing when the filters pick one station: there is nothing to compare.
    """
    if filters.station:
        return []
    rows = []
    for walk in walks:
        if filters.walk and walk.slug != filters.walk:
            continue
        data = report_data(replace(filters, walk=walk.slug), walk_ids)
        if not data["responses"]:
            continue
        rows.append((walk, None, data))
        for station in walk.stations:
            at_station = report_data(replace(filters, walk=walk.slug, station=station.code), walk_ids)
            if at_station["responses"]:
                rows.append((walk, station, at_station))
    return rows


RESPONSE_COLUMNS = (
    Response.id.label("id"), Walk.slug.label("walk"), Response.device_id, Response.revision,
    Checklist.slug.label("checklist"), Checklist.version.label("checklist_version"),
    Response.participant_group.label("group"), Response.participant_language.label("language"),
    Response.started_at, Response.updated_at, Response.received_at, Response.synced_at, Response.review_state,
)
# An answer travels as a plain tuple in this order (thousands of dicts would cost more than the rows).
ANSWER_COLUMNS = (
    Answer.item, Answer.score, Answer.dont_know, Answer.comment, Answer.station_code.label("station"),
    Answer.answered_at,
)
ANSWER_FIELDS = tuple(column.key for column in ANSWER_COLUMNS)
RESPONSE_KEYS = [column.key for column in RESPONSE_COLUMNS]


def _as_stored(column):
    """On SQLite, read a time as the UTC text stored, not parsed: the writers format it faster themselves."""
    if db.session.get_bind().dialect.name == "sqlite" and isinstance(column.type, DateTime):
        return type_coerce(column, String).label(column.key)
    return column


def grouped_responses(filters, walk_ids=None, chunk=2000):
    """Return an iterator of (response, answers), one checklist at a time.

    A response is a dict of RESPONSE_KEYS; its answers are tuples in ANSWER_FIELDS order. Times
    are aware datetimes, or on SQLite the UTC text as stored ("2018-06-12 13:05:00.000000").
    One streamed query of plain rows (no ORM objects kept), ordered so that each
    checklist's answers come together: memory stays flat however many there are.
    The query is built here, not on the first row, so a bad filter (an unknown walk)
    raises its 404 before a streamed download has sent its status and headers.
    """
    query = (
        select(*(_as_stored(column) for column in RESPONSE_COLUMNS + ANSWER_COLUMNS))
        .join(Walk, Response.walk_id == Walk.id)
        .join(Checklist, Response.checklist_id == Checklist.id)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(*_conditions(filters, walk_ids))
        .order_by(Walk.slug, Response.started_at, Response.id, Answer.id)
    )
    return _grouped_rows(query, chunk)


def _grouped_rows(query, chunk):
    width = len(RESPONSE_KEYS)
    current_id, current, answers = None, None, []
    # Core rows, streamed in chunks (a server-side cursor on PostgreSQL): no ORM layer per row.
    for row in db.session.connection().execution_options(yield_per=chunk).execute(query):
        if row[0] != current_id:
            if current is not None:
                yield current, answers
            current_id, current, answers = row[0], dict(zip(RESPONSE_KEYS, row[:width])), []
        if row[width] is not None:  # a checklist without answers has one row of NULLs
            answers.append(row[width:])
    if current is not None:
        yield current, answers


def comments_by_item(filters, walk_ids=None):
    """Return {item id: [comment, …]} from the checklists the filters match, in the order given.

    Each comment is a dict: text, score, dont_know, station, group, language, walk.
    """
    ids = matching_responses(filters, walk_ids).subquery()
    query = (
        select(Answer.item, Answer.comment, Answer.score, Answer.dont_know, Answer.station_code,
               Response.participant_group, Response.participant_language, Walk.slug)
        .join(Response, Answer.response_id == Response.id)
        .join(Walk, Response.walk_id == Walk.id)
        .where(Answer.response_id.in_(select(ids.c.id)), Answer.comment.is_not(None), Answer.comment != "")
        .order_by(Answer.item, Response.started_at, Answer.id)
    )
    if filters.station:
        query = query.where(Answer.station_code == filters.station.upper())
    comments = {}
    for item, comment, score, dont_know, station, group, language, walk in db.session.execute(query):
        comments.setdefault(item, []).append({
            "text": comment, "score": score, "dont_know": bool(dont_know), "station": station,
            "group": group, "language": language, "walk": walk})
    return comments
