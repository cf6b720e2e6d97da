"""Users page: create console accounts, change their role and walks, reset passwords, deactivate."""
from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from ..access.accounts import (
    apply_account,
    clean_username,
    find_user,
    leaves_no_admin,
    password_problem,
    username_problem,
    walks_problem,
)
from ..access.audit_trail import record
from ..extensions import db
from ..models import ROLES, ApiToken, User, Walk
from . import bp
from .access import current_user, fresh_session, signed_in


def _all_walks():
    return db.session.execute(select(Walk).order_by(Walk.slug)).scalars().all()


def _user_or_404(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404, description=f"There is no user #{user_id}.")
    return user


def _chosen_walks(form, role, errors):
    """Read the ticked walks; admins keep none, since they see every walk."""
    slugs = form.getlist("walks")
    walks = db.session.execute(select(Walk).where(Walk.slug.in_(slugs)).order_by(Walk.slug)).scalars().all() \
        if slugs else []
    unknown = sorted(set(slugs) - {w.slug for w in walks})
    if unknown:
        errors["walks"] = [f"There is no walk {', '.join(unknown)}; reload the page."]
    walks = walks if role == "facilitator" else []
    if problem := walks_problem(role, walks):
        errors.setdefault("role" if role not in ROLES else "walks", []).append(problem)
    return walks


def _last_admin_message(user):
    if user.id == current_user().id:
        return ("You are the last active admin. Make another user an admin first, "
                "so someone can still manage the console.")
    return f"{user.username} is the last active admin; make another user an admin first."


def _form_page(account, status=200, **context):
    context.setdefault("form", request.form)
    context.setdefault("errors", {})
    chosen = context["form"].getlist("walks") if hasattr(context["form"], "getlist") else []
    context.setdefault("chosen", chosen)
    return render_template("console/users_form.html", account=account, walks=_all_walks(), roles=ROLES,
                           **context), status


@bp.get("/users")
@signed_in("admin")
def user_list():
    """List the people who sign in to the console: role, walks, state and when they were added."""
    users = db.session.execute(select(User).order_by(User.active.desc(), User.username)).scalars().all()
    return render_template("console/users.html", users=users)


@bp.route("/users/new", methods=["GET", "POST"])
@signed_in("admin")
def user_new():
    """Create an admin, or a facilitator of some walks, with a first password."""
    if request.method == "GET":
        return _form_page(None, form={"role": "facilitator"}, chosen=[])
    errors = {}
    username = clean_username(request.form.get("username"))
    if problem := username_problem(username):
        errors["username"] = [problem]
    elif find_user(username) is not None:
        errors["username"] = [f"A user '{username}' exists already; choose another name or edit theirs."]
    role = request.form.get("role", "")
    walks = _chosen_walks(request.form, role, errors)
    password = request.form.get("password", "")
    if problem := password_problem(password, request.form.get("confirmation", "")):
        errors["password"] = [problem]
    if errors:
        return _form_page(None, 400, errors=errors)
    user = User(username=username, active=True)
    apply_account(user, role, walks, password)
    db.session.add(user)
    record("user_created", username, {"role": role, "walks": [w.slug for w in walks]})
    db.session.commit()
    flash(f"{user.username} can now sign in as {_role_phrase(user)}.")
    return redirect(url_for("console.user_list"))


def _role_phrase(user):
    if user.role == "admin":
        return "an admin"
    return "facilitator of " + ", ".join(w.slug for w in user.walks)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@signed_in("admin")
def user_edit(user_id):
    """Change a user's role and the walks a facilitator runs."""
    user = _user_or_404(user_id)
    if request.method == "GET":
        return _form_page(user, form={"role": user.role}, chosen=[w.slug for w in user.walks])
    errors = {}
    role = request.form.get("role", "")
    walks = _chosen_walks(request.form, role, errors)
    if not errors and leaves_no_admin(user, role, user.active):
        errors["role"] = [_last_admin_message(user)]
    if errors:
        return _form_page(user, 400, errors=errors)
    before = {"role": user.role, "walks": [w.slug for w in user.walks]}
    apply_account(user, role, walks)
    record("user_changed", user.username, {"before": before, "after": {"role": role, "walks": [w.slug for w in walks]}})
    db.session.commit()
    flash(f"{user.username} is now {_role_phrase(user)}.")
    if user.id == current_user().id and role != "admin":
        return redirect(url_for("console.walk_list"))
    return redirect(url_for("console.user_list"))


@bp.post("/users/<int:user_id>/password")
@signed_in("admin")
def user_password(user_id):
    """Give a user a new password, typed twice; the old one stops working."""
    user = _user_or_404(user_id)
    password = request.form.get("password", "")
    if problem := password_problem(password, request.form.get("confirmation", "")):
        return _form_page(user, 400, form={"role": user.role}, chosen=[w.slug for w in user.walks],
                          password_errors={"password": [problem]})
    own = user.id == current_user().id
    user.set_password(password)
    user.end_sessions()
    record("password_changed", user.username)
    db.session.commit()
    if own:
        fresh_session(user)  # the admin's other sessions end; this one goes on
        flash("You have a new password; your other sessions are signed out.")
    else:
        flash(f"{user.username} has a new password; the old one no longer works and their open sessions end.")
    return redirect(url_for("console.user_list"))


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@signed_in("admin")
def user_deactivate(user_id):
    """Confirm, then stop a user from signing in; a session they have open ends on their next click."""
    user = _user_or_404(user_id)
    if not user.active:
        flash(f"{user.username} is inactive already.")
        return redirect(url_for("console.user_list"))
    if leaves_no_admin(user, user.role, False):
        flash(_last_admin_message(user), "error")
        return redirect(url_for("console.user_list"))
    if request.method == "GET":
        tokens = db.session.execute(select(func.count()).select_from(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).scalar_one()
        return render_template("console/users_deactivate.html", account=user, tokens=tokens)
    user.active = False
    record("user_disabled", user.username)
    db.session.commit()
    flash(f"{user.username} is deactivated and can no longer sign in.")
    return redirect(url_for("console.user_list"))


@bp.post("/users/<int:user_id>/reactivate")
@signed_in("admin")
def user_reactivate(user_id):
    """Let a deactivated user sign in again with their last password."""
    user = _user_or_404(user_id)
    user.active = True
    record("user_enabled", user.username)
    db.session.commit()
    flash(f"{user.username} can sign in again with their last password.")
    return redirect(url_for("console.user_list"))
