"""The shared examples hold the JSON Schemas, the API description and the sync validator to one contract."""
import hashlib
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from server.catalog.definitions import check_checklist, definition_hash, shared_definitions
from server.catalog.contract import SHARED_SCHEMA_DIR, schema_errors
from server.api.docs import shared_components
import server.records.photos  # noqa: F401  (registers the photos part, as the app does)
from server.records import parts as record_parts
from server.records.rules import WalkContext, validate_envelope, validate_record

EXAMPLES = SHARED_SCHEMA_DIR / "examples"
SEED_NAME = "000_24c907e847416e57.txt"
# SHA-256 of the 30 item quotes, one per line, as last checked against the report.
SEED_QUOTES_SHA256 = "b1c1e1bf20bbf1556bb8f238810b470016313202347e6f662c57c8b19a77b307"


def examples(schema, verdict):
    """Return (name, example) pairs of one schema's valid or invalid examples."""
    paths = sorted((EXAMPLES / schema / verdict).glob("*.json"))
    return [pytest.param(json.loads(p.read_text(encoding="utf-8")), id=p.stem) for p in paths]


def all_definitions():
    checklist = next(d for _, d in shared_definitions("checklists"))
    walks = [d for _, d in shared_definitions("walks")]
    return checklist, walks


def permissive_context():
    """A walk context knowing every shipped item and station, so only the contract decides."""
    checklist, walks = all_definitions()
    items = frozenset(i["id"] for t in checklist["topics"] for i in t["items"])
    codes = frozenset(s["code"] for w in walks for s in w["stations"])
    topics = frozenset(t["id"] for t in checklist["topics"])
    return WalkContext("any", checklist["slug"], {1: items}, codes, {1: 1}, parts=record_parts.registered(),
                       topics={1: topics})


def validator_paths(payload):
    """Run the server's sync validator; return the slash paths it refuses (empty when it accepts)."""
    errors = validate_envelope(payload, 1000)
    paths = [key.replace(".", "/") for key in errors]
    if not errors:
        context = permissive_context()
        for index, record in enumerate(payload["responses"]):
            _, record_errors = validate_record(record, context)
            paths += [f"responses/{index}/" + key.replace(".", "/") if key else f"responses/{index}"
                      for key in record_errors]
    return [p.rstrip("/") for p in paths]


def described_paths(payload):
    """Validate against the sync request as the OpenAPI document embeds it; return the slash paths it refuses."""
    validator = Draft202012Validator({"components": {"schemas": shared_components()},
                                      "$ref": "#/components/schemas/SyncRequest"}, format_checker=FormatChecker())
    return ["/".join(str(p) for p in error.absolute_path) for error in validator.iter_errors(payload)]


def _covers(expected, paths):
    return any(path == expected or path.startswith(expected + "/") or expected.startswith(path + "/")
               or (expected == "" and path in ("", "device_id", "responses")) for path in paths)


@pytest.mark.parametrize("example", examples("sync-request", "valid"))
def test_valid_sync_requests_pass_every_validator(example):
    """A request the app may send is accepted by the schema, by the API description and by the sync rules."""
    payload = example["payload"]
    assert schema_errors("sync-request", payload) == []
    assert described_paths(payload) == []
    assert validator_paths(payload) == []


@pytest.mark.parametrize("example", examples("sync-request", "invalid"))
def test_invalid_sync_requests_fail_every_validator_at_the_same_field(example):
    """A defective request is refused by all three validators, each naming the faulty field."""
    payload, expected = example["payload"], example["invalid_at"]
    json_paths = [e["path"] for e in schema_errors("sync-request", payload)]
    assert json_paths and _covers(expected, json_paths), json_paths
    assert _covers(expected, described_paths(payload)), described_paths(payload)
    assert _covers(expected, validator_paths(payload)), validator_paths(payload)


@pytest.mark.parametrize("example", examples("sync-reply", "valid"))
def test_valid_sync_replies_match_the_reply_schema(example):
    """Replies shaped as documented validate."""
    assert schema_errors("sync-reply", example["payload"]) == []


@pytest.mark.parametrize("example", examples("sync-reply", "invalid"))
def test_invalid_sync_replies_fail_the_reply_schema(example):
    """Malformed replies are caught by the reply schema."""
    assert schema_errors("sync-reply", example["payload"])


@pytest.mark.parametrize("example", examples("checklist", "valid"))
def test_valid_checklists_load(example):
    """A well-formed checklist definition passes the server's checks."""
    check_checklist(example["payload"])


@pytest.mark.parametrize("example", examples("checklist", "invalid"))
def test_invalid_checklists_are_refused(example):
    """A malformed checklist definition is refused with its field named."""
    errors = schema_errors("checklist", example["payload"])
    assert errors and _covers(example["invalid_at"], [e["path"] for e in errors])


@pytest.mark.parametrize("example", examples("walk", "invalid"))
def test_invalid_walks_are_refused(example):
    """A malformed walk definition is refused with its field named."""
    errors = schema_errors("walk", example["payload"])
    assert errors and _covers(example["invalid_at"], [e["path"] for e in errors])


@pytest.mark.parametrize("example", examples("walk", "valid"))
def test_valid_walks_pass(example):
    """A well-formed walk definition passes the walk schema."""
    assert schema_errors("walk", example["payload"]) == []


def test_integra_checklist_has_the_seed_structure():
    """The INTEGRA checklist has 30 items in the 2018 report's four topics, 8/7/10/5, with Czech text."""
    checklist, _ = all_definitions()
    check_checklist(checklist)
    assert checklist["slug"] == "integra-city-audit"
    assert [len(t["items"]) for t in checklist["topics"]] == [8, 7, 10, 5]
    assert checklist["topics"][0]["items"][0]["text"]["en"].startswith("The city has a strategy for promoting diversity")
    for topic in checklist["topics"]:
        for item in topic["items"]:
            assert item["text"]["cs"].strip() and item["text"]["en"].strip()
    reconstructed = [i["id"] for t in checklist["topics"] for i in t["items"] if i.get("reconstructed")]
    assert reconstructed == ["vs2"]


def test_item_source_texts_are_printed_in_the_seed():
    """Every item's source text is quoted from the 2018 report exactly."""
    checklist, _ = all_definitions()
    quotes = {item["id"]: item["source_text"] for topic in checklist["topics"] for item in topic["items"]}
    digest = hashlib.sha256("\n".join(quotes.values()).encode("utf-8")).hexdigest()
    # The report's text lives beside the repository, in shared/seeds/, on the project's machines. A clone
    # elsewhere checks that the quotes are still the ones last compared with the report.
    candidates = [parent / "shared" / "seeds" / SEED_NAME for parent in Path(__file__).resolve().parents]
    seed = next((path for path in candidates if path.exists()), None)
    if seed is not None:
        text = seed.read_text(encoding="utf-8")
        assert [item for item, quote in quotes.items() if quote not in text] == []
    assert digest == SEED_QUOTES_SHA256, ("the quotes match the report: update SEED_QUOTES_SHA256" if seed
                                          else "the item quotes changed: compare them with the 2018 report again")


def test_walks_name_the_seed_places_with_unique_codes():
    """The three Prague walks exist with 3–6 stations each, codes unique across walks."""
    _, walks = all_definitions()
    assert sorted(w["slug"] for w in walks) == ["centre", "libus", "prague-7"]
    codes = [s["code"] for w in walks for s in w["stations"]]
    assert len(codes) == len(set(codes))
    for walk in walks:
        assert 3 <= len(walk["stations"]) <= 6
        assert schema_errors("walk", walk) == []
    titles = json.dumps(walks, ensure_ascii=False)
    for place in ("SAPA", "Václavské náměstí", "hlavní nádraží", "Holešovic"):
        assert place in titles


def test_definition_hash_ignores_version():
    """Serving a checklist with its version does not make it look changed."""
    checklist, _ = all_definitions()
    assert definition_hash(checklist) == definition_hash({**checklist, "version": 3})


def test_2018_dataset_is_up_to_date_and_matches_the_printed_tables():
    """The shipped 2018 dataset is what its builder makes, and its figures match the printed report."""
    import subprocess
    import sys

    script = SHARED_SCHEMA_DIR.parent / "scripts" / "make_prague_2018_dataset.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is up to date" in result.stdout


def test_walker_app_follows_the_schemas_comment_limit_and_groups():
    """The walker app lets a walker type exactly as long a comment, and offers exactly the groups, the server accepts."""
    import re

    from server.answer_rules import GROUPS, MAX_COMMENT

    js = SHARED_SCHEMA_DIR.parent / "pwa" / "js"
    records = (js / "records.js").read_text(encoding="utf-8")
    item = (js / "ui" / "item.js").read_text(encoding="utf-8")
    i18n = (js / "i18n.js").read_text(encoding="utf-8")
    assert re.search(r"const MAX_COMMENT = (\d+);", records).group(1) == str(MAX_COMMENT)
    assert re.search(r"maxlength: (\w+)", item).group(1) in (str(MAX_COMMENT), "MAX_COMMENT")
    groups = re.search(r"export const GROUPS = \{([^}]*)\}", i18n).group(1)
    assert tuple(re.findall(r"(\w+):", groups)) == GROUPS


def test_server_rules_come_from_the_sync_request_schema():
    """The comment limit, score range and groups the server checks are the ones the JSON Schema states."""
    from server.answer_rules import GROUPS, MAX_ANSWERS, MAX_COMMENT, SCORE_MAX, SCORE_MIN

    schema = json.loads((SHARED_SCHEMA_DIR / "sync-request.schema.json").read_text(encoding="utf-8"))
    answer = schema["$defs"]["answer"]["properties"]
    assert (MAX_COMMENT, SCORE_MIN, SCORE_MAX) == (answer["comment"]["maxLength"], answer["score"]["minimum"],
                                                    answer["score"]["maximum"])
    assert MAX_ANSWERS == schema["$defs"]["response"]["properties"]["answers"]["maxItems"]
    assert list(GROUPS) + [None] == schema["$defs"]["participant"]["properties"]["group"]["enum"]
    context = permissive_context()
    long_comment = {"item": "vs1", "score": 3, "dont_know": False, "comment": "x" * (MAX_COMMENT + 1)}
    record = json.loads((EXAMPLES / "sync-request" / "valid").glob("*.json").__next__().read_text())["payload"]
    record = {**record["responses"][0], "answers": [long_comment]}
    assert list(validate_record(record, context)[1]) == ["answers.0.comment"]
