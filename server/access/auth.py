"""Who is asking: bearer tokens for scripts, the signed-in user for the console."""
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import request, session
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from ..errors import ApiError
from ..extensions import db
from ..records.ingest import write_transaction
from ..models import ApiToken, User, as_utc, utcnow

PRINCIPAL_KEY = "city_audit.principal"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a role and, for facilitators, the walks they run."""

    role: str
    walk_ids: frozenset
    label: str
    user_id: int | None = None
    token_id: int | None = None

    @property
    def is_admin(self):
        return self.role == "admin"

    def can_see_walk(self, walk):
        """Admins see every walk; facilitators only theirs."""
        return self.is_admin or walk.id in self.walk_ids


def _bearer():
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


USE_RESOLUTION = timedelta(minutes=1)


def _note_use(token):
    """Record when a token was last used, at most once a minute, never failing the request over it."""
    now = utcnow()
    if token.last_used_at is not None and now - as_utc(token.last_used_at) < USE_RESOLUTION:
        return
    token_id = token.id
    try:
        write_transaction()
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        db.session.commit()
    except OperationalError:  # the database is busy with syncs: the bookkeeping can wait
        db.session.rollback()


def session_user():
    """Return the active user whose console session this is, or None.

    A session ends when its user is deactivated or given a new password: the session carries
    the password's stamp from sign-in, so a stolen cookie dies with the old password.
    """
    user_id = session.get("user_id")
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or not user.active or session.get("stamp") != user.session_stamp:
        return None
    return user


def token_principal(token):
    """Return what a live token may do now, or None when its owner may no longer do anything.

    A token made by a user acts with that user's current rights: never more than the user has
    today (a demoted or disabled owner's tokens lose those rights at once), never more than the
    token was made for (an admin's facilitator token stays a facilitator's).
    """
    label = token.label or f"token {token.prefix}…"
    token_walks = frozenset(w.id for w in token.walks)
    owner = token.user
    if owner is None:
        return Principal(token.role, token_walks, label, None, token.id)
    if not owner.active:
        return None
    owner_walks = frozenset(w.id for w in owner.walks)
    if owner.role == "admin":
        return Principal(token.role, token_walks, label, owner.id, token.id)
    walks = owner_walks if token.role == "admin" else token_walks & owner_walks
    return Principal("facilitator", walks, label, owner.id, token.id)


def current_principal():
    """Return the caller's Principal from a bearer token or the console session, or None."""
    if PRINCIPAL_KEY in request.environ:
        return request.environ[PRINCIPAL_KEY]
    principal = None
    plaintext = _bearer()
    if plaintext is not None:
        token = ApiToken.find(plaintext)
        principal = token_principal(token) if token is not None else None
        if principal is not None:
            _note_use(token)
    elif session.get("user_id") and (request.method in ("GET", "HEAD") or not request.path.startswith("/api/")):
        # The API is exempt from CSRF tokens, so a cookie alone may only read through it.
        user = session_user()
        if user is not None:
            principal = Principal(user.role, frozenset(w.id for w in user.walks), user.username, user.id)
    request.environ[PRINCIPAL_KEY] = principal  # once per request, however many checks ask
    return principal


def check_roles(roles):
    """Refuse with 401 without credentials and 403 without one of the roles."""
    principal = current_principal()
    if principal is None:
        if request.headers.get("Authorization"):
            raise ApiError(401, "The token is unknown or was revoked.", code="invalid_token")
        raise ApiError(401, "Sign in, or send 'Authorization: Bearer <token>'.")
    if principal.role not in roles:
        raise ApiError(403, f"This needs the {' or '.join(roles)} role.")


def require(*roles):
    """Refuse the view with 401 without credentials and 403 without one of the roles."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            check_roles(roles)
            return view(*args, **kwargs)
        wrapped.required_roles = roles  # the API description documents the bearer token from this
        return wrapped
    return decorator


def require_walk_access(walk):
    """Refuse with 403 unless the caller may see this walk."""
    principal = current_principal()
    if principal is None or not principal.can_see_walk(walk):
        raise ApiError(403, f"You are not a facilitator of walk '{walk.slug}'.")


def check_walk_key(walk, presented):
    """Refuse a sync without the walk's current key, telling a replaced key apart."""
    if not presented:
        raise ApiError(401, "Send the walk's key in the X-Walk-Key header; it is in the station's link.",
                       code="missing_walk_key")
    if walk.key_matches(presented):
        return
    if walk.key_was_replaced(presented):
        raise ApiError(403, "This walk's codes were replaced; ask the facilitator for the new ones.",
                       code="walk_key_replaced")
    raise ApiError(403, "The walk key is wrong.", code="wrong_walk_key")
