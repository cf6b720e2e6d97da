"""Console walk pages: create and edit walks and stations, close, reopen, replace the key."""
import re

import pytest

from server.extensions import db
from server.models import Walk
from tests.conftest import (
    csrf_token,
    make_answer,
    make_record,
    make_user,
    post_sync,
    sign_in,
)
from tests.conftest import page_text as text


def post_form(client, path, data, page=None):
    """Post a console form with the token of the page it is on."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page or path)})


def walk(slug):
    """Return the walk as stored now."""
    db.session.expire_all()
    return db.session.execute(db.select(Walk).where(Walk.slug == slug)).scalar_one()


def test_walk_page_lists_stations_with_links_and_qr_codes(admin, seeded):
    """Each station shows its exact QR link with the key, and links to its QR codes and the sheets."""
    prague = seeded["prague-7"]
    page = text(admin.get("/admin/walks/prague-7"))
    for station in prague.stations:
        assert f"https://audit.example.org/w/prague-7/{station.code}#k={prague.key}" in page
        assert f"/api/v1/admin/walks/prague-7/stations/{station.code}/qr.svg" in page
        assert f"/api/v1/admin/walks/prague-7/stations/{station.code}/qr.png" in page
    assert "/api/v1/admin/walks/prague-7/sheets.pdf" in page
    assert "Holešovice" in page
    assert f"Walk code, printed under every QR code: <strong class=\"code\">{prague.printed_code}</strong>" in page
    assert f"walk code <strong>{prague.printed_code}</strong>" in text(admin.get("/admin/walks"))


def test_qr_links_open_with_the_console_session(client, seeded):
    """A facilitator signed in to the console can open the walk's QR codes and sheets by plain links."""
    make_user("fiona", "facilitator", walks=["libus"])
    sign_in(client, "fiona")
    page = text(client.get("/admin/walks/libus"))
    links = re.findall(r'href="(/api/v1/admin/walks/libus/[^"]+)"', page)
    assert "/api/v1/admin/walks/libus/sheets.pdf" in links and "/api/v1/admin/walks/libus/qr.svg" in links
    assert len(links) == 3 + 2 * len(seeded["libus"].stations)
    types = {link.rsplit(".", 1)[1]: client.get(link).mimetype for link in links}
    assert types == {"pdf": "application/pdf", "svg": "image/svg+xml", "png": "image/png"}
    assert client.get("/api/v1/admin/walks/centre/sheets.pdf").status_code == 403


def test_create_a_walk_with_czech_names(admin, seeded):
    """An admin creates a walk; its Czech names come back exactly on its page."""
    reply = post_form(admin, "/admin/walks/new", {
        "slug": "holesovice-2024", "checklist": "integra-city-audit",
        "title_en": "Holešovice market walk", "title_cs": "Procházka Holešovickou tržnicí",
        "description_en": "Accessibility of the market", "description_cs": "přístupnost tržnice",
        "code": "ho-1", "station_title_en": "Gate 1", "station_title_cs": "Brána 1 – přístupnost",
    })
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/admin/walks/holesovice-2024")
    created = walk("holesovice-2024")
    assert created.title == {"en": "Holešovice market walk", "cs": "Procházka Holešovickou tržnicí"}
    assert created.description["cs"] == "přístupnost tržnice"
    assert [(s.code, s.title["cs"]) for s in created.stations] == [("HO-1", "Brána 1 – přístupnost")]
    page = text(admin.get("/admin/walks/holesovice-2024"))
    assert "Procházka Holešovickou tržnicí" in page and "Brána 1 – přístupnost" in page
    assert "Walk holesovice-2024 created" in page


@pytest.mark.parametrize("data, message", [
    ({"slug": "Bad Slug"}, "Use lowercase letters, digits and dashes"),
    ({"slug": "libus"}, "A walk 'libus' exists already."),
    ({"title_en": ""}, "Title in English is required."),
    ({"code": "P7-1"}, "Station codes already used by another walk: P7-1."),
    ({"code": "no spaces"}, "stations/0/code"),
])
def test_walk_form_explains_what_is_wrong(admin, seeded, data, message):
    """A bad slug, a taken slug or station code, or a missing title is explained, and nothing is stored."""
    form = {"slug": "new-walk", "checklist": "integra-city-audit", "title_en": "New walk",
            "code": "NW-1", "station_title_en": "Start", **data}
    reply = post_form(admin, "/admin/walks/new", form)
    assert reply.status_code == 400
    assert message in text(reply)
    assert db.session.execute(db.select(db.func.count()).select_from(Walk)).scalar_one() == 3


def test_edit_walk_title_keeps_other_languages(admin, seeded):
    """Changing the English and Czech titles keeps the other languages' titles."""
    reply = post_form(admin, "/admin/walks/libus/edit", {
        "title_en": "Libuš and SAPA", "title_cs": "Libuš a SAPA", "title_uk": "Лібуш і SAPA",
        "title_ru": "", "title_vi": "Libuš và SAPA", "version": "1"})
    assert reply.status_code == 302
    title = walk("libus").title
    assert title["en"] == "Libuš and SAPA" and title["cs"] == "Libuš a SAPA" and title["uk"] == "Лібуш і SAPA"
    assert "ru" not in title


def test_add_a_station_with_items_and_coordinates(admin, seeded):
    """A new station is stored with its names, its place in the order, coordinates and first items."""
    before = [s.code for s in walk("prague-7").stations]
    reply = post_form(admin, "/admin/walks/prague-7/stations/new", {
        "code": "p7-6", "title_en": "Letná park", "title_cs": "Letenské sady", "position": "2",
        "lat": "50,0965", "lon": "14.4213", "items": ["ue3", "vs1"]})
    assert reply.status_code == 302 and reply.headers["Location"].endswith("#station-P7-6")
    stations = walk("prague-7").stations
    assert [s.code for s in stations] == [before[0], "P7-6", *before[1:]]
    assert [s.position for s in stations] == list(range(1, len(stations) + 1))
    added = stations[1]
    assert (added.lat, added.lon, added.items) == (50.0965, 14.4213, ["vs1", "ue3"])
    assert added.title == {"en": "Letná park", "cs": "Letenské sady"}


@pytest.mark.parametrize("data, message", [
    ({"lat": "50.1"}, "Give both latitude and longitude, or neither."),
    ({"lat": "95", "lon": "14"}, "Latitude must be between -90 and 90."),
    ({"items": ["zz9"]}, "Not in the walk's checklist: zz9."),
    ({"code": "LI-1"}, "This walk has a station LI-1 already."),
    ({"code": "P7-1"}, "Station codes already used by another walk: P7-1."),
])
def test_station_form_explains_what_is_wrong(admin, seeded, data, message):
    """Half coordinates, unknown items or a taken code are explained and nothing changes."""
    before = [(s.code, s.position) for s in walk("libus").stations]
    reply = post_form(admin, "/admin/walks/libus/stations/new",
                      {"code": "LI-9", "title_en": "Somewhere", **data})
    assert reply.status_code == 400
    assert message in text(reply)
    assert [(s.code, s.position) for s in walk("libus").stations] == before


def test_edit_a_station_moves_it_and_clears_items(admin, seeded):
    """Moving the first station to the end renumbers the others; unticking every item shows all."""
    codes = [s.code for s in walk("libus").stations]
    first = codes[0]
    page = text(admin.get(f"/admin/walks/libus/stations/{first}/edit"))
    assert 'name="title_cs"' in page
    reply = post_form(admin, f"/admin/walks/libus/stations/{first}/edit",
                      {"title_en": "Renamed", "title_cs": "Přejmenováno", "position": "99"})
    assert reply.status_code == 302
    stations = walk("libus").stations
    assert [s.code for s in stations] == codes[1:] + [first]
    assert stations[-1].title["cs"] == "Přejmenováno" and stations[-1].items is None


def test_remove_a_station_after_confirming(admin, seeded):
    """Removing a station asks first, saying how many answers were given there, then removes it."""
    record = make_record([make_answer("vs1", 4, station="CE-2")])
    post_sync(admin, seeded["centre"], [record])
    page = text(admin.get("/admin/walks/centre/stations/CE-2/delete"))
    assert "1 answer given at this station" in page
    reply = post_form(admin, "/admin/walks/centre/stations/CE-2/delete", {})
    assert reply.status_code == 302
    assert "CE-2" not in [s.code for s in walk("centre").stations]


def test_close_and_reopen_a_walk(admin, seeded):
    """A closed walk refuses devices' syncs until it is reopened."""
    record = make_record([make_answer("vs1", 3)])
    post_form(admin, "/admin/walks/libus/close", {}, page="/admin/walks/libus")
    assert walk("libus").closed
    assert "Closed" in text(admin.get("/admin/walks/libus"))
    assert post_sync(admin, walk("libus"), [record]).status_code == 403
    post_form(admin, "/admin/walks/libus/reopen", {}, page="/admin/walks/libus")
    assert not walk("libus").closed
    assert post_sync(admin, walk("libus"), [record]).status_code == 200


def test_replace_the_key_after_a_warning(admin, seeded):
    """Replacing the key warns that printed codes stop working; afterwards the old key is refused."""
    old_key = walk("centre").key
    warning = text(admin.get("/admin/walks/centre/rotate-key"))
    old_code = walk("centre").printed_code
    assert f"Every printed QR code, shared link and the walk code ({old_code}) of this walk stop working." in warning
    reply = post_form(admin, "/admin/walks/centre/rotate-key", {})
    assert reply.status_code == 302
    new_key, new_code = walk("centre").key, walk("centre").printed_code
    assert new_key != old_key and new_code != old_code
    page = text(admin.get("/admin/walks/centre"))
    assert f"#k={new_key}" in page and f"#k={old_key}" not in page
    assert new_code in page and old_code not in page
    refused = post_sync(admin, walk("centre"), [make_record()], key=old_key)
    assert refused.get_json()["error"]["code"] == "walk_key_replaced"


def test_status_page_shows_arrivals_and_refusals(admin, seeded):
    """The live status counts checklists per station and device and lists refused records with reasons."""
    prague = seeded["prague-7"]
    device = "0b5f3c0e-8d5a-4a63-9a43-5d1b0b9a7a01"
    good = make_record([make_answer("vs1", 4, station="P7-1"), make_answer("vs2", 2, station="P7-2")])
    bad = make_record([make_answer("vs1", 9, station="P7-1")])
    post_sync(admin, prague, [good, bad], device_id=device)
    page = text(admin.get("/admin/walks/prague-7/status"))
    assert 'data-refresh-url="/admin/walks/prague-7/status?fragment=1"' in page
    assert re.search(r"<strong>1</strong> checklist received", page)
    row = re.search(r"P7-1</span>[^<]*</th><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", page)
    assert row.groups() == ("1", "1")
    assert device[:8] in page and "just now" in page
    assert "Must be a whole number from 1 to 5, or null." in page
    fragment = admin.get("/admin/walks/prague-7/status?fragment=1")
    assert fragment.headers["Cache-Control"] == "no-store"
    assert "<html" not in fragment.get_data(as_text=True)


def test_close_asks_first_and_is_not_the_primary_action(admin, seeded):
    """Closing is a link to a page that says what closing does; only its confirm button closes the walk."""
    page = admin.get("/admin/walks/libus").get_data(as_text=True)
    assert re.search(r'<a class="button button-danger" href="/admin/walks/libus/close">Close the walk…</a>', page)
    assert not re.search(r"<button[^>]*>Close the walk</button>", page)
    confirm = text(admin.get("/admin/walks/libus/close"))
    assert "Phones can no longer send checklists to this walk" in confirm and "Keep it open" in confirm
    assert not walk("libus").closed
    post_form(admin, "/admin/walks/libus/close", {})
    assert walk("libus").closed


@pytest.mark.parametrize("page", ["/admin/walks", "/admin/walks/prague-7"])
def test_pages_with_codes_warn_when_links_point_at_localhost(app, admin, seeded, page):
    """Without PUBLIC_URL, on a console opened at localhost, the walk pages say phones cannot use the codes."""
    assert "link-warning" not in admin.get(page).get_data(as_text=True)  # PUBLIC_URL is https here
    app.config["PUBLIC_URL"] = None
    warned = text(admin.get(page, base_url="http://localhost:5000"))
    assert "Phones cannot use these codes yet" in warned and "PUBLIC_URL" in warned
    assert "http://localhost:5000" in warned
