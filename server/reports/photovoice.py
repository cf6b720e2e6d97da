"""The report's PhotoVoice section: per topic how photos were rated, and the photos admins chose to show."""
from ..media.photos import PhotoFilters, list_photos
from .report import local_text

NO_TOPIC = ""


def report_photos(filters, walk_ids=None):
    """Return the photos the report's filters cover (audit, walk, station, group, review), stored or waiting."""
    return list(list_photos(PhotoFilters(audit=filters.audit, walk=filters.walk, station=filters.station,
                                         group=filters.group, review=filters.review), walk_ids))


def caption_in(photo, language):
    """Return the caption in the report's language where an admin translated it, else as written."""
    return (photo.get("caption_translations") or {}).get(language) or photo.get("caption") or ""


def photovoice_section(photos, definition, language="en"):
    """Count ratings per topic and group the shown, stored photos by topic and station (pure).

    Returns {"total", "topics": [{"id", "title", "works", "needs_change", "unrated", "total"}],
    "shown": [{"id", "title", "stations": [{"station", "photos": [photo + "text"]}]}]}; photos without
    a topic come last, under the id "".
    """
    titles = {topic["id"]: local_text(topic["title"], language) for topic in definition["topics"]}
    order = [*titles, NO_TOPIC]
    counts = {topic: {"works": 0, "needs_change": 0, "unrated": 0, "total": 0} for topic in order}
    shown = {}
    for photo in photos:
        topic = photo["topic"] if photo["topic"] in titles else NO_TOPIC
        row = counts[topic]
        row[photo["rating"] or "unrated"] += 1
        row["total"] += 1
        if photo["shown"] and photo["image_stored"]:
            shown.setdefault(topic, {}).setdefault(photo["station"] or "", []).append(
                {**photo, "text": caption_in(photo, language)})
    return {
        "total": len(photos),
        "topics": [{"id": topic, "title": titles.get(topic), **counts[topic]}
                   for topic in order if counts[topic]["total"]],
        "shown": [{"id": topic, "title": titles.get(topic),
                   "stations": [{"station": station, "photos": items}
                                for station, items in sorted(shown[topic].items())]}
                  for topic in order if topic in shown],
    }
