/**
 * The walker app's entry: start-up and routing. Reads the walk and station from the address (and the walk key
 * from the fragment), draws the screen of the current tab, and redraws after changes and syncs.
 *
 * Screens live in ui/ (home, station, records, device); every change goes to the device first (changes.js);
 * store.js is the only module touching IndexedDB, api.js the only one talking to the server.
 */
import {refreshCatalog} from "./catalog.js";
import {closeCurrent, currentRecord, editCurrent, makeCurrent, onWriteFailed, queueWrite, written} from "./changes.js";
import {addContentLanguages, language, languageOptions, pickLanguage, setLanguage, t} from "./i18n.js";
import {captureKey, openCode} from "./opening.js";
import {outboxCounts, withAnswer, withParticipant} from "./records.js";
import {appPath, parseLocation, rootPath} from "./route.js";
import * as store from "./store.js";
import {onSyncStatus, syncNow, syncSoon} from "./sync.js";
import {deviceScreen} from "./ui/device.js";
import {fill, h} from "./ui/dom.js";
import {homeScreen} from "./ui/home.js";
import {recordsScreen} from "./ui/records.js";
import {stationScreen, walkCodeSlot, walkNotices} from "./ui/station.js";
import {updateNetwork, updateOfflineLine, updateSyncLine} from "./ui/status.js";
import {banner, clearTransientBanners, setupInstallHint, setupServiceWorker, translateBanners} from "./ui/updates.js";

// Quiet time after an edit before sending it; on failure the backoff takes over.
const AUTO_SYNC_DELAY = 30000;

const viewArea = document.getElementById("view");
const app = {tab: "answer", view: null, walk: null, checklist: null, station: null, record: null, notice: null,
  finished: null, swReady: false};

onWriteFailed((error) => {
  banner("save-error", () => [t("save_failed", {reason: error.message})], {dismissible: true, role: "alert"});
});

// Screens: each resolves with the element to show.

async function answerScreen() {
  const route = parseLocation(location.href);
  app.walk = app.checklist = app.station = app.record = null;
  const home = (notice) => homeScreen({notice, actions: {openCode: openTyped, scan}});
  if (!route.walk) return home(app.notice);
  const opened = await stationScreen({route, actions: {answer, profile, participantLanguage, newParticipant, finish,
    photoHooks}});
  if (opened.error) return home(app.notice || opened.error);
  const {view, walk, checklist, station, record} = opened;
  Object.assign(app, {walk, checklist, station, record});
  if (addContentLanguages(checklist.languages)) renderChrome();  // a checklist may bring a language of its own
  if (app.finished?.walk === walk.slug) {
    // The thank-you screen and the scanner load when first used, outside the first visit's 50 KB shell.
    const {thanksScreen} = await import("./ui/thanks.js");
    document.title = `${t("thanks_title")} – ${t("app_title")}`;
    return thanksScreen({walk, checklist, recordId: app.finished.id, actions: {next: nextParticipant}});
  }
  return view;
}

const recordsTab = () => recordsScreen({actions: {resume, newParticipant: app.walk && newParticipant}});

// Backups are written and read only from the Sync tab: that code loads with it, outside the first visit's shell.
const backups = () => import("./backup.js");

async function deviceTab() {
  const {canShareFiles, downloadBackup, shareBackup} = await backups();
  return deviceScreen({offlineReady: await offlineReady(), canShare: canShareFiles(), restoreMessage: app.restored,
    actions: {syncNow: () => syncNow({manual: true}), backup: downloadBackup, share: shareBackup, restore}});
}

/** Restore a backup file, then say on the Sync tab what it added; restored checklists are sent like any other. */
async function restore(file) {
  try {
    const {restoreBackup} = await backups();
    const result = await queueWrite(() => restoreBackup(file));
    app.restored = t("restored", {name: file.name, ...result});
    syncNow();
  } catch (error) {
    app.restored = t(["not_json", "not_backup"].includes(error.message) ? "restore_not_backup" : "restore_failed",
      {name: file.name, reason: error.message});
  }
  updateSyncLine();
  await show();
}

const SCREENS = {answer: answerScreen, records: recordsTab, device: deviceTab};

// Drawing.

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
  await written();
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
  app.notice = app.finished = app.restored = null;
  return show({moveFocus: true});
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

// What the walker does on the answer screen.

/** Apply one change to the current participant's checklist, starting it on the first answer. */
function edit(apply) {
  const {walk} = app;
  return editCurrent({...app, participant: {language: language()}}, apply, (saved) => {
    if (app.walk?.slug === walk.slug) {
      app.record = saved;
      app.view?.show?.(saved);
    }
    syncSoon(AUTO_SYNC_DELAY);
    updateSyncLine();
  });
}

function answer(item, change) {
  // A failed write is already reported on screen (onWriteFailed).
  return edit((record, station, now) => withAnswer(record, item, change, station, now)).then(askPersistence, () => {});
}

function profile(change) {
  return edit((record, _station, now) => withParticipant(record, change, now)).catch(() => {});
}

/** The participant chose a language: it is kept on their checklist and the whole app switches to it. */
async function participantLanguage(code) {
  await profile({language: code});
  if (code && code !== language()) await switchLanguage(code);
}

/** The participant has finished: their checklist waits to be sent, and the thank-you screen shows. */
async function finish() {
  const id = app.record?.id;
  if (!id) return;
  await closeCurrent(app.walk.slug);
  app.finished = {walk: app.walk.slug, id};
  syncNow();
  await show({moveFocus: true});
}

async function nextParticipant() {
  app.finished = null;
  await show({moveFocus: true});
  banner("participant-banner", () => [t("new_started")], {transient: true});
  updateSyncLine();
}

// What the photo cards (ui/photos.js) need: each photo change goes through edit() like an answer.
const photoHooks = {edit, notify: (message, role) => {
  app.view?.photos?.setStatus(message);
  if (role === "alert") banner("photo-banner", () => [message], {dismissible: true, role: "alert"});
}, walkSlug: () => app.walk?.slug, currentPhoto: (id) => app.record?.photos?.find((p) => p.id === id),
askPersistence: () => askPersistence().catch(() => {})};

async function newParticipant() {
  app.finished = null;
  await closeCurrent(app.walk.slug);
  app.tab = "answer";
  await show({moveFocus: true});
  banner("participant-banner", () => [t("new_started")], {transient: true});
  updateSyncLine();
}

async function resume(record) {
  await makeCurrent(record);
  const latest = [...record.answers].sort((a, b) => String(a.answered_at).localeCompare(String(b.answered_at))).at(-1);
  await go(appPath(record.walk, latest?.station));
}

async function askPersistence() {
  if (!(await store.getMeta("persistAsked"))) {
    await store.setMeta("persistAsked", true);
    await store.setMeta("persisted", Boolean(await navigator.storage?.persist?.()));
  }
  await storageNote();
}

/** Say once, calmly, that the browser may clear data, and only while it refused to keep it and answers are unsent. */
async function storageNote() {
  if ((await store.getMeta("persisted")) !== false || (await store.getMeta("storageNoteShown"))) return;
  if (!outboxCounts(await store.listRecords()).unsent) return;
  await store.setMeta("storageNoteShown", true);
  banner("storage-banner", () => [t("storage_note")], {dismissible: true});
}

async function openTyped(typed) {
  const {path, message} = await openCode(typed);
  if (path) await go(path);
  return message || null;
}

async function scan() {
  try {
    const {scanQr} = await import("./ui/scanner.js");
    const value = await scanQr();
    if (value) app.notice = await openTyped(value);
  } catch (error) {
    app.notice = error.message;
  }
  if (app.notice) await show();
}

// Status and chrome.

async function offlineReady() {
  return app.swReady && Boolean(await store.getMeta("catalogAt"));
}

async function updateOffline() {
  updateOfflineLine(await offlineReady());
}

async function afterSync(status) {
  await updateSyncLine();
  if (status.phase === "sending" || status.phase === "uploading") return;
  if (app.tab !== "answer") await show();
  else if (app.walk) {
    const slug = app.walk.slug;
    const notices = document.getElementById("notices");
    if (notices) fill(notices, await walkNotices(slug));
    // A sync that found the key missing or replaced offers the walk code form (once; it keeps what is typed).
    if (notices && !document.querySelector(".walk-code-slot")) notices.after(await walkCodeSlot(slug) || "");
    // Queued behind any answer being written, so the screen never shows an older state.
    await queueWrite(async () => {
      const record = await currentRecord(slug);
      if (app.walk?.slug === slug) app.view?.show?.(record);  // none: the organisers removed it
    });
  }
}

/** Switch every text of the app to a language, and keep it for the next start. */
async function switchLanguage(code) {
  setLanguage(code);
  await store.setMeta("language", code);
  renderChrome();
  translateBanners();
  updateSyncLine();
  updateOffline();
  updateNetwork();
  await show();
}

function renderChrome() {
  document.documentElement.lang = language();
  const select = document.getElementById("lang");
  fill(select, languageOptions().map(([code, name]) =>
    h("option", {value: code, lang: code, selected: code === language()}, name)));
  document.getElementById("lang-label").textContent = t("language");
  document.getElementById("home-link").textContent = t("app_title");
  document.getElementById("sections").setAttribute("aria-label", t("sections"));
  for (const button of document.querySelectorAll("[data-tab]")) button.textContent = t(`tab_${button.dataset.tab}`);
}

async function boot() {
  setLanguage((await store.getMeta("language")) || pickLanguage(navigator.languages));
  renderChrome();
  await captureKey();
  document.addEventListener("click", interceptLinks);
  window.addEventListener("popstate", () => { app.tab = "answer"; show(); });
  document.getElementById("lang").addEventListener("change", (event) => switchLanguage(event.target.value));
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.addEventListener("click", () => { app.tab = button.dataset.tab; show({moveFocus: true}); });
  }
  await show();
  onSyncStatus(afterSync);
  updateSyncLine();
  updateOffline();
  // The iOS Safari hint shows until the walker dismisses it once.
  setupInstallHint({hintDismissed: Boolean(await store.getMeta("installHintDismissed")),
    onHintDismissed: () => store.setMeta("installHintDismissed", true).catch(() => {})});
  setupServiceWorker({
    beforeReload: written,
    onReady: () => { app.swReady = true; updateOffline(); },
  }).catch((error) => console.warn("service worker:", error));
  if (navigator.storage?.persisted && (await store.getMeta("persistAsked"))) {
    await store.setMeta("persisted", await navigator.storage.persisted());
  }
  const walksBefore = (await store.listWalks()).length;
  refreshCatalog().then(async (replaced) => {
    updateOffline();
    // A checklist the organisers edited since it was stored shows its new texts at once.
    if (app.tab === "answer" && (replaced || !app.walk && !walksBefore)) await show();
  }).catch(() => {});
  updateNetwork();
  window.addEventListener("online", () => { updateNetwork(); syncNow(); });
  window.addEventListener("offline", updateNetwork);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncNow();
  });
  syncNow();
}

boot().catch((error) => {
  fill(viewArea, h("p", {class: "problem", role: "alert"}, t("load_failed", {reason: error.message})));
});
