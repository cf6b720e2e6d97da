"""Walk pages: list, create and edit walks and stations, close, reopen, rotate the key."""
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import func, select

from ..catalog.audits import ordered_audits
from ..catalog.definitions import (
    DefinitionError,
    get_checklist,
    latest_checklist,
    remove_station,
    save_station,
    save_walk,
    station_definition,
    walk_definition,
)
from ..access.audit_trail import record
from ..extensions import db
from ..catalog.links import station_url, walk_url
from ..models import Answer, Checklist, Response, Walk
from ..records.rules import SLUG_RE
from . import bp
from .access import current_user, signed_in, visible_walks, walk_or_404
from .forms import (
    Collector,
    FormErrors,
    form_languages,
    localized,
    number,
    station_fields,
)


def _save(walk, definition, action=None, target=None):
    """Save through the one walk path and note it in the audit trail (walk created or changed by default)."""
    action = action or ("walk_created" if walk.id is None else "walk_changed")
    save_walk(definition, walk if walk.id is not None else None)
    record(action, target or definition["slug"])
    db.session.commit()


def _definition_messages(error):
    return [str(error)] + [f"{e.get('path') or 'walk'}: {e['message']}" for e in error.errors]


def _counts(walks):
    ids = [w.id for w in walks]
    if not ids:
        return {}
    return dict(db.session.execute(select(Response.walk_id, func.count()).where(Response.walk_id.in_(ids))
                                   .group_by(Response.walk_id)).all())


@bp.get("/walks")
@signed_in()
def walk_list():
    """List the walks the user may see, with checklists received."""
    walks = visible_walks(current_user())
    return render_template("console/walks/list.html", walks=walks, counts=_counts(walks))


def _checklists():
    slugs = db.session.execute(select(Checklist.slug).distinct().order_by(Checklist.slug)).scalars()
    return [latest_checklist(slug) for slug in slugs]


@bp.route("/walks/new", methods=["GET", "POST"])
@signed_in("admin")
def walk_new():
    """Create a walk with its first station."""
    checklists = _checklists()
    audits = ordered_audits()
    audit = next((a for a in audits if a.slug == (request.form.get("audit") or request.args.get("audit"))), None)
    chosen = (get_checklist(audit.checklist_slug, audit.checklist_version) if audit else None) \
        or next((c for c in checklists if c.slug == request.form.get("checklist")), None) \
        or (checklists[0] if checklists else None)
    languages = form_languages(chosen.definition if chosen else None)
    form = request.form if request.method == "POST" else {"audit": audit.slug if audit else ""}
    context = {"checklists": checklists, "audits": audits, "languages": languages, "form": form, "errors": {}}
    if request.method == "GET":
        return render_template("console/walks/new.html", **context)
    collector = Collector()
    slug = request.form.get("slug", "").strip().lower()
    if not SLUG_RE.match(slug):
        collector.add("slug", "Use lowercase letters, digits and dashes, such as prague-7.")
    elif slug == "new":
        collector.add("slug", "'new' is taken by the console's own page; choose another name.")
    elif db.session.execute(select(Walk.id).where(Walk.slug == slug)).first():
        collector.add("slug", f"A walk '{slug}' exists already.")
    if chosen is None:
        collector.add("checklist", "Load a checklist first (flask --app server seed).")
    title = localized(request.form, "title", languages, collector=collector, label="Title")
    description = _description(request.form, languages, None, collector)
    code = request.form.get("code", "").strip().upper()
    if not code:
        collector.add("code", "The first station needs a code, such as P7-1.")
    station_title = localized(request.form, "station_title", languages, collector=collector,
                              label="The first station's name")
    try:
        collector.raise_if_any()
    except FormErrors as error:
        return render_template("console/walks/new.html", **{**context, "errors": error.errors}), 400
    definition = {"slug": slug, "title": title, "checklist": {"slug": chosen.slug, "version": chosen.version},
                  "stations": [{"code": code, "title": station_title, "position": 1}]}
    if audit is not None:
        definition["audit"] = audit.slug
    if description:
        definition["description"] = description
    try:
        _save(Walk(slug=slug), definition)
    except DefinitionError as error:
        db.session.rollback()
        return render_template("console/walks/new.html", **context,
                               problems=_definition_messages(error)), 400
    flash(f"Walk {slug} created. Add its other stations below.")
    return redirect(url_for("console.walk_show", slug=slug))


def _description(form, languages, existing, collector):
    description = localized(form, "description", languages, existing, required=())
    if description and "en" not in description:
        collector.add("description_en", "Give the description in English too, or leave it empty.")
    return description or None


@bp.get("/walks/<slug>")
@signed_in()
def walk_show(slug):
    """Show a walk: its stations with their links, QR codes and the admin's actions."""
    walk = walk_or_404(slug)
    checklist = get_checklist(walk.checklist_slug, walk.checklist_version)
    texts = {item["id"]: item["text"].get("en") for topic in checklist.definition["topics"]
             for item in topic["items"]}
    responses = db.session.execute(select(func.count()).select_from(Response)
                                   .where(Response.walk_id == walk.id)).scalar_one()
    return render_template("console/walks/show.html", walk=walk, checklist=checklist, texts=texts,
                           responses=responses, walk_link=walk_url(walk), map_config=map_config(),
                           station_links={s.code: station_url(walk, s) for s in walk.stations})


@bp.route("/walks/<slug>/edit", methods=["GET", "POST"])
@signed_in("admin")
def walk_edit(slug):
    """Change a walk's title, description and checklist version."""
    walk = walk_or_404(slug)
    versions = db.session.execute(select(Checklist).where(Checklist.slug == walk.checklist_slug)
                                  .order_by(Checklist.version)).scalars().all()
    languages = form_languages(versions[-1].definition)
    # A walk may move to another audit that uses its checklist.
    audits = [audit for audit in ordered_audits() if audit.checklist_slug == walk.checklist_slug]
    context = {"walk": walk, "versions": versions, "languages": languages, "audits": audits, "errors": {}}
    if request.method == "GET":
        form = {f"title_{k}": v for k, v in walk.title.items()}
        form.update({f"description_{k}": v for k, v in (walk.description or {}).items()})
        form["version"] = str(walk.checklist_version)
        form["audit"] = walk.audit.slug
        return render_template("console/walks/edit.html", form=form, **context)
    collector = Collector()
    title = localized(request.form, "title", languages, walk.title, collector=collector, label="Title")
    description = _description(request.form, languages, walk.description, collector)
    version = request.form.get("version", "")
    if version not in {str(v.version) for v in versions}:
        collector.add("version", "Choose one of the checklist's versions.")
    audit = request.form.get("audit") or walk.audit.slug
    if audit not in {a.slug for a in audits}:
        collector.add("audit", "Choose one of the audits that use the walk's checklist.")
    try:
        collector.raise_if_any()
    except FormErrors as error:
        return render_template("console/walks/edit.html", form=request.form, **{**context, "errors": error.errors}), 400
    definition = {**walk_definition(walk), "title": title, "audit": audit,
                  "checklist": {"slug": walk.checklist_slug, "version": int(version)}}
    definition.pop("description", None)
    if description:
        definition["description"] = description
    try:
        _save(walk, definition)
    except DefinitionError as error:
        db.session.rollback()
        return render_template("console/walks/edit.html", form=request.form, **context,
                               problems=_definition_messages(error)), 400
    flash("Walk saved.")
    return redirect(url_for("console.walk_show", slug=slug))


def _station_context(walk, station=None):
    checklist = get_checklist(walk.checklist_slug, walk.checklist_version)
    return {"walk": walk, "station": station, "checklist": checklist,
            "languages": form_languages(checklist.definition), "errors": {}}


def _station_form(station):
    form = {f"title_{k}": v for k, v in station.title.items()}
    form.update(position=str(station.position), lat="" if station.lat is None else str(station.lat),
                lon="" if station.lon is None else str(station.lon))
    return form


@bp.route("/walks/<slug>/stations/new", methods=["GET", "POST"])
@bp.route("/walks/<slug>/stations/<code>/edit", methods=["GET", "POST"])
@signed_in("admin")
def station_edit(slug, code=None):
    """Add a station, or change its name, place in the order, coordinates and first items."""
    walk = walk_or_404(slug)
    station = None
    if code is not None:
        station = walk.station(code)
        if station is None:
            abort(404, description=f"Walk '{slug}' has no station '{code}'.")
    context = _station_context(walk, station)
    template = "console/walks/station.html"
    if request.method == "GET":
        form = _station_form(station) if station else {"position": str(len(walk.stations) + 1)}
        chosen = (station.items or []) if station else []
        return render_template(template, form=form, chosen=chosen, **context)
    checklist = context["checklist"]
    chosen = request.form.getlist("items")
    try:
        title, position, lat, lon, items = station_fields(
            request.form, context["languages"], checklist.item_ids, station.title if station else None)
        new_code = station.code if station else request.form.get("code", "").strip().upper()
        if station is None and not new_code:
            raise FormErrors({"code": ["A station needs a code, such as P7-6."]})
        if station is None and walk.station(new_code):
            raise FormErrors({"code": [f"This walk has a station {new_code} already."]})
    except FormErrors as error:
        return render_template(template, form=request.form, chosen=chosen,
                               **{**context, "errors": error.errors}), 400
    data = {"code": new_code, "title": title}
    if lat is not None:
        data.update(lat=lat, lon=lon)
    if items:
        data["items"] = items
    try:
        save_station(walk, data, position)
    except DefinitionError as error:
        db.session.rollback()
        return render_template(template, form=request.form, chosen=chosen, **context,
                               problems=_definition_messages(error)), 400
    record("station_changed", f"{slug}/{new_code}", {"created": station is None})
    db.session.commit()
    flash(f"Station {new_code} saved.")
    return redirect(url_for("console.walk_show", slug=slug) + f"#station-{new_code}")


@bp.route("/walks/<slug>/stations/<code>/delete", methods=["GET", "POST"])
@signed_in("admin")
def station_delete(slug, code):
    """Confirm, then remove a station from the walk."""
    walk = walk_or_404(slug)
    station = walk.station(code)
    if station is None:
        abort(404, description=f"Walk '{slug}' has no station '{code}'.")
    answers = db.session.execute(
        select(func.count()).select_from(Answer).join(Response, Answer.response_id == Response.id)
        .where(Response.walk_id == walk.id, Answer.station_code == station.code)).scalar_one()
    if request.method == "GET":
        return render_template("console/walks/station_delete.html", walk=walk, station=station, answers=answers)
    try:
        remove_station(walk, station.code)
    except DefinitionError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("console.walk_show", slug=slug))
    record("station_deleted", f"{slug}/{station.code}")
    db.session.commit()
    flash(f"Station {station.code} removed.")
    return redirect(url_for("console.walk_show", slug=slug))


def map_config():
    """Return what the station maps need: the tile address (TILE_URL) and its attribution."""
    return {"tile_url": current_app.config["TILE_URL"], "attribution": current_app.config["TILE_ATTRIBUTION"]}


@bp.post("/walks/<slug>/stations/<code>/place")
@signed_in("admin")
def station_place(slug, code):
    """Save a station's coordinates from the map (a click or a dragged marker); answer JSON for the page's script."""
    walk = walk_or_404(slug)
    station = walk.station(code)
    if station is None:
        return jsonify({"error": f"Walk '{slug}' has no station '{code}'."}), 404
    collector = Collector()
    lat = number(request.form, "lat", collector, -90, 90, "Latitude")
    lon = number(request.form, "lon", collector, -180, 180, "Longitude")
    if lat is None or lon is None:
        messages = [m for ms in collector.errors.values() for m in ms] or ["Give a latitude and a longitude."]
        return jsonify({"error": " ".join(messages)}), 400
    data = station_definition(station)
    data.pop("position", None)
    data.update(lat=round(lat, 6), lon=round(lon, 6))
    try:
        save_station(walk, data)
    except DefinitionError as error:
        db.session.rollback()
        return jsonify({"error": "; ".join(_definition_messages(error))}), 400
    record("station_changed", f"{slug}/{station.code}", {"placed": [data["lat"], data["lon"]]})
    db.session.commit()
    return jsonify({"code": station.code, "lat": data["lat"], "lon": data["lon"]})


def _set_closed(slug, closed):
    walk = walk_or_404(slug)
    walk.closed = closed
    record("walk_closed" if closed else "walk_reopened", slug)
    db.session.commit()
    flash(f"Walk {slug} is {'closed: devices can no longer deliver to it' if closed else 'open again'}.")
    return redirect(url_for("console.walk_show", slug=slug))


@bp.post("/walks/<slug>/close")
@signed_in("admin")
def walk_close(slug):
    """Close a walk: devices can no longer deliver to it."""
    return _set_closed(slug, True)


@bp.post("/walks/<slug>/reopen")
@signed_in("admin")
def walk_reopen(slug):
    """Reopen a closed walk."""
    return _set_closed(slug, False)


@bp.route("/walks/<slug>/rotate-key", methods=["GET", "POST"])
@signed_in("admin")
def walk_rotate_key(slug):
    """Confirm, then give the walk a new key: printed codes stop working."""
    walk = walk_or_404(slug)
    if request.method == "GET":
        return render_template("console/walks/rotate.html", walk=walk)
    walk.rotate_key()
    record("key_rotated", slug)
    db.session.commit()
    flash("The walk has a new key. Print the new QR sheets: the old codes no longer work.")
    return redirect(url_for("console.walk_show", slug=slug))
