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


@pytest.mark.browser
def test_report_map_colours_each_station_by_its_mean_on_the_checklists_scale(mapped, page):
    """On a 0–4 checklist the report's map paints a mean of 0 red, 4 green, 1 a quarter of the way; no answers grey."""
    from server.catalog.definitions import load_checklist, load_walk
    from tests.conftest import make_answer, make_record, post_sync
    from tests.definitions import small_checklist, small_walk

    walk = small_walk("zero-walk", "zero-four", codes=("Z-1", "Z-2"))
    for station, (lat, lon) in zip(walk["stations"], ((50.08, 14.42), (50.09, 14.43))):
        station.update(lat=lat, lon=lon)
    with mapped.app.app_context():
        load_checklist(small_checklist("zero-four", minimum=0, maximum=4, topics=2, items_per_topic=1))
        load_walk(walk)
        _db.session.commit()
        stored_walk = _db.session.execute(_db.select(Walk).where(Walk.slug == "zero-walk")).scalar_one()
        records = [make_record([make_answer("q1_1", 0, station="Z-1"), make_answer("q2_1", 4, station="Z-1")],
                               checklist="zero-four"),
                   make_record([make_answer("q1_1", 1, station="Z-2")], checklist="zero-four")]
        reply = post_sync(mapped.app.test_client(), stored_walk, records)
        assert [result["status"] for result in reply.get_json()["results"]] == ["accepted", "accepted"]
        _db.session.remove()
    page.route("https://tiles.test/**", lambda route: route.fulfill(body=TILE, content_type="image/png"))
    sign_in(page, mapped, "/admin/report?checklist=zero-four")
    markers = page.locator("[data-report-map] path.leaflet-interactive")
    expect(markers).to_have_count(2)

    def colours():
        """Return {latitude: fill colour} of the markers on the map."""
        return page.evaluate("""() => {
          const out = {};
          document.querySelector("[data-report-map]").stationMap.layer.eachLayer(
            (marker) => { out[marker.getLatLng().lat] = marker.options.fillColor; });
          return out;
        }""")

    assert colours() == {"50.08": "hsl(60, 70%, 42%)", "50.09": "hsl(30, 70%, 42%)"}
    page.get_by_label("Colour the stations by").select_option("t1")
    assert colours() == {"50.08": "hsl(0, 70%, 42%)", "50.09": "hsl(30, 70%, 42%)"}
    page.get_by_label("Colour the stations by").select_option("t2")
    assert colours() == {"50.08": "hsl(120, 70%, 42%)", "50.09": "#8c959f"}
    expect(markers.first).to_have_attribute("fill", "hsl(120, 70%, 42%)")
