"""Security headers on every response (Flask-Talisman): a Content-Security-Policy without inline
script, no framing, a referrer policy, and HSTS when the server is public over https.

The policy also covers the walker app (it declares a stricter one of its own in index.html; a
browser enforces both). Map tiles load from the host of TILE_URL, read at each request.
"""
from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import current_app
from flask_talisman import Talisman

BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    # Leaflet positions its tiles and markers with style attributes; no script runs from them.
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def tile_source(tile_url):
    """Return the CSP source of a {z}/{x}/{y} tile URL's host ({s} subdomains as *), or None."""
    parts = urlsplit((tile_url or "").replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.netloc or "{" in parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


class ContentSecurityPolicy(Mapping):
    """The policy as Talisman reads it at each response, with the current TILE_URL's host among images."""

    def _policy(self):
        source = tile_source(current_app.config.get("TILE_URL"))
        return {**BASE_POLICY, "img-src": f"{BASE_POLICY['img-src']} {source}"} if source else BASE_POLICY

    def __getitem__(self, key):
        return self._policy()[key]

    def __iter__(self):
        return iter(self._policy())

    def __len__(self):
        return len(BASE_POLICY)


def register_security_headers(app):
    """Send the security headers on every response of this app (Talisman keeps its settings per app)."""
    public_https = (app.config.get("PUBLIC_URL") or "").startswith("https://")
    app.extensions["talisman"] = Talisman(
        app,
        force_https=False,  # the TLS proxy in front redirects; tests and local use speak plain http
        strict_transport_security=public_https,
        strict_transport_security_include_subdomains=False,
        content_security_policy=ContentSecurityPolicy(),
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",  # tile servers see the origin, never a path
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        x_xss_protection=False,
    )
