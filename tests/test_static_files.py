"""Static files travel compressed, and a repeat visit downloads none of them again."""
import gzip
import re
from pathlib import Path

import brotli

ROOT = Path(__file__).resolve().parents[1]


def test_walker_app_files_come_compressed_as_the_browser_accepts(client):
    """A phone on a slow network gets the app's JS as brotli or gzip, the same bytes once decoded."""
    original = (ROOT / "pwa" / "js" / "app.js").read_bytes()
    with client.get("/js/app.js", headers={"Accept-Encoding": "gzip, deflate, br"}) as reply:
        assert reply.headers["Content-Encoding"] == "br" and "Accept-Encoding" in reply.headers["Vary"]
        assert brotli.decompress(reply.data) == original and len(reply.data) < len(original) / 2
    with client.get("/js/app.js", headers={"Accept-Encoding": "gzip"}) as reply:
        assert reply.headers["Content-Encoding"] == "gzip" and gzip.decompress(reply.data) == original
    with client.get("/js/app.js") as reply:
        assert "Content-Encoding" not in reply.headers and reply.data == original


def test_a_repeat_visit_revalidates_without_a_body(client):
    """The app shell and service worker are checked again on each visit but sent only when they changed."""
    for path in ("/", "/sw.js", "/css/app.css"):
        headers = {"Accept-Encoding": "br"}
        with client.get(path, headers=headers) as first:
            etag = first.headers["ETag"]
            assert first.headers["Cache-Control"] == "no-cache"
        with client.get(path, headers={**headers, "If-None-Match": etag}) as again:
            assert again.status_code == 304 and again.data == b"", path


def test_console_styles_are_cached_for_good_under_their_content_hash(admin):
    """The console links its CSS and JS by content hash; those URLs are kept a year, other URLs revalidate."""
    page = admin.get("/admin/", follow_redirects=True).data.decode()
    links = re.findall(r'(?:href|src)="(/admin/static/console\.(?:css|js)\?v=[0-9a-f]{16})"', page)
    assert len(links) == 2
    for link in links:
        with admin.get(link, headers={"Accept-Encoding": "gzip"}) as reply:
            assert reply.status_code == 200
            assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with admin.get("/admin/static/console.css?v=0000000000000000") as stale:
        assert stale.headers["Cache-Control"] == "no-cache"
    with admin.get("/admin/static/missing.css") as missing:
        assert missing.status_code == 404
