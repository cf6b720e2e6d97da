"""Browser fixtures: the real app served over HTTP and driven in Debian's Chromium."""
import os
import re
import shutil
import threading
import time

import pytest
from werkzeug.serving import make_server

from server.catalog.definitions import seed_shared
from server.extensions import db as _db

from ..conftest import clear_database, make_app

# What the sync status says once nothing is waiting: every checklist saved on the phone was sent.
EVERYTHING_SENT = re.compile(r"Checklists saved on this phone: (\d+) · sent: \1\.$")  # and no photo waiting
# The one count every screen shows, with nothing sent yet.
WAITING_ONE = "Checklists saved on this phone: 1 · sent: 0."
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-gpu", "--no-first-run"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "en-GB"}


class LiveServer:
    """The app on a loopback port, in a thread of the test process."""

    def __init__(self, app):
        self.app = app
        self.busy, self.lock = 0, threading.Lock()
        self.server = make_server("127.0.0.1", 0, self._counted, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _counted(self, environ, start_response):
        """Run the app, keeping count of the requests it is still working on.

        Counted until the app returns its response: the view's database work is done by then. (After the
        body is sent, the development server may wait on an idle keep-alive socket before closing it.)
        """
        with self.lock:
            self.busy += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self.lock:
                self.busy -= 1

    def wait_until_idle(self, quiet=0.1, timeout=15):
        """Wait until no request has been in progress for `quiet` seconds (a closed page's last sync, say)."""
        deadline, idle_since = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            if self.busy:
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= quiet:
                return
            time.sleep(0.01)

    def reset(self):
        """Empty the database and load the shipped checklist and walks, once the last test's requests are done."""
        # A sync still running from the last test would write between the deletes of different tables.
        self.wait_until_idle()
        with self.app.app_context():
            clear_database()
            seed_shared()
            _db.session.remove()


@pytest.fixture(scope="session")
def live_server(_schema):
    """Serve the app over HTTP for the browser; its PUBLIC_URL is its own address."""
    app = make_app(_schema, PUBLIC_URL=None)
    server = LiveServer(app)
    server.thread.start()
    yield server
    server.server.shutdown()
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def live(live_server):
    """The live server with fresh data: the INTEGRA checklist and the three Prague walks."""
    live_server.reset()
    return live_server


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    """Headless Debian Chromium."""
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser):
    """A fresh phone-sized browser profile."""
    context = browser.new_context(**PHONE)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A tab in the phone-sized profile; the test fails if the page breaks its Content-Security-Policy."""
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    assert violations == [], violations


# Helpers for driving the walker app (pwa/).

def walk_link(live, slug, code=None):
    """Return the link a walk's (or a station's) QR code carries, with the walk's current key."""
    from server.catalog.links import station_url, walk_url
    from server.models import Walk
    with live.app.app_context():
        walk = _db.session.execute(_db.select(Walk).where(Walk.slug == slug)).scalar_one()
        link = station_url(walk, walk.station(code), base=live.url) if code else walk_url(walk, base=live.url)
        _db.session.remove()
    return link


def open_walker(page, url):
    """Open a walker app link and wait until the app has saved what it needs to work offline."""
    from playwright.sync_api import expect
    page.goto(url)
    expect(page.locator("#offline-status")).to_have_text("Ready to work offline.", timeout=20_000)


def answer_item(page, item, value):
    """Tap an answer for an item: 1–5 or "dk" for "don't know"."""
    page.locator(f"label[for='i-{item}-{value}']").click()


def live_admin_token(live):
    """Make an admin API token on the live server; return its plaintext."""
    from tests.conftest import make_token
    with live.app.app_context():
        token = make_token("admin")
        _db.session.remove()
    return token


def launch_phone(playwright_instance, user_data_dir, **options):
    """Start Chromium with a profile kept on disk, as a phone that is switched off and on again."""
    return playwright_instance.chromium.launch_persistent_context(
        user_data_dir, executable_path=CHROMIUM, args=CHROMIUM_ARGS, **PHONE, **options)
