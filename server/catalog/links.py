"""The links that QR codes carry: they open the walker app at a walk or a station."""
from urllib.parse import quote, urlsplit

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


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def link_problem(base):
    """Return why phones cannot use links on `base` (a warning to show wherever codes are made), or None.

    Links to this computer (localhost) open on no phone; plain http on another host opens, but browsers run
    the app's offline part (its service worker) only over https, so a walk without network would fail.
    """
    parts = urlsplit(base or "")
    host = (parts.hostname or "").lower()
    if host in LOCAL_HOSTS or host.startswith("127.") or host.endswith(".localhost"):
        return (f"The QR codes and station links point at {base}, which only this computer can open; phones "
                "cannot. Set PUBLIC_URL to the https address phones reach (e.g. PUBLIC_URL=https://audit.example.org) "
                "and print the QR sheets again.")
    if parts.scheme == "http":
        return (f"The QR codes and station links use plain http ({base}): phones can open them but cannot work "
                "offline, because browsers keep the app for offline use only over https. Put the server behind "
                "https and set PUBLIC_URL=https://….")
    return None
