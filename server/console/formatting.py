"""Template filters: times, localized texts, scores and shares as the console shows them."""
from datetime import datetime

from ..models import as_utc, utcnow
from ..reports.report import format_percent, format_score, local_text

LANGUAGE_NAMES = {"en": "English", "cs": "Czech (čeština)", "uk": "Ukrainian (українська)",
                  "ru": "Russian (русский)", "vi": "Vietnamese (Tiếng Việt)"}


def when(value):
    """Format a stored time as 'YYYY-MM-DD HH:MM UTC'."""
    value = as_utc(value)
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def ago(value, now=None):
    """Say how long ago a time was, roughly: 'just now', '5 min ago', '3 h ago', '2 days ago'."""
    value = as_utc(value)
    if value is None:
        return "never"
    seconds = int(((now or utcnow()) - value).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def iso(value):
    """Format a time for a <time datetime> attribute."""
    value = as_utc(value)
    return value.isoformat() if isinstance(value, datetime) else ""


def register(app):
    """Make the filters available to every template."""
    app.add_template_filter(when)
    app.add_template_filter(ago)
    app.add_template_filter(local_text, "text")
    app.add_template_filter(iso)
    app.add_template_filter(format_score, "score")
    app.add_template_filter(format_percent, "percent")
