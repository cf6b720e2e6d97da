#!/usr/bin/env python3
"""Build a synthetic dataset that reproduces the 2018 INTEGRA checklist tables for Prague.

The City Integration Audit Report for Prague (INTEGRA, 2018), Part II.3, prints for each of the
30 checklist items the mean score of those who answered and the share of the 26 checklists that
left the item unanswered.  This script invents 26 responses (participants, walks, stations,
devices, times, comments) whose per-item aggregates equal the printed figures exactly, and writes
them as sync-request batches to shared_schema/datasets/integra-prague-2018.json.

Deterministic and standard library only.  Run from anywhere:

    python3 scripts/make_prague_2018_dataset.py           # check, print the table, rewrite the JSON
    python3 scripts/make_prague_2018_dataset.py --check   # also fail if the JSON on disk is out of date

Exits non-zero if any computed figure differs from the printed one.
"""
import argparse
import hashlib
import json
import sys
import uuid
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from statistics import NormalDist

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT / "shared_schema"
CHECKLIST = SHARED / "checklists" / "integra-city-audit.json"
WALKS_DIR = SHARED / "walks"
OUTPUT = SHARED / "datasets" / "integra-prague-2018.json"
SYNC_SCHEMA = SHARED / "sync-request.schema.json"

TOTAL = 26  # "A total of 26 checklists were filled out"
CHECKLIST_VERSION = 1
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://city-audit.example/datasets/integra-prague-2018")

# (item id, score as printed, non-response as printed), in the report's order.
PRINTED = [
    ("vs1", "3,92", "0%"), ("vs2", "4,17", "7,69%"), ("vs3", "3,00", "7,69%"),
    ("vs4", "3,88", "3,85%"), ("vs5", "3,60", "23,08%"), ("vs6", "3,48", "19,23%"),
    ("vs7", "4,24", "3,85%"), ("vs8", "4,26", "26,29%"),
    ("cp1", "3,42", "26,29%"), ("cp2", "3,69", "38,46%"), ("cp3", "2,90", "23,08%"),
    ("cp4", "4,25", "23,08%"), ("cp5", "4,25", "7,69%"), ("cp6", "3,00", "3,85%"),
    ("cp7", "3,83", "7,69%"),
    ("ue1", "4,04", "7,69%"), ("ue2", "3,96", "3,85%"), ("ue3", "4,19", "0%"),
    ("ue4", "3,38", "7,69%"), ("ue5", "4,46", "0%"), ("ue6", "4,65", "0%"),
    ("ue7", "4,15", "0%"), ("ue8", "2,86", "15,38%"), ("ue9", "3,27", "15,38%"),
    ("ue10", "3,11", "30,77%"),
    ("at1", "3,44", "30,77%"), ("at2", "3,95", "15,38%"), ("at3", "3,74", "11,54%"),
    ("at4", "3,45", "15,38%"), ("at5", "3,24", "19,23%"),
]

# Printed percentages that are not a multiple of 1/26, with the figure they must have meant.
MISPRINTS = {"26,29%": "26,92%"}

# Walk days are illustrative: the report does not date the walks.
WALK_STARTS = {
    "prague-7": datetime(2018, 6, 12, 15, 0, tzinfo=timezone(timedelta(hours=2))),
    "libus": datetime(2018, 6, 19, 15, 0, tzinfo=timezone(timedelta(hours=2))),
    "centre": datetime(2018, 6, 26, 15, 0, tzinfo=timezone(timedelta(hours=2))),
}

# Who filled in the 26 checklists: (walk, device number, group, language).  The report names
# municipality and city-district staff, the Ministry of Interior ("other" here), TCN, NGO workers,
# EU and Czech citizens, plus extra participants mostly working in integration; the last walk
# was mainly for TCN.  The split below is invented.
PARTICIPANTS = [
    ("prague-7", 1, "city", "cs"), ("prague-7", 1, "ngo", "cs"), ("prague-7", 1, "tcn", "vi"),
    ("prague-7", 1, "czech", "cs"), ("prague-7", 2, "city", "cs"), ("prague-7", 2, "ngo", "en"),
    ("prague-7", 2, "eu", "en"), ("prague-7", 2, "tcn", "uk"),
    ("libus", 1, "city", "cs"), ("libus", 1, "ngo", "cs"), ("libus", 1, "tcn", "vi"),
    ("libus", 1, "other", "cs"), ("libus", 2, "city", "cs"), ("libus", 2, "ngo", "cs"),
    ("libus", 2, "tcn", "vi"), ("libus", 2, "czech", "cs"),
    ("centre", 1, "tcn", "uk"), ("centre", 1, "tcn", "ru"), ("centre", 1, "ngo", "en"),
    ("centre", 1, "city", "en"), ("centre", 2, "tcn", "vi"), ("centre", 2, "tcn", "en"),
    ("centre", 2, "eu", "en"), ("centre", 3, "tcn", "ru"), ("centre", 3, "ngo", "cs"),
    ("centre", 3, "tcn", "uk"),
]

# How lenient each group is: NGO workers most critical, TCN and city staff most positive
# ("NGO sector workers tended to be more critical ... TCN and city workers generally evaluated
# the situation better").  Item-by-item noise keeps the groups overlapping.
LENIENCY = {"ngo": 0.0, "czech": 0.5, "eu": 0.5, "other": 0.6, "city": 1.0, "tcn": 1.0}
NOISE = 2.5
SPREAD = 0.9  # standard deviation of the invented score distribution around each item's mean
MIN_GROUP_GAP = Decimal("0.30")  # NGO mean must be at least this far below TCN and city means

# Who tends to leave policy questions unanswered (the report: TCN and other inhabitants lack
# information on what the City does).  Applied to all topics except the urban environment.
NON_RESPONSE_BIAS = {"tcn": 0.35, "eu": 0.3, "czech": 0.3, "other": 0.1, "city": 0.0, "ngo": 0.0}
DONT_KNOW_SHARE = 0.6  # of the remaining non-responses; the rest are left blank

# Participants who stopped before the end: these items are absent from their answers.
NEVER_REACHED = {("libus", 8): ["at5"], ("centre", 10): ["at4", "at5"]}

# Comments, each put on the first answer that fits: (walk, station or None for any, item,
# kind of answer, language of the walker, text).  kind: low (score 1-3), high (score 4-5),
# blank, dont_know, or unscored (blank or don't know).
COMMENTS = [
    ("prague-7", "P7-2", "ue1", "high", "en", "What type of education?"),
    ("prague-7", "P7-3", "cp5", "low", "cs", "Holešovická tržnice je živá, ale se sousedstvím se moc nepropojuje."),
    ("libus", "LI-3", "cp5", "low", "cs", "SAPA by si zasloužila víc společných akcí se sousedy z Libuše."),
    ("libus", "LI-3", "ue8", "low", "cs", "Nájmy kolem SAPY jsou vysoké a pronajímatelé cizince často odmítají."),
    ("libus", None, "ue10", "dont_know", "cs", "Nevím, kam se nenávistné projevy hlásí."),
    ("centre", "CE-1", "ue4", "low", "en", "The toilets at the main station cost money and are hard to find."),
    ("centre", "CE-4", "ue2", "high", "en", "Metro signs are fine, but many tram stops have no English."),
    ("centre", None, "cp2", "unscored", "en", "I have never heard of city funding for migrant associations."),
    ("centre", None, "vs8", "unscored", "cs", "Nevím, jestli město svou integrační politiku vůbec vyhodnocuje."),
]

STATION_MINUTES = 30  # walking time between stations
ITEM_SECONDS = 90  # time spent per item at a station


def fail(message):
    """Stop with a message on stderr and exit status 1."""
    sys.stderr.write(f"make_prague_2018_dataset: {message}\n")
    raise SystemExit(1)


def unit(*parts):
    """Return a deterministic number in [0, 1) for the given parts."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def half_up(value, places=2):
    """Round a Fraction or Decimal half-up to `places` decimals and return a Decimal."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def printed_decimal(text):
    """Turn '3,92' or '7,69%' into Decimal('3.92') / Decimal('7.69')."""
    return Decimal(text.rstrip("%").replace(",", "."))


def format_pct(count):
    """Format count/26 the way the report prints it: '0%' or '7,69%'."""
    if count == 0:
        return "0%"
    return f"{half_up(Fraction(100 * count, TOTAL))}%".replace(".", ",")


def non_response_count(printed, notes, item):
    """Return k such that k of 26 reproduces the printed non-response share."""
    meant = MISPRINTS.get(printed, printed)
    k = int(half_up(printed_decimal(meant) * TOTAL / 100, 0))
    if format_pct(k) != meant:
        fail(f"{item}: non-response {printed} is not k/26 for any whole k")
    if meant != printed:
        notes.setdefault(printed, []).append(item)
    return k


def score_sum(printed, answered, item):
    """Return the one total s (answered <= s <= 5*answered) whose mean prints as `printed`."""
    target = printed_decimal(printed)
    sums = [s for s in range(answered, 5 * answered + 1) if half_up(Fraction(s, answered)) == target]
    if not sums:
        fail(f"{item}: no whole-number total of {answered} scores from 1 to 5 has mean {printed}")
    if len(sums) > 1:
        fail(f"{item}: mean {printed} of {answered} scores is ambiguous: totals {sums}")
    return sums[0]


def score_multiset(total, count, item):
    """Return `count` scores 1..5 summing to `total`, spread around their mean like real ratings."""
    mean = total / count
    targets = [
        min(5.0, max(1.0, mean + SPREAD * NormalDist().inv_cdf((i + 0.5) / count))) for i in range(count)
    ]
    scores = [int(half_up(Decimal(repr(t)), 0)) for t in targets]
    while sum(scores) != total:
        step = 1 if sum(scores) < total else -1
        movable = [i for i, s in enumerate(scores) if 1 <= s + step <= 5]
        if not movable:
            fail(f"{item}: cannot reach total {total}")
        i = max(movable, key=lambda j: (step * (targets[j] - scores[j]), j))
        scores[i] += step
    return sorted(scores)


def load_json(path):
    """Read a UTF-8 JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


def load_inputs():
    """Return (item ids in checklist order, topic of each item, walks by slug)."""
    checklist = load_json(CHECKLIST)
    items, topic_of = [], {}
    for topic in checklist["topics"]:
        for item in topic["items"]:
            items.append(item["id"])
            topic_of[item["id"]] = topic["id"]
    if items != [row[0] for row in PRINTED]:
        fail("item ids in the checklist do not match the printed tables")
    walks = {}
    for slug in WALK_STARTS:
        walk = load_json(WALKS_DIR / f"{slug}.json")
        if walk["checklist"]["slug"] != checklist["slug"]:
            fail(f"walk {slug} is not bound to {checklist['slug']}")
        walks[slug] = walk
    return checklist, items, topic_of, walks


def make_participants():
    """Return the 26 participants with their per-walk number and ids."""
    people, seen = [], {}
    for walk, device, group, language in PARTICIPANTS:
        seen[walk] = seen.get(walk, 0) + 1
        number = seen[walk]
        people.append({
            "index": len(people),
            "walk": walk,
            "number": number,
            "device": device,
            "group": group,
            "language": language,
            "id": str(uuid.uuid5(NAMESPACE, f"response/{walk}/{number}")),
            "leniency": LENIENCY[group] + 0.6 * (unit("person", walk, number) - 0.5),
        })
    if len(people) != TOTAL:
        fail(f"{len(people)} participants, expected {TOTAL}")
    return people


def decide_answers(items, topic_of, people, figures):
    """Return {(person index, item): outcome} where outcome is a score or 'blank'/'dont_know'/'absent'."""
    outcome = {}
    for item in items:
        k, total = figures[item]["non_response"], figures[item]["sum"]
        forced = [p for p in people if item in NEVER_REACHED.get((p["walk"], p["number"]), [])]
        bias = NON_RESPONSE_BIAS if topic_of[item] != "environment-safety" else {}
        others = sorted(
            (p for p in people if p not in forced),
            key=lambda p: -(unit("skip", item, p["index"]) + bias.get(p["group"], 0.0)),
        )
        skipped = forced + others[: k - len(forced)]
        if len(skipped) != k:
            fail(f"{item}: {len(forced)} participants never reached it but only {k} non-responses are printed")
        for p in skipped:
            if p in forced:
                outcome[(p["index"], item)] = "absent"
            elif unit("kind", item, p["index"]) < DONT_KNOW_SHARE:
                outcome[(p["index"], item)] = "dont_know"
            else:
                outcome[(p["index"], item)] = "blank"
        answering = sorted(
            (p for p in people if p not in skipped),
            key=lambda p: (p["leniency"] + NOISE * (unit("noise", item, p["index"]) - 0.5), p["index"]),
        )
        for p, score in zip(answering, score_multiset(total, len(answering), item)):
            outcome[(p["index"], item)] = score
    return outcome


def station_for(walk, item, person):
    """Pick the station of `walk` where `person` answered `item`."""
    stations = walk["stations"]
    listed = [s for s in stations if s["items"] and item in s["items"]]
    candidates = listed or [s for s in stations if s["items"] is None] or stations
    return candidates[person["number"] % len(candidates)]


def stamp(moment):
    """Format an aware datetime as RFC 3339 with its offset."""
    return moment.isoformat(timespec="seconds")


def build_response(person, walk, items, outcome):
    """Return one sync-request response for `person`."""
    start = WALK_STARTS[person["walk"]] + timedelta(minutes=person["number"] % 3)
    planned = []
    for order, item in enumerate(items):
        result = outcome[(person["index"], item)]
        if result == "absent":
            continue
        station = station_for(walk, item, person)
        planned.append((station["position"], order, item, station["code"], result))
    planned.sort()
    answers, seconds_at = [], {}
    for position, _, item, code, result in planned:
        slot = seconds_at.get(position, 0)
        seconds_at[position] = slot + ITEM_SECONDS
        moment = start + timedelta(minutes=STATION_MINUTES * (position - 1), seconds=120 + slot)
        answers.append({
            "item": item,
            "score": result if isinstance(result, int) else None,
            "dont_know": result == "dont_know",
            "comment": None,
            "station": code,
            "answered_at": stamp(moment),
        })
    return {
        "id": person["id"],
        "revision": 1,
        "checklist": "integra-city-audit",
        "checklist_version": CHECKLIST_VERSION,
        "participant": {"group": person["group"], "language": person["language"]},
        "started_at": stamp(start - timedelta(minutes=10)),
        "updated_at": max(a["answered_at"] for a in answers) if answers else stamp(start),
        "answers": answers,
    }


def answer_kind(answer):
    """Classify an answer as low, high, blank or dont_know."""
    if answer["dont_know"]:
        return "dont_know"
    if answer["score"] is None:
        return "blank"
    return "low" if answer["score"] <= 3 else "high"


def attach_comments(responses_by_walk):
    """Put each comment in COMMENTS on the first fitting answer of its walk."""
    for walk, station, item, kind, language, text in COMMENTS:
        for response in responses_by_walk[walk]:
            if response["participant"]["language"] != language:
                continue
            answer = next((a for a in response["answers"] if a["item"] == item), None)
            if answer is None or answer["comment"] is not None or station not in (None, answer["station"]):
                continue
            actual = answer_kind(answer)
            if kind == actual or (kind == "unscored" and actual in ("blank", "dont_know")):
                answer["comment"] = text
                break
        else:
            fail(f"no {kind} answer to {item} on walk {walk} at {station} in {language} for the comment {text!r}")


def aggregate(items, responses):
    """Return per-item counts and means computed back from the responses, as a report would."""
    stats = {item: {"scores": [], "dont_know": 0, "blank": 0} for item in items}
    for response in responses:
        for answer in response["answers"]:
            entry = stats[answer["item"]]
            if answer["score"] is not None:
                entry["scores"].append(answer["score"])
            elif answer["dont_know"]:
                entry["dont_know"] += 1
            else:
                entry["blank"] += 1
    result = {}
    for item, entry in stats.items():
        answered = len(entry["scores"])
        result[item] = {
            "answered": answered,
            "non_response": len(responses) - answered,
            "dont_know": entry["dont_know"],
            "blank": entry["blank"],
            "absent": len(responses) - answered - entry["dont_know"] - entry["blank"],
            "mean": str(half_up(Fraction(sum(entry["scores"]), answered))) if answered else None,
            "non_response_pct": str(half_up(Fraction(100 * (len(responses) - answered), len(responses)))),
        }
    return result


def group_means(responses):
    """Return the mean of all scores given by each participant group."""
    scores = {}
    for response in responses:
        group = response["participant"]["group"]
        bucket = scores.setdefault(group, {"responses": 0, "scores": []})
        bucket["responses"] += 1
        bucket["scores"].extend(a["score"] for a in response["answers"] if a["score"] is not None)
    return {
        group: {
            "responses": b["responses"],
            "scores": len(b["scores"]),
            "mean": str(half_up(Fraction(sum(b["scores"]), len(b["scores"])))),
        }
        for group, b in sorted(scores.items())
    }


def validate_requests(batches):
    """Validate every request against the sync-request schema if jsonschema is installed."""
    try:
        from jsonschema import Draft202012Validator, FormatChecker
    except ImportError:
        print("jsonschema not installed: schema validation skipped")
        return
    validator = Draft202012Validator(load_json(SYNC_SCHEMA), format_checker=FormatChecker())
    for batch in batches:
        for error in validator.iter_errors(batch["request"]):
            path = "/".join(str(p) for p in error.absolute_path)
            fail(f"batch {batch['walk']} {batch['request']['device_id']}: {path}: {error.message}")
    print(f"all {len(batches)} requests valid against {SYNC_SCHEMA.name}")


def build():
    """Return (dataset, mismatches)."""
    checklist, items, topic_of, walks = load_inputs()
    misprints, figures = {}, {}
    for item, score, pct in PRINTED:
        k = non_response_count(pct, misprints, item)
        figures[item] = {
            "printed_score": score,
            "printed_non_response": pct,
            "non_response": k,
            "sum": score_sum(score, TOTAL - k, item),
        }
    people = make_participants()
    outcome = decide_answers(items, topic_of, people, figures)

    responses_by_walk = {slug: [] for slug in walks}
    for person in people:
        responses_by_walk[person["walk"]].append(build_response(person, walks[person["walk"]], items, outcome))
    attach_comments(responses_by_walk)

    batches = []
    for slug, responses in responses_by_walk.items():
        for device in sorted({p["device"] for p in people if p["walk"] == slug}):
            mine = {p["id"] for p in people if p["walk"] == slug and p["device"] == device}
            batches.append({
                "walk": slug,
                "request": {
                    "device_id": str(uuid.uuid5(NAMESPACE, f"device/{slug}/{device}")),
                    "responses": [r for r in responses if r["id"] in mine],
                },
            })
    all_responses = [r for b in batches for r in b["request"]["responses"]]
    computed = aggregate(items, all_responses)

    mismatches = []
    print(f"{'item':5} {'printed':>8} {'computed':>8} {'printed NR':>11} {'computed NR':>11} "
          f"{'n':>3} {'k':>3} {'dk':>3} {'blank':>5} {'absent':>6}")
    expected_items = {}
    for item, score, pct in PRINTED:
        c = computed[item]
        same_score = c["mean"] == str(printed_decimal(score))
        same_pct = format_pct(c["non_response"]) == MISPRINTS.get(pct, pct)
        flag = "" if same_score and same_pct else "  MISMATCH"
        if pct in MISPRINTS and same_pct:
            flag = f"  ({pct} read as {MISPRINTS[pct]})"
        if not (same_score and same_pct):
            mismatches.append(item)
        print(f"{item:5} {score:>8} {c['mean'].replace('.', ','):>8} {pct:>11} "
              f"{format_pct(c['non_response']):>11} {c['answered']:>3} {c['non_response']:>3} "
              f"{c['dont_know']:>3} {c['blank']:>5} {c['absent']:>6}{flag}")
        expected_items[item] = {**c, "printed_score": score, "printed_non_response": pct}

    groups = group_means(all_responses)
    print("group means:", ", ".join(f"{g} {v['mean']} ({v['responses']})" for g, v in groups.items()))
    ngo = Decimal(groups["ngo"]["mean"])
    for other in ("tcn", "city"):
        if Decimal(groups[other]["mean"]) - ngo < MIN_GROUP_GAP:
            mismatches.append(f"group ngo vs {other}")
            print(f"MISMATCH: NGO mean {ngo} not clearly below {other} mean {groups[other]['mean']}")

    misprint_notes = [
        f"The report prints {printed} for {' and '.join(its)}; {printed} is not a whole number out of 26. "
        f"It is read as {MISPRINTS[printed]} (7 of 26, digits transposed); with 6 or 8 non-responses neither "
        f"printed mean would be reachable with whole scores."
        for printed, its in misprints.items()
    ]
    dataset = {
        "description": (
            "26 synthetic checklist responses from three INTEGRA city walks in Prague whose per-item "
            "aggregates reproduce the 2018 report's tables exactly, as sync-request batches (one per device). "
            f"Generated by scripts/{Path(__file__).name}; do not edit by hand."
        ),
        "source": (
            f"{checklist['source']}: the tables 'City Vision and Services', 'Civic Participation and Social "
            "Inclusion of TCN and Migrant Communities', 'Urban Environment' and 'Attitudes towards TCN and "
            "Migrants' (score = mean of those who answered; non-response = share of 26 checklists)."
        ),
        "notes": [
            "Only the per-item aggregates come from the report. Participants, their groups and languages, walk "
            "assignment, devices, stations, individual scores, comments and times are invented.",
            "mean = sum of scores / number of scored answers, rounded half-up to 2 decimals; non_response = 26 - "
            "scored answers, i.e. blank answers + \"don't know\" answers + items absent from a response.",
            *misprint_notes,
            "ue4: 81 / 24 = 3.375 exactly; half-up (and half-even) rounding gives the printed 3,38, truncation "
            "would give 3.37.",
            "vs2 is cut off in the report; its checklist text is a reconstruction (the printed score and "
            "non-response are used as printed).",
            "The report prints '– what type of education?' after item ue1, a participant's remark; it appears "
            "here as a comment on one ue1 answer.",
            "Walk days (2018-06-12 Prague 7, 2018-06-19 Libuš, 2018-06-26 centre) and all times are "
            "illustrative; the report gives no dates for the walks.",
            "The report says the walks had 20 participants and 6 more checklists came from extra participants; "
            "here all 26 are spread over the walks (8 Prague 7, 8 Libuš, 10 centre). Ministry of Interior staff "
            "are in group 'other'.",
            "Scores are ordered so that NGO workers rate lowest and TCN and city staff highest, as the report "
            "describes; expected.participant_groups gives the resulting means.",
        ],
        "expected": {
            "responses": len(all_responses),
            "items": expected_items,
            "participant_groups": groups,
            "walks": {slug: len(rs) for slug, rs in responses_by_walk.items()},
        },
        "batches": batches,
    }
    return dataset, mismatches


def main(argv=None):
    """Build the dataset, compare it with the report and write it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the JSON on disk differs; do not write")
    args = parser.parse_args(argv)

    dataset, mismatches = build()
    validate_requests(dataset["batches"])
    text = json.dumps(dataset, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    if mismatches:
        fail(f"computed figures differ from the report for: {', '.join(mismatches)}")
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text:
            fail(f"{OUTPUT.relative_to(ROOT)} is out of date; run this script to rewrite it")
        print(f"{OUTPUT.relative_to(ROOT)} is up to date")
        return
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {dataset['expected']['responses']} responses "
          f"in {len(dataset['batches'])} batches")


if __name__ == "__main__":
    main()
