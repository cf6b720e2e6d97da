"""API v1 blueprint: JSON in, JSON out, one error envelope."""
from flask import Blueprint, current_app

from ..extensions import limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _refused(response):
    return response.status_code in (400, 401, 403, 413, 415)


# Every API route: a generous overall limit, and a strict one on refused requests (failed key or token
# checks, malformed or oversized bodies), so that no one fills the log by sending what is refused.
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])(bp)
limiter.shared_limit(lambda: current_app.config["AUTH_FAILURE_RATE_LIMIT"], scope="auth-failures",
                     deduct_when=_refused)(bp)

# Before any view reads the path or query: no database stores a NUL in text (PostgreSQL refuses it).
from .util import refuse_nul_in_address

bp.before_request(refuse_nul_in_address)

from . import (  # noqa: E402,F401
    admin,
    audits,
    checklists,
    docs,
    exports,
    media,
    photos,
    qr,
    report,
    responses,
    sync,
    walks,
    xlsx_exports,
)
