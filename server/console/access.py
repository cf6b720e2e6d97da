"""Who is signed in to the console, and what they may open."""
from functools import wraps

from flask import abort, g, redirect, request, session, url_for
from sqlalchemy import select

from ..access.auth import session_user
from ..records.ingest import write_transaction
from ..extensions import db
from ..models import Walk


def fresh_session(user=None):
    """Start a new session, for this user or nobody: nothing from before it carries over."""
    session.clear()
    # A form token made for the old session belongs to it; the next page makes a new one.
    g.pop("csrf_token", None)
    if user is not None:
        session["user_id"] = user.id
        session["stamp"] = user.session_stamp


def current_user():
    """Return the signed-in, active user, or None."""
    return session_user()


def signed_in(*roles):
    """Send anonymous visitors to the sign-in page and refuse other roles with the 403 page."""
    roles = roles or ("admin", "facilitator")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("console.sign_in", next=request.full_path.rstrip("?")))
            if user.role not in roles:
                abort(403, description=f"This page is for the {' or '.join(roles)} role only.")
            if request.method not in ("GET", "HEAD"):
                # The form was read by the CSRF check already: queue for the write lock now, so a
                # change never fails on a snapshot that another request's write made stale.
                write_transaction()
                try:
                    return view(*args, **kwargs)
                finally:
                    db.session.rollback()  # whatever the view did not commit ends here, and the lock with it
            return view(*args, **kwargs)
        return wrapped
    return decorator


def can_see(user, walk):
    """Admins see every walk; facilitators the walks they run."""
    return user.role == "admin" or any(w.id == walk.id for w in user.walks)


def visible_walks(user):
    """Return the walks the user may see, by slug."""
    if user.role == "admin":
        return db.session.execute(select(Walk).order_by(Walk.slug)).scalars().all()
    return list(user.walks)


def walk_or_404(slug):
    """Return the walk the signed-in user may see, else the 404 or 403 page."""
    walk = db.session.execute(select(Walk).where(Walk.slug == slug)).scalar_one_or_none()
    if walk is None:
        abort(404, description=f"There is no walk '{slug}'.")
    if not can_see(current_user(), walk):
        abort(403, description=f"You are not a facilitator of the walk '{slug}'.")
    return walk


def safe_next(target):
    """Return a console path to go to after signing in; anything else (another site, control characters
    that would break the Location header) goes to the walks."""
    if (target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target
            and target.isprintable()):
        return target
    return url_for("console.walk_list")


def page_number(args):
    """Return the page asked for in `page=`: a whole number from 1 to 999,999, else 1 (no database overflows)."""
    page = args.get("page", "1")
    return int(page) if page.isdigit() and page.isascii() and 0 < len(page) < 7 and int(page) > 0 else 1
