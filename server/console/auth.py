"""Signing in and out of the console."""
import secrets
from functools import lru_cache

from flask import redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, limiter
from ..models import User
from . import bp
from .access import current_user, fresh_session, safe_next, signed_in

SIGN_IN_LIMIT = "10/minute"


@lru_cache(maxsize=1)
def _decoy_hash():
    return generate_password_hash(secrets.token_hex(16))


def _password_matches(user, password):
    """Check the password; an unknown name costs the same time, so names cannot be probed by timing."""
    if user is None:
        check_password_hash(_decoy_hash(), password)
        return False
    return user.active and user.check_password(password)


@bp.get("/")
@signed_in()
def home():
    """Open the console at the list of walks."""
    return redirect(url_for("console.walk_list"))


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def sign_in():
    """Show the sign-in form; check the password and start a fresh session."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target)
        return render_template("console/sign_in.html", next=target, username="")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if not _password_matches(user, password):
        return render_template("console/sign_in.html", next=target, username=username,
                               error="The username or password is wrong."), 401
    # A new session on every sign-in: nothing set before it (a planted cookie) carries over.
    fresh_session(user)
    return redirect(target)


@bp.post("/sign-out")
def sign_out():
    """End the session."""
    fresh_session()
    return redirect(url_for("console.sign_in"))
