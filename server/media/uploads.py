"""Receive a device's file: stream it to a part file while hashing, check it, store it once.

The body never sits in memory whole and no database connection is held while it arrives:
the caller has checked the walk and key and released the session before calling receive().
"""
import hashlib
import os
import random
import time

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ..extensions import db
from ..models import MediaFile, Photo, utcnow
from ..records.ingest import write_transaction
from .images import MediaRefused, check_file
from .storage import file_key, media_storage, thumbnail_key

CHUNK = 64 * 1024
ATTEMPTS = 6


class UploadRefused(Exception):
    """An upload the server will not keep: status, code and message for the error envelope."""

    def __init__(self, status, code, message, details=None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def referenced_type(walk_id, sha256):
    """Return 'image' or 'audio' when a photo of this walk names the file, else None."""
    if db.session.execute(select(Photo.id).where(Photo.walk_id == walk_id, Photo.sha256 == sha256).limit(1)).first():
        return "image"
    if db.session.execute(select(Photo.id).where(Photo.walk_id == walk_id, Photo.voice_sha256 == sha256)
                          .limit(1)).first():
        return "audio"
    return None


def is_stored(sha256):
    """Tell whether the server holds the file with this hash."""
    return db.session.get(MediaFile, sha256) is not None


def _spool(stream, path, limit):
    """Copy the body to `path`, hashing as it goes; return (sha256 hex, size). Refuse past `limit` bytes."""
    digest, size = hashlib.sha256(), 0
    with open(path, "wb") as part:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise UploadRefused(413, "payload_too_large", f"The file is larger than {limit} bytes.",
                                    {"max_bytes": limit})
            digest.update(chunk)
            part.write(chunk)
    return digest.hexdigest(), size


def receive(stream, sha256, content_type, limit):
    """Store the body of an upload under its hash; return True when stored now, False when already held.

    Raise UploadRefused (nothing written) when the bytes do not hash to `sha256` or are not
    a readable file of `content_type`.
    """
    storage = media_storage()
    part = storage.new_part()
    replacement = thumbnail = None
    try:
        actual, size = _spool(stream, part, limit)
        if size == 0:
            raise UploadRefused(400, "empty_body", "The body is empty; send the file.")
        if actual != sha256:
            raise UploadRefused(400, "hash_mismatch",
                                "The file's SHA-256 is not the one in the address; the upload was damaged, "
                                "send it again.", {"expected": sha256, "received": actual})
        if is_stored(sha256):
            return False
        try:
            checked = check_file(part, content_type)
        except MediaRefused as error:
            raise UploadRefused(400, "not_decodable", str(error)) from error
        if checked.replacement is not None:
            replacement = storage.new_part()
            with open(replacement, "wb") as handle:
                handle.write(checked.replacement)
            os.unlink(part)
            part, size = replacement, len(checked.replacement)
        entries = []
        if checked.thumbnail is not None:
            thumbnail = storage.new_part()
            with open(thumbnail, "wb") as handle:
                handle.write(checked.thumbnail)
            entries.append((thumbnail_key(sha256), thumbnail, "image/jpeg"))
        # The thumbnail lands first: a stored photo always has its thumbnail beside it.
        storage.put_files([*entries, (file_key(sha256), part, content_type)])
    finally:
        for leftover in (part, replacement, thumbnail):
            if leftover is not None and os.path.exists(leftover):
                os.unlink(leftover)
    return _record(sha256, checked, size)


def _record(sha256, checked, size):
    """Note that the file is held; a concurrent upload of the same bytes may have noted it first."""
    row = {"sha256": sha256, "content_type": checked.content_type, "bytes": size, "width": checked.width,
           "height": checked.height, "has_thumbnail": checked.thumbnail is not None, "stored_at": utcnow()}
    for attempt in range(ATTEMPTS):
        try:
            write_transaction()  # on SQLite: queue for the write lock rather than fail on a read snapshot
            db.session.execute(insert(MediaFile), [row])
            db.session.commit()
            return True
        except IntegrityError:
            db.session.rollback()
            return False
        except OperationalError:
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.02 * 2 ** attempt * random.uniform(0.5, 1.5))
    return False


def store_example_files(files):
    """Store generated example photos ({sha256: bytes}) through the upload path; return how many were new."""
    import io
    stored = 0
    for digest, data in files.items():
        if not is_stored(digest):
            stored += receive(io.BytesIO(data), digest, "image/jpeg", len(data))
    return stored
