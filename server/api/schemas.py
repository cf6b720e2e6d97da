"""marshmallow schemas: the wire format of API v1 beside the shared JSON Schemas; views declare them (declare.py)."""
from datetime import UTC

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from ..answer_rules import MAX_RESPONSES, STATION_CODE_RE
from ..documents.qr import PNG_SCALE, PNG_SCALE_RANGE, PNG_SIZE_RANGE
from ..documents.qr_sheets import LAYOUTS as SHEET_LAYOUTS
from ..models import GROUPS, RATINGS, ROLES, as_utc
from ..records.photos import MAX_CAPTION
from ..records.review import DECISIONS as REVIEW_DECISIONS
from ..records.review import FILTER_RE as REVIEW_FILTER_RE
from ..records.review import MAX_NOTE
from ..records.review import STATES as REVIEW_STATES
from ..records.rules import DATETIME_RE, LANGUAGE_RE, MAX_INT, UUID_RE

LocalizedText = lambda **kw: fields.Dict(keys=fields.Str(), values=fields.Str(), **kw)  # noqa: E731
STATION_CODE = validate.Regexp(STATION_CODE_RE, error="1–16 capital letters, digits or dashes.")


class UtcDateTime(fields.AwareDateTime):
    """A date-time written with its offset; a stored one read back without it (SQLite) is UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(as_utc(value), attr, obj, **kwargs)


class DateTime(UtcDateTime):
    """An RFC 3339 date-time that must carry its offset (ISO 8601 alone allows more)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not DATETIME_RE.match(value):
            raise ValidationError("An RFC 3339 date-time with its offset, e.g. 2018-06-12T10:00:00+02:00.")
        return super()._deserialize(value, attr, data, **kwargs)


def _utc_representable(value):
    # 0001-01-01T00:00+14:00 parses, but in UTC it falls before year 1: reports and downloads write UTC.
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValidationError("Out of range: in UTC this falls outside the years 1 to 9999.") from None


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE  # newer clients may add fields


class ChecklistRefSchema(Schema):
    slug = fields.Str(required=True)
    version = fields.Int(required=True)


class ChecklistSummarySchema(Schema):
    slug = fields.Str()
    version = fields.Int()
    title = LocalizedText()
    versions = fields.List(fields.Int())


class StationSchema(Schema):
    code = fields.Str(required=True, validate=STATION_CODE)
    title = LocalizedText(required=True)
    position = fields.Int(validate=validate.Range(1, MAX_INT))
    lat = fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    lon = fields.Float(allow_none=True, validate=validate.Range(-180, 180))
    items = fields.List(fields.Str(), allow_none=True, load_default=None)

    @validates_schema
    def _lat_and_lon_together(self, data, **kwargs):
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ValidationError("Give both lat and lon, or neither.", "lon" if data.get("lon") is None else "lat")


class AdminStationSchema(StationSchema):
    url = fields.Str(dump_only=True, metadata={"description": "The link its QR code carries."})
    checklists = fields.Int(dump_only=True)


class AdminAuditSchema(Schema):
    """An audit as the admin API shows it: its definition, its walks and the checklists they received."""

    slug = fields.Str(required=True)
    title = LocalizedText(required=True)
    city = fields.Str()
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    checklist = fields.Nested(ChecklistRefSchema, required=True)
    closed = fields.Bool(metadata={"description": "A closed audit refuses checklists to all its walks."})
    walks = fields.List(fields.Str(), dump_only=True)
    responses = fields.Int(dump_only=True)


class PublicWalkSchema(Schema):
    """A walk as the walker app reads it: no key."""

    slug = fields.Str(required=True)
    audit = fields.Str(metadata={"description": "The audit's slug; left out, the walk keeps its audit or goes "
                                                "to the newest open one using its checklist."})
    title = LocalizedText(required=True)
    description = LocalizedText(allow_none=True)
    checklist = fields.Nested(ChecklistRefSchema, required=True)
    closed = fields.Bool(dump_only=True)
    stations = fields.List(fields.Nested(StationSchema), required=True)


class AdminWalkSchema(PublicWalkSchema):
    key = fields.Str(dump_only=True)
    code = fields.Str(dump_only=True, metadata={"description": "The walk code printed under the QR codes; a phone "
                                                              "exchanges it for the key. A new key brings a new code."})
    url = fields.Str(dump_only=True, metadata={"description": "The walk's start page, with its key."})
    stations = fields.List(fields.Nested(AdminStationSchema), required=True)
    responses = fields.Int(dump_only=True)


class WalkPatchSchema(Schema):
    title = LocalizedText()
    description = LocalizedText(allow_none=True)
    checklist_version = fields.Int(validate=validate.Range(1, MAX_INT))


class ReportItemSchema(Schema):
    id = fields.Str()
    text = LocalizedText()
    answered = fields.Int()
    non_response = fields.Int()
    dont_know = fields.Int()
    mean = fields.Float(allow_none=True, metadata={"description": "Mean score of those who scored it, 2 decimals."})
    score_sum = fields.Int()
    non_response_pct = fields.Float(allow_none=True)
    distribution = fields.Dict(keys=fields.Str(), values=fields.Int())


class ReportTopicSchema(Schema):
    id = fields.Str()
    title = LocalizedText()
    mean = fields.Float(allow_none=True)
    items = fields.List(fields.Nested(ReportItemSchema))


class ReportSchema(Schema):
    checklist = fields.Nested(ChecklistRefSchema)
    filters = fields.Dict()
    responses = fields.Int()
    topics = fields.List(fields.Nested(ReportTopicSchema))


class ReportQuerySchema(_Lenient):
    checklist = fields.Str(metadata={"description": "Required unless an audit is named (then its checklist)."})
    version = fields.Int(validate=validate.Range(1, MAX_INT))
    audit = fields.Str()
    walk = fields.Str()
    station = fields.Str()
    group = fields.Str(validate=validate.OneOf(GROUPS))
    language = fields.Str()
    since = DateTime(validate=_utc_representable,
                                 metadata={"description": "Checklists updated at or after this time."})
    until = DateTime(validate=_utc_representable,
                                 metadata={"description": "Checklists updated before this time."})
    review = fields.Str(validate=validate.Regexp(REVIEW_FILTER_RE, error="Use review states separated by commas "
                                                 f"({', '.join(REVIEW_STATES)}) or all."),
                        metadata={"description": "Review states to include, separated by commas, or all; "
                                                 "by default every state but rejected."})


MAX_COMPARED = 12


class AuditList(fields.Str):
    """Audit slugs separated by commas, read as a list: two or more, each once."""

    def _deserialize(self, value, attr, data, **kwargs):
        return _audit_list(super()._deserialize(value, attr, data, **kwargs))


def _audit_list(value):
    slugs = [slug.strip() for slug in value.split(",") if slug.strip()]
    if len(slugs) < 2:
        raise ValidationError("Name at least two audits, separated by commas: audits=prague-2018,prague-2026.")
    if len(slugs) > MAX_COMPARED:
        raise ValidationError(f"Compare at most {MAX_COMPARED} audits at a time.")
    if len(set(slugs)) != len(slugs):
        raise ValidationError("Name each audit once.")
    return slugs


class CompareQuerySchema(_Lenient):
    audits = AuditList(required=True, metadata={
        "description": "Audit slugs, oldest first, separated by commas: the change is the last minus the first."})
    group = fields.Str(validate=validate.OneOf(GROUPS))
    station = fields.Str(validate=validate.Length(max=16),
                         metadata={"description": "Station code: only answers given there count."})
    review = fields.Str(validate=validate.Regexp(REVIEW_FILTER_RE, error="Use review states separated by commas, "
                                                                         "or all."),
                        metadata={"description": "Review states included (default: all but rejected)."})


class CompareAuditSchema(Schema):
    slug = fields.Str()
    responses = fields.Int(metadata={"description": "Checklists of the audit that match the filters."})


class CompareCellSchema(Schema):
    audit = fields.Str()
    mean = fields.Float(allow_none=True, metadata={"description": "Mean score of those who scored it, 2 decimals."})
    answered = fields.Int()
    non_response_pct = fields.Float(allow_none=True)


class CompareItemSchema(Schema):
    id = fields.Str()
    text = LocalizedText()
    by_audit = fields.List(fields.Nested(CompareCellSchema, allow_none=True), metadata={
        "description": "One entry per audit, in the order asked; null where that audit did not ask the item."})
    change = fields.Float(allow_none=True, metadata={
        "description": "Mean of the last audit minus mean of the first; null when either is missing."})


class CompareTopicSchema(Schema):
    id = fields.Str()
    title = LocalizedText()
    items = fields.List(fields.Nested(CompareItemSchema))


class CompareSchema(Schema):
    audits = fields.List(fields.Nested(CompareAuditSchema))
    topics = fields.List(fields.Nested(CompareTopicSchema))


class ExportQuerySchema(ReportQuerySchema):
    checklist = fields.Str()
    layout = fields.Str(load_default="long", validate=validate.OneOf(("long", "wide")))


class ResponsesXlsxQuerySchema(ReportQuerySchema):
    """The filters of a download, and the language its texts are written in."""

    lang = fields.Str(load_default="en", validate=validate.Regexp(r"^[a-z]{2,3}(?!\n)$"),
                      metadata={"description": "Language of item texts and headings (the filter 'language' picks "
                                               "participants)."})


class ReportXlsxQuerySchema(ResponsesXlsxQuerySchema):
    compare = AuditList(metadata={"description": "Audits to compare, oldest first, separated by commas "
                                                 "(the report adds the table)."})


class ReportPdfQuerySchema(ReportXlsxQuerySchema):
    decimal = fields.Str(load_default="point", validate=validate.OneOf(("point", "comma")),
                         metadata={"description": "Decimal mark: 3.92 or 3,92."})


class ReviewRequestSchema(Schema):
    state = fields.Str(required=True, validate=validate.OneOf(REVIEW_DECISIONS))
    note = fields.Str(allow_none=True, load_default=None, validate=validate.Length(max=MAX_NOTE))


class BulkReviewRequestSchema(ReviewRequestSchema):
    ids = fields.List(fields.Str(validate=validate.Regexp(UUID_RE, error="A checklist id: a UUID in lowercase "
                                                                     "8-4-4-4-12 form.")),
                      required=True, validate=validate.Length(1, MAX_RESPONSES),
                      metadata={"description": "The checklists to review: all get the state and note, or none does."})


class ReviewSchema(Schema):
    id = fields.Str()
    walk = fields.Str()
    state = fields.Str(validate=validate.OneOf(REVIEW_STATES))
    note = fields.Str(allow_none=True)
    reviewed_at = UtcDateTime(allow_none=True)
    reviewed_by = fields.Str(allow_none=True)


class ReviewListSchema(Schema):
    reviewed = fields.List(fields.Nested(ReviewSchema))


class DeletionRequestSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(1, 500),
                        metadata={"description": "Why the data is deleted; kept in the tombstone and audit trail."})


class DeletionSchema(Schema):
    deleted = fields.List(fields.Str(), metadata={"description": "The record ids now tombstoned."})
    checklists = fields.Int()
    answers = fields.Int()
    photos = fields.Int()
    log_entries = fields.Int()


class TokenRequestSchema(Schema):
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    walks = fields.List(fields.Str(), load_default=list)
    label = fields.Str(validate=validate.Length(max=120))
    expires_in_days = fields.Int(load_default=90, allow_none=True, strict=True, validate=validate.Range(1, 3660),
                                 metadata={"description": "Lifetime in days (default 90); null: never expires."})


class TokenSchema(Schema):
    id = fields.Int()
    role = fields.Str()
    label = fields.Str(allow_none=True)
    prefix = fields.Str()
    walks = fields.List(fields.Str())
    token = fields.Str(metadata={"description": "Shown once, at creation."})
    created_at = UtcDateTime()
    last_used_at = UtcDateTime(allow_none=True)
    revoked_at = UtcDateTime(allow_none=True)
    expires_at = UtcDateTime(allow_none=True)
    user = fields.Str(allow_none=True, metadata={"description": "The user whose current rights the token acts with."})


class StationStatusSchema(Schema):
    code = fields.Str()
    title = LocalizedText()
    checklists = fields.Int()
    answers = fields.Int()


class DeviceStatusSchema(Schema):
    device_id = fields.Str()
    checklists = fields.Int()
    last_sync = UtcDateTime(allow_none=True)
    refused = fields.Int()


class RefusedRecordSchema(Schema):
    log_id = fields.Int()
    received_at = UtcDateTime()
    device_id = fields.Str(allow_none=True)
    response_id = fields.Str(allow_none=True)
    errors = fields.Raw()


class PhotoCountsSchema(Schema):
    stored = fields.Int(metadata={"description": "Photos whose files (and voice notes) the server holds."})
    waiting = fields.Int(metadata={"description": "Photos whose metadata arrived; a file is still on the phone."})


class WalkStatusSchema(Schema):
    walk = fields.Str()
    closed = fields.Bool()
    checklists = fields.Int()
    photos = fields.Nested(PhotoCountsSchema)
    stations = fields.List(fields.Nested(StationStatusSchema))
    devices = fields.List(fields.Nested(DeviceStatusSchema))
    refused = fields.List(fields.Nested(RefusedRecordSchema))


class TallyStationSchema(Schema):
    code = fields.Str()
    checklists = fields.Int()


class WalkCodeSchema(Schema):
    """A walk code as typed on a phone: case, spaces and dashes do not matter."""

    code = fields.Str(required=True, validate=validate.Length(1, 64),
                      metadata={"description": "The walk code printed under the QR codes, e.g. ABCD-EFGH."})


class WalkKeySchema(Schema):
    """The key a walk code opens: what the QR code's link carries."""

    walk = fields.Str()
    key = fields.Str(metadata={"description": "Send it as X-Walk-Key to sync."})


class WalkTallySchema(Schema):
    """What the group has sent so far: shown to walkers when they finish, and to facilitators."""

    walk = fields.Str()
    checklists = fields.Int()
    stations = fields.List(fields.Nested(TallyStationSchema))


class AdminPhotoSchema(Schema):
    id = fields.Str()
    audit = fields.Str()
    walk = fields.Str()
    response = fields.Str(metadata={"description": "The checklist the photo came with."})
    review = fields.Str(metadata={"description": "The review state of that checklist."})
    station = fields.Str(allow_none=True)
    topic = fields.Str(allow_none=True)
    item = fields.Str(allow_none=True)
    caption = fields.Str(allow_none=True)
    caption_translations = fields.Dict(keys=fields.Str(), values=fields.Str())
    rating = fields.Str(allow_none=True)
    taken_at = UtcDateTime(allow_none=True)
    group = fields.Str(allow_none=True)
    language = fields.Str(allow_none=True)
    status = fields.Str(validate=validate.OneOf(("stored", "waiting")),
                        metadata={"description": "waiting: the metadata arrived, the file is still on the phone."})
    shown = fields.Bool(metadata={"description": "Shown in the report; photos start hidden."})
    width = fields.Int(allow_none=True)
    height = fields.Int(allow_none=True)
    bytes = fields.Int()
    url = fields.Str(allow_none=True)
    thumbnail_url = fields.Str(allow_none=True)
    voice_url = fields.Str(allow_none=True)


class PhotoListSchema(Schema):
    photos = fields.List(fields.Nested(AdminPhotoSchema))


class PhotoPatchSchema(Schema):
    shown = fields.Bool(truthy={True}, falsy={False})
    caption_translations = fields.Dict(keys=fields.Str(validate=validate.Regexp(LANGUAGE_RE)),
                                       values=fields.Str(validate=validate.Length(max=MAX_CAPTION)))


class AuditStatusSchema(Schema):
    audit = fields.Str()
    closed = fields.Bool()
    checklists = fields.Int()
    walks = fields.List(fields.Nested(WalkStatusSchema))



class WholeNumber(fields.Int):
    """A whole number in a query argument: ASCII digits only (int() alone also reads ' 3', '1_0' or '²')."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not (value.isascii() and value.isdigit() and len(value) <= 12):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class VersionQuerySchema(_Lenient):
    version = WholeNumber(validate=validate.Range(1, MAX_INT),
                          metadata={"description": "The checklist version (default: the latest)."})


class QrQuerySchema(_Lenient):
    scale = WholeNumber(validate=validate.Range(*PNG_SCALE_RANGE),
                        metadata={"description": f"Pixels per module (default {PNG_SCALE}); not with size."})
    size = WholeNumber(validate=validate.Range(*PNG_SIZE_RANGE),
                       metadata={"description": "Width in pixels, whole modules; not with scale."})

    @validates_schema
    def _one_of_scale_and_size(self, data, **kwargs):
        if data.get("scale") is not None and data.get("size") is not None:
            raise ValidationError("Give either 'scale' or 'size', not both.", "size")


class SheetsQuerySchema(_Lenient):
    layout = fields.Str(load_default="pages", validate=validate.OneOf(SHEET_LAYOUTS),
                        metadata={"description": "One station per page (default) or four cut-out cards per page."})
    lang = fields.Str(load_default="en", validate=validate.Regexp(LANGUAGE_RE),
                      metadata={"description": "One of the checklist's languages; the instruction is in all five."})


class PhotoQuerySchema(_Lenient):
    audit = fields.Str(metadata={"description": "Audit slug: the photos of its walks."})
    walk = fields.Str(metadata={"description": "Walk slug."})
    station = fields.Str(metadata={"description": "Station code."})
    topic = fields.Str(metadata={"description": "Topic id."})
    rating = fields.Str(validate=validate.OneOf((*RATINGS, "none")),
                        metadata={"description": "works, needs_change, or none for photos left unrated."})
    group = fields.Str(validate=validate.OneOf(GROUPS), metadata={"description": "Participant group."})
    shown = fields.Bool(truthy={"true"}, falsy={"false"},
                        metadata={"description": "true: shown in the report; false: hidden."})
    review = fields.List(fields.Str(validate=validate.Regexp(REVIEW_FILTER_RE, error="Use review states separated "
                                                             f"by commas ({', '.join(REVIEW_STATES)}) or all.")),
                         metadata={"description": "Review states of the photos' checklists, separated by commas, "
                                                  "or all (default: every state but rejected)."})


class WalkPhotoQuerySchema(PhotoQuerySchema):
    class Meta(_Lenient.Meta):
        exclude = ("walk",)  # the path names the walk


class PersonalDataQuerySchema(_Lenient):
    record = fields.Str(metadata={"description": "A checklist's id (a UUID); or device."})
    device = fields.Str(metadata={"description": "A device's id (a UUID); or record."})


class WalkSummarySchema(Schema):
    slug = fields.Str()
    audit = fields.Str()
    title = LocalizedText()
    closed = fields.Bool()
    stations = fields.Int(metadata={"description": "How many stations the walk has."})
    checklist = fields.Nested(ChecklistRefSchema)


class WalkListSchema(Schema):
    walks = fields.List(fields.Nested(WalkSummarySchema))


class ChecklistListSchema(Schema):
    checklists = fields.List(fields.Nested(ChecklistSummarySchema))


class AdminWalkListSchema(Schema):
    walks = fields.List(fields.Nested(AdminWalkSchema))


class AuditListSchema(Schema):
    audits = fields.List(fields.Nested(AdminAuditSchema))


class TokenListSchema(Schema):
    tokens = fields.List(fields.Nested(TokenSchema))


class ImportedChecklistSchema(Schema):
    slug = fields.Str()
    version = fields.Int()


class PhotoShownSchema(Schema):
    id = fields.Str()
    shown = fields.Bool()
    caption_translations = fields.Dict(keys=fields.Str(), values=fields.Str())


walk_schema = PublicWalkSchema()
admin_walk_schema = AdminWalkSchema()
walk_patch_schema = WalkPatchSchema()
station_schema = StationSchema()
report_schema = ReportSchema()
token_request_schema = TokenRequestSchema()
token_schema = TokenSchema()
walk_status_schema = WalkStatusSchema()
walk_tally_schema = WalkTallySchema()
walk_code_schema = WalkCodeSchema()
walk_key_schema = WalkKeySchema()
photo_list_schema = PhotoListSchema()
photo_patch_schema = PhotoPatchSchema()
compare_schema = CompareSchema()
audit_schema = AdminAuditSchema()
audit_status_schema = AuditStatusSchema()
review_request_schema = ReviewRequestSchema()
bulk_review_request_schema = BulkReviewRequestSchema()
review_schema = ReviewSchema()
deletion_request_schema = DeletionRequestSchema()
deletion_schema = DeletionSchema()
