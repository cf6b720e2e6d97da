"""Year-on-year comparison: the same items' means in several audits, and how they changed.

Pure functions over what each audit asked (its checklist definitions) and its per-item
answer counts. Items are matched by id across checklist versions; an item an audit did
not ask is None there ("not asked"), never a zero. The change is the mean of the last
audit minus the mean of the first, both as the report rounds them (2 decimals, half up),
so it reads the same as the means printed beside it.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from .report import item_figures

# A mean over fewer answers is shown, greyed with its n, but gets no change arrow.
MIN_ANSWERS = 5


@dataclass
class AuditCounts:
    """One audit's side of a comparison: what it asked and what was answered."""

    slug: str
    responses: int
    definitions: list  # the checklist versions it asked, oldest first
    tallies: dict = field(default_factory=dict)  # {item id: ItemTally}

    @property
    def asked(self):
        """The ids of every item any of its checklist versions holds."""
        return {item["id"] for definition in self.definitions for topic in definition["topics"]
                for item in topic["items"]}


def merged_layout(definitions):
    """Lay out topics and items from several checklist versions: the first one's order, newcomers appended.

    Texts and titles come from the last definition that has them (the newest wording).
    """
    topics = {}
    for definition in definitions:
        for topic in definition["topics"]:
            entry = topics.setdefault(topic["id"], {"id": topic["id"], "title": topic["title"], "items": {}})
            entry["title"] = topic["title"]
            for item in topic["items"]:
                entry["items"][item["id"]] = {"id": item["id"], "text": item["text"]}
    seen, layout = set(), []
    for topic in topics.values():
        items = [item for item_id, item in topic["items"].items() if item_id not in seen]
        seen.update(item["id"] for item in items)  # an item that moved topic is shown once, where it was first
        layout.append({"id": topic["id"], "title": topic["title"], "items": items})
    return layout


def change(first, last):
    """Return last minus first, two decimals, or None when either mean is missing."""
    if first is None or last is None or first["mean"] is None or last["mean"] is None:
        return None
    return float(Decimal(str(last["mean"])) - Decimal(str(first["mean"])))


def firm(first, last):
    """Tell whether a change rests on enough answers at both ends to earn an arrow."""
    return all(end is not None and end["answered"] >= MIN_ANSWERS for end in (first, last))


def compare(audits):
    """Compare audits (AuditCounts, in the order asked) item by item; the API's reply shape."""
    layout = merged_layout([definition for audit in audits for definition in audit.definitions])
    asked = [audit.asked for audit in audits]
    topics = []
    for topic in layout:
        items = []
        for item in topic["items"]:
            by_audit = []
            for audit, holds in zip(audits, asked):
                if item["id"] not in holds:
                    by_audit.append(None)
                    continue
                figures = item_figures(item, audit.tallies.get(item["id"]), audit.responses)
                by_audit.append({"audit": audit.slug, "mean": figures["mean"], "answered": figures["answered"],
                                 "non_response_pct": figures["non_response_pct"]})
            items.append({"id": item["id"], "text": item["text"], "by_audit": by_audit,
                          "change": change(by_audit[0], by_audit[-1])})
        topics.append({"id": topic["id"], "title": topic["title"], "items": items})
    return {"audits": [{"slug": audit.slug, "responses": audit.responses} for audit in audits], "topics": topics}


def by_change(items):
    """Return a topic's items by change, the largest rise first, the largest fall last, no change known at the end."""
    return sorted(items, key=lambda item: (item["change"] is None, -(item["change"] or 0)))


def scale_of(definitions):
    """Return the (lowest, highest) score the checklists allow: the axis of a comparison chart."""
    scales = [definition.get("scale") or {} for definition in definitions]
    return (min((scale.get("min", 1) for scale in scales), default=1),
            max((scale.get("max", 5) for scale in scales), default=5))
