"""Checklist and walk definitions other than INTEGRA's, for tests that must not assume it."""


def small_checklist(slug="bike-audit", *, minimum=1, maximum=4, dont_know=False, languages=("en", "cs", "uk"),
                    topics=2, items_per_topic=2):
    """Return a checklist definition on a min–max scale in the given languages (the first topic's items first)."""
    words = {"en": "Street", "cs": "Ulice", "uk": "Вулиця", "pl": "Ulica", "sk": "Ulica"}

    def text(what):
        return {lang: f"{words.get(lang, lang)} {what}" for lang in languages}

    return {
        "slug": slug,
        "title": text("audit"),
        "languages": list(languages),
        "scale": {"min": minimum, "max": maximum, "dont_know": dont_know,
                  "labels": {str(minimum): text("poor"), str(maximum): text("good")}},
        "topics": [{"id": f"t{t}", "title": text(f"topic {t}"),
                    "items": [{"id": f"q{t}_{i}", "text": text(f"item {t}.{i}")}
                              for i in range(1, items_per_topic + 1)]}
                   for t in range(1, topics + 1)],
    }


def small_walk(slug="brno-centre", checklist="bike-audit", codes=("BR-1", "BR-2")):
    """Return a walk definition with a station per code, without coordinates."""
    return {"slug": slug, "title": {"en": f"Walk {slug}"}, "checklist": {"slug": checklist},
            "stations": [{"code": code, "title": {"en": f"Station {code}"}, "position": index}
                         for index, code in enumerate(codes, start=1)]}
