"""Load checklist and walk definitions, versioning checklists as they change."""
import hashlib
import json
from pathlib import Path

from sqlalchemy import select

from .contract import SHARED_SCHEMA_DIR, schema_errors
from ..errors import ApiError
from ..extensions import db
from ..models import Checklist, Response, Station, Walk
from ..records.rules import MAX_INT, scale_of


class DefinitionError(ValueError):
    """A definition that does not fit the contract; `errors` lists why."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or []


def definition_hash(definition):
    """Digest a definition's content, ignoring any version it carries."""
    body = {k: v for k, v in definition.items() if k != "version"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _duplicate_ids(definition):
    """List ids used twice (items across the checklist, topics among topics), read defensively."""
    errors, items, topics = [], {}, {}
    for t, topic in enumerate(definition.get("topics") or [] if isinstance(definition, dict) else []):
        if not isinstance(topic, dict):
            continue
        if isinstance(topic.get("id"), str):
            if topic["id"] in topics:
                errors.append({"path": f"topics/{t}/id", "message": f"Topic id '{topic['id']}' is used twice."})
            topics.setdefault(topic["id"], t)
        for i, item in enumerate(topic.get("items") or [] if isinstance(topic.get("items"), list) else []):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                if item["id"] in items:
                    errors.append({"path": f"topics/{t}/items/{i}/id",
                                   "message": f"Item id '{item['id']}' is used twice."})
                items.setdefault(item["id"], (t, i))
    return errors


def check_checklist(definition):
    """Validate a checklist definition; raise DefinitionError listing every problem.

    The one check every way in shares (console, API, CLI, XLSForm, shared_schema/ files):
    the JSON Schema, then what it cannot express (unique ids, labels on the scale).
    """
    errors = schema_errors("checklist", definition) + _duplicate_ids(definition)
    if not errors:
        scale = definition["scale"]
        off_scale = sorted(key for key in scale.get("labels") or {} if not scale["min"] <= int(key) <= scale["max"])
        if off_scale:
            errors.append({"path": "scale/labels", "message": f"Labels for scores off the {scale['min']}–"
                           f"{scale['max']} scale: {', '.join(off_scale)}."})
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


CREATED, UPDATED = "created", "updated"


def load_checklist(definition, in_place=True):
    """Store a definition; return (row, outcome): CREATED, UPDATED or None when nothing changed.

    The one save every way in shares. A changed definition is saved over the latest version while
    no walker has answered that version yet (UPDATED: drafting a checklist does not pile up
    versions); once checklists answered with it have arrived, the stored version never changes and
    the definition becomes a new version (CREATED), which walks move to when an admin chooses.
    `in_place=False` always makes a change a new version.
    """
    check_checklist(definition)
    slug = definition["slug"]
    digest = definition_hash(definition)
    latest = latest_checklist(slug)
    if latest is not None and latest.content_hash == digest:
        return latest, None
    body = {k: v for k, v in definition.items() if k != "version"}
    if latest is not None and in_place and not in_place_blockers(latest, body):
        latest.definition, latest.content_hash = body, digest
        db.session.flush()
        return latest, UPDATED
    row = Checklist(slug=slug, version=(latest.version + 1) if latest else 1,
                    definition=body, content_hash=digest)
    db.session.add(row)
    db.session.flush()
    return row, CREATED


def describe_outcome(checklist, outcome):
    """Say in words what load_checklist did, e.g. 'new version 2' or 'saved in place, still version 1'."""
    if outcome == CREATED:
        return f"new version {checklist.version}"
    if outcome == UPDATED:
        return f"saved in place, still version {checklist.version} (no checklist answered with it has arrived)"
    return f"unchanged, still version {checklist.version}"


def in_place_blockers(checklist, body):
    """Say why a checklist version cannot be changed in place into `body` (an empty list when it can).

    It cannot once a checklist answered with it has arrived, nor while a station of a walk on it
    names an item the change would drop. While a walk uses it, phones may hold answers to it that
    have not arrived yet: a change that would refuse them (an item dropped, the scale narrowed,
    "don't know" withdrawn) becomes a new version, which those answers never meet.
    """
    reasons = []
    answered = db.session.execute(select(Response.id).where(Response.checklist_id == checklist.id)
                                  .limit(1)).first()
    if answered is not None:
        reasons.append(f"checklists answered with version {checklist.version} have arrived")
    walks = db.session.execute(select(Walk.slug).where(
        Walk.checklist_slug == checklist.slug, Walk.checklist_version == checklist.version).limit(1)).first()
    if walks is not None:
        reasons += [f"walk {walks.slug} uses version {checklist.version}, and phones may hold answers that {why}"
                    for why in _answers_refused_by(checklist.definition, body)]
    kept = {item["id"] for topic in body["topics"] for item in topic["items"]}
    stations = db.session.execute(select(Walk.slug, Station.code, Station.items).join(Station.walk).where(
        Walk.checklist_slug == checklist.slug, Walk.checklist_version == checklist.version)).all()
    for walk, code, items in stations:
        dropped = sorted(set(items or ()) - kept)
        if dropped:
            reasons.append(f"station {code} of walk {walk} names item {', '.join(dropped)}")
    return reasons


def _answers_refused_by(before, after):
    """Say which answers valid under checklist `before` the checklist `after` would refuse."""
    def items(definition):
        return {item["id"] for topic in definition["topics"] for item in topic["items"]}

    reasons = []
    dropped = sorted(items(before) - items(after))
    if dropped:
        reasons.append(f"answer item {', '.join(dropped)}, which the change drops")
    (low, high, dont_know), (new_low, new_high, new_dont_know) = scale_of(before), scale_of(after)
    if new_low > low or new_high < high:
        reasons.append(f"score {low}–{high}, which the change narrows to {new_low}–{new_high}")
    if dont_know and not new_dont_know:
        reasons.append("say \"don't know\", which the change withdraws")
    return reasons


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


def station_definition(station):
    """Return a stored station in the shared walk format."""
    data = {"code": station.code, "title": station.title, "position": station.position}
    if station.lat is not None and station.lon is not None:
        data.update(lat=station.lat, lon=station.lon)
    if station.items:
        data["items"] = list(station.items)
    return data


def walk_definition(walk):
    """Return a stored walk in the shared walk format, bound to its checklist version."""
    data = {"slug": walk.slug, "title": walk.title,
            "checklist": {"slug": walk.checklist_slug, "version": walk.checklist_version},
            "stations": [station_definition(s) for s in walk.stations]}
    if walk.audit is not None:
        data["audit"] = walk.audit.slug
    if walk.description:
        data["description"] = walk.description
    return data


def reorder(stations, moved_code, position):
    """Move one station to a 1-based position (None keeps it in place); number them 1, 2, 3 …"""
    stations = list(stations)
    if position:
        moved = next(s for s in stations if s["code"] == moved_code)
        stations.remove(moved)
        stations.insert(min(max(position, 1), len(stations) + 1) - 1, moved)
    return [{**station, "position": number} for number, station in enumerate(stations, start=1)]


def save_walk(definition, walk=None):
    """Check a walk definition and write it: the one way a walk is created or changed.

    `walk` is the row to change (None creates one). Raise DefinitionError when the
    definition breaks the contract, names an unknown checklist or item, or reuses
    a station code of another walk. Flushes; the caller commits.
    """
    checklist = check_walk(definition)
    clash = station_codes_elsewhere([s["code"].upper() for s in definition["stations"]], definition["slug"])
    if clash:
        raise DefinitionError(f"Station codes already used by another walk: {', '.join(sorted(clash))}.",
                              [{"path": "stations", "message": f"Station code {code} is used by another walk."}
                               for code in sorted(clash)])
    if walk is None:
        walk = Walk(slug=definition["slug"])
        db.session.add(walk)
    apply_walk(walk, definition, checklist)
    db.session.flush()
    return walk


def save_station(walk, station, position=None):
    """Add or change one station of a walk through save_walk; return (station row, created).

    `station` is in the shared walk format (its position is ignored); `position` moves it,
    otherwise a known station keeps its place and a new one goes last.
    """
    code = station["code"].upper()
    stations = [station_definition(s) for s in walk.stations]
    created = walk.station(code) is None
    data = {**station, "code": code, "position": 1}
    if created:
        stations.append(data)
    else:
        stations = [data if s["code"] == code else s for s in stations]
    if position is not None and not (isinstance(position, int) and not isinstance(position, bool)
                                     and 1 <= position <= MAX_INT):
        raise DefinitionError("The station definition is invalid.",
                              [{"path": "position", "message": f"{position!r} is not a whole number from 1 to "
                                                               f"{MAX_INT}."}])
    stations = reorder(stations, code, position)
    index = next(i for i, s in enumerate(stations) if s["code"] == code)
    try:
        save_walk({**walk_definition(walk), "stations": stations}, walk)
    except DefinitionError as error:
        # Name the fields of this station as the caller sent them ("title", not "stations/3/title").
        prefix = f"stations/{index}"
        for entry in error.errors:
            path = entry.get("path") or ""
            if path == prefix or path.startswith(prefix + "/"):
                entry["path"] = path[len(prefix) + 1:]
        raise
    return walk.station(code), created


def remove_station(walk, code):
    """Remove one station through save_walk; a walk keeps at least one."""
    stations = [station_definition(s) for s in walk.stations if s.code != code.upper()]
    if not stations:
        raise DefinitionError("A walk needs at least one station; add another before removing this one.")
    save_walk({**walk_definition(walk), "stations": reorder(stations, None, None)}, walk)


def load_walk(definition, replace=False):
    """Create a walk from a definition; return (walk, created).

    An existing walk is left as it is unless `replace` is set, so that re-seeding
    never undoes what an admin changed.
    """
    check_walk(definition)
    walk = db.session.execute(select(Walk).where(Walk.slug == definition["slug"])).scalar_one_or_none()
    if walk is not None and not replace:
        return walk, False
    return save_walk(definition, walk), walk is None


def read_json(path):
    """Read a UTF-8 JSON file."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def shared_definitions(kind):
    """Yield (path, definition) for the checklists, audits or walks shipped in shared_schema/."""
    for path in sorted((SHARED_SCHEMA_DIR / kind).glob("*.json")):
        yield path, read_json(path)


def _loaded_before(definition):
    """Tell whether some version of this checklist holds exactly this definition."""
    slug = definition.get("slug") if isinstance(definition, dict) else None
    return slug is not None and db.session.execute(select(Checklist.id).where(
        Checklist.slug == slug, Checklist.content_hash == definition_hash(definition))).first() is not None


def seed_shared():
    """Load every checklist, audit and walk in shared_schema/; return counts of what was created."""
    from .audits import load_audit
    counts = {"checklists": 0, "audits": 0, "walks": 0}
    for _, definition in shared_definitions("checklists"):
        if _loaded_before(definition):
            continue  # a restart never puts the file back over an admin's later version
        # A changed file is a new version, never saved over a version an admin may have edited.
        counts["checklists"] += load_checklist(definition, in_place=False)[1] == CREATED
    for _, definition in shared_definitions("audits"):
        counts["audits"] += load_audit(definition)[1]
    for _, definition in shared_definitions("walks"):
        counts["walks"] += load_walk(definition)[1]
    db.session.commit()
    return counts

