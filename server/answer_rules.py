"""The answer rules, read from the sync request's JSON Schema: shared_schema/ defines them once.

The sync validator (records/rules.py), the API's query schemas, the console's filters
and the report all take their limits, participant groups and patterns from here, and
tests/test_schema_contract.py holds the walker app to the same values. Change a rule in
shared_schema/sync-request.schema.json, never here.
"""
import json
import re
from pathlib import Path
from typing import NamedTuple

SHARED_SCHEMA_DIR = Path(__file__).resolve().parents[1] / "shared_schema"
SYNC_REQUEST_SCHEMA = json.loads((SHARED_SCHEMA_DIR / "sync-request.schema.json").read_text(encoding="utf-8"))

_defs = SYNC_REQUEST_SCHEMA["$defs"]
_response = _defs["response"]["properties"]
_answer = _defs["answer"]["properties"]

MAX_RESPONSES = SYNC_REQUEST_SCHEMA["properties"]["responses"]["maxItems"]
MAX_ANSWERS = _response["answers"]["maxItems"]
MAX_INT = _response["revision"]["maximum"]  # what an INTEGER column holds on every database
SCORE_MIN, SCORE_MAX = _answer["score"]["minimum"], _answer["score"]["maximum"]
MAX_COMMENT = _answer["comment"]["maxLength"]
# In the schema's order, which is the order reports list them in.
GROUPS = tuple(group for group in _defs["participant"]["properties"]["group"]["enum"] if group is not None)



def _pattern(text):
    """Compile a JSON Schema pattern so that Python reads it as JSON Schema does.

    In a JSON Schema (ECMA-262) pattern `$` is the end of the text; in Python it also matches
    before a final newline, so 'en\n' would pass for 'en'. `(?!\n)$` means the end in both.
    """
    return re.compile(text[:-1] + r"(?!\n)$" if text.endswith("$") else text)


# Canonical lowercase only: the id is compared as text, so one record cannot arrive under two spellings.
UUID_RE = _pattern(_defs["uuid"]["pattern"])
DATETIME_RE = _pattern(_defs["date_time"]["pattern"])
LANGUAGE_RE = _pattern(_defs["language"]["pattern"])
SLUG_RE = _pattern(_defs["slug"]["pattern"])
STATION_CODE_RE = _pattern(_defs["station_code"]["pattern"])
ITEM_ID_RE = _pattern(_defs["item_id"]["pattern"])


class _Missing:
    """A field the answer leaves out (a score must be sent, even as null)."""

    def __repr__(self):
        return "MISSING"


MISSING = _Missing()


class AnswerRule(NamedTuple):
    """One check of an answer: the field it is reported on, the test a valid answer passes, the message."""

    field: str
    test: str      # a Python expression over ANSWER_NAMES, true when the answer passes
    message: str   # str.format over the same names


# What the tests and messages may name: the answer's fields as sent (`score` is MISSING when left out),
# `when` (answered_at read as a date-time, None when absent or unreadable), and the checklist version's
# `items` (None when the version is unknown: that is reported once, on the record), the `seen` items,
# its scale's `low`, `high` and `dont_know_offered`, the walk's `stations` and the `walk` slug.
# Messages quote `item` and `station` as sent, cut short.
ANSWER_NAMES = ("item", "score", "dont_know", "comment", "station", "answered_at", "when",
                "items", "seen", "low", "high", "dont_know_offered", "stations", "walk")

# Every rule an answer must pass, in order. Only the first failing rule of a field is reported, so a test
# may rely on the earlier tests of its own field (and on nothing else).
ANSWER_RULES = (
    AnswerRule("item", "type(item) is str and item != ''", "Required: the item's id."),
    AnswerRule("item", "items is None or item in items", "Unknown item {item} in this checklist version."),
    AnswerRule("item", "item not in seen", "Item {item} is answered twice in this checklist."),
    AnswerRule("score", "score is not MISSING", "Required: a score from {low} to {high}, or null."),
    AnswerRule("score", "score is None or (type(score) is int and low <= score <= high)",
               "Must be a whole number from {low} to {high}, or null."),
    AnswerRule("score", "dont_know is not True or score is None", "A \"don't know\" answer cannot carry a score."),
    AnswerRule("dont_know", "dont_know is False or dont_know is True", "Required: true or false."),
    AnswerRule("dont_know", "dont_know is False or dont_know_offered",
               "This checklist does not offer \"don't know\"."),
    AnswerRule("comment", "comment is None or type(comment) is str", "Must be text or null."),
    AnswerRule("comment", f"comment is None or len(comment) <= {MAX_COMMENT}", f"At most {MAX_COMMENT} characters."),
    AnswerRule("station", "station is None or (type(station) is str and station in stations)",
               "Unknown station {station} on walk '{walk}'."),
    AnswerRule("answered_at", "answered_at is None or when is not None",
               "Must be an RFC 3339 date-time with its offset, or left out."),
)


def _compile(test):
    return eval(f"lambda {', '.join(ANSWER_NAMES)}: {test}", {"MISSING": MISSING})  # noqa: S307 - our own table


# The common case, a valid answer, takes one call: every test of the table joined by `and`.
answer_is_valid = _compile(" and ".join(f"({rule.test})" for rule in ANSWER_RULES))
_checks = tuple((rule, _compile(rule.test)) for rule in ANSWER_RULES)


def shown(value, limit=40):
    """Quote a value a phone sent for an error message, cut short: a reason never outweighs the record."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def answer_errors(*values):
    """Return {field: message} for the rules an answer fails (the values in ANSWER_NAMES order).

    In the messages, the item and station are quoted as sent, cut short (see shown()).
    """
    failed = {}
    names = dict(zip(ANSWER_NAMES, values))
    quoted = {**names, "item": shown(names["item"]), "station": shown(names["station"])}
    for rule, check in _checks:
        if rule.field not in failed and not check(*values):
            failed[rule.field] = rule.message.format(**quoted)
    return failed
