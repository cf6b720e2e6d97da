"""Database models: checklists, audits, walks, stations, responses, answers, the sync log and credentials."""
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import BigInteger, Index, Integer, UniqueConstraint
from werkzeug.security import check_password_hash, generate_password_hash

from .answer_rules import GROUPS  # noqa: F401 - defined by the sync request's JSON Schema
from .extensions import db

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer, "sqlite")

ROLES = ("admin", "facilitator")
DEFAULT_TOKEN_LIFETIME = timedelta(days=90)


def utcnow():
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def as_utc(value):
    """Return a datetime as aware UTC (SQLite hands stored values back naive)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def hash_secret(value):
    """Return the SHA-256 hex digest used to store API tokens."""
    return hashlib.sha256(value.encode()).hexdigest()


class Checklist(db.Model):
    """One version of a checklist definition; a changed definition is a new row."""

    __tablename__ = "checklists"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(64), nullable=False, index=True)
    version = db.Column(db.Integer, nullable=False)
    definition = db.Column(db.JSON, nullable=False)
    content_hash = db.Column(db.String(64), nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    @property
    def item_ids(self):
        """Item ids in checklist order."""
        return [item["id"] for topic in self.definition["topics"] for item in topic["items"]]

    def served(self):
        """Return the definition as the API serves it, with its version."""
        return {**self.definition, "slug": self.slug, "version": self.version}


class Audit(db.Model):
    """One round of walks in a city with one checklist, such as Prague 2018; every walk belongs to one."""

    __tablename__ = "audits"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(64), nullable=False, unique=True)
    title = db.Column(db.JSON, nullable=False)
    city = db.Column(db.String(120), nullable=False, default="")
    starts_on = db.Column(db.Date, nullable=True)
    ends_on = db.Column(db.Date, nullable=True)
    checklist_slug = db.Column(db.String(64), nullable=False)
    checklist_version = db.Column(db.Integer, nullable=False)
    closed = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    walks = db.relationship("Walk", back_populates="audit", order_by="Walk.slug")


walk_facilitators = db.Table(
    "walk_facilitators",
    db.Column("walk_id", db.Integer, db.ForeignKey("walks.id", ondelete="CASCADE"), primary_key=True),
    db.Column("user_id", db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

token_walks = db.Table(
    "token_walks",
    db.Column("token_id", db.Integer, db.ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True),
    db.Column("walk_id", db.Integer, db.ForeignKey("walks.id", ondelete="CASCADE"), primary_key=True),
)


# Letters and digits only, none easily confused (0/O, 1/l/I): a key may be read aloud or typed,
# and no linkifier drops a trailing dash from a link.
KEY_ALPHABET = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"


def new_walk_key(length=16):
    """Return a fresh walk key: short enough for a small QR code, about 93 bits not to guess."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(length))


# A walk code is read aloud and typed on a phone: capitals and digits, none easily confused (no 0/O, 1/I).
WALK_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
WALK_CODE_LENGTH = 8


def new_walk_code():
    """Return a fresh walk code: 8 characters (40 bits), guessed only at the rate failed key checks allow."""
    return "".join(secrets.choice(WALK_CODE_ALPHABET) for _ in range(WALK_CODE_LENGTH))


def normalise_walk_code(typed):
    """Reduce a typed walk code to its characters: "abcd-efgh", "ABCD EFGH" and "ABCDEFGH" are the same code."""
    return "".join(ch for ch in str(typed or "").upper() if ch.isascii() and ch.isalnum())


def format_walk_code(code):
    """Print a walk code in two groups of four, easier to read aloud ("ABCD-EFGH")."""
    return f"{code[:4]}-{code[4:]}" if len(code) == WALK_CODE_LENGTH else code


class Walk(db.Model):
    """A city walk: an ordered set of stations, all answered with one checklist."""

    __tablename__ = "walks"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(64), nullable=False, unique=True)
    audit_id = db.Column(db.Integer, db.ForeignKey("audits.id", ondelete="RESTRICT"), nullable=False, index=True)
    title = db.Column(db.JSON, nullable=False)
    description = db.Column(db.JSON, nullable=True)
    checklist_slug = db.Column(db.String(64), nullable=False)
    checklist_version = db.Column(db.Integer, nullable=False)
    key = db.Column(db.String(64), nullable=False, default=new_walk_key)
    # Printed under the QR codes; a phone that opened the walk by a typed station code exchanges it for the key.
    code = db.Column(db.String(16), nullable=False, default=new_walk_code)
    # Keys replaced by a rotation: a device holding one is told its codes were replaced.
    old_keys = db.Column(db.JSON, nullable=False, default=list)
    closed = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    stations = db.relationship(
        "Station", back_populates="walk", order_by="Station.position",
        cascade="all, delete-orphan",
    )
    audit = db.relationship("Audit", back_populates="walks")

    @property
    def refuses_records(self):
        """Tell whether devices may no longer deliver: the walk or its whole audit is closed."""
        return self.closed or (self.audit is not None and self.audit.closed)

    def key_matches(self, candidate):
        """Compare a presented key with the current one in constant time."""
        return hmac.compare_digest(self.key.encode(), (candidate or "").encode())

    def key_was_replaced(self, candidate):
        """Tell whether a presented key is one this walk used before a rotation."""
        candidate = (candidate or "").encode()
        return any(hmac.compare_digest(old.encode(), candidate) for old in self.old_keys or [])

    def code_matches(self, typed):
        """Compare a typed walk code with the current one in constant time, ignoring case, spaces and dashes."""
        return hmac.compare_digest(self.code.encode(), normalise_walk_code(typed).encode())

    @property
    def printed_code(self):
        """Return the walk code as printed under the QR codes ("ABCD-EFGH")."""
        return format_walk_code(self.code)

    def rotate_key(self):
        """Replace the key and the walk code; printed codes carrying the old ones stop working."""
        self.old_keys = [*(self.old_keys or []), self.key][-20:]
        self.key = new_walk_key()
        self.code = new_walk_code()

    def station(self, code):
        """Return the station with this code (case-insensitive), or None."""
        code = (code or "").upper()
        return next((s for s in self.stations if s.code == code), None)


class Station(db.Model):
    """A stop on a walk, reached through its QR code or its short code."""

    __tablename__ = "stations"
    __table_args__ = (UniqueConstraint("walk_id", "code"),)

    id = db.Column(db.Integer, primary_key=True)
    walk_id = db.Column(db.Integer, db.ForeignKey("walks.id", ondelete="CASCADE"), nullable=False, index=True)
    code = db.Column(db.String(16), nullable=False)
    title = db.Column(db.JSON, nullable=False)
    position = db.Column(db.Integer, nullable=False)
    lat = db.Column(db.Float, nullable=True)
    lon = db.Column(db.Float, nullable=True)
    # Item ids shown first at this station; None shows the whole checklist.
    items = db.Column(db.JSON, nullable=True)

    walk = db.relationship("Walk", back_populates="stations")


class Response(db.Model):
    """One participant's checklist for a walk, identified by the id its device made."""

    __tablename__ = "responses"

    id = db.Column(db.String(36), primary_key=True)
    walk_id = db.Column(db.Integer, db.ForeignKey("walks.id", ondelete="RESTRICT"), nullable=False, index=True)
    checklist_id = db.Column(db.Integer, db.ForeignKey("checklists.id", ondelete="RESTRICT"), nullable=False, index=True)
    device_id = db.Column(db.String(36), nullable=False, index=True)
    revision = db.Column(db.Integer, nullable=False)
    participant_group = db.Column(db.String(16), nullable=True)
    participant_language = db.Column(db.String(16), nullable=True)
    started_at = db.Column(db.DateTime(timezone=True), nullable=False)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False)
    content_hash = db.Column(db.String(64), nullable=False)
    received_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    synced_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    # Review (see records/review.py): a reviewer's verdict, kept out of results when "rejected".
    review_state = db.Column(db.String(16), nullable=False, server_default="received",
                             index=True)
    review_note = db.Column(db.Text, nullable=True)
    reviewed_at = db.Column(db.DateTime(timezone=True), nullable=True)
    reviewed_by = db.Column(db.String(80), nullable=True)

    walk = db.relationship("Walk")
    checklist = db.relationship("Checklist")
    answers = db.relationship(
        "Answer", back_populates="response", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Answer.id",
    )


class Answer(db.Model):
    """One item's answer inside a response, tagged with the station where it was given."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "item"),
        # The report's counts per item, score and "don't know" read this index alone, in its order.
        Index("ix_answers_tally", "item", "score", "dont_know"),
    )

    id = db.Column(BigId, primary_key=True)
    response_id = db.Column(db.String(36), db.ForeignKey("responses.id", ondelete="CASCADE"), nullable=False)
    item = db.Column(db.String(32), nullable=False)
    score = db.Column(db.SmallInteger, nullable=True)
    dont_know = db.Column(db.Boolean, nullable=False, default=False)
    comment = db.Column(db.Text, nullable=True)
    station_code = db.Column(db.String(16), nullable=True)
    answered_at = db.Column(db.DateTime(timezone=True), nullable=True)

    response = db.relationship("Response", back_populates="answers")


RATINGS = ("works", "needs_change")


class Photo(db.Model):
    """A photo a walker took, with its caption and rating; its bytes arrive apart (see MediaFile).

    Written with the checklist that carries it, by the same path; a new revision replaces
    a checklist's photos as it replaces its answers. Admins choose which are shown in the report.
    """

    __tablename__ = "photos"

    # The id the device made; the checklist's id is part of the key, so no device can claim another's photo.
    id = db.Column(db.String(36), primary_key=True)
    response_id = db.Column(db.String(36), db.ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True,
                            index=True)
    walk_id = db.Column(db.Integer, db.ForeignKey("walks.id", ondelete="RESTRICT"), nullable=False, index=True)
    sha256 = db.Column(db.String(64), nullable=False, index=True)
    bytes = db.Column(db.BigInteger, nullable=False)
    content_type = db.Column(db.String(64), nullable=False)
    width = db.Column(db.Integer, nullable=True)
    height = db.Column(db.Integer, nullable=True)
    station_code = db.Column(db.String(16), nullable=True)
    topic = db.Column(db.String(32), nullable=True)
    item = db.Column(db.String(32), nullable=True)
    caption = db.Column(db.Text, nullable=True)
    # {language: caption} added by admins, for reports in other languages.
    caption_translations = db.Column(db.JSON, nullable=True)
    rating = db.Column(db.String(16), nullable=True)
    taken_at = db.Column(db.DateTime(timezone=True), nullable=True)
    voice_sha256 = db.Column(db.String(64), nullable=True, index=True)
    voice_bytes = db.Column(db.BigInteger, nullable=True)
    voice_content_type = db.Column(db.String(64), nullable=True)
    voice_duration_s = db.Column(db.Float, nullable=True)
    # People and places in a photo did not all agree to publication: hidden until an admin shows it.
    shown = db.Column(db.Boolean, nullable=False, default=False)

    response = db.relationship("Response")


class MediaFile(db.Model):
    """A file the server holds, by the SHA-256 of the bytes the device sent."""

    __tablename__ = "media_files"

    sha256 = db.Column(db.String(64), primary_key=True)
    content_type = db.Column(db.String(64), nullable=False)
    # The stored size: a re-encoded image (metadata removed) may differ from what was sent.
    bytes = db.Column(db.BigInteger, nullable=False)
    width = db.Column(db.Integer, nullable=True)
    height = db.Column(db.Integer, nullable=True)
    has_thumbnail = db.Column(db.Boolean, nullable=False, default=False)
    stored_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)


class SyncLogEntry(db.Model):
    """Append-only record of everything a device sent; the payload is never changed.

    The outcome is filled in once, after the batch was processed; an entry left
    without one marks a request that failed midway.
    """

    __tablename__ = "sync_log"

    id = db.Column(BigId, primary_key=True)
    received_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    batch_id = db.Column(db.String(36), nullable=False, index=True)
    seq = db.Column(db.Integer, nullable=False, default=0)
    source = db.Column(db.String(16), nullable=False, default="sync")
    walk_slug = db.Column(db.String(64), nullable=True, index=True)
    device_id = db.Column(db.String(64), nullable=True, index=True)
    response_id = db.Column(db.String(64), nullable=True, index=True)
    revision = db.Column(db.Integer, nullable=True)
    remote_addr = db.Column(db.String(64), nullable=True)
    payload = db.Column(db.Text, nullable=False)
    outcome = db.Column(db.String(16), nullable=True, index=True)
    errors = db.Column(db.JSON, nullable=True)
    # Set when an admin re-applied a corrected copy of this record (a new entry).
    superseded_by = db.Column(BigId, db.ForeignKey("sync_log.id"), nullable=True)
    # Why the payload is gone, when it is: "deleted" (a person's data was deleted) or "purged" (retention).
    payload_removed = db.Column(db.String(16), nullable=True)


class DeletedRecord(db.Model):
    """A tombstone: a checklist deleted on request, so a device syncing it again is refused. No content."""

    __tablename__ = "deleted_records"

    response_id = db.Column(db.String(64), primary_key=True)
    deleted_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    deleted_by = db.Column(db.String(80), nullable=False)
    reason = db.Column(db.Text, nullable=False)


class AuditEvent(db.Model):
    """One admin or facilitator action; rows are only ever added (see access/audit_trail.py)."""

    __tablename__ = "audit_events"

    id = db.Column(BigId, primary_key=True)
    at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    actor = db.Column(db.String(120), nullable=True, index=True)
    actor_role = db.Column(db.String(16), nullable=True)
    user_id = db.Column(db.Integer, nullable=True)  # no foreign key: the trail outlives accounts
    token_id = db.Column(db.Integer, nullable=True)
    remote_addr = db.Column(db.String(64), nullable=True)
    action = db.Column(db.String(40), nullable=False, index=True)
    target = db.Column(db.String(200), nullable=True)
    details = db.Column(db.JSON, nullable=True)


class User(db.Model):
    """A person who signs in to the admin console."""

    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), nullable=False, unique=True)
    password_hash = db.Column(db.String(256), nullable=False)
    role = db.Column(db.String(16), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    # Raised by signing out and by a new password: every session signed with an older value ends.
    session_version = db.Column(db.Integer, nullable=False, default=0, server_default="0")

    walks = db.relationship("Walk", secondary=walk_facilitators, order_by="Walk.slug")

    def set_password(self, password):
        """Store a salted hash of the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        """Tell whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def session_stamp(self):
        """A short fingerprint of the password hash and session version, kept in each session.

        A new password or a sign-out changes it, which ends every older session of this user.
        """
        material = f"{self.password_hash}:{self.session_version or 0}"
        return hashlib.sha256(material.encode()).hexdigest()[:16]

    def end_sessions(self):
        """End every session of this user, on every browser (the caller commits)."""
        self.session_version = (self.session_version or 0) + 1


class ApiToken(db.Model):
    """A bearer token for scripts and devices; only its hash is stored."""

    __tablename__ = "api_tokens"

    id = db.Column(db.Integer, primary_key=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    prefix = db.Column(db.String(8), nullable=False)
    role = db.Column(db.String(16), nullable=False)
    label = db.Column(db.String(120), nullable=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=True)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime(timezone=True), nullable=True)
    revoked_at = db.Column(db.DateTime(timezone=True), nullable=True)
    expires_at = db.Column(db.DateTime(timezone=True), nullable=True)

    walks = db.relationship("Walk", secondary=token_walks, order_by="Walk.slug")
    user = db.relationship("User")

    @classmethod
    def issue(cls, role, walks=(), label=None, user=None, expires_in=DEFAULT_TOKEN_LIFETIME):
        """Create a token; return (row, plaintext). The plaintext is shown once, never stored.

        It expires after `expires_in` (a timedelta; None: never).
        """
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        plaintext = "cat_" + secrets.token_urlsafe(32)
        row = cls(token_hash=hash_secret(plaintext), prefix=plaintext[:8], role=role,
                  label=label, user=user, walks=list(walks),
                  expires_at=utcnow() + expires_in if expires_in is not None else None)
        return row, plaintext

    @property
    def expired(self):
        """Tell whether the token is past its expiry."""
        return self.expires_at is not None and as_utc(self.expires_at) <= utcnow()

    @classmethod
    def find(cls, plaintext):
        """Return the live token matching a presented bearer value, or None."""
        if not plaintext:
            return None
        row = db.session.execute(
            db.select(cls).where(cls.token_hash == hash_secret(plaintext))
        ).scalar_one_or_none()
        if row is None or row.revoked_at is not None or row.expired:
            return None
        return row
