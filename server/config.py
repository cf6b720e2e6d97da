"""Configuration from the environment, with safe local defaults."""
import os
import secrets
from pathlib import Path

from .answer_rules import MAX_RESPONSES

MiB = 1024 * 1024


def _instance_secret(instance_path):
    """Return a secret key kept in the instance folder, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(instance_path):
    """Build the config dict from environment variables."""
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "city-audit.sqlite3")
    database_url = env.get("DATABASE_URL", default_db)
    # Heroku-style URLs name the scheme "postgres", which SQLAlchemy no longer accepts.
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    redis_url = env.get("REDIS_URL")
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": env.get("SECRET_KEY") or _instance_secret(instance_path),
        "PUBLIC_URL": (env.get("PUBLIC_URL") or "").rstrip("/") or None,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "1") != "0",
        # A café network full of phones shares one address: be generous with sync.
        "SYNC_RATE_LIMIT": env.get("SYNC_RATE_LIMIT", "240/minute"),
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "600/minute"),
        # Refused API requests per address (failed key or token checks, malformed or oversized bodies):
        # guessing keys stays slow, and refused bodies cannot fill the log.
        "AUTH_FAILURE_RATE_LIMIT": env.get("AUTH_FAILURE_RATE_LIMIT", "60/minute"),
        # Failed console sign-ins per account, from any address (each address is held to 10 a minute too).
        "SIGN_IN_ACCOUNT_LIMIT": env.get("SIGN_IN_ACCOUNT_LIMIT", "10 per 15 minutes"),
        "SYNC_MAX_RESPONSES": int(env.get("SYNC_MAX_RESPONSES", MAX_RESPONSES)),
        "SYNC_MAX_BYTES": int(env.get("SYNC_MAX_BYTES", 8 * MiB)),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_BYTES", 32 * MiB)),
        # Photos and voice notes: where they are kept (s3://bucket/prefix, file:///path, or instance/media)
        # and the largest file accepted.
        "MEDIA_URL": env.get("MEDIA_URL") or None,
        "MEDIA_S3_ENDPOINT_URL": env.get("MEDIA_S3_ENDPOINT_URL") or env.get("AWS_ENDPOINT_URL") or None,
        "MEDIA_S3_REGION": env.get("MEDIA_S3_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        "MEDIA_MAX_BYTES": int(env.get("MEDIA_MAX_BYTES", 10 * MiB)),
        "WTF_CSRF_TIME_LIMIT": None,
        # Map tiles for the console's station maps; any {z}/{x}/{y} tile server (OpenStreetMap by default).
        "TILE_URL": env.get("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        "TILE_ATTRIBUTION": env.get("TILE_ATTRIBUTION", "© OpenStreetMap contributors"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Served over HTTPS (as phones need for offline use), the console's cookie never travels in clear.
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE",
                                         "1" if (env.get("PUBLIC_URL") or "").startswith("https://") else "0") == "1",
    }
