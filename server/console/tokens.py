"""API tokens for scripts: create (the secret is shown once) and revoke."""
from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..access.audit_trail import record
from ..durations import parse_duration
from ..extensions import db
from ..models import ROLES, ApiToken, Walk, utcnow

# (value, label) of the lifetimes offered; 90 days is the default.
LIFETIMES = (("30d", "30 days"), ("90d", "90 days"), ("365d", "a year"))
from . import bp
from .access import current_user, signed_in


def _page(status=200, **extra):
    tokens = db.session.execute(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
                                ).scalars().all()
    walks = db.session.execute(select(Walk).order_by(Walk.slug)).scalars().all()
    form = extra.pop("form", {})
    response = render_template("console/tokens.html", tokens=tokens, walks=walks, roles=ROLES, form=form,
                               lifetimes=LIFETIMES, now=utcnow(),
                               chosen_walks=form.getlist("walks") if form else [], **extra)
    # The page may carry a new token's secret: keep it out of every cache.
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/tokens")
@signed_in("admin")
def token_list():
    """List the API tokens and offer to create one."""
    return _page()


@bp.post("/tokens")
@signed_in("admin")
def token_create():
    """Create a token and show its secret this once."""
    role = request.form.get("role", "")
    label = request.form.get("label", "").strip()[:120] or None
    slugs = request.form.getlist("walks")
    walks = db.session.execute(select(Walk).where(Walk.slug.in_(slugs))).scalars().all() if slugs else []
    errors = {}
    if role not in ROLES:
        errors["role"] = ["Choose admin or facilitator."]
    if role == "facilitator" and not walks:
        errors["walks"] = ["A facilitator token needs at least one walk."]
    lifetime = request.form.get("expires") or "90d"
    if lifetime not in dict(LIFETIMES):
        errors["expires"] = ["Choose how long the token works."]
    if not label:
        errors["label"] = ["Say who or what the token is for, so you know which one to revoke later."]
    if errors:
        return _page(400, errors=errors, form=request.form)
    token, plaintext = ApiToken.issue(role, walks if role == "facilitator" else [], label, current_user(),
                                      expires_in=parse_duration(lifetime))
    db.session.add(token)
    db.session.flush()
    record("token_created", f"#{token.id}", {"role": role, "walks": slugs if role == "facilitator" else [],
                                             "label": label, "expires_at": token.expires_at})
    db.session.commit()
    return _page(created=token, plaintext=plaintext)


@bp.post("/tokens/<int:token_id>/revoke")
@signed_in("admin")
def token_revoke(token_id):
    """Revoke a token at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404, description=f"There is no token #{token_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("token_revoked", f"#{token.id}", {"label": token.label})
        db.session.commit()
    flash(f"Token {token.prefix}… ({token.label or 'no label'}) is revoked; scripts using it are refused now.")
    return redirect(url_for("console.token_list"))
