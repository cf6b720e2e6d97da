"""The answer rules, read from the sync request's JSON Schema: shared_schema/ defines them once.

The sync validator (records/rules.py), the API's query schemas, the console's filters
and the report all take their limits, participant groups and patterns from here, and
tests/test_schema_contract.py holds the walker app to the same values. Change a rule in
shared_schema/sync-request.schema.json, never here.
"""
import json
import re
from pathlib import Path

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

# Canonical lowercase only: the id is compared as text, so one record cannot arrive under two spellings.
UUID_RE = re.compile(_defs["uuid"]["pattern"])
DATETIME_RE = re.compile(_defs["date_time"]["pattern"])
LANGUAGE_RE = re.compile(_defs["language"]["pattern"])
SLUG_RE = re.compile(_defs["slug"]["pattern"])
STATION_CODE_RE = re.compile(_defs["station_code"]["pattern"])
ITEM_ID_RE = re.compile(_defs["item_id"]["pattern"])
