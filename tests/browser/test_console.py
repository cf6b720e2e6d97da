"""The admin console in Chromium on a phone: sign in, read the report for one walk, download the workbooks."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import expect

import server.console.status
from server.extensions import db as _db
from server.models import Walk
from tests.conftest import (
    CONSOLE_PASSWORD,
    make_answer,
    make_record,
    make_user,
    post_sync,
    sync_prague_2018,
)


def axe_violations(page):
    """Return axe-core's report of the page's violations, empty when there are none."""
    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


@pytest.fixture
def audit(live):
    """The 26 checklists of 2018 on the live server, an admin and a facilitator of Prague 7."""
    with live.app.app_context():
        walks = {walk.slug: walk for walk in _db.session.execute(_db.select(Walk)).scalars()}
        sync_prague_2018(live.app.test_client(), walks)
        make_user("anna")
        make_user("fiona", "facilitator", walks=["prague-7"])
        _db.session.remove()
    return live


def sign_in(page, live, path, username="anna"):
    """Open a console page, get sent to the sign-in form, and sign in."""
    page.goto(live.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(CONSOLE_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
def test_admin_reads_the_report_for_a_walk_and_downloads_it(audit, page, tmp_path):
    """An admin signs in on a phone, filters the report by a walk and opens the downloaded XLSX files."""
    sign_in(page, audit, "/admin/report")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit report")
    expect(page.locator(".report-head .big-number")).to_contain_text("26 checklists")
    expect(page.locator("svg.chart-topic")).to_have_count(4)

    page.locator(".filters summary").click()  # folded on a phone
    page.get_by_label("Walk", exact=True).select_option(label="Libuš: SAPA marketplace")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"walk=libus"))
    expect(page.locator(".report-head .big-number")).to_contain_text("8 checklists")
    expect(page.locator(".filter-summary")).to_contain_text("Libuš: SAPA marketplace")
    assert axe_violations(page) == ""

    with page.expect_download() as report_download:
        page.get_by_role("link", name="Report as Excel (XLSX)").click()
    report_file = tmp_path / "report.xlsx"
    report_download.value.save_as(report_file)
    about = {row[0]: row[1] for row in load_workbook(report_file, read_only=True)["About"].iter_rows(values_only=True)}
    assert about["Filter: walk"] == "libus" and about["Checklists"] == 8

    page.get_by_role("link", name="Downloads").click()
    page.locator(".filters summary").click()  # folded on a phone
    page.get_by_label("Walk", exact=True).select_option(label="Libuš: SAPA marketplace")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".big-number")).to_contain_text("8 checklists match")
    with page.expect_download() as responses_download:
        page.get_by_role("link", name="Excel workbook (XLSX)").click()
    responses_file = tmp_path / "responses.xlsx"
    responses_download.value.save_as(responses_file)
    workbook = load_workbook(responses_file, read_only=True)
    rows = list(workbook["Responses"].iter_rows(values_only=True))
    walk_column = rows[0].index("walk")
    assert len(rows) == 1 + 8 and {row[walk_column] for row in rows[1:]} == {"libus"}
    comments = [cell for row in workbook["Answers"].iter_rows(values_only=True) for cell in row
                if isinstance(cell, str) and "SAPA" in cell]
    assert comments, "the Czech comments about SAPA are in the answers sheet"


@pytest.mark.browser
def test_walk_and_status_pages_work_on_a_phone(audit, page, monkeypatch):
    """A facilitator's phone shows the walk's station links and its live status, which updates itself."""
    monkeypatch.setattr(server.console.status, "REFRESH_SECONDS", 1)
    sign_in(page, audit, "/admin/walks/prague-7", "fiona")
    expect(page.get_by_role("heading", level=1)).to_have_text("Prague 7: Holešovice and Letná")
    link = page.get_by_label("Link in the QR code of P7-3")
    expect(link).to_have_value(re.compile(rf"^{re.escape(audit.url)}/w/prague-7/P7-3#k="))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == ""
    page.get_by_role("link", name="8 checklists received: live status").click()
    expect(page.get_by_role("heading", name="By station")).to_be_visible()
    expect(page.locator(".big-number")).to_have_text("8 checklists received")
    with audit.app.app_context():
        walk = _db.session.execute(_db.select(Walk).where(Walk.slug == "prague-7")).scalar_one()
        assert post_sync(audit.app.test_client(), walk, [make_record([make_answer("vs1", 4)])]).status_code == 200
        _db.session.remove()
    expect(page.locator(".big-number")).to_have_text("9 checklists received", timeout=5_000)
    expect(page.locator("[data-refresh-state]")).to_contain_text("Updated at")
    assert axe_violations(page) == ""
    expect(page.get_by_role("link", name="Report")).to_have_count(0)


@pytest.mark.browser
def test_admin_adds_a_facilitator_on_a_phone(live, page):
    """An admin on a phone adds Kateřina as facilitator of Libuš; the Users pages pass axe and fit the screen."""
    with live.app.app_context():
        make_user("anna")
        _db.session.remove()
    sign_in(page, live, "/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    assert axe_violations(page) == ""
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Username").fill("Kateřina")
    page.get_by_label("Libuš: SAPA marketplace").check()
    page.get_by_label("First password").fill("Letná-park-2018")
    page.get_by_label("The same password again").fill("Letná-park-2018")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("status")).to_have_text("Kateřina can now sign in as facilitator of libus.")
    expect(page.get_by_role("row", name=re.compile("Kateřina"))).to_contain_text("Libuš: SAPA marketplace")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name="Kateřina").click()
    expect(page.get_by_label("Libuš: SAPA marketplace")).to_be_checked()
    assert axe_violations(page) == ""


@pytest.mark.browser
def test_report_reads_on_a_390_px_phone(audit, browser):
    """At 390 px the report page never scrolls sideways (wide tables and charts scroll in their own box), and
    the filters are folded behind one line that says what is chosen."""
    from .conftest import PHONE
    context = browser.new_context(**{**PHONE, "viewport": {"width": 390, "height": 844}})
    try:
        page = context.new_page()
        sign_in(page, audit, "/admin/report")
        expect(page.locator(".report-head .big-number")).to_contain_text("26 checklists")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')].filter((el) => {
          const box = el.getBoundingClientRect();
          if (box.right <= 391 || box.width === 0) return false;
          // A map is a pannable window: its tiles run past its edges by design; the map itself must still fit.
          if (el.parentElement.closest('.leaflet-container')) return false;
          for (let up = el.parentElement; up; up = up.parentElement) {
            if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) return false;
          }
          return true;
        }).map((el) => el.tagName + '.' + el.className)""")
        assert wide == []
        walk = page.get_by_label("Walk", exact=True)
        expect(walk).to_be_hidden()
        page.locator(".filters summary").click()
        expect(walk).to_be_visible()
        walk.select_option(label="Libuš: SAPA marketplace")
        page.get_by_role("button", name="Apply filters").click()
        expect(page.locator(".report-head .big-number")).to_contain_text("8 checklists")
        expect(page.get_by_label("Walk", exact=True)).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(page) == ""
    finally:
        context.close()


@pytest.mark.browser
def test_facilitator_walk_page_shows_the_live_tally(audit, page, monkeypatch):
    """The facilitator's walk page counts what the group has sent, per station, and updates by itself."""
    monkeypatch.setattr(server.console.status, "REFRESH_SECONDS", 1)
    sign_in(page, audit, "/admin/walks/prague-7", "fiona")
    tally = page.locator("#walk-tally")
    expect(tally.locator(".big-number")).to_have_text("8 checklists received so far")
    p7_1 = tally.locator("li").filter(has_text="P7-1")
    before = int(p7_1.locator("strong").inner_text())
    with audit.app.app_context():
        walk = _db.session.execute(_db.select(Walk).where(Walk.slug == "prague-7")).scalar_one()
        record = make_record([make_answer("vs1", 4, station="P7-1")])
        assert post_sync(audit.app.test_client(), walk, [record]).status_code == 200
        _db.session.remove()
    expect(tally.locator(".big-number")).to_have_text("9 checklists received so far", timeout=5_000)
    expect(p7_1.locator("strong")).to_have_text(str(before + 1))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == ""
