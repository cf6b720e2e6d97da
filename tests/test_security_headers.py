"""Every page carries the security headers: a CSP that forbids inline script, no framing, a referrer policy, HSTS on https."""
import re

import pytest

from tests.conftest import make_app

PAGES = ["/admin/sign-in", "/admin/walks", "/admin/report", "/admin/walks/prague-7", "/admin/downloads", "/"]


def fetch(admin, path):
    """GET a page as the signed-in admin (the sign-in form as a visitor who is not signed in)."""
    client = admin.application.test_client() if path == "/admin/sign-in" else admin
    return client.get(path)


def policy(reply):
    """Return the Content-Security-Policy as {directive: [sources]}."""
    parts = (part.split() for part in reply.headers["Content-Security-Policy"].split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_the_security_headers(admin, path):
    """Console, report and walker pages forbid inline script and framing, and name a referrer policy."""
    reply = fetch(admin, path)
    assert reply.status_code == 200
    csp = policy(reply)
    assert csp["script-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and reply.headers["X-Frame-Options"] == "DENY"
    assert reply.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "https://tile.openstreetmap.org" in csp["img-src"]  # the map tiles of the walk page and report
    assert "Strict-Transport-Security" not in reply.headers  # plain http: no HSTS, and no redirect to https


@pytest.mark.parametrize("path", PAGES)
def test_pages_hold_no_inline_script(admin, path):
    """No page runs script from its own text, so the policy can forbid it: no inline <script>, no on… handlers."""
    page = fetch(admin, path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page)
    assert "javascript:" not in page


def test_tile_host_follows_the_configured_tiles(app, client):
    """Tiles from another server (with {s} subdomains) are allowed as images, and only those."""
    app.config["TILE_URL"] = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    assert "https://*.tiles.example.org" in policy(client.get("/admin/sign-in"))["img-src"]


@pytest.mark.parametrize("public_url, hsts", [("https://audit.example.org", True), ("http://localhost:5000", False)])
def test_hsts_only_when_public_over_https(_schema, public_url, hsts):
    """A server published at an https address tells browsers to keep to https; a plain-http one does not."""
    client = make_app(_schema, PUBLIC_URL=public_url).test_client()
    reply = client.get("/admin/sign-in", base_url="https://audit.example.org")
    assert ("Strict-Transport-Security" in reply.headers) == hsts
    assert client.get("/admin/sign-in").status_code == 200  # no forced redirect to https
