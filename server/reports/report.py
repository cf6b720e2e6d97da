"""The audit report's arithmetic, as pure functions over per-item answer counts.

Over the N checklists that match, for each item: `answered` is how many gave it a
score, `mean` the mean of those scores, and `non_response` the rest of the N (left
blank, marked "don't know", or never reached): the figures the 2018 Prague audit
printed per topic.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..records.rules import scale_of

TWO_PLACES = Decimal("0.01")


def round_half_up(numerator, denominator, places=TWO_PLACES):
    """Divide and round half up, as spreadsheets and printed reports do; None when dividing by 0."""
    if not denominator:
        return None
    return float((Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP))


@dataclass
class ItemTally:
    """Answers to one item among the matching checklists."""

    answered: int = 0
    score_sum: int = 0
    dont_know: int = 0
    blank: int = 0

    def __post_init__(self):
        self.distribution = {}

    def add(self, score, dont_know, count=1):
        """Count `count` answers with this score and don't-know flag."""
        if score is not None:
            self.answered += count
            self.score_sum += score * count
            self.distribution[str(score)] = self.distribution.get(str(score), 0) + count
        elif dont_know:
            self.dont_know += count
        else:
            self.blank += count


def tally(rows):
    """Fold (item, score, dont_know, count) rows into {item: ItemTally}."""
    tallies = {}
    for item, score, dont_know, count in rows:
        tallies.setdefault(item, ItemTally()).add(score, bool(dont_know), count)
    return tallies


def item_figures(item, tally_, responses, scale=(1, 5)):
    """Return one item's report row; the distribution counts every score of the (min, max) scale."""
    tally_ = tally_ or ItemTally()
    distribution = {str(score): tally_.distribution.get(str(score), 0) for score in range(scale[0], scale[1] + 1)}
    non_response = responses - tally_.answered
    return {
        "id": item["id"],
        "text": item["text"],
        "answered": tally_.answered,
        "non_response": non_response,
        "dont_know": tally_.dont_know,
        "score_sum": tally_.score_sum,
        "mean": round_half_up(tally_.score_sum, tally_.answered),
        "non_response_pct": round_half_up(100 * non_response, responses),
        "distribution": distribution,
    }


def build_report(definition, responses, tallies):
    """Lay the tallies out by the definition's topics and items, in checklist order."""
    topics = []
    scale = scale_of(definition)[:2]
    for topic in definition["topics"]:
        items = [item_figures(item, tallies.get(item["id"]), responses, scale) for item in topic["items"]]
        answered = sum(row["answered"] for row in items)
        topics.append({
            "id": topic["id"],
            "title": topic["title"],
            "mean": round_half_up(sum(row["score_sum"] for row in items), answered),
            "items": items,
        })
    return {"responses": responses, "topics": topics}


def ranked_items(report, count=5):
    """Return (best, worst): the items with the highest and lowest means."""
    rows = [(row["mean"], row["id"], row, topic["id"])
            for topic in report["topics"] for row in topic["items"] if row["mean"] is not None]
    rows.sort(key=lambda entry: (-entry[0], entry[1]))
    best = [dict(entry[2], topic=entry[3]) for entry in rows[:count]]
    worst = [dict(entry[2], topic=entry[3]) for entry in reversed(rows[-count:])] if rows else []
    return best, worst


def format_score(value, decimal_mark=","):
    """Format a mean as the printed report does: two decimals, a comma in Czech use."""
    return "" if value is None else f"{value:.2f}".replace(".", decimal_mark)


def format_percent(value, decimal_mark=","):
    """Format a share as the printed report does: '0%' or '7,69%'."""
    if value is None:
        return ""
    if value == int(value):
        return f"{int(value)}%"
    return f"{value:.2f}".replace(".", decimal_mark) + "%"


def overall_mean(report):
    """Return the mean of every score in a report, over all topics (None when there is none)."""
    items = [item for topic in report["topics"] for item in topic["items"]]
    return round_half_up(sum(item["score_sum"] for item in items), sum(item["answered"] for item in items))


def lowest_and_highest(places):
    """Return (mean, walk, station) of the stations with the lowest and the highest overall mean.

    `places` are (walk, station or None, report) rows; (None, None) when fewer than two stations have scores.
    """
    scored = [(overall_mean(data), walk, station) for walk, station, data in places if station is not None]
    scored = sorted((row for row in scored if row[0] is not None), key=lambda row: row[0])
    if len(scored) < 2:
        return None, None
    return scored[0], scored[-1]


def local_text(texts, language="en"):
    """Pick a localized text ({lang: text}) in a language, falling back to English, then to any; plain text as is."""
    if isinstance(texts, dict):
        return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")
    return texts or ""
