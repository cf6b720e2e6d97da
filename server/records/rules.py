"""The sync rules as pure functions: validate a device's record, then classify it.

A record is one participant's checklist for a walk. Its device made the id; the
revision rises each time the participant edits it after a sync. Validation here is
hand-written rather than marshmallow because a batch carries thousands of answers; its
limits, groups and patterns come from the JSON Schema (server/answer_rules.py), and
tests/test_schema_contract.py holds it to the same verdicts as that schema and the
marshmallow schemas in server/api/schemas.py.
"""
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

import orjson

from ..answer_rules import (  # noqa: F401 - the rules' constants, re-exported for the modules above
    DATETIME_RE,
    GROUPS,
    LANGUAGE_RE,
    MAX_ANSWERS,
    MAX_COMMENT,
    MAX_INT,
    SCORE_MAX,
    SCORE_MIN,
    SLUG_RE,
    UUID_RE,
)

ACCEPTED, DUPLICATE, STALE, REJECTED = "accepted", "duplicate", "stale", "rejected"


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
    # version -> frozenset of topic ids (photos name the topic they illustrate)
    topics: dict = field(default_factory=dict)


def is_uuid(value):
    """Tell whether a value is a UUID in its canonical lowercase 8-4-4-4-12 text form."""
    return isinstance(value, str) and bool(UUID_RE.match(value))


def parse_datetime(value):
    """Parse an RFC 3339 date-time with its offset; return aware UTC or None."""
    if type(value) is not str or not DATETIME_RE.match(value):
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
    if not isinstance(checklist, str) or not checklist:
        fail("checklist", "Required: the checklist's slug.")
    elif checklist != context.checklist_slug:
        fail("checklist", f"Walk '{context.walk_slug}' uses checklist '{context.checklist_slug}', not {checklist!r}.")
    if not _is_int(version) or not 1 <= version <= MAX_INT:
        fail("checklist_version", f"Required: the checklist version, a whole number from 1 to {MAX_INT}.")
    elif checklist == context.checklist_slug:
        items = context.versions.get(version)
        if items is None:
            known = ", ".join(str(v) for v in sorted(context.versions)) or "none"
            fail("checklist_version",
                 f"Checklist '{checklist}' has no version {version}; known versions: {known}.")

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
            clean = _check_answer(answer, index, items, seen, context, fail)
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


def _check_answer(answer, index, items, seen, context, fail):
    """Check one answer; report every problem under answers.<index>; return the clean answer or None.

    One path for valid and invalid answers alike: each test is cheap and a message is
    built only for a field that fails it.
    """
    if type(answer) is not dict:
        fail(f"answers.{index}", "Each answer must be a JSON object.")
        return None
    ok = True
    item = answer.get("item")
    if type(item) is not str or not item:
        fail(f"answers.{index}.item", "Required: the item's id.")
        ok = False
    elif items is not None and item not in items:
        fail(f"answers.{index}.item", f"Unknown item {item!r} in this checklist version.")
        ok = False
    elif item in seen:
        fail(f"answers.{index}.item", f"Item {item!r} is answered twice in this checklist.")
        ok = False
    else:
        seen.add(item)

    score = answer.get("score", False)
    if score is False and "score" not in answer:
        fail(f"answers.{index}.score", f"Required: a score from {SCORE_MIN} to {SCORE_MAX}, or null.")
        ok, score = False, None
    elif score is not None and (type(score) is not int or not SCORE_MIN <= score <= SCORE_MAX):
        fail(f"answers.{index}.score", f"Must be a whole number from {SCORE_MIN} to {SCORE_MAX}, or null.")
        ok = False
    dont_know = answer.get("dont_know")
    if dont_know is not False and dont_know is not True:
        fail(f"answers.{index}.dont_know", "Required: true or false.")
        ok = False
    elif dont_know and score is not None:
        fail(f"answers.{index}.score", "A \"don't know\" answer cannot carry a score.")
        ok = False

    comment = answer.get("comment")
    if comment is not None:
        if type(comment) is not str:
            fail(f"answers.{index}.comment", "Must be text or null.")
            ok = False
        elif len(comment) > MAX_COMMENT:
            fail(f"answers.{index}.comment", f"At most {MAX_COMMENT} characters.")
            ok = False
        else:
            comment = _clean_comment(comment)

    station = answer.get("station")
    if station is not None and (type(station) is not str or station not in context.station_codes):
        fail(f"answers.{index}.station", f"Unknown station {station!r} on walk '{context.walk_slug}'.")
        ok = False

    answered_at = answer.get("answered_at")
    if answered_at is not None:
        answered_at = parse_datetime(answered_at)
        if answered_at is None:
            fail(f"answers.{index}.answered_at", "Must be an RFC 3339 date-time with its offset, or left out.")
            ok = False
    if not ok:
        return None
    return {"item": item, "score": score, "dont_know": dont_know, "comment": comment,
            "station": station, "answered_at": answered_at}


def content_hash(record):
    """Return a digest of a normalised record's content, for telling resends from edits.

    Stored with each response: changing how it is computed would make resends look like edits.
    A part's field (see parts.py) counts only when the record carries it, so records without
    one keep the digest they always had.
    """
    body = {key: value for key, value in record.items() if key not in ("id", "revision")}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


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
        return REJECTED, {"id": ["This checklist id already belongs to another walk."]}
    if record["revision"] > stored.revision:
        return ACCEPTED, None
    if record["revision"] < stored.revision:
        return STALE, None
    if digest == stored.content_hash:
        return DUPLICATE, None
    return REJECTED, {"revision": [
        f"Revision {record['revision']} of this checklist was already received with different "
        "answers; an edit must raise the revision."]}
