"""The links that QR codes carry: they open the walker app at a walk or a station."""
from urllib.parse import quote

from flask import current_app, request


def public_base():
    """Return the public base URL: PUBLIC_URL, else the address this request came to."""
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


def walk_url(walk, base=None):
    """Return the walk's start link. The key rides in the fragment, which browsers never send."""
    return f"{base or public_base()}/w/{quote(walk.slug)}#k={walk.key}"


def station_url(walk, station, base=None):
    """Return the link a station's QR code carries."""
    return f"{base or public_base()}/w/{quote(walk.slug)}/{quote(station.code)}#k={walk.key}"
