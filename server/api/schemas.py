"""marshmallow schemas: the wire format of API v1, also the source of the OpenAPI document."""
from datetime import UTC

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from ..answer_rules import ITEM_ID_RE, SCORE_MAX, SCORE_MIN, STATION_CODE_RE
from ..models import GROUPS, RATINGS, ROLES, as_utc
from ..records.photos import (
    AUDIO_TYPE_RE,
    IMAGE_TYPES,
    MAX_CAPTION,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    MAX_PIXELS_EDGE,
    MAX_VOICE_SECONDS,
    SHA256_RE,
    TOPIC_RE,
)
from ..records.review import DECISIONS as REVIEW_DECISIONS
from ..records.review import FILTER_RE as REVIEW_FILTER_RE
from ..records.review import STATES as REVIEW_STATES
from ..records.rules import DATETIME_RE, LANGUAGE_RE, MAX_ANSWERS, MAX_COMMENT, MAX_INT, UUID_RE

LocalizedText = lambda **kw: fields.Dict(keys=fields.Str(), values=fields.Str(), **kw)  # noqa: E731
STATUSES = ("accepted", "duplicate", "stale", "rejected")
STATION_CODE = validate.Regexp(STATION_CODE_RE, error="1–16 capital letters, digits or dashes.")
ITEM_ID = validate.Regexp(ITEM_ID_RE, error="An item id: lowercase letters, digits, - or _.")
UUID = validate.Regexp(UUID_RE, error="A UUID in lowercase 8-4-4-4-12 form.")
SHA256 = validate.Regexp(SHA256_RE, error="A SHA-256 digest: 64 lowercase hex digits.")


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


def _not_bool(value):
    if isinstance(value, bool):
        raise ValidationError("Must be a whole number, not true/false.")


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE  # newer clients may add fields


class ScaleSchema(Schema):
    min = fields.Int(required=True)
    max = fields.Int(required=True)
    labels = fields.Dict(keys=fields.Str(), values=fields.Dict())
    dont_know = fields.Bool(metadata={"description": "Whether \"don't know\" is offered (true when left out)."})


class ItemSchema(Schema):
    id = fields.Str(required=True)
    text = LocalizedText(required=True)
    source_text = fields.Str()
    reconstructed = fields.Bool()
    note = fields.Str()


class TopicSchema(Schema):
    id = fields.Str(required=True)
    title = LocalizedText(required=True)
    source_title = fields.Str()
    note = fields.Str()
    items = fields.List(fields.Nested(ItemSchema), required=True)


class ChecklistSchema(_Lenient):
    slug = fields.Str(required=True)
    version = fields.Int(dump_only=True)
    title = LocalizedText(required=True)
    description = LocalizedText()
    source = fields.Str()
    languages = fields.List(fields.Str(), required=True)
    translations = fields.Dict(keys=fields.Str(), values=fields.Dict())
    scale = fields.Nested(ScaleSchema, required=True)
    topics = fields.List(fields.Nested(TopicSchema), required=True)


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


class AuditSchema(Schema):
    """An audit as the admin API takes it; the reply adds its walks and the checklists they received."""

    slug = fields.Str(required=True)
    title = LocalizedText(required=True)
    city = fields.Str()
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    checklist = fields.Nested(ChecklistRefSchema, required=True)
    closed = fields.Bool(metadata={"description": "A closed audit refuses checklists to all its walks."})
    walks = fields.List(fields.Str(), dump_only=True)
    responses = fields.Int(dump_only=True)


class WalkSchema(Schema):
    slug = fields.Str(required=True)
    audit = fields.Str(metadata={"description": "The audit's slug; left out, the walk keeps its audit or goes "
                                                "to the newest open one using its checklist."})
    title = LocalizedText(required=True)
    description = LocalizedText(allow_none=True)
    checklist = fields.Nested(ChecklistRefSchema, required=True)
    closed = fields.Bool(dump_only=True)
    stations = fields.List(fields.Nested(StationSchema), required=True)


class AdminWalkSchema(WalkSchema):
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


class AnswerSchema(_Lenient):
    item = fields.Str(required=True, validate=ITEM_ID)
    score = fields.Int(required=True, allow_none=True, strict=True,
                       validate=[_not_bool, validate.Range(SCORE_MIN, SCORE_MAX)])
    dont_know = fields.Bool(required=True, truthy={True}, falsy={False})
    comment = fields.Str(allow_none=True, load_default=None, validate=validate.Length(max=MAX_COMMENT))
    station = fields.Str(allow_none=True, load_default=None, validate=STATION_CODE)
    answered_at = DateTime(allow_none=True, load_default=None)

    @validates_schema
    def _dont_know_has_no_score(self, data, **kwargs):
        if data.get("dont_know") and data.get("score") is not None:
            raise ValidationError("A \"don't know\" answer cannot carry a score.", "score")


class ParticipantSchema(_Lenient):
    group = fields.Str(required=True, allow_none=True, validate=validate.OneOf(GROUPS))
    language = fields.Str(required=True, allow_none=True, validate=validate.Regexp(LANGUAGE_RE))


class VoiceNoteSchema(_Lenient):
    sha256 = fields.Str(required=True, validate=SHA256)
    bytes = fields.Int(required=True, strict=True, validate=[_not_bool, validate.Range(1, MAX_PHOTO_BYTES)])
    content_type = fields.Str(required=True, validate=validate.Regexp(AUDIO_TYPE_RE, error="An audio/* type."))
    duration_s = fields.Float(required=True, validate=[_not_bool, validate.Range(0, MAX_VOICE_SECONDS)],
                              metadata={"description": "Length in seconds; the app records at most 2 minutes."})


class PhotoSchema(_Lenient):
    """A photo's metadata in a checklist; its bytes go to PUT /walks/<slug>/media/<sha256> after the sync."""

    id = fields.Str(required=True, validate=UUID)
    sha256 = fields.Str(required=True, validate=SHA256, metadata={"description": "SHA-256 of the file sent."})
    bytes = fields.Int(required=True, strict=True, validate=[_not_bool, validate.Range(1, MAX_PHOTO_BYTES)])
    content_type = fields.Str(required=True, validate=validate.OneOf(IMAGE_TYPES))
    width = fields.Int(required=True, strict=True, validate=[_not_bool, validate.Range(1, MAX_PIXELS_EDGE)])
    height = fields.Int(required=True, strict=True, validate=[_not_bool, validate.Range(1, MAX_PIXELS_EDGE)])
    station = fields.Str(allow_none=True, load_default=None, validate=STATION_CODE)
    topic = fields.Str(allow_none=True, load_default=None, validate=validate.Regexp(TOPIC_RE))
    item = fields.Str(allow_none=True, load_default=None, validate=ITEM_ID)
    caption = fields.Str(allow_none=True, load_default=None, validate=validate.Length(max=MAX_CAPTION))
    rating = fields.Str(allow_none=True, load_default=None, validate=validate.OneOf(RATINGS))
    taken_at = DateTime(required=True)
    voice = fields.Nested(VoiceNoteSchema, allow_none=True, load_default=None)


class ResponseSchema(_Lenient):
    id = fields.Str(required=True, validate=UUID)
    revision = fields.Int(required=True, strict=True, validate=[_not_bool, validate.Range(1, MAX_INT)])
    checklist = fields.Str(required=True)
    checklist_version = fields.Int(required=True, strict=True, validate=[_not_bool, validate.Range(1, MAX_INT)])
    participant = fields.Nested(ParticipantSchema, required=True)
    started_at = DateTime(required=True)
    updated_at = DateTime(required=True)
    answers = fields.List(fields.Nested(AnswerSchema), required=True, validate=validate.Length(max=MAX_ANSWERS))
    photos = fields.List(fields.Nested(PhotoSchema), allow_none=True, load_default=None,
                         validate=validate.Length(max=MAX_PHOTOS),
                         metadata={"description": "Optional: photos taken for this checklist (PhotoVoice)."})


class SyncRequestSchema(_Lenient):
    device_id = fields.Str(required=True, validate=UUID)
    responses = fields.List(fields.Nested(ResponseSchema), required=True)


class SyncResultSchema(Schema):
    id = fields.Str(allow_none=True)
    status = fields.Str(validate=validate.OneOf(STATUSES))
    code = fields.Str(validate=validate.OneOf(("deleted",)), metadata={
        "description": "Why a record was rejected, when a client should act on it: deleted = the record was "
                       "deleted on the server at the participant's request; drop it, it is never stored again."})
    revision = fields.Int(metadata={"description": "The revision the server now holds."})
    code = fields.Str(metadata={"description": "With rejected, when a rule about what the server holds refused "
                                               "the record (e.g. deleted): a short machine-readable reason."})
    errors = fields.Dict(keys=fields.Str(), values=fields.List(fields.Str()))


class SyncReplySchema(Schema):
    results = fields.List(fields.Nested(SyncResultSchema))
    server_time = UtcDateTime()


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
    since = fields.AwareDateTime(validate=_utc_representable,
                                 metadata={"description": "Checklists updated at or after this time."})
    until = fields.AwareDateTime(validate=_utc_representable,
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


class ReviewRequestSchema(Schema):
    state = fields.Str(required=True, validate=validate.OneOf(REVIEW_DECISIONS))
    note = fields.Str(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class ReviewSchema(Schema):
    id = fields.Str()
    walk = fields.Str()
    state = fields.Str(validate=validate.OneOf(REVIEW_STATES))
    note = fields.Str(allow_none=True)
    reviewed_at = UtcDateTime(allow_none=True)
    reviewed_by = fields.Str(allow_none=True)


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


class ErrorBodySchema(Schema):
    code = fields.Str()
    message = fields.Str()
    details = fields.Raw(allow_none=True)


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema)


checklist_schema = ChecklistSchema()
walk_schema = WalkSchema()
admin_walk_schema = AdminWalkSchema()
walk_patch_schema = WalkPatchSchema()
station_schema = StationSchema()
sync_request_schema = SyncRequestSchema()
response_schema = ResponseSchema()
sync_reply_schema = SyncReplySchema()
report_schema = ReportSchema()
report_query_schema = ReportQuerySchema()
export_query_schema = ExportQuerySchema()
token_request_schema = TokenRequestSchema()
token_schema = TokenSchema()
walk_status_schema = WalkStatusSchema()
walk_tally_schema = WalkTallySchema()
walk_code_schema = WalkCodeSchema()
walk_key_schema = WalkKeySchema()
photo_list_schema = PhotoListSchema()
photo_patch_schema = PhotoPatchSchema()
compare_query_schema = CompareQuerySchema()
compare_schema = CompareSchema()
audit_schema = AuditSchema()
audit_status_schema = AuditStatusSchema()
review_request_schema = ReviewRequestSchema()
review_schema = ReviewSchema()
deletion_request_schema = DeletionRequestSchema()
deletion_schema = DeletionSchema()
