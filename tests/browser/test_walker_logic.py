"""The walker app's pure rules (records, sync bookkeeping, codes, languages), run in the browser that runs the app."""
import pytest


@pytest.fixture
def modules(live, page):
    """A page of the app from which its ES modules can be imported."""
    page.goto(live.url + "/")
    return page


RECORD_RULES = """async () => {
  const r = await import('/js/records.js');
  const now = '2018-06-12T10:00:00.000Z';
  let record = r.newRecord({id: 'a', walk: 'prague-7', checklist: {slug: 'integra-city-audit', version: 1},
                            participant: {language: 'cs'}, now, number: 1});
  const out = {};
  record = r.withAnswer(record, 'ue1', {score: 4, dont_know: false}, 'P7-2', now);
  record = r.withAnswer(record, 'ue2', {score: null, dont_know: true}, 'P7-2', now);
  out.beforeSend = record.revision;
  record = r.markSent(record, record.revision);
  record = r.withAnswer(record, 'ue1', {comment: '  too far  '}, 'P7-3', now);
  out.afterEditOfSent = record.revision;
  out.order = record.answers.map((a) => a.item);
  out.wire = r.toWire(record);
  const oldAccepted = r.settle(record, {id: 'a', status: 'accepted', revision: 1}, 1, now);
  out.oldAccepted = [oldAccepted.syncState, oldAccepted.syncedRevision, r.needsSync(oldAccepted)];
  const synced = r.settle(r.markSent(record, 2), {id: 'a', status: 'duplicate', revision: 2}, 2, now);
  out.synced = [synced.syncState, r.needsSync(synced)];
  const refused = r.settle(r.markSent(record, 2), {id: 'a', status: 'rejected',
      errors: {'answers.1.station': ["Unknown station 'P7-9'."]}}, 2, now);
  out.refused = [refused.syncState, refused.refusal.reason, r.needsSync(refused), r.needsSync(refused, {includeRefused: true})];
  const edited = r.withAnswer(refused, 'ue3', {score: 1, dont_know: false}, 'P7-2', now);
  out.editedRefused = [edited.revision, edited.syncState, r.needsSync(edited)];
  const stale = r.settle(edited, {id: 'a', status: 'stale', revision: 7}, 2, now);
  out.staleEditedSince = [stale.revision, r.needsSync(stale)];
  out.emptyNeedsSync = r.needsSync(r.newRecord({id: 'b', walk: 'x', checklist: {slug: 's', version: 1}, now, number: 2}));
  out.backoff = [0, 1, 5, 20].map((n) => [r.backoffDelay(n, () => 0), r.backoffDelay(n, () => 1)]);
  out.chunks = r.chunks([1, 2, 3, 4, 5], 2);
  const backup = r.backupDocument([record, r.newRecord({id: 'b', walk: 'x', checklist: {slug: 's', version: 1}, now, number: 2})], 'dev', now);
  out.backup = [backup.device_id, backup.responses.map((x) => [x.id, x.walk])];
  return out;
}"""


@pytest.mark.browser
def test_record_rules(modules):
    """Edits after a send raise the revision; only accepted/duplicate/stale empty the outbox; refusals keep their reason."""
    out = modules.evaluate(RECORD_RULES)
    assert out["beforeSend"] == 1
    assert out["afterEditOfSent"] == 2
    assert out["order"] == ["ue1", "ue2"]
    wire = out["wire"]
    assert set(wire) == {"id", "revision", "checklist", "checklist_version", "participant", "started_at",
                         "updated_at", "answers"}
    assert wire["participant"] == {"group": None, "language": "cs"}
    assert wire["answers"][0] == {"item": "ue1", "score": 4, "dont_know": False, "comment": "too far",
                                  "station": "P7-3", "answered_at": "2018-06-12T10:00:00.000Z"}
    assert wire["answers"][1]["dont_know"] is True and wire["answers"][1]["score"] is None
    assert out["oldAccepted"] == ["in-progress", 1, True]
    assert out["synced"] == ["synced", False]
    assert out["refused"] == ["refused", "ue2: Unknown station 'P7-9'.", False, True]
    assert out["editedRefused"] == [3, "in-progress", True]
    assert out["staleEditedSince"] == [8, True]
    assert out["emptyNeedsSync"] is False
    assert out["backoff"] == [[2500, 5000], [5000, 10000], [80000, 160000], [300000, 600000]]
    assert out["chunks"] == [[1, 2], [3, 4], [5]]
    assert out["backup"] == ["dev", [["a", "prague-7"]]]


CODES_AND_LANGUAGES = """async () => {
  const route = await import('/js/route.js');
  const i18n = await import('/js/i18n.js');
  const walks = [{slug: 'prague-7', stations: [{code: 'P7-1'}, {code: 'P7-11'}]},
                 {slug: 'centre', stations: [{code: 'CE-3'}, {code: 'P71-1'}]}];
  const find = (typed) => { const f = route.findStation(walks, typed); return f && `${f.walk.slug}/${f.station.code}`; };
  const english = Object.keys(i18n.STRINGS.en);
  const holes = (text) => (text.match(/\\{\\w+\\}/g) || []).sort().join();
  const gaps = {};
  for (const [lang, strings] of Object.entries(i18n.STRINGS)) {
    gaps[lang] = english.filter((key) => !(key in strings) || holes(strings[key]) !== holes(i18n.STRINGS.en[key]));
    gaps[lang].push(...Object.keys(strings).filter((key) => !english.includes(key)));
  }
  i18n.setLanguage('vi');
  const fallback = i18n.localized({en: 'Town hall', cs: 'Radnice'});
  const own = i18n.localized({en: 'Town hall', vi: 'Tòa thị chính'});
  return {
    codes: ['p7-1', ' P7 11 ', 'ce3', 'p71-1', 'P711', 'zz-9', ''].map(find),
    route: [route.parseLocation('/w/prague-7/p7-2#k=abc'), route.parseLocation('/w/Prague-7'), route.parseLocation('/admin/')],
    pick: [i18n.pickLanguage(['de-DE', 'ru-RU', 'en']), i18n.pickLanguage(['fr']), i18n.pickLanguage(['vi-VN'])],
    gaps, fallback, own, text: i18n.t('sync_progress', {sent: 12, total: 26}),
  };
}"""


@pytest.mark.browser
def test_codes_routes_and_languages(modules):
    """Typed codes match loosely but exactly first; links parse; every language has every string with the same blanks."""
    out = modules.evaluate(CODES_AND_LANGUAGES)
    assert out["codes"] == ["prague-7/P7-1", "prague-7/P7-11", "centre/CE-3", "centre/P71-1", "prague-7/P7-11",
                            None, None]
    assert out["route"] == [{"walk": "prague-7", "code": "P7-2", "key": "abc"},
                            {"walk": "prague-7", "code": None, "key": None},
                            {"walk": None, "code": None, "key": None}]
    assert out["pick"] == ["ru", "en", "vi"]
    assert out["gaps"] == {"en": [], "cs": [], "uk": [], "ru": [], "vi": []}
    assert out["fallback"] == {"text": "Town hall", "lang": "en"}
    assert out["own"] == {"text": "Tòa thị chính"}
    assert out["text"] == "đã gửi 12/26"


REMOVED_RULES = """async () => {
  const r = await import('/js/records.js');
  const now = '2018-06-12T10:00:00.000Z';
  let record = r.newRecord({id: 'a', walk: 'prague-7', checklist: {slug: 'integra-city-audit', version: 1}, now, number: 1});
  record = r.markSent(r.withAnswer(record, 'ue1', {score: 4, dont_know: false}, 'P7-2', now), 1);
  const edited = r.withAnswer(record, 'ue2', {score: 2, dont_know: false}, 'P7-2', now);
  const deleted = {id: 'a', status: 'rejected', code: 'deleted', errors: {'': ['This checklist was deleted.']}};
  const removed = r.settle(record, deleted, 1, now);
  const removedEdited = r.settle(edited, deleted, 1, now);
  const other = r.settle(record, {id: 'a', status: 'rejected', errors: {'': ['No.']}}, 1, now);
  return {
    removed: [removed.syncState, r.needsSync(removed), r.needsSync(removed, {includeRefused: true})],
    removedEdited: [removedEdited.syncState, r.needsSync(removedEdited, {includeRefused: true})],
    other: [other.syncState, r.needsSync(other, {includeRefused: true})],
    counts: r.outboxCounts([removed, other]),
    backup: r.backupDocument([removed, other], 'dev', now).responses.length,
    wire: Object.keys(r.toWire(removed)).includes('removedAt'),
  };
}"""


@pytest.mark.browser
def test_a_checklist_deleted_on_the_server_leaves_the_outbox(modules):
    """Rejected as deleted, a checklist (even edited since) is removed: never resent, counted or backed up."""
    out = modules.evaluate(REMOVED_RULES)
    assert out["removed"] == ["removed", False, False]
    assert out["removedEdited"] == ["removed", False]
    assert out["other"] == ["refused", True]
    assert out["counts"] == {"saved": 1, "sent": 0, "unsent": 1}
    assert out["backup"] == 1 and out["wire"] is False
