/**
 * The walker app's entry: reads the walk and station from the address and the walk key from the fragment,
 * shows the right screen, and writes every change to the device at once (store.js) before anything else.
 */
import {HttpError, NetworkError} from "./api.js";
import {ensureChecklist, ensureWalk, refreshCatalog} from "./catalog.js";
import {LANGUAGES, formatTime, language, localized, pickLanguage, setLanguage, t} from "./i18n.js";
import {preparePhoto, sha256Hex} from "./photo-file.js";
import {
  backupDocument, namedFiles, needsSync, newRecord, setAside, withAnswer, withParticipant, withPhoto, withPhotoChange,
  withoutPhoto,
} from "./records.js";
import {appPath, findStation, parseLocation, rootPath} from "./route.js";
import * as store from "./store.js";
import {deviceId, onSyncStatus, syncNow, syncSoon, syncStatus, waitingPhotos} from "./sync.js";
import {deviceView, problemText} from "./ui/device.js";
import {fill, h} from "./ui/dom.js";
import {homeView} from "./ui/home.js";
import {recordsView} from "./ui/records.js";
import {canScan, scanQr} from "./ui/scanner.js";
import {stationView} from "./ui/station.js";
import {banner, clearTransientBanners, setupInstallHint, setupServiceWorker, translateBanners} from "./ui/updates.js";

// Quiet time after an edit before sending it; on failure the backoff takes over.
const AUTO_SYNC_DELAY = 30000;

const viewArea = document.getElementById("view");
const syncLine = document.getElementById("sync-status");
const offlineLine = document.getElementById("offline-status");
const app = {tab: "answer", view: null, walk: null, checklist: null, station: null, record: null, swReady: false,
  held: new Set()};
// Warn when the browser's storage for this app is this full.
const QUOTA_WARNING = 0.8;
let writes = Promise.resolve();

/** Queue a change to the device's data; changes run one at a time, in order. */
function queueWrite(change) {
  const done = writes.then(change);
  writes = done.catch((error) => {
    banner("save-error", () => [t("save_failed", {reason: error.message})], {dismissible: true, role: "alert"});
  });
  return done;
}

async function captureKey() {
  const {walk, key} = parseLocation(location.href);
  if (!walk || !key) return;
  // Keep the key, then drop it from the visible address so it is not shared by accident.
  history.replaceState(history.state, "", location.pathname + location.search);
  if ((await store.getWalkKey(walk)) === key) return;
  await store.setWalkKey(walk, key);
  await store.setMeta(`problem:${walk}`, null);
}

async function loadWalk(slug) {
  try {
    const walk = await ensureWalk(slug);
    return {walk, checklist: await ensureChecklist(walk.checklist)};
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) return {error: t("walk_not_found", {walk: slug})};
    if (error instanceof NetworkError) return {error: t("walk_unknown_offline")};
    return {error: t("load_failed", {reason: error.message})};
  }
}

async function currentRecord(slug) {
  const id = await store.getMeta(`current:${slug}`);
  return (id && (await store.getRecord(id))) || null;
}

async function walkNotices(slug) {
  const problem = (await store.getMeta(`problem:${slug}`)) || ((await store.getWalkKey(slug)) ? null : {code: "key_missing"});
  const message = problemText(problem);
  return message ? [h("p", {class: "problem", role: "alert"}, message)] : [];
}

async function answerScreen() {
  const route = parseLocation(location.href);
  app.walk = app.checklist = app.station = app.record = null;
  if (!route.walk) {
    return homeView({walks: await store.listWalks(), canScan: canScan(), notice: app.notice,
      actions: {openCode, scan}});
  }
  const loaded = await loadWalk(route.walk);
  if (loaded.error) {
    return homeView({walks: await store.listWalks(), canScan: canScan(), notice: app.notice || loaded.error,
      actions: {openCode, scan}});
  }
  const {walk} = loaded;
  const station = route.code ? walk.stations.find((s) => s.code === route.code) : null;
  const record = await currentRecord(walk.slug);
  // A checklist started before the walk moved to a newer checklist version keeps its own version.
  const checklist = record && record.checklist_version !== loaded.checklist.version
    ? await ensureChecklist({slug: record.checklist, version: record.checklist_version}) : loaded.checklist;
  Object.assign(app, {walk, checklist, station, record});
  const notices = h("div", {class: "notices", id: "notices"}, await walkNotices(walk.slug),
    route.code && !station && h("p", {class: "problem", role: "alert"}, t("station_not_found", {code: route.code})));
  document.title = `${localized(station?.title || walk.title).text} – ${t("app_title")}`;
  await refreshHeld();
  return stationView({walk, checklist, station, record, notices, loadFile: store.getMedia, heldFiles: () => app.held,
    actions: {answer, profile, newParticipant, addPhoto, changePhoto, removePhoto, addVoice, notify: photoNotice}});
}

async function recordsScreen() {
  const records = await store.listRecords();
  const walks = await store.listWalks();
  const currentIds = new Set(await Promise.all(walks.map((w) => store.getMeta(`current:${w.slug}`))));
  return recordsView({records, walks, currentIds, loadFile: store.getMedia,
    actions: {resume, newParticipant: app.walk && newParticipant}});
}

async function deviceScreen() {
  const walks = await store.listWalks();
  const problems = new Map(await Promise.all(walks.map(async (w) => [w.slug, await store.getMeta(`problem:${w.slug}`)])));
  const keys = new Set((await Promise.all(walks.map(async (w) => (await store.getWalkKey(w.slug)) && w.slug))).filter(Boolean));
  return deviceView({walks, records: await store.listRecords(), problems, keys,
    lastSync: await store.getMeta("lastSync"), storage: await store.getMeta("persisted"),
    photosWaiting: (await waitingPhotos()).length, usage: await storageUse(),
    deviceId: await deviceId(), offlineReady: await offlineReady(),
    actions: {syncNow: () => syncNow({manual: true}), backup: downloadBackup}});
}

const SCREENS = {answer: answerScreen, records: recordsScreen, device: deviceScreen};

let rendering = Promise.resolve();

function unsavedTyping() {
  return [...viewArea.querySelectorAll("input[type=text], textarea")]
    .filter((field) => field.id && field.value !== field.defaultValue)
    .map((field) => [field.id, field.value]);
}

function restoreTyping(typing) {
  // A redraw (a refresh landing, a sync finishing) must not wipe what the walker is typing.
  for (const [id, value] of typing) {
    const field = document.getElementById(id);
    if (field && field.value === field.defaultValue) field.value = value;
  }
}

/** Render the current tab; keeps focus on the control that had it, or moves it to the title after navigating. */
function show(options = {}) {
  // One render at a time, in call order: a background refresh and a typed code must not interleave
  // (a screen sets the current walk and station while it draws), and the latest call draws last.
  rendering = rendering.then(() => render(options), () => render(options));
  return rendering;
}

async function render({moveFocus = false} = {}) {
  // Draw from the stored state only once the changes already made are written.
  await writes;
  const focused = document.activeElement?.id;
  const view = await SCREENS[app.tab]();
  const typing = unsavedTyping();
  app.view = view;
  fill(viewArea, view);
  restoreTyping(typing);
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.setAttribute("aria-current", button.dataset.tab === app.tab ? "page" : "false");
  }
  if (app.tab !== "answer") document.title = `${view.querySelector("h1").textContent} – ${t("app_title")}`;
  else if (!app.walk) document.title = t("app_title");
  if (moveFocus) {
    clearTransientBanners();
    window.scrollTo(0, 0);
    document.getElementById("view-title")?.focus();
  } else if (focused && document.getElementById(focused) && !viewArea.contains(document.activeElement)) {
    document.getElementById(focused).focus();
  }
}

/** Go to an app path (a walk or station) without reloading. */
function go(path) {
  history.pushState(null, "", path);
  app.tab = "answer";
  app.notice = null;
  return show({moveFocus: true});
}

async function startRecord(walk, checklist, now) {
  const records = await store.listRecords(walk.slug);
  const record = newRecord({id: crypto.randomUUID(), walk: walk.slug, checklist, now,
    number: Math.max(0, ...records.map((r) => r.number || 0)) + 1, participant: {language: language()}});
  await store.putRecord(record);
  await store.setMeta(`current:${walk.slug}`, record.id);
  return record;
}

/** Apply one change to the current participant's checklist, starting it on the first answer. */
function edit(apply) {
  const {walk, checklist, station} = app;
  return queueWrite(async () => {
    const now = new Date().toISOString();
    const record = (await currentRecord(walk.slug)) || (await startRecord(walk, checklist, now));
    const saved = await store.updateRecord(record.id, (r) => apply(r, station?.code ?? null, now));
    if (app.walk?.slug === walk.slug) {
      app.record = saved;
      app.view?.show?.(saved);
    }
    syncSoon(AUTO_SYNC_DELAY);
    updateStatus();
    return saved;
  });
}

function answer(item, change) {
  // A failed write is already reported on screen by queueWrite.
  return edit((record, station, now) => withAnswer(record, item, change, station, now)).then(askPersistence, () => {});
}

/** Keep which files the server has confirmed, for the photo cards' "on the server" line. */
async function refreshHeld() {
  app.held = new Set((await store.listMedia()).filter((m) => m.uploaded).map((m) => m.sha256));
}

/** Return {usage, quota} of this app's storage in bytes, or null where the browser does not say. */
async function storageUse() {
  try {
    const estimate = await navigator.storage?.estimate?.();
    return estimate?.quota ? {usage: estimate.usage || 0, quota: estimate.quota} : null;
  } catch {
    return null;
  }
}

function photoNotice(message, role = "status") {
  app.view?.photos?.setStatus(message);
  if (role === "alert") banner("photo-banner", () => [message], {dismissible: true, role: "alert"});
}

/** Resize a camera or gallery file, keep it on the device at once, and add it to the participant's checklist. */
async function addPhoto(file) {
  const {walk} = app;
  photoNotice(t("photo_preparing"));
  let prepared;
  try {
    prepared = await preparePhoto(file);
  } catch (error) {
    photoNotice(t("photo_unreadable"), "alert");
    return;
  }
  const now = new Date().toISOString();
  try {
    // The file first: a checklist never names a photo the device does not hold.
    await store.putMedia({sha256: prepared.sha256, walk: walk.slug, kind: "photo", blob: prepared.blob,
      type: prepared.type, bytes: prepared.bytes, created_at: now});
  } catch (error) {
    photoNotice(t("photo_not_saved", {reason: error.message}), "alert");
    return;
  }
  const photo = {id: crypto.randomUUID(), sha256: prepared.sha256, bytes: prepared.bytes, content_type: prepared.type,
    width: prepared.width, height: prepared.height, taken_at: now};
  await edit((record, station, at) => withPhoto(record, photo, station, at)).catch(() => {});
  photoNotice(t("photo_saved"));
  const use = await storageUse();
  if (use && use.usage / use.quota > QUOTA_WARNING) photoNotice(t("storage_nearly_full"), "alert");
  askPersistence().catch(() => {});
}

function changePhoto(id, change) {
  return edit((record, _station, now) => withPhotoChange(record, id, change, now)).catch(() => {});
}

async function removePhoto(id) {
  const photo = app.record?.photos?.find((p) => p.id === id);
  await edit((record, _station, now) => withoutPhoto(record, id, now)).catch(() => {});
  if (!photo) return;
  await queueWrite(async () => {
    // Only a file no checklist names any more, and that the server never confirmed, leaves the device.
    const named = namedFiles(await store.listRecords());
    for (const sha of [photo.sha256, photo.voice?.sha256].filter(Boolean)) {
      const entry = await store.getMedia(sha);
      if (entry && !named.has(sha) && !entry.uploaded) await store.deleteMedia(sha);
    }
  });
}

async function addVoice(id, blob, seconds) {
  const sha256 = await sha256Hex(blob);
  await store.putMedia({sha256, walk: app.walk.slug, kind: "voice", blob, type: blob.type || "audio/webm",
    bytes: blob.size, created_at: new Date().toISOString()});
  const voice = {sha256, bytes: blob.size, content_type: blob.type || "audio/webm", duration_s: Math.round(seconds * 10) / 10};
  await changePhoto(id, {voice});
}

function profile(change) {
  return edit((record, _station, now) => withParticipant(record, change, now)).catch(() => {});
}

async function newParticipant() {
  const slug = app.walk.slug;
  await queueWrite(async () => {
    const id = await store.getMeta(`current:${slug}`);
    if (id) await store.updateRecord(id, setAside);
    await store.setMeta(`current:${slug}`, null);
  });
  app.tab = "answer";
  await show({moveFocus: true});
  banner("participant-banner", () => [t("new_started")], {transient: true});
  updateStatus();
}

async function resume(record) {
  await queueWrite(async () => {
    const id = await store.getMeta(`current:${record.walk}`);
    if (id && id !== record.id) await store.updateRecord(id, setAside);
    await store.setMeta(`current:${record.walk}`, record.id);
  });
  const latest = [...record.answers].sort((a, b) => String(a.answered_at).localeCompare(String(b.answered_at))).at(-1);
  await go(appPath(record.walk, latest?.station));
}

async function askPersistence() {
  if (await store.getMeta("persistAsked")) return;
  await store.setMeta("persistAsked", true);
  const granted = Boolean(await navigator.storage?.persist?.());
  await store.setMeta("persisted", granted);
  banner("storage-banner", () => [t(granted ? "storage_persisted" : "storage_not_persisted")], {dismissible: true});
}

async function openCode(typed) {
  if (/^https?:/i.test(typed.trim())) return openLink(typed.trim());
  let found = findStation(await store.listWalks(), typed);
  if (!found) {
    // A station added since the walks were saved: look once more online.
    await refreshCatalog().catch(() => {});
    found = findStation(await store.listWalks(), typed);
  }
  if (!found) return t("code_unknown", {code: typed.trim()});
  await go(appPath(found.walk.slug, found.station.code));
  return null;
}

async function openLink(link) {
  let route = {};
  try {
    route = parseLocation(new URL(link).href);
  } catch {
    // Not a link at all: said below.
  }
  // Only this app's own walk and station links open here; the route knows the app's origin and path.
  if (!route.walk) return t("link_foreign", {link: link.length > 80 ? `${link.slice(0, 79)}…` : link});
  if (route.key && (await store.getWalkKey(route.walk)) !== route.key) {
    await store.setWalkKey(route.walk, route.key);
    await store.setMeta(`problem:${route.walk}`, null);
    syncNow();
  }
  await go(appPath(route.walk, route.code));
  return null;
}

async function scan() {
  try {
    const value = await scanQr();
    if (value) app.notice = await openCode(value);
  } catch (error) {
    app.notice = error.message;
  }
  if (app.notice) await show();
}

async function downloadBackup() {
  const now = new Date().toISOString();
  const id = await deviceId();
  const file = JSON.stringify(backupDocument(await store.listRecords(), id, now), null, 1);
  const url = URL.createObjectURL(new Blob([file], {type: "application/json"}));
  const link = h("a", {href: url, download: `city-audit-backup-${now.slice(0, 10)}-${id.slice(0, 8)}.json`, hidden: true});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

async function offlineReady() {
  return app.swReady && Boolean(await store.getMeta("catalogAt"));
}

async function updateOffline() {
  offlineLine.textContent = (await offlineReady()) ? t("offline_ready") : t("offline_not_ready");
}

async function updateStatus() {
  const status = syncStatus();
  const records = await store.listRecords();
  const waiting = records.filter((r) => needsSync(r)).length;
  const refused = records.filter((r) => r.syncState === "refused").length;
  const photos = (await waitingPhotos()).length;
  let message = "";
  if (status.phase === "sending") message = t("sync_progress", {sent: status.sent, total: status.total});
  else if (status.phase === "uploading") {
    message = t("photos_progress", {sent: status.filesSent, total: status.filesTotal});
  } else if (photos && !waiting && status.phase !== "retry") message = t("photos_waiting_n", {n: photos});
  else if (status.phase === "retry") message = t("sync_retry", {time: formatTime(new Date(status.retryAt).toISOString())});
  else if (waiting) message = t("waiting_n", {n: waiting});
  else if (status.manual && status.phase === "idle") message = t("sync_nothing");
  else if (records.length && !refused) message = t("all_synced");
  if (photos && waiting) message = `${message} ${t("photos_waiting_n", {n: photos})}`;
  if (refused) message = `${message} ${t("refused_n", {n: refused})}`.trim();
  syncLine.textContent = message;
}

async function afterSync(status) {
  await updateStatus();
  if (status.phase === "sending" || status.phase === "uploading") return;
  await refreshHeld();
  if (app.tab !== "answer") await show();
  else if (app.walk) {
    const slug = app.walk.slug;
    const notices = document.getElementById("notices");
    if (notices) fill(notices, await walkNotices(slug));
    // Queued behind any answer being written, so the screen never shows an older state.
    await queueWrite(async () => {
      const record = await currentRecord(slug);
      if (record && app.walk?.slug === slug) app.view?.show?.(record);
    });
  }
}

function renderChrome() {
  document.documentElement.lang = language();
  const select = document.getElementById("lang");
  fill(select, Object.entries(LANGUAGES).map(([code, name]) =>
    h("option", {value: code, lang: code, selected: code === language()}, name)));
  document.getElementById("lang-label").textContent = t("language");
  document.getElementById("home-link").textContent = t("app_title");
  document.getElementById("sections").setAttribute("aria-label", t("sections"));
  for (const button of document.querySelectorAll("[data-tab]")) button.textContent = t(`tab_${button.dataset.tab}`);
}

function interceptLinks(event) {
  const link = event.target.closest("a[href]");
  if (!link || link.target || link.hasAttribute("download") || event.defaultPrevented || event.button !== 0 ||
      event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || (!parseLocation(url.href).walk && url.pathname !== rootPath())) return;
  event.preventDefault();
  go(url.pathname);
}

async function boot() {
  setLanguage((await store.getMeta("language")) || pickLanguage(navigator.languages));
  renderChrome();
  await captureKey();
  document.addEventListener("click", interceptLinks);
  window.addEventListener("popstate", () => { app.tab = "answer"; show(); });
  document.getElementById("lang").addEventListener("change", async (event) => {
    setLanguage(event.target.value);
    await store.setMeta("language", event.target.value);
    renderChrome();
    translateBanners();
    updateStatus();
    updateOffline();
    await show();
  });
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.addEventListener("click", () => { app.tab = button.dataset.tab; show({moveFocus: true}); });
  }
  await show();
  onSyncStatus(afterSync);
  updateStatus();
  updateOffline();
  // The iOS Safari hint shows until the walker dismisses it once.
  setupInstallHint({hintDismissed: Boolean(await store.getMeta("installHintDismissed")),
    onHintDismissed: () => store.setMeta("installHintDismissed", true).catch(() => {})});
  setupServiceWorker({
    beforeReload: () => writes,
    onReady: () => { app.swReady = true; updateOffline(); },
  }).catch((error) => console.warn("service worker:", error));
  if (navigator.storage?.persisted && (await store.getMeta("persistAsked"))) {
    await store.setMeta("persisted", await navigator.storage.persisted());
  }
  const walksBefore = (await store.listWalks()).length;
  refreshCatalog().then(async () => {
    updateOffline();
    if (app.tab === "answer" && !app.walk && !walksBefore) await show();
  }).catch(() => {});
  window.addEventListener("online", () => syncNow());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncNow();
  });
  syncNow();
}

boot().catch((error) => {
  fill(viewArea, h("p", {class: "problem", role: "alert"}, t("load_failed", {reason: error.message})));
});
