"""Photos as admins see them: listed with their checklist's group and language, stored or waiting."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Audit, MediaFile, Photo, Response, Walk, as_utc
from ..records.review import DEFAULT_STATES, STATES
from .storage import file_key, media_storage, thumbnail_key

STORED, WAITING = "stored", "waiting"


@dataclass
class PhotoFilters:
    """Which photos a gallery, list or ZIP shows; None means any.

    `review` names the review states of the photos' checklists that are included: like the report,
    every state but rejected unless asked for.
    """

    audit: str | None = None
    walk: str | None = None
    station: str | None = None
    topic: str | None = None
    rating: str | None = None
    group: str | None = None
    shown: bool | None = None
    review: tuple = field(default=DEFAULT_STATES)


def _query(filters, walk_ids=None):
    image, voice = aliased(MediaFile), aliased(MediaFile)
    query = (select(Photo, Walk.slug, Audit.slug.label("audit"), Response.participant_group,
                    Response.participant_language, Response.review_state,
                    image.bytes.label("stored_bytes"), image.sha256.label("image_held"),
                    voice.sha256.label("voice_held"))
             .join(Response, Photo.response_id == Response.id)
             .join(Walk, Photo.walk_id == Walk.id)
             .join(Audit, Walk.audit_id == Audit.id)
             .outerjoin(image, image.sha256 == Photo.sha256)
             .outerjoin(voice, voice.sha256 == Photo.voice_sha256))
    if filters.audit:
        query = query.where(Audit.slug == filters.audit)
    if filters.walk:
        query = query.where(Walk.slug == filters.walk)
    if set(filters.review) != set(STATES):
        query = query.where(Response.review_state.in_(filters.review))
    if walk_ids is not None:
        query = query.where(Photo.walk_id.in_(walk_ids))
    if filters.station:
        query = query.where(Photo.station_code == filters.station.upper())
    if filters.topic:
        query = query.where(Photo.topic == filters.topic)
    if filters.rating:
        query = query.where(Photo.rating == filters.rating) if filters.rating != "none" \
            else query.where(Photo.rating.is_(None))
    if filters.group:
        query = query.where(Response.participant_group == filters.group)
    if filters.shown is not None:
        query = query.where(Photo.shown.is_(filters.shown))
    return query.order_by(Walk.slug, Photo.station_code,
                          Photo.taken_at, Photo.id)


def list_photos(filters, walk_ids=None):
    """Yield each photo the filters match as a dict (without URLs), in walk, station and time order."""
    for row in db.session.execute(_query(filters, walk_ids)):
        photo = row.Photo
        stored = row.image_held is not None and (photo.voice_sha256 is None or row.voice_held is not None)
        yield {
            "id": photo.id, "audit": row.audit, "walk": row.slug, "response": photo.response_id,
            "review": row.review_state, "station": photo.station_code,
            "topic": photo.topic, "item": photo.item, "caption": photo.caption,
            "caption_translations": photo.caption_translations or {}, "rating": photo.rating,
            "taken_at": as_utc(photo.taken_at), "group": row.participant_group,
            "language": row.participant_language, "status": STORED if stored else WAITING,
            "image_stored": row.image_held is not None, "shown": photo.shown,
            "width": photo.width, "height": photo.height,
            "bytes": row.stored_bytes if row.stored_bytes is not None else photo.bytes,
            "sha256": photo.sha256, "content_type": photo.content_type,
            "voice_sha256": photo.voice_sha256, "voice_content_type": photo.voice_content_type,
            "voice_duration_s": photo.voice_duration_s,
            "voice_stored": photo.voice_sha256 is not None and row.voice_held is not None,
        }


def find_photo(walk_id, photo_id):
    """Return the walk's photo with this id, or None."""
    if not isinstance(photo_id, str) or len(photo_id) > 36:
        return None
    return db.session.execute(select(Photo).where(Photo.walk_id == walk_id, Photo.id == photo_id)
                              .order_by(Photo.response_id).limit(1)).scalar_one_or_none()


def set_caption_translations(photo, translations):
    """Replace a photo's caption translations ({language: text}); empty texts drop that language.

    The caller has checked the language codes and lengths (the API's schema, the console's form).
    """
    photo.caption_translations = {language: text.strip() for language, text in sorted(translations.items())
                                  if text and text.strip()} or None


def file_chunks(sha256, thumbnail=False):
    """Yield a stored file's bytes (or its thumbnail's)."""
    storage = media_storage()
    return storage.chunks(thumbnail_key(sha256) if thumbnail else file_key(sha256))


def thumbnail_bytes(sha256):
    """Return a stored photo's thumbnail (JPEG, about 320 px)."""
    return media_storage().read(thumbnail_key(sha256))


def held_file(sha256):
    """Return the MediaFile row of a held file, or None."""
    return db.session.get(MediaFile, sha256) if sha256 else None


class PhotoRemoval:
    """Remove checklists' photos for deletion.delete_records(remove_photos=…): rows now, files after the commit.

    Call the object with checklist ids inside the deleting transaction (it deletes their photo rows and
    returns how many); once that transaction has committed, call finish() to delete the files (and
    thumbnails) that no other photo names, in whichever storage holds them.
    """

    def __init__(self):
        self.files = set()

    def __call__(self, ids):
        rows = db.session.execute(select(Photo.sha256, Photo.voice_sha256).where(Photo.response_id.in_(ids))).all()
        self.files |= {sha for row in rows for sha in row if sha}
        db.session.execute(Photo.__table__.delete().where(Photo.response_id.in_(ids)))
        return len(rows)

    def finish(self):
        """Delete the files the removed photos named, unless another photo still names them; return how many."""
        return delete_unreferenced(self.files)


def delete_unreferenced(sha256s):
    """Delete the files (and thumbnails) among `sha256s` that no photo names any more; return how many.

    Call it after a transaction that removed photos has committed (deleting a checklist, an edit
    that dropped a photo): a file shared by another photo stays.
    """
    wanted = {sha for sha in sha256s if sha}
    if not wanted:
        return 0
    named = set(db.session.execute(select(Photo.sha256).where(Photo.sha256.in_(wanted))).scalars())
    named |= set(db.session.execute(select(Photo.voice_sha256).where(Photo.voice_sha256.in_(wanted))).scalars())
    orphans = sorted(wanted - named)
    if not orphans:
        return 0
    storage = media_storage()
    for sha in orphans:
        storage.delete(file_key(sha))
        storage.delete(thumbnail_key(sha))
    db.session.execute(MediaFile.__table__.delete().where(MediaFile.sha256.in_(orphans)))
    db.session.commit()
    return len(orphans)
