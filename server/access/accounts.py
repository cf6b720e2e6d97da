"""The rules every console account follows, whether made in the console or with `flask create-user`."""
import unicodedata

from sqlalchemy import func, select

from ..extensions import db
from ..models import ROLES, User

MIN_PASSWORD_LENGTH = 10
MAX_USERNAME_LENGTH = 80  # the width of users.username


def clean_username(raw):
    """Return the username as stored: trimmed, and composed so 'ř' is one character however it was typed."""
    return unicodedata.normalize("NFC", (raw or "").strip())


def username_problem(username):
    """Say what is wrong with a cleaned username, or return None."""
    if not 1 <= len(username) <= MAX_USERNAME_LENGTH:
        return f"The username must have 1 to {MAX_USERNAME_LENGTH} characters."
    if not username.isprintable():
        return "The username cannot contain tabs, line breaks or other invisible characters."
    return None


def password_problem(password, confirmation=None):
    """Say what is wrong with a new password (and its second typing, when asked twice), or return None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
    if confirmation is not None and confirmation != password:
        return "The two passwords differ; type the same password twice."
    return None


def walks_problem(role, walks, walk_input="at least one walk"):
    """Say what is wrong with a role and its walks, or return None; `walk_input` names where walks are given."""
    if role not in ROLES:
        return "Choose admin or facilitator."
    if role == "facilitator" and not walks:
        return f"A facilitator needs {walk_input}: the walks they run."
    if role == "admin" and walks:
        return "Walks are for facilitators; admins see every walk."
    return None


def find_user(username):
    """Return the user with exactly this (cleaned) username, or None."""
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def leaves_no_admin(user, role, active):
    """Tell whether giving `user` this role and state would leave no active admin to manage the console."""
    if role == "admin" and active:
        return False
    others = db.session.execute(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.id != user.id)).scalar_one()
    return others == 0 and user.role == "admin" and user.active


def apply_account(user, role, walks, password=None):
    """Write a checked role, walks and (optionally) new password onto the user; facilitators only keep walks."""
    user.role = role
    user.walks = list(walks) if role == "facilitator" else []
    if password is not None:
        user.set_password(password)
