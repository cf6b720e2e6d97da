"""Load checklist and walk definitions, versioning checklists as they change."""
import hashlib
import json
from pathlib import Path

from sqlalchemy import select

from .contract import SHARED_SCHEMA_DIR, schema_errors
from ..errors import ApiError
from ..extensions import db
from ..models import Checklist, Station, Walk
from ..records.rules import MAX_INT


class DefinitionError(ValueError):
    """A definition that does not fit the contract; `errors` lists why."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or []


def definition_hash(definition):
    """Digest a definition's content, ignoring any version it carries."""
    body = {k: v for k, v in definition.items() if k != "version"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def check_checklist(definition):
    """Validate a checklist definition; raise DefinitionError listing every problem."""
    errors = schema_errors("checklist", definition)
    if not errors:
        seen = set()
        for topic in definition["topics"]:
            for item in topic["items"]:
                if item["id"] in seen:
                    errors.append({"path": "topics", "message": f"Item id '{item['id']}' is used twice."})
                seen.add(item["id"])
    if errors:
        raise DefinitionError("The checklist definition is invalid.", errors)


def latest_checklist(slug):
    """Return the newest version of a checklist, or None."""
    return db.session.execute(
        select(Checklist).where(Checklist.slug == slug).order_by(Checklist.version.desc()).limit(1)
    ).scalar_one_or_none()


def get_checklist(slug, version=None):
    """Return a checklist version (the latest when version is None), or raise a 404 ApiError."""
    if version is None:
        row = latest_checklist(slug)
    else:
        row = db.session.execute(
            select(Checklist).where(Checklist.slug == slug, Checklist.version == version)
        ).scalar_one_or_none()
    if row is None:
        if version is not None and latest_checklist(slug) is not None:
            raise ApiError(404, f"Checklist '{slug}' has no version {version}.")
        raise ApiError(404, f"No checklist '{slug}'.")
    return row


def load_checklist(definition):
    """Store a definition; return (row, created). Unchanged content keeps its version."""
    check_checklist(definition)
    slug = definition["slug"]
    digest = definition_hash(definition)
    latest = latest_checklist(slug)
    if latest is not None and latest.content_hash == digest:
        return latest, False
    body = {k: v for k, v in definition.items() if k != "version"}
    row = Checklist(slug=slug, version=(latest.version + 1) if latest else 1,
                    definition=body, content_hash=digest)
    db.session.add(row)
    db.session.flush()
    return row, True


def _beyond_integer_columns(definition):
    """List the whole numbers of a valid walk definition that no INTEGER column holds (the contract sets no maximum)."""
    numbers = [("checklist/version", definition["checklist"].get("version"))]
    numbers += [(f"stations/{index}/position", station.get("position"))
                for index, station in enumerate(definition["stations"])]
    return [{"path": path, "message": f"{value} is greater than the maximum of {MAX_INT}"}
            for path, value in numbers if isinstance(value, (int, float)) and value > MAX_INT]


def check_walk(definition):
    """Validate a walk definition against the contract and its checklist."""
    errors = schema_errors("walk", definition) or _beyond_integer_columns(definition)
    if errors:
        raise DefinitionError("The walk definition is invalid.", errors)
    from .audits import walk_audit  # audits stand on checklists and walks: imported here, not in a cycle
    audit = walk_audit(definition)
    wanted = dict(definition["checklist"])
    if wanted.get("version") is None and audit is not None:
        wanted["version"] = audit.checklist_version  # a walk without a version uses its audit's
    checklist = (latest_checklist(wanted["slug"]) if wanted.get("version") is None
                 else db.session.execute(select(Checklist).where(
                     Checklist.slug == wanted["slug"], Checklist.version == wanted["version"])).scalar_one_or_none())
    if checklist is None:
        raise DefinitionError(f"Walk '{definition['slug']}' names checklist "
                              f"{wanted['slug']} version {wanted.get('version') or 'latest'}, which is not loaded.")
    items = set(checklist.item_ids)
    codes = set()
    for index, station in enumerate(definition["stations"]):
        code = station["code"].upper()
        if code in codes:
            errors.append({"path": f"stations/{index}/code", "message": f"Station code {code} is used twice."})
        codes.add(code)
        for item in station.get("items") or []:
            if item not in items:
                errors.append({"path": f"stations/{index}/items",
                               "message": f"Item '{item}' is not in {checklist.slug} version {checklist.version}."})
    if errors:
        raise DefinitionError("The walk definition is invalid.", errors)
    return checklist


def station_codes_elsewhere(codes, walk_slug):
    """Return the codes among `codes` that stations of other walks already use."""
    rows = db.session.execute(
        select(Station.code).join(Walk).where(Station.code.in_(codes), Walk.slug != walk_slug)
    ).scalars()
    return set(rows)


def apply_walk(walk, definition, checklist):
    """Write a checked definition onto a walk row, replacing its stations by code."""
    walk.title = definition["title"]
    walk.description = definition.get("description")
    walk.checklist_slug = checklist.slug
    walk.checklist_version = checklist.version
    existing = {station.code: station for station in walk.stations}
    kept = []
    for position, data in enumerate(definition["stations"], start=1):
        code = data["code"].upper()
        station = existing.get(code) or Station(code=code)
        station.title = data["title"]
        station.position = data.get("position") or position
        station.lat = data.get("lat")
        station.lon = data.get("lon")
        station.items = data.get("items")
        kept.append(station)
    walk.stations = kept
    from .audits import place_walk
    place_walk(walk, definition, checklist)


def load_walk(definition, replace=False):
    """Create a walk from a definition; return (walk, created).

    An existing walk is left as it is unless `replace` is set, so that re-seeding
    never undoes what an admin changed.
    """
    checklist = check_walk(definition)
    walk = db.session.execute(select(Walk).where(Walk.slug == definition["slug"])).scalar_one_or_none()
    if walk is not None and not replace:
        return walk, False
    clash = station_codes_elsewhere([s["code"].upper() for s in definition["stations"]], definition["slug"])
    if clash:
        raise DefinitionError(f"Station codes already used by another walk: {', '.join(sorted(clash))}.")
    created = walk is None
    if created:
        walk = Walk(slug=definition["slug"])
        db.session.add(walk)
    apply_walk(walk, definition, checklist)
    db.session.flush()
    return walk, created


def read_json(path):
    """Read a UTF-8 JSON file."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def shared_definitions(kind):
    """Yield (path, definition) for the checklists, audits or walks shipped in shared_schema/."""
    for path in sorted((SHARED_SCHEMA_DIR / kind).glob("*.json")):
        yield path, read_json(path)


def seed_shared():
    """Load every checklist, audit and walk in shared_schema/; return counts of what was created."""
    from .audits import load_audit
    counts = {"checklists": 0, "audits": 0, "walks": 0}
    for _, definition in shared_definitions("checklists"):
        counts["checklists"] += load_checklist(definition)[1]
    for _, definition in shared_definitions("audits"):
        counts["audits"] += load_audit(definition)[1]
    for _, definition in shared_definitions("walks"):
        counts["walks"] += load_walk(definition)[1]
    db.session.commit()
    return counts

