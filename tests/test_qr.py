"""Station QR codes and printable walk sheets: what they decode to, what they print, who may get them."""
import io
import json
import re
import unicodedata
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
import zxingcpp
from fontTools.ttLib import TTFont
from PIL import Image, ImageFilter

from server.catalog.contract import SHARED_SCHEMA_DIR
from server.extensions import db
from server.documents.qr import QUIET_ZONE, make_qr
from server.documents.qr_sheets import FONTS_DIR, JOIN_INSTRUCTIONS, LABELS, STATION_INSTRUCTIONS
from tests.conftest import bearer, each_pdf_page, make_answer, make_record, make_token, post_sync

API = "/api/v1/admin/walks"
PDF_DPI = 150


def decode(image):
    """Return the texts of every QR code zxing finds in a PIL image."""
    return [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def decode_png(data):
    """Return (texts, ec levels) of the QR codes in PNG bytes."""
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)), formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in codes], [code.ec_level for code in codes]


def pdf_pages(data, dpi=PDF_DPI):
    """Return [(PIL image, text)] for each page of a PDF, rasterised at `dpi`."""
    return [(page.render(scale=dpi / 72).to_pil(), textpage.get_text_range())
            for page, textpage in each_pdf_page(data)]


def char_boxes(data):
    """Return, for each page of a PDF, its size and its visible characters as (left, bottom, right, top, index)."""
    pages = []
    for page, textpage in each_pdf_page(data):
        boxes = [(*textpage.get_charbox(i), i) for i in range(textpage.count_chars())]
        # Spaces and line ends have boxes with no width or no height.
        pages.append((page.get_size(), [box for box in boxes if box[2] - box[0] > 0.1 and box[3] - box[1] > 0.1]))
    return pages


def overlapping(boxes, slack=0.3):
    """Return pairs of character boxes that overlap by more than `slack` points: text printed over text.

    Neighbours in reading order are left out: in a word like "xj" the glyphs' boxes overlap by design."""
    hits = []
    ordered = sorted(boxes)
    for i, (left, bottom, right, top, index) in enumerate(ordered):
        for other in ordered[i + 1:]:
            if other[0] >= right - slack:
                break
            if abs(other[4] - index) > 1 and other[1] < top - slack and other[3] > bottom + slack:
                hits.append(((left, bottom, right, top), other[:4]))
    return hits


def svg_to_image(data, scale=8):
    """Rasterise the SVG this app writes (a white square and one path of module runs) with PIL."""
    root = ElementTree.fromstring(data)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    side = int(root.get("viewBox").split()[2])
    image = Image.new("L", (side * scale, side * scale), 255)
    pixels = image.load()
    path = root.find("svg:path", ns).get("d")
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path)
    assert "".join(f"M{x} {y}h{n}v1h-{n}z" for x, y, n in runs) == path, "unexpected path commands"
    for x, y, n in runs:
        for px in range(int(x) * scale, (int(x) + int(n)) * scale):
            for py in range(int(y) * scale, (int(y) + 1) * scale):
                pixels[px, py] = 0
    return image


@pytest.fixture
def walk_links(client, seeded, admin_headers):
    """The prague-7 walk as the admin API reports it: its link and each station's."""
    reply = client.get(f"{API}/prague-7", headers=admin_headers)
    assert reply.status_code == 200
    return reply.get_json()


def test_every_station_png_decodes_to_its_admin_link(client, walk_links, admin_headers):
    """Each station's printed code opens exactly the link the admin API shows for it, at level Q."""
    assert len(walk_links["stations"]) == 5
    for station in walk_links["stations"]:
        reply = client.get(f"{API}/prague-7/stations/{station['code']}/qr.png", headers=admin_headers)
        assert reply.status_code == 200 and reply.mimetype == "image/png"
        assert "no-store" in reply.headers["Cache-Control"]
        texts, levels = decode_png(reply.data)
        assert texts == [station["url"]]
        assert levels == ["Q"]
        assert station["url"].startswith("https://audit.example.org/w/prague-7/")


def test_station_code_is_case_insensitive_in_the_path(client, walk_links, admin_headers):
    """Asking for p7-2 in lower case gives the P7-2 code."""
    reply = client.get(f"{API}/prague-7/stations/p7-2/qr.png", headers=admin_headers)
    assert decode_png(reply.data)[0] == [walk_links["stations"][1]["url"]]


def test_join_code_decodes_to_the_walk_link(client, walk_links, admin_headers):
    """The walk's join code opens the walk's start page with its key, as PNG and SVG."""
    reply = client.get(f"{API}/prague-7/qr.png", headers=admin_headers)
    assert decode_png(reply.data)[0] == [walk_links["url"]]
    assert walk_links["url"] == f"https://audit.example.org/w/prague-7#k={walk_links['key']}"
    svg = client.get(f"{API}/prague-7/qr.svg", headers=admin_headers)
    assert svg.mimetype == "image/svg+xml"
    assert decode(svg_to_image(svg.data)) == [walk_links["url"]]


def test_svg_is_print_sized_xml_that_decodes(client, walk_links, admin_headers):
    """The SVG is valid XML, sized in millimetres for scanning from ~1 m, and decodes to the station link."""
    station = walk_links["stations"][2]
    reply = client.get(f"{API}/prague-7/stations/{station['code']}/qr.svg", headers=admin_headers)
    assert reply.status_code == 200 and reply.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(reply.data)
    side = int(root.get("viewBox").split()[2])
    assert root.get("width") == root.get("height") and root.get("width").endswith("mm")
    assert float(root.get("width")[:-2]) / side == pytest.approx(2.5)
    assert float(root.get("width")[:-2]) - 2 * QUIET_ZONE * 2.5 >= 90  # the symbol alone, ~a tenth of 1 m
    assert decode(svg_to_image(reply.data)) == [station["url"]]
    assert side == make_qr(station["url"]).width


def test_codes_keep_a_four_module_quiet_zone():
    """The white margin scanners need is there on every side."""
    code = make_qr("https://audit.example.org/w/prague-7/P7-1#k=abcdefghijklmnop")
    border = [row[:QUIET_ZONE] + row[-QUIET_ZONE:] for row in code.modules]
    assert not any(any(row) for row in code.modules[:QUIET_ZONE] + code.modules[-QUIET_ZONE:])
    assert not any(any(edge) for edge in border)
    assert any(code.modules[QUIET_ZONE])  # the symbol starts right after it
    assert code.version <= 6


def test_png_scale_and_size_options(client, walk_links, admin_headers):
    """?scale sets pixels per module, ?size the width in whole modules; both still decode."""
    url = walk_links["stations"][0]["url"]
    width = make_qr(url).width
    small = client.get(f"{API}/prague-7/stations/P7-1/qr.png?scale=3", headers=admin_headers)
    assert Image.open(io.BytesIO(small.data)).size == (width * 3, width * 3)
    assert decode_png(small.data)[0] == [url]
    sized = client.get(f"{API}/prague-7/stations/P7-1/qr.png?size=1000", headers=admin_headers)
    image = Image.open(io.BytesIO(sized.data))
    assert image.size[0] <= 1000 and image.size[0] > 1000 - width and image.size[0] % width == 0
    assert decode_png(sized.data)[0] == [url]
    join = client.get(f"{API}/prague-7/qr.png?scale=20", headers=admin_headers)
    assert Image.open(io.BytesIO(join.data)).size[0] == make_qr(walk_links["url"]).width * 20


@pytest.mark.parametrize("query", ["scale=0", "scale=41", "scale=abc", "scale=-2", "size=50", "size=9000",
                                   "size=1e3", "scale=5&size=500"])
def test_bad_png_options_are_refused(client, seeded, admin_headers, query):
    """A nonsense scale or size gets a 400 that names the option."""
    reply = client.get(f"{API}/prague-7/stations/P7-1/qr.png?{query}", headers=admin_headers)
    assert reply.status_code == 400
    error = reply.get_json()["error"]
    assert error["code"] == "invalid"
    assert set(error["details"]) & {"scale", "size"}


def test_sheets_pdf_has_a_join_page_then_a_page_per_station(client, walk_links, admin_headers):
    """Every page's code decodes to its link from the admin API, and its text shows the station code."""
    reply = client.get(f"{API}/prague-7/sheets.pdf", headers=admin_headers)
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    assert b"/FontFile2" in reply.data  # the fonts travel inside the file
    pages = pdf_pages(reply.data)
    assert len(pages) == 1 + len(walk_links["stations"])
    join_image, join_text = pages[0]
    assert decode(join_image) == [walk_links["url"]]
    # The printed link may wrap at a dash of the key; read it without the line breaks.
    assert "Prague 7: Holešovice and Letná" in join_text
    assert walk_links["url"] in join_text.replace("\r\n", "").replace("\n", "")
    for station, (image, text) in zip(walk_links["stations"], pages[1:]):
        assert decode(image) == [station["url"]]
        assert station["code"] in text
        assert station["title"]["en"] in text.replace("\r\n", " ").replace("\n", " ")
        for lang in ("en", "cs", "uk", "ru", "vi"):  # the instruction, whatever the item language
            assert STATION_INSTRUCTIONS[lang][:25] in text


def test_printed_station_code_scans_from_a_metre_away(client, walk_links, admin_headers):
    """Printed at 100 %, each module is at least 2.5 mm, and the page still decodes when sampled as coarsely
    and blurrily as a phone camera sees it from about 1 m (0.7 mm per pixel)."""
    data = client.get(f"{API}/prague-7/sheets.pdf", headers=admin_headers).data
    station = walk_links["stations"][0]
    image = pdf_pages(data)[1][0]
    (code,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    symbol_mm = (code.position.top_right.x - code.position.top_left.x) / PDF_DPI * 25.4
    module_mm = symbol_mm / (make_qr(station["url"]).width - 2 * QUIET_ZONE)
    assert module_mm >= 2.5
    far = pdf_pages(data, dpi=25.4 / 0.7)[1][0].filter(ImageFilter.GaussianBlur(0.6))
    assert decode(far) == [station["url"]]


def test_sheets_print_items_in_the_chosen_language(client, walk_links, admin_headers):
    """?lang=vi prints the station names and first items in Vietnamese, with the five instructions."""
    checklist = client.get("/api/v1/checklists/integra-city-audit").get_json()
    texts = {item["id"]: item["text"] for topic in checklist["topics"] for item in topic["items"]}
    pages = pdf_pages(client.get(f"{API}/prague-7/sheets.pdf?lang=vi", headers=admin_headers).data)
    flat = lambda text: unicodedata.normalize("NFC", " ".join(text.split()))  # noqa: E731
    join = flat(pages[0][1])
    assert LABELS["vi"]["join"] in join and "Praha 7: Holešovice và Letná" in join
    station = walk_links["stations"][1]  # P7-2 asks ue1, ue2, … first
    text = flat(pages[2][1])
    assert flat(station["title"]["vi"]) in text
    assert flat(texts[station["items"][0]]["vi"]) in text
    assert texts[station["items"][0]]["en"][:30] not in text
    for lang in ("en", "cs", "uk", "ru"):
        assert flat(STATION_INSTRUCTIONS[lang])[:25] in text


def test_cards_put_four_stations_on_a_page(client, walk_links, admin_headers):
    """The cards layout prints four decodable cut-out codes per A4, each with its station code."""
    reply = client.get(f"{API}/prague-7/sheets.pdf?layout=cards&lang=cs", headers=admin_headers)
    pages = pdf_pages(reply.data)
    assert len(pages) == 3  # the join sheet, then 4 + 1 cards
    stations = walk_links["stations"]
    assert decode(pages[0][0]) == [walk_links["url"]]
    for page, expected in ((pages[1], stations[:4]), (pages[2], stations[4:])):
        image, text = page
        assert sorted(decode(image)) == sorted(s["url"] for s in expected)
        for station in expected:
            assert station["code"] in text


def test_every_sheet_prints_the_walk_code_under_its_qr_code(client, walk_links, admin_headers):
    """The join page, every station page and every card page print the walk code that opens the walk's key."""
    for layout, lang in (("pages", "en"), ("cards", "cs")):
        data = client.get(f"{API}/prague-7/sheets.pdf?layout={layout}&lang={lang}", headers=admin_headers).data
        texts = [text for _, text in each_pdf_page(data) for text in [text.get_text_range()]]
        assert len(texts) == (6 if layout == "pages" else 3)
        for text in texts:
            assert walk_links["code"] in text, layout
            assert LABELS[lang]["walk_code"][:12] in text


def test_rotated_sheets_print_the_new_walk_code(client, walk_links, admin_headers):
    """After the key is replaced, reprinted sheets carry the new walk code, never the old one."""
    new = client.post(f"{API}/prague-7/rotate-key", headers=admin_headers).get_json()["code"]
    data = client.get(f"{API}/prague-7/sheets.pdf", headers=admin_headers).data
    text = "".join(page.get_text_range() for _, page in each_pdf_page(data))
    assert new in text and walk_links["code"] not in text


def test_bad_layout_or_language_is_refused(client, seeded, admin_headers):
    """An unknown layout or language gets a 400 that lists the choices."""
    reply = client.get(f"{API}/prague-7/sheets.pdf?layout=poster", headers=admin_headers)
    assert reply.status_code == 400 and "pages, cards" in reply.get_json()["error"]["message"]
    reply = client.get(f"{API}/prague-7/sheets.pdf?lang=de", headers=admin_headers)
    assert reply.status_code == 400
    assert "en, cs, uk, ru, vi" in reply.get_json()["error"]["message"]


def test_a_long_station_title_and_many_items_stay_on_the_page(client, seeded, admin_headers):
    """A very long title is cut short, the items that do not fit are counted, the longest possible code is
    printed whole, and no text leaves the page or covers the code."""
    title = "Nádraží Holešovice, " + "the long way round the tram loop and the market gate " * 6
    code = "WMWMWMWMWMWMWMWM"  # 16 characters, the most a station code may have
    # The footer prints the key's last four characters; a "J" there leans under the letter before it.
    seeded["prague-7"].key = "23456789abcdefTJ"
    db.session.commit()
    reply = client.put(f"{API}/prague-7/stations/{code}", headers=admin_headers, json={"title": {"en": title}})
    assert reply.status_code == 201
    url = reply.get_json()["stations"][-1]["url"]
    cards_data = client.get(f"{API}/prague-7/sheets.pdf?layout=cards", headers=admin_headers).data
    cards = pdf_pages(cards_data)
    assert code in cards[-1][1] and url in decode(cards[-1][0])  # the last page holds P7-5 and this one
    data = client.get(f"{API}/prague-7/sheets.pdf", headers=admin_headers).data
    scale = PDF_DPI / 72
    for page, textpage in each_pdf_page(data, slice(-1, None)):  # the new station's page
        width, height = page.get_size()
        image = page.render(scale=scale).to_pil()
        text = textpage.get_text_range()
        boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
    (symbol,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert symbol.text == url
    assert "…" in text and code in text
    assert re.search(r"\+ \d+ more in the app", text)
    boxes = [box for box in boxes if box[2] > box[0]]  # skip spaces and line ends
    for layout in (cards_data, data):
        for _size, page_boxes in char_boxes(layout):
            assert not overlapping(page_boxes)
    margin = 6 * 72 / 25.4  # no text within 6 mm of the paper's edge, where printers cut off
    assert all(margin <= left and right <= width - margin and margin <= bottom and top <= height - margin
               for left, bottom, right, top in boxes)
    # The symbol's corners in PDF points (y up), widened by the quiet zone of 4 modules.
    corners = symbol.position
    quiet = 4 * (corners.top_right.x - corners.top_left.x) / (make_qr(url).width - 2 * QUIET_ZONE) / scale
    qr_left, qr_right = corners.top_left.x / scale - quiet, corners.top_right.x / scale + quiet
    qr_top, qr_bottom = height - corners.top_left.y / scale + quiet, height - corners.bottom_left.y / scale - quiet
    assert not [box for box in boxes
                if box[0] < qr_right and box[2] > qr_left and box[1] < qr_top and box[3] > qr_bottom]


def test_fonts_have_every_glyph_the_sheets_print():
    """No character of the instructions, labels, shipped checklist or walks would print as a blank box."""
    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for inner in value.values():
                yield from strings(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from strings(inner)

    texts = [*STATION_INSTRUCTIONS.values(), *JOIN_INSTRUCTIONS.values(), *strings(LABELS), "•…·"]
    for path in [*SHARED_SCHEMA_DIR.glob("checklists/*.json"), *SHARED_SCHEMA_DIR.glob("walks/*.json")]:
        texts.extend(strings(json.loads(path.read_text(encoding="utf-8"))))
    needed = {ord(c) for text in texts for c in unicodedata.normalize("NFC", text) if c.isprintable()}
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        font = TTFont(FONTS_DIR / name)
        missing = needed - set(font.getBestCmap())
        font.close()
        assert not missing, f"{name} lacks {''.join(map(chr, sorted(missing)))}"
    assert (FONTS_DIR / "LICENSE").read_text().count("Bitstream") >= 3


ENDPOINTS = [f"{API}/prague-7/stations/P7-1/qr.svg", f"{API}/prague-7/stations/P7-1/qr.png",
             f"{API}/prague-7/qr.svg", f"{API}/prague-7/qr.png", f"{API}/prague-7/sheets.pdf"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_codes_and_sheets_need_a_facilitator_of_the_walk(client, seeded, path):
    """Without a token 401, another walk's facilitator 403 (both JSON); this walk's facilitator gets the file."""
    reply = client.get(path)
    assert reply.status_code == 401 and reply.is_json and reply.get_json()["error"]["code"] == "unauthorized"
    other = make_token("facilitator", walks=["libus"])
    reply = client.get(path, headers=bearer(other))
    assert reply.status_code == 403 and reply.is_json
    assert "prague-7" in reply.get_json()["error"]["message"]
    mine = make_token("facilitator", walks=["prague-7"])
    reply = client.get(path, headers=bearer(mine))
    assert reply.status_code == 200 and not reply.is_json


def test_unknown_station_or_walk_is_a_json_404(client, seeded, admin_headers):
    """Asking for a station or walk that does not exist says so in JSON."""
    for path in (f"{API}/prague-7/stations/LI-1/qr.png", f"{API}/prague-7/stations/NOPE/qr.svg",
                 f"{API}/atlantis/qr.png", f"{API}/atlantis/sheets.pdf"):
        reply = client.get(path, headers=admin_headers)
        assert reply.status_code == 404 and reply.get_json()["error"]["code"] == "not_found", path
    assert "No station 'NOPE'" in client.get(f"{API}/prague-7/stations/NOPE/qr.svg",
                                             headers=admin_headers).get_json()["error"]["message"]


def test_rotating_the_key_retires_printed_codes(client, seeded, admin_headers):
    """After a key rotation the old code's key is refused with 'codes were replaced'; the new code syncs."""
    walk = seeded["prague-7"]
    old_url = decode_png(client.get(f"{API}/prague-7/stations/P7-3/qr.png", headers=admin_headers).data)[0][0]
    assert client.post(f"{API}/prague-7/rotate-key", headers=admin_headers).status_code == 200
    new_url = decode_png(client.get(f"{API}/prague-7/stations/P7-3/qr.png", headers=admin_headers).data)[0][0]
    assert new_url != old_url and new_url == client.get(f"{API}/prague-7", headers=admin_headers).get_json()[
        "stations"][2]["url"]
    old_key = urlsplit(old_url).fragment.removeprefix("k=")
    new_key = urlsplit(new_url).fragment.removeprefix("k=")
    record = make_record([make_answer("ue4", 4, station="P7-3")])
    refused = post_sync(client, walk, [record], key=old_key)
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "walk_key_replaced"
    assert "codes were replaced" in error["message"] and "facilitator" in error["message"]
    accepted = post_sync(client, walk, [record], key=new_key)
    assert accepted.status_code == 200
    assert accepted.get_json()["results"][0]["status"] == "accepted"


def test_openapi_lists_the_code_and_sheet_endpoints(client):
    """The API description documents the QR and PDF endpoints with their media types."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "image/png" in paths["/admin/walks/{slug}/stations/{code}/qr.png"]["get"]["responses"]["200"]["content"]
    assert "image/svg+xml" in paths["/admin/walks/{slug}/qr.svg"]["get"]["responses"]["200"]["content"]
    sheets = paths["/admin/walks/{slug}/sheets.pdf"]["get"]
    assert {p["name"] for p in sheets["parameters"]} >= {"slug", "layout", "lang"}


def test_cli_writes_decodable_codes_and_sheets(runner, seeded, tmp_path, client, admin_headers):
    """`flask qr prague-7 --out DIR` writes a PNG and SVG per station, the join code and the PDF."""
    out = tmp_path / "sheets"
    result = runner.invoke(args=["qr", "prague-7", "--out", str(out)])
    assert result.exit_code == 0, result.output
    walk = client.get(f"{API}/prague-7", headers=admin_headers).get_json()
    for station in walk["stations"]:
        assert decode_png((out / f"prague-7-{station['code']}.png").read_bytes())[0] == [station["url"]]
        assert decode(svg_to_image((out / f"prague-7-{station['code']}.svg").read_bytes())) == [station["url"]]
    assert decode_png((out / "prague-7-join.png").read_bytes())[0] == [walk["url"]]
    pages = pdf_pages((out / "prague-7-pages-en.pdf").read_bytes())
    assert [decode(image) for image, _ in pages] == [[walk["url"]], *[[s["url"]] for s in walk["stations"]]]
    assert "Wrote 13 files" in result.output


def test_cli_base_url_option_and_format_choice(runner, seeded, tmp_path, app):
    """--base-url replaces PUBLIC_URL in the links; --format pdf writes only the sheets, here as cards."""
    result = runner.invoke(args=["qr", "libus", "--out", str(tmp_path), "--format", "pdf", "--layout", "cards",
                                 "--base-url", "https://walks.example.cz/"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["libus-cards-en.pdf"]
    first_page = pdf_pages((tmp_path / "libus-cards-en.pdf").read_bytes())[0][0]
    assert decode(first_page) == [f"https://walks.example.cz/w/libus#k={seeded['libus'].key}"]


def test_cli_without_a_public_address_uses_localhost_and_warns(runner, seeded, tmp_path, app, monkeypatch):
    """On a fresh set-up the codes open the local server, with a warning that phones need PUBLIC_URL."""
    app.config["PUBLIC_URL"] = None
    monkeypatch.delenv("PORT", raising=False)
    result = runner.invoke(args=["qr", "prague-7", "--out", str(tmp_path), "--format", "png"])
    assert result.exit_code == 0 and "--base-url" in result.output and "PUBLIC_URL" in result.output
    decoded = zxingcpp.read_barcodes(Image.open(tmp_path / "prague-7-P7-1.png"))[0].text
    assert decoded == f"http://localhost:5000/w/prague-7/P7-1#k={seeded['prague-7'].key}"


def test_cli_explains_a_bad_base_url_or_walk(runner, seeded, tmp_path, app):
    """With a malformed address, an unknown walk or language, the CLI says what to do and writes nothing."""
    result = runner.invoke(args=["qr", "prague-7", "--out", str(tmp_path), "--base-url", "audit.example.org"])
    assert result.exit_code == 1 and "is not a base URL" in result.output
    result = runner.invoke(args=["qr", "atlantis", "--out", str(tmp_path), "--base-url", "https://a.example"])
    assert result.exit_code == 1 and "No walk 'atlantis'" in result.output and "prague-7" in result.output
    result = runner.invoke(args=["qr", "prague-7", "--out", str(tmp_path), "--base-url", "https://a.example",
                                 "--lang", "de"])
    assert result.exit_code == 1 and "en, cs, uk, ru, vi" in result.output
    assert not list(tmp_path.iterdir())


def test_sheets_say_when_their_codes_cannot_work_on_phones(app, client, seeded, admin_headers):
    """Printed without PUBLIC_URL, every page of the sheets carries a visible warning naming PUBLIC_URL."""
    assert all("Warning" not in text for _, text in pdf_pages(
        client.get(f"{API}/libus/sheets.pdf", headers=admin_headers).data))
    app.config["PUBLIC_URL"] = None
    for layout in ("pages", "cards"):
        data = client.get(f"{API}/libus/sheets.pdf?layout={layout}", headers=admin_headers,
                          base_url="http://localhost:5000").data
        pages = pdf_pages(data)
        for image, text in pages:
            flat = text.replace("\r\n", " ").replace("\n", " ")
            assert "Warning: The QR codes and station links point at http://localhost:5000" in flat
            assert "PUBLIC_URL" in flat
        for _, boxes in char_boxes(data):
            assert not overlapping(boxes)
