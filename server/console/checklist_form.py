"""The checklist editor's plain HTML form: read it into a draft, apply an edit action, list untranslated texts.

The editor works without script: every button posts the whole form with an
`action` (add a topic, move an item, add a language …); the page comes back with
the change applied to the draft, and nothing is saved until "Save".
"""
import json

from ..records.rules import LANGUAGE_RE, scale_of

# Fields of the definition the editor does not show, kept as they were (provenance, review notes).
TOPIC_KEPT = ("source_title", "note")
ITEM_KEPT = ("source_text", "reconstructed", "note")
TOP_KEPT = ("source", "translations")


def blank_checklist():
    """Return a new checklist's draft: English and Czech, a 1–5 scale with "don't know", one topic and item."""
    return {"slug": "", "title": {}, "languages": ["en", "cs"], "scale": {"min": 1, "max": 5},
            "topics": [{"id": "topic-1", "title": {}, "items": [{"id": "item1", "text": {}}]}]}


def _texts(form, prefix, languages):
    return {lang: form.get(f"{prefix}_{lang}", "").strip() for lang in languages
            if form.get(f"{prefix}_{lang}", "").strip()}


def _kept(form, name):
    try:
        value = json.loads(form.get(name) or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _whole(form, name, default):
    raw = (form.get(name) or "").strip()
    return int(raw) if raw.lstrip("-").isdigit() and len(raw) < 4 else default


def read_draft(form):
    """Read the editor's fields into a draft definition (possibly invalid; check_checklist judges it)."""
    languages = [lang for lang in (form.get("languages") or "en").split(",") if LANGUAGE_RE.match(lang)]
    if "en" not in languages:
        languages.insert(0, "en")
    draft = {"slug": form.get("slug", "").strip().lower(), "title": _texts(form, "title", languages)}
    description = _texts(form, "description", languages)
    if description:
        draft["description"] = description
    draft.update({key: value for key, value in _kept(form, "kept").items() if key in TOP_KEPT})
    draft["languages"] = languages
    scale = {"min": _whole(form, "scale_min", 1), "max": _whole(form, "scale_max", 5)}
    labels = {}
    for score in range(max(scale["min"], 0), min(scale["max"], 10) + 1):
        words = _texts(form, f"scale_label_{score}", languages)
        if words:
            labels[str(score)] = words
    if labels:
        scale["labels"] = labels
    if not form.get("dont_know"):
        scale["dont_know"] = False
    draft["scale"] = scale
    topics = []
    for t in range(_whole(form, "topics", 0)):
        prefix = f"t{t}"
        topic = {"id": form.get(f"{prefix}_id", "").strip(), "title": _texts(form, f"{prefix}_title", languages)}
        topic.update({key: value for key, value in _kept(form, f"{prefix}_kept").items() if key in TOPIC_KEPT})
        items = []
        for i in range(_whole(form, f"{prefix}_items", 0)):
            item_prefix = f"{prefix}_i{i}"
            item = {"id": form.get(f"{item_prefix}_id", "").strip(), "text": _texts(form, f"{item_prefix}_text",
                                                                                     languages)}
            item.update({key: value for key, value in _kept(form, f"{item_prefix}_kept").items()
                         if key in ITEM_KEPT})
            items.append(item)
        topic["items"] = items
        topics.append(topic)
    draft["topics"] = topics
    return draft


def _fresh_id(taken, stem):
    number = 1
    while f"{stem}{number}" in taken:
        number += 1
    return f"{stem}{number}"


def _move(items, index, step):
    target = index + step
    if 0 <= index < len(items) and 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


def apply_action(draft, action, new_language=""):
    """Apply one editor button to a draft; return a message for a language that could not be added, else None."""
    verb, _, where = (action or "").partition(":")
    parts = [int(p) for p in where.split(":") if p.isdigit()]
    topics = draft["topics"]
    item_ids = {item["id"] for topic in topics for item in topic["items"]}
    if verb == "add_topic":
        topic_id = _fresh_id({topic["id"] for topic in topics}, "topic-")
        topics.append({"id": topic_id, "title": {}, "items": [{"id": _fresh_id(item_ids, "item"), "text": {}}]})
    elif verb == "add_item" and len(parts) == 1 and parts[0] < len(topics):
        topics[parts[0]]["items"].append({"id": _fresh_id(item_ids, "item"), "text": {}})
    elif verb in ("topic_up", "topic_down") and len(parts) == 1:
        _move(topics, parts[0], -1 if verb == "topic_up" else 1)
    elif verb == "remove_topic" and len(parts) == 1 and parts[0] < len(topics):
        del topics[parts[0]]
    elif verb in ("item_up", "item_down", "remove_item") and len(parts) == 2 and parts[0] < len(topics):
        topic_index, index = parts
        items = topics[topic_index]["items"]
        if verb == "remove_item":
            if index < len(items):
                del items[index]
        elif verb == "item_up" and index == 0 and topic_index > 0 and items:
            topics[topic_index - 1]["items"].append(items.pop(0))  # up across the topic boundary
        elif verb == "item_down" and index == len(items) - 1 and topic_index + 1 < len(topics):
            topics[topic_index + 1]["items"].insert(0, items.pop())
        else:
            _move(items, index, -1 if verb == "item_up" else 1)
    elif verb == "add_language":
        code = (new_language or "").strip()
        if not LANGUAGE_RE.match(code):
            return f"'{code}' is not a language code such as pl, de or pt-BR."
        if code not in draft["languages"]:
            draft["languages"].append(code)
    elif verb == "remove_language" and where in draft["languages"] and where != "en":
        draft["languages"].remove(where)
    return None


def untranslated(draft):
    """Return {language: number of texts left untranslated} for every language but English."""
    texts = [draft.get("title") or {}] + [t["title"] for t in draft["topics"]] + \
        [i["text"] for t in draft["topics"] for i in t["items"]]
    return {lang: sum(1 for text in texts if text.get("en") and not text.get(lang))
            for lang in draft["languages"] if lang != "en"}


def form_fields(draft):
    """Return the draft as the editor's flat field values (the inverse of read_draft)."""
    fields = {"slug": draft.get("slug", ""), "languages": ",".join(draft["languages"]),
              "kept": json.dumps({k: draft[k] for k in TOP_KEPT if k in draft}, ensure_ascii=False),
              "topics": str(len(draft["topics"]))}
    low, high, dont_know = scale_of(draft)
    fields.update(scale_min=str(low), scale_max=str(high), dont_know="1" if dont_know else "")
    for score, words in ((draft.get("scale") or {}).get("labels") or {}).items():
        fields.update({f"scale_label_{score}_{lang}": text for lang, text in words.items()})
    for name in ("title", "description"):
        fields.update({f"{name}_{lang}": text for lang, text in (draft.get(name) or {}).items()})
    for t, topic in enumerate(draft["topics"]):
        fields.update({f"t{t}_id": topic["id"], f"t{t}_items": str(len(topic["items"])),
                       f"t{t}_kept": json.dumps({k: topic[k] for k in TOPIC_KEPT if k in topic}, ensure_ascii=False)})
        fields.update({f"t{t}_title_{lang}": text for lang, text in topic["title"].items()})
        for i, item in enumerate(topic["items"]):
            prefix = f"t{t}_i{i}"
            fields.update({f"{prefix}_id": item["id"],
                           f"{prefix}_kept": json.dumps({k: item[k] for k in ITEM_KEPT if k in item},
                                                        ensure_ascii=False)})
            fields.update({f"{prefix}_text_{lang}": text for lang, text in item["text"].items()})
    return fields


def describe_path(path, draft):
    """Turn a schema path such as 'topics/0/items/2/text' into 'Topic 1, item 3 (q3): text'."""
    parts = (path or "").split("/")
    words = []
    if len(parts) >= 2 and parts[0] == "topics" and parts[1].isdigit():
        t = int(parts[1])
        words.append(f"Topic {t + 1}")
        if len(parts) >= 4 and parts[2] == "items" and parts[3].isdigit():
            i = int(parts[3])
            items = draft["topics"][t]["items"] if t < len(draft["topics"]) else []
            item_id = items[i]["id"] if i < len(items) else ""
            words.append(f"item {i + 1}" + (f" ({item_id})" if item_id else ""))
            rest = parts[4:]
        else:
            rest = parts[2:]
    else:
        rest = parts
    label = ", ".join(words)
    rest = "/".join(p for p in rest if p)
    return f"{label}: {rest}" if label and rest else (label or rest or "checklist")
