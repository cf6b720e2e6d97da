"""The filter form shared by the report and downloads pages."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from ..documents.charts import group_label
from ..extensions import db
from ..catalog.audits import audit_named, ordered_audits
from ..models import GROUPS, Checklist, Response
from ..reports.queries import Filters
from ..records.review import DEFAULT_STATES, ReviewError, parse_states
from ..records.review import LABELS as REVIEW_LABELS
from ..records.review import STATES as REVIEW_STATES
from ..records.rules import LANGUAGE_RE

FIELDS = ("checklist", "version", "audit", "walk", "station", "group", "language", "since", "until")


@dataclass
class FilterForm:
    """What the admin typed (to refill the form), the Filters it means, and what was ignored."""

    values: dict
    filters: Filters
    problems: list = field(default_factory=list)

    def api_args(self, **extra):
        """Return the filters as query arguments of the API's exports and report."""
        args = {key: value for key, value in self.filters.as_dict().items() if key != "review"}
        if set(self.filters.review) != set(DEFAULT_STATES):  # the API's default is the same
            args["review"] = ",".join(self.filters.review)
        args.update({key: value for key, value in extra.items() if value})
        return args


def _day(value, name, problems):
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"'{value}' is not a date like 2018-06-12; the {name} filter was left out.")
        return None


def read_filters(args, walks):
    """Read the filter arguments; values that make no sense are reported and left out."""
    values = {key: (args.get(key) or "").strip() for key in FIELDS}
    problems = []
    try:
        review = parse_states([state for state in args.getlist("review") if state.strip()])
    except ReviewError as error:
        problems.append(f"{error} The default is shown: every state but rejected.")
        review = DEFAULT_STATES
    values["review"] = list(review)
    slugs = checklist_slugs()
    audit = audit_named(values["audit"]) if values["audit"] else None
    if values["audit"] and audit is None:
        problems.append(f"There is no audit '{values['audit']}'; all audits are shown.")
        values["audit"] = ""
    checklist = values["checklist"] or (audit.checklist_slug if audit else "") or (slugs[0] if len(slugs) == 1 else "")
    if checklist and checklist not in slugs:
        problems.append(f"There is no checklist '{checklist}'.")
        checklist = ""
    values["checklist"] = checklist
    version = None
    if values["version"]:
        if values["version"].isdigit() and int(values["version"]) in checklist_versions(checklist):
            version = int(values["version"])
        else:
            problems.append(f"Checklist '{checklist}' has no version {values['version']}; all versions are shown.")
            values["version"] = ""
    walk = values["walk"]
    if walk and walk not in {w.slug for w in walks}:
        problems.append(f"There is no walk '{walk}' you can see; all walks are shown.")
        walk = values["walk"] = ""
    group = values["group"]
    if group and group not in GROUPS:
        problems.append(f"'{group}' is not a participant group; all groups are shown.")
        group = values["group"] = ""
    language = values["language"]
    if language and not LANGUAGE_RE.match(language):
        problems.append(f"'{language}' is not a language code; all languages are shown.")
        language = values["language"] = ""
    since = _day(values["since"], "from", problems) if values["since"] else None
    until = _day(values["until"], "to", problems) if values["until"] else None
    if since is None:
        values["since"] = ""
    if until is None:
        values["until"] = ""
    filters = Filters(
        checklist=checklist or None, version=version, audit=values["audit"] or None, walk=walk or None,
        station=values["station"].upper() or None, group=group or None, language=language or None,
        since=datetime.combine(since, time(), timezone.utc) if since else None,
        # The "to" day counts in full; the calendar's last day leaves no end at all.
        until=datetime.combine(until + timedelta(days=1), time(), timezone.utc) if until and until < date.max
        else None,
        review=review,
    )
    return FilterForm(values, filters, problems)


def checklist_slugs():
    """Return the slugs of the loaded checklists."""
    return db.session.execute(select(Checklist.slug).distinct().order_by(Checklist.slug)).scalars().all()


def checklist_versions(slug):
    """Return the versions of a checklist, oldest first."""
    return db.session.execute(select(Checklist.version).where(Checklist.slug == slug)
                              .order_by(Checklist.version)).scalars().all()


def participant_languages():
    """Return the participant languages among the checklists received."""
    return [language for language in db.session.execute(
        select(Response.participant_language).distinct().order_by(Response.participant_language)).scalars()
        if language]


def form_options(walks, values):
    """Return the choices of the filter form's selects."""
    return {"checklists": checklist_slugs(), "versions": checklist_versions(values.get("checklist")),
            "audits": ordered_audits(), "walks": walks, "groups": GROUPS, "languages": participant_languages(),
            "review_states": [(state, REVIEW_LABELS[state]) for state in REVIEW_STATES]}


def group_names(language="en"):
    """Return each participant group's name in a language."""
    return {group: group_label(group, language) for group in GROUPS}
