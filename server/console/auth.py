"""Signing in and out of the console."""
import secrets
from functools import lru_cache

from flask import current_app, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..access.audit_trail import record
from ..extensions import db, limiter
from ..models import User
from . import bp
from .access import current_user, fresh_session, safe_next, signed_in

SIGN_IN_LIMIT = "10/minute"  # per address, every attempt


def _account_key():
    """Throttle failed sign-ins per account too, whatever address they come from."""
    return "sign-in:" + request.form.get("username", "").strip().casefold()[:120]


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
@limiter.limit(lambda: current_app.config["SIGN_IN_ACCOUNT_LIMIT"], methods=["POST"], key_func=_account_key,
               deduct_when=lambda response: response.status_code == 401)
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
        record("sign_in_failed", username[:200], actor=username[:120], commit=True)
        return render_template("console/sign_in.html", next=target, username=username,
                               error="The username or password is wrong."), 401
    # A new session on every sign-in: nothing set before it (a planted cookie) carries over.
    fresh_session(user)
    record("sign_in", user.username, user=user, commit=True)
    return redirect(target)


@bp.post("/sign-out")
def sign_out():
    """End the session, and every other session of the same user, on the server's side too."""
    user = current_user()
    if user is not None:
        record("sign_out", user.username)
        user.end_sessions()
        db.session.commit()
    fresh_session()
    return redirect(url_for("console.sign_in"))
