"""What a walker sees and touches: languages, labels a screen reader can use, codes, the facilitator's counts, updates."""
import json
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

import server.web

from .conftest import EVERYTHING_SENT, PHONE, answer_item, open_walker, walk_link

ROOT = Path(__file__).resolve().parents[2]
CHECKLIST = json.loads((ROOT / "shared_schema" / "checklists" / "integra-city-audit.json").read_text(encoding="utf-8"))
ITEMS = {item["id"]: item for topic in CHECKLIST["topics"] for item in topic["items"]}


def axe_violations(page):
    """Return axe-core's report of the page's violations, empty when there are none."""
    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


@pytest.mark.browser
def test_switching_to_czech_shows_czech_item_text(live, page):
    """Choosing Čeština shows the items, the scale and the app's own words in Czech, and the choice is remembered."""
    open_walker(page, walk_link(live, "prague-7", "P7-3"))
    legend = page.locator("#item-vs4 legend")
    expect(legend).to_have_text(ITEMS["vs4"]["text"]["en"])
    page.get_by_label("Language", exact=True).select_option("cs")
    expect(legend).to_have_text(ITEMS["vs4"]["text"]["cs"])
    expect(page.locator("html")).to_have_attribute("lang", "cs")
    expect(page.get_by_role("radio", name="1 nejhorší")).to_have_count(6)
    expect(page.get_by_role("button", name="Odpovědi")).to_be_visible()
    page.reload()
    expect(page.locator("#item-vs4 legend")).to_have_text(ITEMS["vs4"]["text"]["cs"])
    expect(page.get_by_label("Jazyk", exact=True)).to_have_value("cs")


@pytest.mark.browser
def test_browser_language_is_the_default(live, browser):
    """A phone set to Ukrainian opens the app in Ukrainian without anyone choosing it."""
    context = browser.new_context(**{**PHONE, "locale": "uk-UA"})
    try:
        page = context.new_page()
        page.goto(walk_link(live, "prague-7", "P7-2"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Площа Штросмаєра (Strossmayerovo náměstí)")
        expect(page.locator("#item-ue1 legend")).to_have_text(ITEMS["ue1"]["text"]["uk"])
        expect(page.get_by_label("Мова", exact=True)).to_have_value("uk")
    finally:
        context.close()


@pytest.mark.browser
def test_every_control_has_a_name_and_axe_finds_nothing(live, page):
    """Each item is a group named by its text with named choices; axe-core finds no violation on any screen."""
    open_walker(page, walk_link(live, "prague-7", "P7-3"))
    for item in ("vs4", "cp5", "cp7", "ue4", "ue9", "at5"):
        group = page.get_by_role("group", name=ITEMS[item]["text"]["en"], exact=True)
        expect(group).to_have_count(1)
        for name in ("1 worst", "2", "3", "4", "5 best", "Don't know"):
            expect(group.get_by_role("radio", name=name, exact=True)).to_have_count(1)
        group.get_by_text("Add a comment").click()
        expect(group.get_by_role("textbox", name="Comment (optional)")).to_have_count(1)
    answer_item(page, "vs4", 4)
    answer_item(page, "cp5", "dk")
    page.locator("#topic-vision-services > summary").click()
    page.get_by_text("About you (optional)").click()
    assert axe_violations(page) == ""
    for tab in ("Checklists", "Sync"):
        page.get_by_role("button", name=tab, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert axe_violations(page) == "", tab
    page.goto(live.url + "/")
    expect(page.get_by_label("Station code")).to_be_visible()
    assert axe_violations(page) == ""
    page.get_by_label("Language", exact=True).select_option("vi")
    page.goto(walk_link(live, "prague-7", "P7-2"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Quảng trường Strossmayer (Strossmayerovo náměstí)")
    assert axe_violations(page) == ""


@pytest.mark.browser
def test_typed_station_code_opens_that_station_offline(live, context, page):
    """Typing a station's printed code, in any case and spacing, opens that station even offline; a wrong code says so."""
    open_walker(page, live.url + "/")
    context.set_offline(True)
    code = page.get_by_label("Station code")
    code.fill("ce 3")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wenceslas Square (Václavské náměstí)")
    expect(page).to_have_url(f"{live.url}/w/centre/CE-3")
    page.goto(live.url + "/")
    page.get_by_label("Station code").fill("ZZ-9")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("alert")).to_contain_text("No station “ZZ-9” is saved on this device.")


@pytest.mark.browser
def test_facilitator_view_counts_per_station_and_state(live, page):
    """The sync view counts this device's checklists and answers per station, and saved against sent."""
    open_walker(page, walk_link(live, "prague-7", "P7-2"))
    answer_item(page, "ue1", 4)
    answer_item(page, "ue2", 3)
    page.get_by_role("button", name="New participant").click()
    answer_item(page, "ue1", 2)
    page.get_by_role("link", name="Next station: P7-3").click()
    answer_item(page, "vs4", 5)
    expect(page.locator("#participant-status")).to_contain_text("Answers: 2")
    page.get_by_role("button", name="Sync", exact=True).click()
    counts = page.locator("[data-walk='prague-7']")
    rows = counts.locator("tbody tr")
    expect(rows.filter(has_text="P7-2")).to_have_text("P7-2 · Strossmayer Square (Strossmayerovo náměstí)23")
    expect(rows.filter(has_text="P7-3")).to_contain_text("11")
    expect(rows.filter(has_text="P7-1")).to_contain_text("00")
    expect(counts.locator(".walk-count")).to_have_text("Checklists saved on this phone: 2 · sent: 0.")
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT)
    expect(counts.locator(".walk-count")).to_have_text("Checklists saved on this phone: 2 · sent: 2.")


@pytest.mark.browser
def test_new_version_waits_until_the_walker_agrees(live, page, tmp_path, monkeypatch):
    """A new app version shows "update available" and reloads only when tapped, keeping the answers given meanwhile."""
    open_walker(page, walk_link(live, "prague-7", "P7-4"))
    page.evaluate("window.stillTheSamePage = true")
    released = tmp_path / "pwa"
    shutil.copytree(ROOT / "pwa", released)
    worker = released / "sw.js"
    worker.write_text(worker.read_text(encoding="utf-8").replace('const VERSION = "', 'const VERSION = "next-'),
                      encoding="utf-8")
    monkeypatch.setattr(server.web, "PWA_DIR", released)
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    expect(page.get_by_text("A new version of the app is ready.")).to_be_visible(timeout=10_000)
    answer_item(page, "cp5", 4)
    page.wait_for_timeout(500)
    assert page.evaluate("window.stillTheSamePage") is True
    page.get_by_role("button", name="Update now").click()
    page.wait_for_function("window.stillTheSamePage === undefined")
    expect(page.locator("#i-cp5-4")).to_be_checked()
    caches = page.evaluate("caches.keys()")
    assert len(caches) == 1 and caches[0].startswith("walker-shell-next-")


@pytest.mark.browser
def test_a_code_typed_while_the_walks_load_is_not_wiped(live, page):
    """On a first, slow visit the start screen redraws when the walks arrive; what the walker typed stays."""
    held = []
    page.route("**/api/v1/walks", lambda route: held.append(route))
    page.goto(live.url + "/")
    page.get_by_label("Station code").fill("p7 3")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the app asks for the walks on its first visit"
    held[0].continue_()
    expect(page.get_by_text("Prague 7: Holešovice and Letná")).to_be_visible()
    expect(page.get_by_label("Station code")).to_have_value("p7 3")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Holešovice Market, Vietnamese market hall (Holešovická tržnice)")


# Text that runs past its box (content spilling out of a box that does not scroll), a page wider than the
# phone, and a language menu too narrow for the chosen name: what a walker would find cut or hidden.
CUT_TEXT = """() => {
  const cut = [];
  if (document.documentElement.scrollWidth > window.innerWidth) cut.push(`page ${document.documentElement.scrollWidth}px`);
  for (const element of document.querySelectorAll("body *")) {
    if (element.offsetParent === null || element.closest(".visually-hidden")) continue;
    const spills = getComputedStyle(element).overflowX === "visible" && element.scrollWidth > element.clientWidth + 1;
    if (spills && element.clientWidth > 0) cut.push(`${element.tagName} “${element.textContent.trim().slice(0, 40)}”`);
  }
  // A select draws its chosen option's text beside the arrow (about 20 px) inside its padding and border.
  const select = document.querySelector("header select");
  const style = getComputedStyle(select);
  const pen = document.createElement("canvas").getContext("2d");
  pen.font = style.font;
  const needed = pen.measureText(select.selectedOptions[0].text).width + 20 + parseFloat(style.paddingLeft)
    + parseFloat(style.paddingRight) + parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth);
  if (needed > select.offsetWidth) cut.push(`SELECT “${select.selectedOptions[0].text}”`);
  return cut;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 360])
def test_no_words_are_cut_on_a_small_phone_in_any_language(live, browser, width):
    """On a 320 or 360 px wide phone, in each of the five languages, no screen has words cut or text spilling out."""
    context = browser.new_context(**{**PHONE, "viewport": {"width": width, "height": 700}})
    try:
        page = context.new_page()
        open_walker(page, walk_link(live, "prague-7", "P7-3"))
        answer_item(page, "vs4", "4")
        for summary in page.locator("details > summary").all():
            summary.click()  # the profile, each topic and each comment box, opened
        for language in ("en", "cs", "uk", "ru", "vi"):
            page.locator("header select").select_option(language)
            expect(page.locator("html")).to_have_attribute("lang", language)
            for tab in range(3):
                page.locator("#sections button").nth(tab).click()
                assert page.evaluate(CUT_TEXT) == [], (language, tab)
        page.goto(live.url + "/")  # the start screen, with its code box
        for language in ("en", "cs", "uk", "ru", "vi"):
            page.locator("header select").select_option(language)
            assert page.evaluate(CUT_TEXT) == [], (language, "start")
    finally:
        context.close()
