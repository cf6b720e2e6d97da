"""Scanning a printed code on the phone opens the walker app at that walk or station."""
import io
import json
import urllib.request

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from server.extensions import db as _db
from tests.conftest import bearer, make_token


def fetch(live, path, token):
    """GET a path from the live server with a token; return the body."""
    request = urllib.request.Request(live.url + path, headers=bearer(token))
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def scan(png):
    """Return the text of the one QR code in a PNG, as a phone camera would read it."""
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    return code.text


@pytest.fixture
def admin_token(live):
    """An admin token on the live server."""
    with live.app.app_context():
        token = make_token("admin")
        _db.session.remove()
    return token


@pytest.mark.browser
def test_scanned_station_code_opens_that_station(live, page, admin_token):
    """A walker who scans P7-3's printed code lands on P7-3's screen, titled with the station's name."""
    walk = json.loads(fetch(live, "/api/v1/admin/walks/prague-7", admin_token))
    station = next(s for s in walk["stations"] if s["code"] == "P7-3")
    url = scan(fetch(live, "/api/v1/admin/walks/prague-7/stations/P7-3/qr.png", admin_token))
    assert url == station["url"] and url.startswith(f"{live.url}/w/prague-7/P7-3#k=")
    page.goto(url)
    # The first visit installs the app and fetches the walk and checklist: allow for a slow start.
    expect(page.get_by_role("heading", level=1)).to_have_text(station["title"]["en"], timeout=15_000)
    expect(page.get_by_text("P7-3").first).to_be_visible()


@pytest.mark.browser
def test_scanned_join_code_opens_the_walk(live, page, admin_token):
    """Scanning the join sheet's code opens the walk's start page with its name."""
    walk = json.loads(fetch(live, "/api/v1/admin/walks/prague-7", admin_token))
    url = scan(fetch(live, "/api/v1/admin/walks/prague-7/qr.png", admin_token))
    assert url == walk["url"]
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(walk["title"]["en"], timeout=15_000)
