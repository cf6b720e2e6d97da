"""Checklist pages: list, show with a phone-sized preview, author and edit, import and export XLSForm."""
from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from ..access.audit_trail import record
from ..catalog.definitions import CREATED, UPDATED, DefinitionError, check_checklist, latest_checklist, load_checklist
from ..catalog.xlsform import LIMITS, XLSFormError, save_xlsform
from ..extensions import db
from ..models import Checklist, Response, Walk
from ..records.rules import scale_of
from . import bp
from .access import signed_in
from .checklist_form import apply_action, blank_checklist, describe_path, form_fields, read_draft, untranslated


def _versions(slug):
    return db.session.execute(select(Checklist).where(Checklist.slug == slug)
                              .order_by(Checklist.version)).scalars().all()


def _usage(slug):
    """Return {version: (walks, responses)} for a checklist's versions."""
    walks = db.session.execute(select(Walk).where(Walk.checklist_slug == slug).order_by(Walk.slug)).scalars().all()
    counts = dict(db.session.execute(
        select(Checklist.version, func.count(Response.id)).join(Response, Response.checklist_id == Checklist.id)
        .where(Checklist.slug == slug).group_by(Checklist.version)).all())
    usage = {}
    for version in {w.checklist_version for w in walks} | set(counts):
        usage[version] = ([w for w in walks if w.checklist_version == version], counts.get(version, 0))
    return usage


@bp.get("/checklists")
@signed_in("admin")
def checklist_list():
    """List checklists with their versions, the walks using them and the checklists received."""
    slugs = db.session.execute(select(Checklist.slug).distinct().order_by(Checklist.slug)).scalars().all()
    rows = [(latest_checklist(slug), _usage(slug)) for slug in slugs]
    return render_template("console/checklists/list.html", rows=rows)


@bp.get("/checklists/<slug>")
@signed_in("admin")
def checklist_show(slug):
    """Show a checklist version as walkers see it, its versions and the walks that use each."""
    versions = _versions(slug)
    if not versions:
        abort(404, description=f"No checklist '{slug}'.")
    wanted = request.args.get("version", "")
    checklist = next((v for v in versions if str(v.version) == wanted), versions[-1])
    definition = checklist.served()
    language = request.args.get("lang", "en")
    if language not in definition["languages"]:
        language = "en"
    return render_template("console/checklists/show.html", checklist=checklist, definition=definition,
                           versions=versions, usage=_usage(slug), language=language,
                           scale=scale_of(definition), missing=untranslated(definition))


def _editor(draft, existing=None, problems=(), status=200):
    language = request.values.get("preview_lang", "en")
    if language not in draft["languages"]:
        language = "en"
    answered = existing is not None and _usage(existing.slug).get(existing.version, ((), 0))[1] > 0
    return render_template("console/checklists/edit.html", draft=draft, form=form_fields(draft), existing=existing,
                           problems=list(problems), missing=untranslated(draft), scale=scale_of(draft),
                           preview_lang=language, answered=answered), status


@bp.route("/checklists/new", methods=["GET", "POST"])
@bp.route("/checklists/<slug>/edit", methods=["GET", "POST"])
@signed_in("admin")
def checklist_edit(slug=None):
    """Author a checklist: topics, items, every language beside English, the scale; save changes an unanswered
    version in place and makes an answered one a new version."""
    existing = latest_checklist(slug) if slug else None
    if slug and existing is None:
        abort(404, description=f"No checklist '{slug}'.")
    if request.method == "GET":
        return _editor(existing.served() if existing else blank_checklist(), existing)
    draft = read_draft(request.form)
    if existing:
        draft["slug"] = existing.slug  # a checklist keeps its slug; a new slug is a new checklist
    action = request.form.get("action", "save")
    if action != "save":
        message = apply_action(draft, action, request.form.get("new_language", ""))
        return _editor(draft, existing, [message] if message else [], 400 if message else 200)
    if existing is None and latest_checklist(draft["slug"]) is not None:
        return _editor(draft, None, [f"A checklist '{draft['slug']}' exists already; edit it instead."], 400)
    try:
        check_checklist(draft)
        checklist, created = load_checklist(draft)
    except DefinitionError as error:
        db.session.rollback()
        problems = [f"{describe_path(e.get('path'), draft)}: {e['message']}" for e in error.errors] or [str(error)]
        return _editor(draft, existing, problems, 400)
    record("checklist_saved", f"{checklist.slug} v{checklist.version}",
           {"new_version": created == CREATED, "in_place": created == UPDATED})
    db.session.commit()
    if created == CREATED and checklist.version > 1:
        flash(f"Saved as version {checklist.version}: checklists answered with version {checklist.version - 1} "
              "have arrived, so it stays as it was. Walks keep the version they use until you move them "
              "(Edit walk → Checklist version).")
    elif created == CREATED:
        flash(f"Checklist {checklist.slug} created.")
    elif created == UPDATED:
        flash(f"Saved: still version {checklist.version}, changed in place, since no checklist answered with it "
              "has arrived yet.")
    else:
        flash(f"Nothing changed: still version {checklist.version}.")
    return redirect(url_for("console.checklist_show", slug=checklist.slug))


@bp.route("/checklists/import", methods=["GET", "POST"])
@signed_in("admin")
def checklist_import():
    """Upload an XLSForm: a checklist, or its new version; anything else is listed row by row, nothing saved."""
    if request.method == "GET":
        return render_template("console/checklists/import.html")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("console/checklists/import.html", error="Choose an .xlsx form to import."), 400
    slug = (request.form.get("slug") or "").strip().lower() or None
    try:
        checklist, created = save_xlsform(upload.read(LIMITS["bytes"] + 1), slug=slug)
    except XLSFormError as error:
        db.session.rollback()
        return render_template("console/checklists/import.html", problems=error.problems,
                               filename=upload.filename, slug=slug or ""), 422
    record("checklist_saved", f"{checklist.slug} v{checklist.version}",
           {"new_version": created == CREATED, "in_place": created == UPDATED, "xlsform": upload.filename[:200]})
    db.session.commit()
    flash(f"Imported {upload.filename} as {checklist.slug} version {checklist.version}." if created == CREATED else
          f"Imported {upload.filename} over {checklist.slug} version {checklist.version}, which no checklist "
          "answered yet." if created == UPDATED else
          f"{upload.filename} matches {checklist.slug} version {checklist.version}; nothing changed.")
    return redirect(url_for("console.checklist_show", slug=checklist.slug))
