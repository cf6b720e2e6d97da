"""Reading the console's plain HTML forms into walk and station definitions."""
from dataclasses import dataclass, field

from .formatting import LANGUAGE_NAMES

DEFAULT_LANGUAGES = ("en", "cs")


class FormErrors(ValueError):
    """Field problems to show beside the form; `errors` maps field name to messages."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class Collector:
    """Gathers field errors while a form is read."""

    errors: dict = field(default_factory=dict)

    def add(self, name, message):
        """Note a problem with one field."""
        self.errors.setdefault(name, []).append(message)

    def raise_if_any(self):
        """Stop with FormErrors when a problem was noted."""
        if self.errors:
            raise FormErrors(self.errors)


def form_languages(checklist_definition):
    """Return the languages to ask names in: the checklist's, English and Czech first."""
    languages = list(DEFAULT_LANGUAGES)
    for language in (checklist_definition or {}).get("languages", []):
        if language not in languages:
            languages.append(language)
    return languages


def localized(form, prefix, languages, existing=None, required=("en",), collector=None, label="Name"):
    """Read `<prefix>_<lang>` fields into {lang: text}; keep languages the form does not show."""
    text = {k: v for k, v in (existing or {}).items() if k not in languages}
    for language in languages:
        value = (form.get(f"{prefix}_{language}") or "").strip()
        if value:
            text[language] = value
        elif language in required and collector is not None:
            collector.add(f"{prefix}_{language}", f"{label} in {LANGUAGE_NAMES.get(language, language)} is required.")
    return text


def number(form, name, collector, low, high, label):
    """Read an optional decimal number within bounds (a comma is accepted as the decimal mark)."""
    raw = (form.get(name) or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        collector.add(name, f"{label} must be a number such as 50.09693.")
        return None
    if not low <= value <= high:
        collector.add(name, f"{label} must be between {low} and {high}.")
        return None
    return value


def whole_number(form, name, collector, label, minimum=1):
    """Read an optional whole number, at least `minimum`."""
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < minimum:
        collector.add(name, f"{label} must be a whole number, {minimum} or more.")
        return None
    return int(raw)


def station_fields(form, languages, item_ids, existing_title=None):
    """Read a station form; return (title, position, lat, lon, items) or raise FormErrors."""
    collector = Collector()
    title = localized(form, "title", languages, existing_title, collector=collector)
    position = whole_number(form, "position", collector, "Position")
    lat = number(form, "lat", collector, -90, 90, "Latitude")
    lon = number(form, "lon", collector, -180, 180, "Longitude")
    if (lat is None) != (lon is None) and "lat" not in collector.errors and "lon" not in collector.errors:
        collector.add("lat", "Give both latitude and longitude, or neither.")
    chosen = form.getlist("items")
    unknown = [item for item in chosen if item not in item_ids]
    if unknown:
        collector.add("items", f"Not in the walk's checklist: {', '.join(unknown)}.")
    collector.raise_if_any()
    # Keep the checklist's order; nothing ticked means the whole checklist.
    items = [item for item in item_ids if item in chosen] or None
    return title, position, lat, lon, items
