"""photos.zip: every stored photo and voice note, and photos.csv, streamed file by file."""
import csv
import io

from zipstream import ZIP_STORED, ZipStream

from ..media.images import extension
from .cells import csv_row
from .exports import BOM, timestamp

CSV_FIELDS = ["photo_id", "audit", "walk", "response_id", "review", "station", "topic", "item", "caption", "rating", "taken_at",
              "group", "language", "status", "shown", "width", "height", "bytes", "sha256", "content_type",
              "file", "voice_file", "voice_duration_s"]

def zip_names(photo):
    """Return (photo file, voice file) names inside the ZIP: <station>/<photo id>.<ext>, voice beside it."""
    folder = photo["station"] or "no-station"
    image = f"{folder}/{photo['id']}.{extension(photo['content_type'])}"
    voice = f"{folder}/{photo['id']}.voice.{extension(photo['voice_content_type'])}" \
        if photo["voice_sha256"] else None
    return image, voice


def _csv_text(rows):
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(csv_row(CSV_FIELDS))
    for photo, image, voice in rows:
        writer.writerow(csv_row((
            photo["id"], photo["audit"], photo["walk"], photo["response"], photo["review"], photo["station"], photo["topic"], photo["item"],
            photo["caption"], photo["rating"], timestamp(photo["taken_at"]), photo["group"], photo["language"],
            photo["status"], int(photo["shown"]), photo["width"], photo["height"], photo["bytes"],
            photo["sha256"], photo["content_type"], image, voice, photo["voice_duration_s"])))
    return out.getvalue().encode("utf-8")


def photos_zip(photos, chunks_of):
    """Yield the ZIP's bytes: each held file as it is read from storage, then photos.csv.

    `photos` are list_photos() dicts; `chunks_of(sha256)` yields a stored file's bytes. Photos are
    already compressed, so entries are stored as they are, and memory stays flat however many there are.
    """
    archive = ZipStream(compress_type=ZIP_STORED)
    rows = []
    for photo in photos:
        image, voice = zip_names(photo)
        if photo["image_stored"]:
            archive.add(chunks_of(photo["sha256"]), image)
        else:
            image = None
        if voice and photo["voice_stored"]:
            archive.add(chunks_of(photo["voice_sha256"]), voice)
        else:
            voice = None
        rows.append((photo, image, voice))
    archive.add(_csv_text(rows), "photos.csv")
    yield from archive
