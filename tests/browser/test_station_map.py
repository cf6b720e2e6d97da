"""Stations on the console's map: placed by a click, moved by dragging, listed when tiles cannot load."""
import base64

import pytest
from playwright.sync_api import expect

from server.extensions import db as _db
from server.models import Walk
from tests.conftest import CONSOLE_PASSWORD, make_user

# A 1×1 grey PNG stands in for every map tile.
TILE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==")


@pytest.fixture
def mapped(live):
    """An admin, and tiles from an address the test answers itself."""
    with live.app.app_context():
        make_user("anna")
        _db.session.remove()
    old = live.app.config["TILE_URL"]
    live.app.config["TILE_URL"] = "https://tiles.test/{z}/{x}/{y}.png"
    yield live
    live.app.config["TILE_URL"] = old


def sign_in(page, live, path):
    page.goto(live.url + path)
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(CONSOLE_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def stored(live, code):
    with live.app.app_context():
        walk = _db.session.execute(_db.select(Walk).where(Walk.slug == "centre")).scalar_one()
        station = walk.station(code)
        place = (station.lat, station.lon)
        _db.session.remove()
    return place


@pytest.mark.browser
def test_admin_places_a_station_by_clicking_and_moves_it_by_dragging(mapped, page):
    """A click on the map saves the chosen station's coordinates; dragging its marker saves the new place."""
    page.route("https://tiles.test/**", lambda route: route.fulfill(body=TILE, content_type="image/png"))
    sign_in(page, mapped, "/admin/walks/centre")
    with mapped.app.app_context():
        walk = _db.session.execute(_db.select(Walk).where(Walk.slug == "centre")).scalar_one()
        code = walk.stations[0].code
        before = (walk.stations[0].lat, walk.stations[0].lon)
        _db.session.remove()
    map_box = page.locator("[data-walk-map]")
    expect(map_box.locator(".leaflet-marker-icon").first).to_be_visible()
    expect(page.locator("[data-map-notice]")).to_be_hidden()
    page.get_by_label("Station to place").select_option(code)
    map_box.scroll_into_view_if_needed()
    box = map_box.bounding_box()
    map_box.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.7})
    expect(page.locator("[data-map-status]")).to_contain_text(f"Saved {code}")
    clicked = stored(mapped, code)
    assert clicked != before and None not in clicked
    marker = map_box.locator(f".leaflet-marker-icon[title='{code}']")
    mbox = marker.bounding_box()
    x, y = mbox["x"] + mbox["width"] / 2, mbox["y"] + mbox["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y - 30, steps=8)
    page.mouse.up()
    expect(page.locator("[data-map-status]")).to_contain_text(f"Saved {code}", timeout=10_000)
    moved = stored(mapped, code)
    assert moved[1] > clicked[1] and moved[0] > clicked[0]  # east and north
    expect(page.locator(f"[data-station='{code}'] [data-coordinates]")).to_have_text(f"{moved[0]:.5f}, {moved[1]:.5f}")


@pytest.mark.browser
def test_without_tiles_the_walk_page_still_lists_the_stations(mapped, page):
    """Where map tiles cannot load, the page says so and the stations stay listed with their coordinates."""
    page.route("https://tiles.test/**", lambda route: route.abort())
    sign_in(page, mapped, "/admin/walks/centre")
    expect(page.locator("[data-map-notice]")).to_be_visible(timeout=10_000)
    expect(page.locator("ol.stations > li")).to_have_count(len(page.locator("[data-station]").all()))
    assert page.locator("ol.stations > li").count() >= 3
