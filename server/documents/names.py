"""File names of downloads: what a file holds (audit or walk, layout) and the day it was made, so that two
downloads never share a name and a folder of them sorts by subject."""
import re
from datetime import datetime, timezone


def _part(value):
    """Reduce a slug or code to letters, digits and dashes, safe in any file system and header."""
    return re.sub(r"[^A-Za-z0-9]+", "-", str(value)).strip("-").lower()


def download_name(filters, what, extension, layout=None, now=None):
    """Return e.g. prague-7-responses-long-2026-05-14.csv: subject (audit, walk, else checklist), station, group,
    what the file is, its layout, the UTC day."""
    field = lambda name: getattr(filters, name, None)  # noqa: E731 (photo filters have fewer fields)
    subject = field("audit") or field("walk") or field("checklist") or "all-walks"
    parts = [subject, field("station"), field("group"), what, layout,
             (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d")]
    return "-".join(_part(p) for p in parts if p) + f".{extension}"
