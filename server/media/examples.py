"""Example photos for the 2018 walks: coloured cards drawn with Pillow, clearly synthetic, never real people.

They go in as a walker's would: as photo metadata on a checklist (through the sync's one path
in) and as files through the upload path, so the gallery, the ZIP and the report have
something to show out of the box.
"""
import hashlib
import io
import uuid
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path(__file__).resolve().parent.parent / "fonts" / "DejaVuSans-Bold.ttf"
NAMESPACE = uuid.UUID("6b0f3e4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b")
SIZE = (1200, 900)
COLOURS = ((46, 125, 50), (21, 101, 192), (198, 40, 40), (239, 108, 0), (106, 27, 154), (0, 121, 107))
# (topic, rating, caption): what walkers in 2018 wrote about, in the report's words where it has them.
CAPTIONS = (
    ("environment-safety", "needs_change", "Example: steps and no ramp at the entrance; with a pram or a "
                                           "wheelchair you cannot get in."),
    ("vision-services", "works", "Example: the office sign is in Czech and English, and the opening hours are clear."),
    ("participation-inclusion", "needs_change", "Example: the notice board lists events only in Czech."),
    ("attitudes", "works", "Example: a café where the staff answered us in three languages."),
    ("environment-safety", "works", "Example: a lit underpass with a clear way to the tram stop."),
    (None, None, "Example: the square on a weekday afternoon."),
)
PER_STATION = 2


def example_card(walk_title, station_code, station_title, index):
    """Return a synthetic photo: a coloured card naming the station, as JPEG bytes without metadata."""
    colour = COLOURS[(index + sum(map(ord, station_code))) % len(COLOURS)]
    image = Image.new("RGB", SIZE, colour)
    draw = ImageDraw.Draw(image)
    big, small = ImageFont.truetype(str(FONT), 64), ImageFont.truetype(str(FONT), 36)
    draw.rectangle((40, 40, SIZE[0] - 40, SIZE[1] - 40), outline="white", width=8)
    draw.text((80, 90), "EXAMPLE PHOTO", fill="white", font=small)
    draw.text((80, 300), station_code, fill="white", font=big)
    draw.multiline_text((80, 400), _wrap(station_title, 30), fill="white", font=small, spacing=12)
    draw.text((80, SIZE[1] - 140), _wrap(walk_title, 50).split("\n")[0], fill="white", font=small)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _wrap(text, width):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def example_photos(walk_title, stations, records, topics, local_text):
    """Attach PER_STATION example photos per station to the walk's records (in turn); return {sha256: bytes}.

    `stations` are (code, title) pairs; `records` are sync records, changed in place; `topics` the
    checklist's topic ids (a caption whose topic the checklist lacks goes without one).
    """
    files = {}
    if not records:
        return files
    turn = 0
    for code, title in stations:
        for index in range(PER_STATION):
            record = records[turn % len(records)]
            turn += 1
            topic, rating, caption = CAPTIONS[(sum(map(ord, code)) + 3 * index) % len(CAPTIONS)]
            data = example_card(local_text(walk_title, "en"), code, local_text(title, "en"), index)
            digest = hashlib.sha256(data).hexdigest()
            files[digest] = data
            record.setdefault("photos", []).append({
                "id": str(uuid.uuid5(NAMESPACE, f"{record['id']}/{code}/{index}")), "sha256": digest,
                "bytes": len(data), "content_type": "image/jpeg", "width": SIZE[0], "height": SIZE[1],
                "station": code, "topic": topic if topic in topics else None, "item": None,
                "caption": caption, "rating": rating, "taken_at": record["updated_at"], "voice": None})
    return files
