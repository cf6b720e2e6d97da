"""Scanning a station's QR code inside the walker app (also offline, without BarcodeDetector) and the iPhone install hint."""
import importlib.util
import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from server.documents.qr import png_bytes

from .conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, open_walker, walk_link
from .test_walker_ui import axe_violations

ROOT = Path(__file__).resolve().parents[2]
DECODER = "lib/jsqr-1.4.0.js"
P7_3 = "Holešovice Market, Vietnamese market hall (Holešovická tržnice)"
IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.5 Mobile/15E148 Safari/604.1")
IOS_HINT = "tap Share, then “Add to Home Screen”"
FRAME = (640, 480)
# Whether the service worker's on-demand cache holds a file, waiting up to 5 s for it to be written.
KEPT_FOR_OFFLINE = """async (path) => {
  for (let tries = 0; tries < 50; tries++) {
    if (await (await caches.open('walker-on-demand')).match(path)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}"""


def camera_video(path, text):
    """Write a YUV4MPEG2 video whose frames show the QR code of `text` (None: nothing) centred on white."""
    frame = Image.new("L", FRAME, 255)
    if text is not None:
        code = Image.open(io.BytesIO(png_bytes(text, scale=8))).convert("L")
        frame.paste(code, ((FRAME[0] - code.width) // 2, (FRAME[1] - code.height) // 2))
    luma, blue, red = frame.convert("YCbCr").split()
    half = (FRAME[0] // 2, FRAME[1] // 2)
    planes = luma.tobytes() + blue.resize(half, Image.BOX).tobytes() + red.resize(half, Image.BOX).tobytes()
    header = f"YUV4MPEG2 W{FRAME[0]} H{FRAME[1]} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + (b"FRAME\n" + planes) * 3)
    return path


@pytest.fixture
def camera_phone(playwright_instance, tmp_path):
    """Start a phone whose rear camera sees the QR code of a text; camera=False refuses the camera instead."""
    browsers = []

    def start(text, camera=True):
        video = camera_video(tmp_path / f"camera-{len(browsers)}.y4m", text)
        args = ["--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
        if camera:
            args.append("--use-fake-ui-for-media-stream")
        browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + args)
        browsers.append(browser)
        return browser.new_context(**PHONE, permissions=["camera"] if camera else [])

    yield start
    for browser in browsers:
        browser.close()


def go_home_and_scan(page):
    """Tap the app's name to reach the start screen, then "Scan a QR code"."""
    page.get_by_role("link", name="City audit walk", exact=True).click()
    expect(page.get_by_label("Station code")).to_be_visible()
    page.get_by_role("button", name="Scan a QR code").click()


@pytest.mark.browser
def test_scanned_station_code_opens_that_station_online_and_offline(live, camera_phone):
    """Scanning a station's QR code in the app opens that station with its walk key, and still works offline."""
    link = walk_link(live, "prague-7", "P7-3")
    context = camera_phone(link)
    page = context.new_page()
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    open_walker(page, walk_link(live, "centre", "CE-1"))
    assert not [url for url in fetched if "/lib/" in url], "the decoder is loaded only when scanning"
    go_home_and_scan(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(P7_3)
    expect(page).to_have_url(f"{live.url}/w/prague-7/P7-3")
    # The key came with the scanned link, so this walk's answers can be sent: no "scan a code once" notice.
    expect(page.locator(".problem")).to_have_count(0)
    assert page.evaluate("import('/js/store.js').then((s) => s.getWalkKey('prague-7'))") == link.split("#k=")[1]
    assert [url for url in fetched if "/lib/" in url] == [f"{live.url}/{DECODER}"]
    assert page.evaluate(KEPT_FOR_OFFLINE, DECODER), "the service worker keeps the decoder"

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(P7_3)
    assert page.evaluate("typeof window.jsQR") == "undefined"
    go_home_and_scan(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(P7_3)
    expect(page).to_have_url(f"{live.url}/w/prague-7/P7-3")


# A browser's own QR reader (Android Chrome has one), answering with `text` once the camera shows a picture.
NATIVE_DETECTOR = """(text) => {
  window.BarcodeDetector = class {
    static async getSupportedFormats() { return text === null ? ["ean_13"] : ["ean_13", "qr_code"]; }
    constructor(options) { window.detectorFormats = options.formats; }
    async detect(source) { return source.videoWidth && text ? [{format: "qr_code", rawValue: text}] : []; }
  };
}"""


def scan_with_browser_reader(live, context, text):
    """On the start screen, scan with a browser reader that finds `text` (None: it reads no QR codes).

    Return the page and the list of every URL it fetched."""
    context.add_init_script(f"({NATIVE_DETECTOR})({json.dumps(text)})")
    page = context.new_page()
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    open_walker(page, live.url + "/")
    page.get_by_role("button", name="Scan a QR code").click()
    return page, fetched


@pytest.mark.browser
def test_a_browser_that_reads_qr_codes_itself_downloads_no_decoder(live, camera_phone):
    """Where the browser has a BarcodeDetector for QR codes, the app uses it: the station opens, no decoder is fetched."""
    link = walk_link(live, "prague-7", "P7-3")
    # The camera's picture is blank: only the browser's reader can find this code.
    page, fetched = scan_with_browser_reader(live, camera_phone(None), link)
    expect(page.get_by_role("heading", level=1)).to_have_text(P7_3)
    expect(page).to_have_url(f"{live.url}/w/prague-7/P7-3")
    assert page.evaluate("window.detectorFormats") == ["qr_code"]
    assert not [url for url in fetched if "/lib/" in url]


@pytest.mark.browser
def test_a_browser_reader_without_qr_codes_falls_back_to_the_decoder(live, camera_phone):
    """A BarcodeDetector that reads only other barcodes is passed over for the app's own decoder."""
    page, fetched = scan_with_browser_reader(live, camera_phone(walk_link(live, "prague-7", "P7-3")), None)
    expect(page.get_by_role("heading", level=1)).to_have_text(P7_3)
    assert [url for url in fetched if "/lib/" in url] == [f"{live.url}/{DECODER}"]


@pytest.mark.browser
def test_scanned_foreign_code_says_it_is_not_a_station(live, camera_phone):
    """A QR code of another site, even with a station-like path, is not followed: the walker reads why."""
    foreign = "https://example.org/w/prague-7/P7-3#k=abc"
    page = camera_phone(foreign).new_page()
    page.goto(live.url + "/")
    page.get_by_role("button", name="Scan a QR code").click()
    expect(page.get_by_role("alert").filter(has_text="not a walk or station of this app")).to_contain_text(f"“{foreign}”")
    expect(page).to_have_url(f"{live.url}/")
    expect(page.get_by_label("Station code")).to_be_visible()


@pytest.mark.browser
def test_scanner_shows_the_camera_until_stopped(live, camera_phone):
    """With no code in sight the scanner keeps looking, is accessible, and "Stop scanning" turns the camera off."""
    page = camera_phone(None).new_page()
    page.goto(live.url + "/")
    page.get_by_role("button", name="Scan a QR code").click()
    scanner = page.get_by_role("dialog", name="Scan a QR code")
    expect(scanner).to_contain_text("Point the camera at the station's QR code.")
    page.wait_for_function("() => document.querySelector('dialog.scanner video')?.readyState >= 2")
    assert axe_violations(page) == ""
    scanner.get_by_role("button", name="Stop scanning").click()
    expect(scanner).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_label("Station code")).to_be_visible()


@pytest.mark.browser
def test_refused_camera_leaves_the_typed_code(live, camera_phone):
    """When the camera is refused, the walker reads what to do and can still type the station code."""
    page = camera_phone("unused", camera=False).new_page()
    page.goto(live.url + "/")
    page.get_by_role("button", name="Scan a QR code").click()
    expect(page.get_by_role("alert").filter(has_text="may not use the camera")).to_contain_text(
        "type the station code printed under the QR code")
    page.get_by_label("Station code").fill("p7 3")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(P7_3)


@pytest.mark.browser
def test_iphone_safari_shows_add_to_home_screen_until_dismissed(live, browser):
    """On an iPhone's Safari the app says how to add it to the Home Screen; once dismissed it stays away."""
    context = browser.new_context(**PHONE, user_agent=IPHONE_SAFARI)
    try:
        page = context.new_page()
        open_walker(page, live.url + "/")
        hint = page.locator("#banners").get_by_text(IOS_HINT)
        expect(hint).to_be_visible()
        assert axe_violations(page) == ""
        page.locator("#install-banner").get_by_role("button", name="OK").click()
        expect(hint).to_have_count(0)
        page.reload()
        expect(page.locator("#offline-status")).to_have_text("Ready to work offline.")
        expect(page.get_by_label("Station code")).to_be_visible()
        expect(hint).to_have_count(0)
    finally:
        context.close()


@pytest.mark.browser
def test_other_browsers_get_no_home_screen_hint(live, page):
    """Outside iOS Safari the Share → Add to Home Screen hint never appears."""
    open_walker(page, live.url + "/")
    expect(page.get_by_label("Station code")).to_be_visible()
    expect(page.get_by_text(re.compile("Add to Home Screen"))).to_have_count(0)


def test_decoder_is_cached_on_demand_not_with_the_shell():
    """The QR decoder is never part of the first download, and the offline copy is checked against its file."""
    spec = importlib.util.spec_from_file_location("build_precache", ROOT / "scripts" / "build_precache.py")
    build_precache = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_precache)
    sw = (ROOT / "pwa" / "sw.js").read_text(encoding="utf-8")
    listed = re.findall(r'\["([^"]+)", "([0-9a-f]+)"\]', build_precache.ON_DEMAND_BLOCK.search(sw).group(0))
    assert listed == build_precache.on_demand_entries() and [path for path, _ in listed] == [DECODER]
    assert DECODER not in build_precache.shell_files()
    scanner = (ROOT / "pwa" / "js" / "ui" / "scanner.js").read_text(encoding="utf-8")
    assert f'"../../{DECODER}"' in scanner
