"""Signing in and out of the console."""
from flask import redirect, render_template, request, session, url_for
from sqlalchemy import select

from ..extensions import db, limiter
from ..models import User
from . import bp
from .access import current_user, safe_next, signed_in

SIGN_IN_LIMIT = "10/minute"


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
    if user is None or not user.active or not user.check_password(password):
        return render_template("console/sign_in.html", next=target, username=username,
                               error="The username or password is wrong."), 401
    # A new session on every sign-in: nothing set before it (a planted cookie) carries over.
    session.clear()
    session["user_id"] = user.id
    return redirect(target)


@bp.post("/sign-out")
def sign_out():
    """End the session."""
    session.clear()
    return redirect(url_for("console.sign_in"))
