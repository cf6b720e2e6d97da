"""Photos page: a gallery per walk or across walks, filters, a large view, show in the report or hide."""
from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for

from ..catalog.audits import ordered_audits
from ..extensions import db
from ..media.photos import PhotoFilters, find_photo, list_photos, set_caption_translations
from ..records.photos import MAX_CAPTION
from ..models import GROUPS, RATINGS
from ..records.review import DEFAULT_STATES, LABELS as REVIEW_LABELS, STATES as REVIEW_STATES
from ..records.review import ReviewError, describe_states, parse_states
from . import bp
from .access import current_user, signed_in, visible_walks, walk_or_404
from .filters import group_names
from .formatting import LANGUAGE_NAMES
from .forms import form_languages

RATING_LABELS = {"works": "Works well", "needs_change": "Needs change", "none": "Not rated"}
SHOWN_LABELS = {"true": "Shown in the report", "false": "Hidden"}


def _audits(walks):
    """Return the audits that hold at least one of these walks, newest first."""
    held = {walk.audit_id for walk in walks}
    return [audit for audit in ordered_audits() if audit.id in held]


def _read_filters(args, walks):
    """Keep only filter values that exist, so a stale link shows everything rather than failing."""
    slugs = {walk.slug for walk in walks}
    value = lambda name, allowed=None: (args.get(name) or None) if (  # noqa: E731
        allowed is None or args.get(name) in allowed) else None
    shown = value("shown", SHOWN_LABELS)
    try:
        review = parse_states([state for state in args.getlist("review") if state.strip()])
    except ReviewError:
        review = DEFAULT_STATES
    return PhotoFilters(audit=value("audit", {audit.slug for audit in _audits(walks)}), walk=value("walk", slugs),
                        station=value("station"), topic=value("topic"),
                        rating=value("rating", RATING_LABELS), group=value("group", GROUPS),
                        shown=None if shown is None else shown == "true", review=review)


def _filter_values(filters):
    return {"audit": filters.audit or "", "walk": filters.walk or "", "station": filters.station or "",
            "topic": filters.topic or "", "rating": filters.rating or "", "group": filters.group or "",
            "shown": "" if filters.shown is None else ("true" if filters.shown else "false")}


def _zip_args(values, filters):
    """Return the query of photos.zip for the gallery's filters (review only when not the default)."""
    args = {key: value for key, value in values.items() if value}
    if set(filters.review) != set(DEFAULT_STATES):
        args["review"] = ",".join(filters.review)
    return urlencode(args)


def _topics(walks):
    """Return {topic id: title} of the checklists the walks use."""
    from ..catalog.definitions import get_checklist
    topics = {}
    for walk in walks:
        for topic in get_checklist(walk.checklist_slug, walk.checklist_version).definition["topics"]:
            topics.setdefault(topic["id"], topic["title"])
    return topics


@bp.get("/photos")
@signed_in()
def photo_gallery():
    """Show the photos walkers took, filtered by audit, walk, station, topic, rating, group, review and whether shown."""
    user = current_user()
    walks = visible_walks(user)
    filters = _read_filters(request.args, walks)
    walk_ids = None if user.role == "admin" else [walk.id for walk in walks]
    photos = list(list_photos(filters, walk_ids))
    chosen = [walk for walk in walks if (not filters.walk or walk.slug == filters.walk)
              and (not filters.audit or walk.audit.slug == filters.audit)]
    stations = [(s.code, s.title) for walk in chosen for s in walk.stations]
    values = _filter_values(filters)
    return render_template(
        "console/photos.html", photos=photos, walks=walks, audits=_audits(walks), stations=stations,
        topics=_topics(walks), values=values, ratings=RATING_LABELS, shown_labels=SHOWN_LABELS,
        groups=group_names(), review=list(filters.review), review_text=describe_states(filters.review),
        review_states=[(state, REVIEW_LABELS[state]) for state in REVIEW_STATES],
        zip_href="/api/v1/export/photos.zip?" + _zip_args(values, filters),
        back=request.full_path.rstrip("?"),
        stored=sum(p["status"] == "stored" for p in photos))


@bp.get("/walks/<slug>/photos/<photo_id>")
@signed_in()
def photo_view(slug, photo_id):
    """Show one photo large, with everything known about it."""
    walk = walk_or_404(slug)
    photo = next((p for p in list_photos(PhotoFilters(walk=walk.slug, review=REVIEW_STATES), [walk.id])
                  if p["id"] == photo_id), None)
    if photo is None:
        abort(404, description="There is no such photo on this walk.")
    return render_template("console/photo.html", walk=walk, photo=photo, ratings=RATING_LABELS,
                           groups=group_names(), topics=_topics([walk]),
                           caption_languages=_caption_languages(walk, photo["caption_translations"]), max_caption=MAX_CAPTION,
                           back=_safe_back(request.args.get("back")))


def _caption_languages(walk, translations):
    """Return the languages a caption can be translated into: the checklist's, then any already translated."""
    from ..catalog.definitions import get_checklist
    languages = form_languages(get_checklist(walk.checklist_slug, walk.checklist_version).definition)
    return languages + sorted(set(translations or {}) - set(languages))


@bp.post("/walks/<slug>/photos/<photo_id>/captions")
@signed_in("admin")
def photo_set_captions(slug, photo_id):
    """Save a photo's caption translations, one per language; an emptied field drops that language."""
    walk, photo = _photo_or_404(slug, photo_id)
    prefix, allowed = "caption_", _caption_languages(walk, photo.caption_translations)
    translations = {name[len(prefix):]: value for name, value in request.form.items()
                    if name.startswith(prefix) and name[len(prefix):] in allowed}
    too_long = [LANGUAGE_NAMES.get(language, language) for language, text in translations.items()
                if len(text.strip()) > MAX_CAPTION or "\x00" in text]
    if too_long:
        flash(f"Not saved: the {', '.join(too_long)} caption is longer than {MAX_CAPTION} characters "
              "or holds a NUL character.", "error")
    else:
        kept = {language: text for language, text in (photo.caption_translations or {}).items()
                if language not in translations}
        set_caption_translations(photo, {**kept, **translations})
        db.session.commit()
        flash("The caption translations are saved; the report uses them in its language.")
    return redirect(url_for("console.photo_view", slug=slug, photo_id=photo_id,
                            back=_safe_back(request.form.get("back"))))


def _photo_or_404(slug, photo_id):
    """Return (walk, photo row), or answer 404."""
    walk = walk_or_404(slug)
    photo = find_photo(walk.id, photo_id)
    if photo is None:
        abort(404, description="There is no such photo on this walk.")
    return walk, photo


def _safe_back(target):
    return target if target and target.startswith("/admin/photos") else url_for("console.photo_gallery")


@bp.post("/walks/<slug>/photos/<photo_id>/shown")
@signed_in("admin")
def photo_set_shown(slug, photo_id):
    """Show a photo in the report, or hide it again."""
    _, photo = _photo_or_404(slug, photo_id)
    photo.shown = request.form.get("shown") == "true"
    db.session.commit()
    flash("The photo is now shown in the report." if photo.shown else "The photo is now hidden from the report.")
    return redirect(_safe_back(request.form.get("back")) if request.form.get("back", "").startswith("/admin/photos")
                    else url_for("console.photo_view", slug=slug, photo_id=photo_id))
