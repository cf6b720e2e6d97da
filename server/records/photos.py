"""Photos on a record (PhotoVoice): the pure checks of the optional `photos` field, and the part that stores them.

The metadata travels with the checklist through the one path in (ingest.deliver); the files
follow one at a time to PUT /walks/<slug>/media/<sha256> (server/media/uploads.py).
A new revision replaces a checklist's photos as it replaces its answers; what admins chose
for a photo that stays (shown in the report, caption translations) is kept.
"""
import re

from sqlalchemy import bindparam, delete, select, update

from ..extensions import db
from ..models import RATINGS, Photo
from .ingest import _insert_plain, _time_writer
from .parts import RecordPart, register
from .rules import _clean_comment, _is_int, is_uuid, parse_datetime

MAX_PHOTOS = 100
MAX_CAPTION = 1000
MAX_PHOTO_BYTES = 2**40  # a declared size; the upload limit is the server's to enforce
MAX_PIXELS_EDGE = 100_000
MAX_VOICE_SECONDS = 130  # two minutes of recording, with room for a late stop
IMAGE_TYPES = ("image/jpeg", "image/webp", "image/png")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
AUDIO_TYPE_RE = re.compile(r"^audio/[a-z0-9.+-]{1,50}$")
TOPIC_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def is_sha256(value):
    """Tell whether a value is a SHA-256 digest in lowercase hex."""
    return type(value) is str and bool(SHA256_RE.match(value))


def _whole(value, low, high):
    return _is_int(value) and low <= value <= high


def validate_photos(photos, items, topics, context, fail):
    """Check the optional photos of a record; return them normalised (None when any is invalid)."""
    if photos is None:
        return None
    if not isinstance(photos, list):
        fail("photos", "Must be a list of photos, or left out.")
        return None
    if len(photos) > MAX_PHOTOS:
        fail("photos", f"At most {MAX_PHOTOS} photos per checklist.")
        return None
    clean, seen, ok = [], set(), True
    for index, photo in enumerate(photos):
        result = _check_photo(photo, f"photos.{index}", items, topics, context, fail)
        if result is None:
            ok = False
        elif result["id"] in seen:
            fail(f"photos.{index}.id", "This photo id appears twice in the checklist.")
            ok = False
        else:
            seen.add(result["id"])
            clean.append(result)
    return clean if ok else None


def _check_photo(photo, path, items, topics, context, fail):
    if not isinstance(photo, dict):
        fail(path, "Each photo must be a JSON object.")
        return None
    problems = []

    def bad(field_name, message):
        problems.append(field_name)
        fail(f"{path}.{field_name}", message)

    if not is_uuid(photo.get("id")):
        bad("id", "Required: the photo's id made on the device, a lowercase UUID.")
    if not is_sha256(photo.get("sha256")):
        bad("sha256", "Required: the SHA-256 of the file, 64 lowercase hex digits.")
    if not _whole(photo.get("bytes"), 1, MAX_PHOTO_BYTES):
        bad("bytes", "Required: the file's size in bytes, a whole number from 1.")
    if photo.get("content_type") not in IMAGE_TYPES:
        bad("content_type", f"Required: one of {', '.join(IMAGE_TYPES)}.")
    for name in ("width", "height"):
        if not _whole(photo.get(name), 1, MAX_PIXELS_EDGE):
            bad(name, f"Required: the image's {name} in pixels, a whole number from 1 to {MAX_PIXELS_EDGE}.")
    station = photo.get("station")
    if station is not None and (not isinstance(station, str) or station not in context.station_codes):
        bad("station", f"Unknown station {station!r} on walk '{context.walk_slug}'.")
    topic = photo.get("topic")
    if topic is not None and (type(topic) is not str or not TOPIC_RE.match(topic)
                              or (topics is not None and topic not in topics)):
        bad("topic", f"Unknown topic {topic!r} in this checklist version.")
    item = photo.get("item")
    if item is not None and (type(item) is not str or (items is not None and item not in items)):
        bad("item", f"Unknown item {item!r} in this checklist version.")
    caption = photo.get("caption")
    if caption is not None and (type(caption) is not str or len(caption) > MAX_CAPTION):
        bad("caption", f"Text of at most {MAX_CAPTION} characters, or null.")
    rating = photo.get("rating")
    if rating is not None and rating not in RATINGS:
        bad("rating", "One of works, needs_change, or null.")
    taken_at = parse_datetime(photo.get("taken_at"))
    if taken_at is None:
        bad("taken_at", "Required: an RFC 3339 date-time with its offset, e.g. 2018-06-12T10:00:00+02:00.")
    voice = _check_voice(photo.get("voice"), f"{path}.voice", fail)
    if voice is False:
        problems.append("voice")
    if problems:
        return None
    return {"id": photo["id"], "sha256": photo["sha256"], "bytes": photo["bytes"],
            "content_type": photo["content_type"], "width": photo["width"], "height": photo["height"],
            "station": station, "topic": topic, "item": item, "caption": _clean_comment(caption),
            "rating": rating, "taken_at": taken_at, "voice": voice}


def _check_voice(voice, path, fail):
    """Return the normalised voice note, None when there is none, or False when it is invalid."""
    if voice is None:
        return None
    if not isinstance(voice, dict):
        fail(path, "An object with sha256, bytes, content_type and duration_s, or null.")
        return False
    ok = True
    if not is_sha256(voice.get("sha256")):
        fail(f"{path}.sha256", "Required: the SHA-256 of the recording, 64 lowercase hex digits.")
        ok = False
    if not _whole(voice.get("bytes"), 1, MAX_PHOTO_BYTES):
        fail(f"{path}.bytes", "Required: the recording's size in bytes, a whole number from 1.")
        ok = False
    content_type = voice.get("content_type")
    if type(content_type) is not str or not AUDIO_TYPE_RE.match(content_type):
        fail(f"{path}.content_type", "Required: an audio media type such as audio/webm.")
        ok = False
    duration = voice.get("duration_s")
    if type(duration) not in (int, float) or not 0 <= duration <= MAX_VOICE_SECONDS:
        fail(f"{path}.duration_s", f"Required: the length in seconds, from 0 to {MAX_VOICE_SECONDS}.")
        ok = False
    if not ok:
        return False
    return {"sha256": voice["sha256"], "bytes": voice["bytes"], "content_type": content_type,
            "duration_s": float(duration)}


class PhotosPart(RecordPart):
    """Checks a record's photos with its other fields and writes them with its answers."""

    name = "photos"
    field = "photos"

    def validate(self, value, context, fail):
        """Check the photos against the walk's stations and its checklist's topics and items (any version)."""
        items = frozenset().union(*context.versions.values()) if context.versions else None
        topics = frozenset().union(*context.topics.values()) if context.topics else None
        return validate_photos(value, items, topics, context, fail)

    def store(self, walk, device_id, written):
        """Write the photo rows of the accepted records, replacing those of the revisions they supersede."""
        stored_time = _time_writer()
        rows = [_photo_row(item.id, walk.id, photo, stored_time)
                for item in written for photo in (item.record.get("photos") or ())]
        replaced = [item.id for item in written if not item.new]
        kept = _drop_photos(replaced) if replaced else {}
        if rows:
            _insert_plain(photos_table, PHOTO_COLUMNS, rows)
            _restore_admin_choices(kept, {(row[1], row[0]) for row in rows})


photos_table = Photo.__table__
PHOTO_COLUMNS = ("id", "response_id", "walk_id", "sha256", "bytes", "content_type", "width", "height",
                 "station_code", "topic", "item", "caption", "rating", "taken_at",
                 "voice_sha256", "voice_bytes", "voice_content_type", "voice_duration_s", "shown")


def _photo_row(record_id, walk_id, photo, stored_time):
    voice = photo["voice"] or {}
    return (photo["id"], record_id, walk_id, photo["sha256"], photo["bytes"], photo["content_type"],
            photo["width"], photo["height"], photo["station"], photo["topic"], photo["item"], photo["caption"],
            photo["rating"], stored_time(photo["taken_at"]), voice.get("sha256"), voice.get("bytes"),
            voice.get("content_type"), voice.get("duration_s"), False)


def _drop_photos(response_ids):
    """Delete the photos of replaced revisions; return what admins chose: {(response, photo): (translations, shown)}."""
    kept = {(row.response_id, row.id): (row.caption_translations, row.shown) for row in db.session.execute(
        select(Photo.response_id, Photo.id, Photo.caption_translations, Photo.shown)
        .where(Photo.response_id.in_(response_ids)))}
    db.session.execute(delete(photos_table).where(photos_table.c.response_id.in_(response_ids)))
    return kept


def _restore_admin_choices(kept, written_keys):
    """A photo that stays in an edited checklist keeps its translations and whether it is shown."""
    rows = [{"b_response": response_id, "b_id": photo_id, "caption_translations": translations, "shown": shown}
            for (response_id, photo_id), (translations, shown) in kept.items()
            if (response_id, photo_id) in written_keys and (translations or shown)]
    if rows:
        db.session.execute(
            update(photos_table)
            .where(photos_table.c.response_id == bindparam("b_response"), photos_table.c.id == bindparam("b_id"))
            .values(caption_translations=bindparam("caption_translations"), shown=bindparam("shown")), rows)


register(PhotosPart())
