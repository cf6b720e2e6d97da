"""Audit pages: list, create and edit audits; see each audit's walks, stations and checklists received."""
from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..access.audit_trail import record
from ..catalog.audits import audit_counts, audit_definition, audit_named, ordered_audits, save_audit
from ..catalog.definitions import DefinitionError
from ..extensions import db
from ..models import Checklist
from ..records.rules import SLUG_RE
from ..records.status import walk_status
from . import bp
from .access import signed_in
from .forms import Collector, FormErrors, form_languages, localized


def audit_or_404(slug):
    """Return the audit with this slug, else the 404 page."""
    audit = audit_named(slug)
    if audit is None:
        abort(404, description=f"There is no audit '{slug}'.")
    return audit


def _checklist_versions():
    return db.session.execute(select(Checklist).order_by(Checklist.slug, Checklist.version)).scalars().all()


def _problems(error):
    return [str(error)] + [f"{e.get('path') or 'audit'}: {e['message']}" for e in error.errors]


def _form_of(audit):
    form = {f"title_{language}": text for language, text in audit.title.items()}
    form.update(slug=audit.slug, city=audit.city, checklist=f"{audit.checklist_slug}:{audit.checklist_version}",
                starts_on=audit.starts_on.isoformat() if audit.starts_on else "",
                ends_on=audit.ends_on.isoformat() if audit.ends_on else "", closed="on" if audit.closed else "")
    return form


def _read_form(form, languages, audit=None):
    """Read the audit form into a definition in the shared audit format, or raise FormErrors."""
    collector = Collector()
    slug = audit.slug if audit else (form.get("slug") or "").strip().lower()
    if audit is None:
        if not SLUG_RE.match(slug):
            collector.add("slug", "Use lowercase letters, digits and dashes, such as prague-2026.")
        elif slug == "new":
            collector.add("slug", "'new' is taken by the console's own page; choose another name.")
        elif audit_named(slug) is not None:
            collector.add("slug", f"An audit '{slug}' exists already.")
    title = localized(form, "title", languages, audit.title if audit else None, collector=collector, label="Title")
    checklist_slug, _, version = (form.get("checklist") or "").partition(":")
    if not checklist_slug or not version.isdigit():
        collector.add("checklist", "Choose the checklist the audit's walks use.")
    collector.raise_if_any()
    definition = {"slug": slug, "title": title, "city": (form.get("city") or "").strip(),
                  "starts_on": form.get("starts_on") or None, "ends_on": form.get("ends_on") or None,
                  "checklist": {"slug": checklist_slug, "version": int(version)}}
    if audit is not None:
        definition["closed"] = form.get("closed") == "on"
    return definition


@bp.get("/audits")
@signed_in("admin")
def audit_list():
    """List the audits, newest first, with their walks and checklists received."""
    audits = ordered_audits()
    return render_template("console/audits/list.html", audits=audits, counts=audit_counts(audits))


@bp.route("/audits/new", methods=["GET", "POST"])
@bp.route("/audits/<slug>/edit", methods=["GET", "POST"])
@signed_in("admin")
def audit_edit(slug=None):
    """Create an audit, or change its titles, city, dates, checklist version or state."""
    audit = None
    if slug is not None:
        audit = audit_or_404(slug)
    versions = _checklist_versions()
    languages = form_languages(versions[-1].definition if versions else None)
    context = {"audit": audit, "versions": versions, "languages": languages, "errors": {}}
    if request.method == "GET":
        form = _form_of(audit) if audit else {"checklist": f"{versions[-1].slug}:{versions[-1].version}"
                                              if versions else ""}
        return render_template("console/audits/form.html", form=form, **context)
    try:
        definition = _read_form(request.form, languages, audit)
        audit, created = save_audit(definition, audit)
    except FormErrors as error:
        return render_template("console/audits/form.html", form=request.form,
                               **{**context, "errors": error.errors}), 400
    except DefinitionError as error:
        db.session.rollback()
        return render_template("console/audits/form.html", form=request.form, **context,
                               problems=_problems(error)), 400
    record("audit_saved", audit.slug, {"created": created, "closed": audit.closed})
    db.session.commit()
    flash(f"Audit {audit.slug} {'created' if created else 'saved'}.")
    return redirect(url_for("console.audit_show", slug=audit.slug))


@bp.get("/audits/<slug>")
@signed_in("admin")
def audit_show(slug):
    """Show an audit: its facts, and each walk with its stations and what they received."""
    audit = audit_or_404(slug)
    statuses = [(walk, walk_status(walk)) for walk in audit.walks]
    others = [other for other in ordered_audits() if other.id != audit.id]
    return render_template("console/audits/show.html", audit=audit, statuses=statuses,
                           definition=audit_definition(audit), others=others,
                           total=sum(status["checklists"] for _, status in statuses))
