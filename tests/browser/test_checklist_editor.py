"""The console's checklist editor in Chromium at laptop size: build a checklist in the page, reorder it, preview, save."""
import pytest
from playwright.sync_api import expect

from server.extensions import db as _db
from tests.conftest import make_user

from .test_console import axe_violations, sign_in

LAPTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "en-GB"}


@pytest.fixture
def laptop(browser):
    """A laptop-sized browser profile."""
    context = browser.new_context(**LAPTOP)
    yield context.new_page()
    context.close()


def preview(page, selector):
    """Return the texts the phone preview shows for a selector, in order."""
    return page.locator(f".phone-screen {selector}").all_inner_texts()


@pytest.mark.browser
def test_admin_builds_reorders_previews_and_saves_a_checklist_without_reloads(live, laptop):
    """An admin adds a topic and items in the page, drags a topic and moves an item with the keyboard, sees the
    preview follow as they type, and saves: the stored checklist has the new order."""
    page = laptop
    with live.app.app_context():
        make_user("anna")
        _db.session.remove()
    sign_in(page, live, "/admin/checklists/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New checklist")
    page.wait_for_selector("form[data-editor-ready]")
    page.evaluate("window.sameDocument = true")  # gone if any button reloads the page

    page.fill("[name=slug]", "brno-bikes")
    page.fill("[name=title_en]", "Brno by bike")
    page.fill("[name=t0_title_en]", "Streets")
    page.fill("[name=t0_i0_text_en]", "Kerbs are low at crossings.")
    expect(page.locator(".phone-screen .phone-bar")).to_have_text("Brno by bike")

    page.get_by_role("button", name="Add a topic").click()
    expect(page.locator("fieldset.topic")).to_have_count(2)
    expect(page.locator("[name=t1_title_en]")).to_be_focused()
    page.keyboard.type("Parks")
    page.fill("[name=t1_i0_text_en]", "Benches stand in the shade.")
    page.get_by_role("button", name="Add an item to topic 2").click()
    page.fill("[name=t1_i1_text_en]", "Paths are lit at night.")
    expect(page.locator("[name=t1_i1_id]")).to_have_value("item3")
    czech = page.locator("td.text-cell", has=page.locator("[name=t1_i1_text_cs]"))
    expect(czech).to_have_class("text-cell untranslated")
    expect(czech.locator(".flag")).to_have_text("untranslated")
    expect(page.locator("[data-missing=cs]")).to_have_text("6 untranslated")
    page.fill("[name=t1_i1_text_cs]", "Cesty jsou v noci osvětlené.")
    expect(czech).not_to_have_class("text-cell untranslated")
    expect(page.locator("[data-missing=cs]")).to_have_text("5 untranslated")
    assert preview(page, ".phone-topic") == ["Streets", "Parks"]
    assert preview(page, ".phone-item legend") == [
        "Kerbs are low at crossings.", "Benches stand in the shade.", "Paths are lit at night."]

    # Drag the second topic above the first by its handle.
    page.locator("#topic-0").evaluate("topic => topic.scrollIntoView()")  # both topics in view: no scrolling mid-drag
    page.drag_and_drop("#topic-1 legend .drag-handle", "#topic-0", target_position={"x": 200, "y": 12})
    expect(page.locator("[name=t0_title_en]")).to_have_value("Parks")
    expect(page.locator(".phone-screen .phone-topic")).to_have_text(["Parks", "Streets"])
    # Move an item up with the keyboard: focus its button and press Enter.
    page.get_by_role("button", name="Move item item3 up").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Move item item3 up")).to_be_disabled()
    expect(page.get_by_role("button", name="Move item item3 down")).to_be_focused()
    expect(page.locator("[data-announce]")).to_have_text("Item item3 is now item 1 of topic 1.")
    expect(page.locator(".phone-screen .phone-item legend")).to_have_text(
        ["Paths are lit at night.", "Benches stand in the shade.", "Kerbs are low at crossings."])
    # Drag an item into the other topic, below its item.
    page.locator("#item-0-1").evaluate("row => { row.scrollIntoView({block: 'start'}); window.scrollBy(0, -60); }")
    below = page.locator("[data-item]", has=page.locator("[name$=_id][value=item1]")).bounding_box()
    page.drag_and_drop("#item-0-1 .drag-handle", "#item-1-0", target_position={"x": 40, "y": below["height"] - 4})
    expect(page.locator("[name=t1_i1_id]")).to_have_value("item2")
    expect(page.locator("[name=topics]")).to_have_value("2")
    expect(page.locator("[name=t0_items]")).to_have_value("1")
    expect(page.locator(".phone-screen .phone-item legend")).to_have_text(
        ["Paths are lit at night.", "Kerbs are low at crossings.", "Benches stand in the shade."])
    # Czech preview: the Czech text where there is one, the English marked where there is none.
    page.get_by_label("Preview in").select_option("cs")
    expect(page.locator(".phone-screen .phone-item legend").first).to_have_text("Cesty jsou v noci osvětlené.")
    expect(page.locator(".phone-screen .phone-item legend.fallback")).to_have_count(2)
    # A 1–4 scale without "don't know" shows at once in the preview and in the words for scores.
    page.get_by_label("Best score").select_option("4")
    page.get_by_label("Offer \"don't know\"").uncheck()
    expect(page.locator(".phone-screen .phone-item").first.locator(".num")).to_have_text(["1", "2", "3", "4"])
    expect(page.locator(".phone-screen .phone-dk")).to_have_count(0)
    expect(page.locator("[data-scale-labels] tr")).to_have_count(4)
    assert axe_violations(page) == ""
    assert page.evaluate("window.sameDocument") is True

    page.get_by_role("button", name="Save checklist").click()
    expect(page.locator(".notice-ok")).to_contain_text("Checklist brno-bikes created.")
    saved = page.request.get(f"{live.url}/api/v1/checklists/brno-bikes").json()
    assert [topic["title"]["en"] for topic in saved["topics"]] == ["Parks", "Streets"]
    assert [[item["id"] for item in topic["items"]] for topic in saved["topics"]] == [["item3"], ["item1", "item2"]]
    assert saved["topics"][0]["items"][0]["text"] == {"en": "Paths are lit at night.",
                                                      "cs": "Cesty jsou v noci osvětlené."}
    assert saved["scale"]["max"] == 4 and saved["scale"]["dont_know"] is False and saved["version"] == 1
