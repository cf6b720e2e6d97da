"""The sync rules as pure functions: validate a device's record, then classify it.

A record is one participant's checklist for a walk. Its device made the id; the
revision rises each time the participant edits it after a sync. Validation here is
hand-written rather than marshmallow because a batch carries thousands of answers;
tests/test_schema_contract.py holds it to the same verdicts as the JSON Schemas in
shared_schema/, which the API description embeds as they are.
"""
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

import orjson

from ..models import GROUPS

ACCEPTED, DUPLICATE, STALE, REJECTED = "accepted", "duplicate", "stale", "rejected"
# Defined once, in shared_schema/sync-request.schema.json (see server/answer_rules.py).
from ..answer_rules import DATETIME_RE, LANGUAGE_RE, MAX_ANSWERS, MAX_COMMENT, MAX_INT, SLUG_RE, UUID_RE  # noqa: E402,F401
from ..answer_rules import MISSING, answer_errors, answer_is_valid  # noqa: E402
from ..answer_rules import shown as _shown  # noqa: E402
# The widest scale the contract allows; each checklist version narrows it (INTEGRA: 1–5 with "don't know").
CONTRACT_SCALE = (0, 10, True)


def scale_of(definition):
    """Return (min, max, dont_know offered) of a checklist definition's scale."""
    scale = definition.get("scale") or {}
    return scale.get("min", 1), scale.get("max", 5), scale.get("dont_know", True)


@dataclass(frozen=True)
class WalkContext:
    """What a record is checked against: the walk's checklist versions and stations."""

    walk_slug: str
    checklist_slug: str
    # version -> frozenset of item ids
    versions: dict
    station_codes: frozenset
    # version -> database id of that checklist version
    checklist_ids: dict
    # the registered record parts (see parts.py) whose fields are checked with the rest
    parts: tuple = ()
    # version -> (min, max, dont_know offered); a version missing here gets the contract's bounds
    scales: dict = field(default_factory=dict)
    # version -> frozenset of topic ids (photos name the topic they illustrate)
    topics: dict = field(default_factory=dict)


def is_uuid(value):
    """Tell whether a value is a UUID in its canonical lowercase 8-4-4-4-12 text form."""
    return isinstance(value, str) and bool(UUID_RE.match(value))


# The shape phones send (uppercase T and Z, offset hours up to 23): a strict subset of the schema's
# DATETIME_RE that matches in a third of the time; fromisoformat then checks the ranges it leaves open.
_COMMON_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])")


def parse_datetime(value):
    """Parse an RFC 3339 date-time with its offset; return aware UTC or None."""
    if type(value) is not str or (not _COMMON_DATETIME.fullmatch(value) and not DATETIME_RE.match(value)):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:  # lowercase t/z are valid RFC 3339 but not ISO to Python
            parsed = datetime.fromisoformat(value.upper())
        except ValueError:
            return None
    try:
        return parsed if parsed.tzinfo is timezone.utc else parsed.astimezone(timezone.utc)
    except OverflowError:  # e.g. year 1 at +14:00 falls before the first UTC day
        return None


def _clean_comment(comment):
    """Trim a comment; drop NUL characters, which no one types and PostgreSQL cannot store."""
    if not comment:
        return None
    return comment.replace("\x00", "").strip() or None


# A sync request nests 5 levels (body, responses, a checklist, answers, an answer), a checklist definition a
# few more. Far deeper is no document of ours: it would exhaust the recursion of validation and logging
# (orjson writes at most 255 levels).
MAX_DEPTH = 64


def nesting_depth(value):
    """Return how deeply a parsed JSON document nests arrays and objects (a scalar is 0)."""
    # Level by level, in comprehensions: a sync batch holds some 40,000 values, mostly scalars.
    depth, level = 0, [value]
    while True:
        containers = [node for node in level if type(node) is dict or type(node) is list]
        if not containers:
            return depth
        depth += 1
        level = []
        for node in containers:
            level.extend(node.values() if type(node) is dict else node)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def validate_envelope(body, max_responses):
    """Check a sync request's envelope; return a dict of field errors (empty when valid)."""
    if not isinstance(body, dict):
        return {"": ["The body must be a JSON object with device_id and responses."]}
    errors = {}
    if not is_uuid(body.get("device_id")):
        errors["device_id"] = ["Required: the device's id, a lowercase UUID."]
    responses = body.get("responses")
    if not isinstance(responses, list):
        errors["responses"] = ["Required: a list of checklists."]
    elif len(responses) > max_responses:
        errors["responses"] = [f"At most {max_responses} checklists per request; send the rest in another."]
    return errors


def validate_record(raw, context):
    """Check one record against the sync contract and the walk.

    Return (record, errors): a normalised record when errors is empty.
    """
    if not isinstance(raw, dict):
        return None, {"": ["Each checklist must be a JSON object."]}
    errors = {}

    def fail(path, message):
        errors.setdefault(path, []).append(message)

    record_id = raw.get("id")
    if not is_uuid(record_id):
        fail("id", "Required: the checklist's id made on the device, a lowercase UUID.")
    revision = raw.get("revision")
    if not _is_int(revision) or not 1 <= revision <= MAX_INT:
        fail("revision", f"Required: a whole number from 1 to {MAX_INT}.")

    checklist = raw.get("checklist")
    version = raw.get("checklist_version")
    items = None
    scale = CONTRACT_SCALE
    if not isinstance(checklist, str) or not checklist:
        fail("checklist", "Required: the checklist's slug.")
    elif checklist != context.checklist_slug:
        fail("checklist", f"Walk '{context.walk_slug}' uses checklist '{context.checklist_slug}', not {_shown(checklist)}.")
    if not _is_int(version) or not 1 <= version <= MAX_INT:
        fail("checklist_version", f"Required: the checklist version, a whole number from 1 to {MAX_INT}.")
    elif checklist == context.checklist_slug:
        items = context.versions.get(version)
        if items is None:
            known = ", ".join(str(v) for v in sorted(context.versions)) or "none"
            fail("checklist_version",
                 f"Checklist '{checklist}' has no version {version}; known versions: {known}.")
        else:
            scale = context.scales.get(version, CONTRACT_SCALE)

    participant = raw.get("participant")
    group = language = None
    if not isinstance(participant, dict):
        fail("participant", "Required: an object with group and language (each may be null).")
    else:
        group = participant.get("group")
        if group is not None and group not in GROUPS:
            fail("participant.group", f"Must be one of {', '.join(GROUPS)}, or null.")
        language = participant.get("language")
        if language is not None and (not isinstance(language, str) or not LANGUAGE_RE.match(language)):
            fail("participant.language", "Must be a language code such as 'en' or 'cs', or null.")

    started_at = parse_datetime(raw.get("started_at"))
    if started_at is None:
        fail("started_at", "Required: an RFC 3339 date-time with its offset, e.g. 2018-06-12T10:00:00+02:00.")
    updated_at = parse_datetime(raw.get("updated_at"))
    if updated_at is None:
        fail("updated_at", "Required: an RFC 3339 date-time with its offset, e.g. 2018-06-12T10:00:00+02:00.")

    answers = raw.get("answers")
    clean_answers = []
    if not isinstance(answers, list):
        fail("answers", "Required: a list of answers (it may be empty).")
    elif len(answers) > MAX_ANSWERS:
        fail("answers", f"At most {MAX_ANSWERS} answers per checklist.")
    else:
        seen = set()
        for index, answer in enumerate(answers):
            clean = _validate_answer(answer, f"answers.{index}", items, scale, seen, context, fail)
            if clean is not None:
                clean_answers.append(clean)

    extras = {}
    for part in context.parts:
        if part.field is not None and part.field in raw:
            extras[part.field] = part.validate(raw[part.field], context, fail)

    if errors:
        return None, errors
    record = {
        "id": record_id,
        "revision": revision,
        "checklist": checklist,
        "checklist_version": version,
        "participant": {"group": group, "language": language},
        "started_at": started_at,
        "updated_at": updated_at,
        "answers": clean_answers,
        **extras,
    }
    return record, {}


def _validate_answer(answer, path, items, scale, seen, context, fail):
    """Check one answer against the answer rules (server/answer_rules.py); return it cleaned, or None."""
    if type(answer) is not dict:
        fail(path, "Each answer must be a JSON object.")
        return None
    low, high, dont_know_offered = scale
    get = answer.get
    item, score, dont_know, comment, station, answered_at = (
        get("item"), get("score", MISSING), get("dont_know"), get("comment"), get("station"), get("answered_at"))
    when = None if answered_at is None else parse_datetime(answered_at)
    stations, walk = context.station_codes, context.walk_slug
    if answer_is_valid(item, score, dont_know, comment, station, answered_at, when,
                       items, seen, low, high, dont_know_offered, stations, walk):
        seen.add(item)
        return {"item": item, "score": score, "dont_know": dont_know,
                "comment": comment and _clean_comment(comment), "station": station, "answered_at": when}
    # Only a failed answer pays for its messages, built from the same rules.
    errors = answer_errors(item, score, dont_know, comment, station, answered_at, when,
                           items, seen, low, high, dont_know_offered, stations, walk)
    for field, message in errors.items():
        fail(f"{path}.{field}", message)
    if "item" not in errors:
        seen.add(item)
    return None


def content_hash(record):
    """Return a digest of a normalised record's content, for telling resends from edits.

    Stored with each response: changing how it is computed would make resends look like edits.
    A part's field (see parts.py) counts only when the record carries it, so records without
    one keep the digest they always had.
    """
    body = {key: value for key, value in record.items() if key not in ("id", "revision")}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


FOREIGN_ID_MESSAGE = "This checklist id cannot be used on this walk; the phone must give the checklist a new id."


@dataclass
class Stored:
    """What the server holds for a record id."""

    revision: int
    content_hash: str
    walk_id: int


def classify(record, digest, stored, walk_id):
    """Decide a valid record's status against what is stored; return (status, errors)."""
    if stored is None:
        return ACCEPTED, None
    if stored.walk_id != walk_id:
        # Nothing about the other walk's record (not its revision, not which walk) goes back to this phone.
        return REJECTED, {"id": [FOREIGN_ID_MESSAGE]}
    if record["revision"] > stored.revision:
        return ACCEPTED, None
    if record["revision"] < stored.revision:
        return STALE, None
    if digest == stored.content_hash:
        return DUPLICATE, None
    return REJECTED, {"revision": [
        f"Revision {record['revision']} of this checklist was already received with different "
        "answers; an edit must raise the revision."]}
