"""The walker app with a checklist unlike INTEGRA's: a 1–4 scale without "don't know", a new language, many topics."""
import pytest
from playwright.sync_api import expect

from server.catalog.definitions import load_checklist, load_walk
from server.extensions import db as _db
from server.models import Answer
from tests.definitions import small_checklist, small_walk

from .conftest import EVERYTHING_SENT, answer_item, open_walker, walk_link


@pytest.fixture
def polish_walk(live):
    """A 1–4 checklist in English and Polish (a language the app has no strings for), 12 topics, on a Brno walk."""
    with live.app.app_context():
        load_checklist(small_checklist(languages=("en", "pl"), topics=12, items_per_topic=1))
        load_walk(small_walk())
        _db.session.commit()
        _db.session.remove()
    return live


@pytest.mark.browser
def test_walker_answers_a_one_to_four_checklist_in_a_new_language_offline(polish_walk, context, page):
    """Offline, the walker picks Polish, sees 12 topics with four scores and no "don't know", and the answers sync."""
    open_walker(page, walk_link(polish_walk, "brno-centre", "BR-1"))
    context.set_offline(True)
    page.goto(walk_link(polish_walk, "brno-centre", "BR-2"))
    page.locator("#lang").select_option("pl")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.locator("#item-q1_1 legend")).to_have_text("Ulica item 1.1")
    expect(page.locator("#item-q12_1 legend")).to_have_text("Ulica item 12.1")
    expect(page.locator("fieldset.item")).to_have_count(12)
    expect(page.locator("#item-q1_1 input[type=radio]")).to_have_count(4)
    expect(page.locator("#i-q1_1-dk")).to_have_count(0)
    page.locator("#topic-t1 > summary").click()
    page.locator("#topic-t12 > summary").click()
    expect(page.locator("#item-q1_1 .hint").first).to_have_text("Ulica poor")
    answer_item(page, "q1_1", 4)
    answer_item(page, "q12_1", 1)
    expect(page.locator("#participant-status")).to_contain_text("Answers: 2")
    page.reload()  # still offline: the answers and the language stay
    expect(page.locator("#i-q1_1-4")).to_be_checked()
    expect(page.locator("#i-q12_1-1")).to_be_checked()
    expect(page.locator("#item-q12_1 legend")).to_have_text("Ulica item 12.1")
    context.set_offline(False)
    page.get_by_role("button", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_have_text(EVERYTHING_SENT, timeout=30_000)
    with polish_walk.app.app_context():
        answers = {(a.item, a.score, a.dont_know, a.station_code)
                   for a in _db.session.execute(_db.select(Answer)).scalars()}
        _db.session.remove()
    assert answers == {("q1_1", 4, False, "BR-2"), ("q12_1", 1, False, "BR-2")}
