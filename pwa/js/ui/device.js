/** The facilitator's view of this device: counts per station and per state, sync, storage and backup. */
import {formatTime, localized, t} from "../i18n.js";
import {isAnswered, outboxCounts} from "../records.js";
import {appPath} from "../route.js";
import * as store from "../store.js";
import {deviceId} from "../sync.js";
import {waitingPhotos} from "../sync.js";
import {h} from "./dom.js";

/** Problems a walk code solves: no key yet, or a key replaced or refused. */
export const KEY_PROBLEMS = ["key_missing", "walk_key_replaced", "wrong_walk_key", "wrong_walk_code", "http_401"];

/** Return the message for a walk's sync problem, or null. */
export function problemText(problem) {
  if (!problem) return null;
  const known = {walk_key_replaced: "key_replaced", walk_closed: "walk_closed", key_missing: "key_missing",
    wrong_walk_key: "key_wrong", wrong_walk_code: "code_wrong", http_401: "key_wrong",
    http_404: "walk_gone"}[problem.code];
  return known ? t(known) : t("sync_refused", {reason: problem.message || problem.code});
}

function stationTable(walk, records) {
  const rows = new Map(walk.stations.map((s) => [s.code, {label: `${s.code} · ${localized(s.title).text}`, checklists: 0, answers: 0}]));
  for (const record of records) {
    const seen = new Set();
    for (const answer of record.answers.filter(isAnswered)) {
      const code = answer.station || "";
      if (!rows.has(code)) rows.set(code, {label: code || t("no_station"), checklists: 0, answers: 0});
      rows.get(code).answers += 1;
      if (!seen.has(code)) rows.get(code).checklists += 1;
      seen.add(code);
    }
  }
  return h("table", {class: "counts"},
    h("caption", {}, t("per_station")),
    h("thead", {}, h("tr", {}, h("th", {scope: "col"}, t("station")), h("th", {scope: "col"}, t("checklists")),
      h("th", {scope: "col"}, t("answers")))),
    h("tbody", {}, [...rows.values()].map((row) => h("tr", {},
      h("th", {scope: "row"}, row.label), h("td", {}, String(row.checklists)), h("td", {}, String(row.answers))))));
}

/** Return the one count every screen shows: checklists saved on this phone and how many of them were sent. */
export const countsText = (records) => t("counts", outboxCounts(records));

function restoreControl(actions, message) {
  const result = h("p", {id: "restore-result", role: "status"}, message || "");
  const input = h("input", {type: "file", id: "restore-file", accept: ".json,application/json", class: "file",
    onchange: (event) => {
      const [file] = event.target.files;
      event.target.value = "";
      if (file) actions.restore(file);
    }});
  return [h("label", {for: input.id, class: "button secondary"}, t("restore")), input, result];
}

function megabytes(bytes) {
  return (bytes / 1048576).toFixed(bytes < 10485760 ? 1 : 0);
}

/** Return {usage, quota} of this app's storage in bytes, or null where the browser does not say. */
export async function storageUse() {
  try {
    const estimate = await navigator.storage?.estimate?.();
    return estimate?.quota ? {usage: estimate.usage || 0, quota: estimate.quota} : null;
  } catch {
    return null;
  }
}

/** Whether storage ({usage, quota}) is past 80 % full: time to sync the photos. */
export const nearlyFull = (use) => Boolean(use) && use.usage / use.quota > 0.8;

function storageLines(usage) {
  if (!usage) return null;
  return [h("p", {id: "storage-use"}, t("storage_use", {used: megabytes(usage.usage), quota: megabytes(usage.quota)})),
    nearlyFull(usage) && h("p", {class: "problem", role: "alert"}, t("storage_nearly_full"))];
}

/** Render the view; its sync status line is updated separately through `statusLine`. */
export function deviceView({walks, records, problems, keys, lastSync, storage, deviceId, offlineReady, canShare,
  restoreMessage, actions, statusLine, photosWaiting = 0, usage = null}) {
  const walksHere = walks.filter((w) => records.some((r) => r.walk === w.slug) || keys.has(w.slug));
  const {unsent} = outboxCounts(records);
  return h("div", {class: "device-view"},
    h("h1", {id: "view-title", tabindex: -1}, t("device_title")),
    h("section", {class: "sync", "aria-labelledby": "sync-title"},
      h("h2", {id: "sync-title"}, t("sync")),
      h("p", {id: "device-counts"}, countsText(records)),
      h("button", {type: "button", class: "primary", id: "sync-now", onclick: actions.syncNow}, t("sync_now")),
      statusLine,
      h("p", {id: "last-sync"}, lastSync ? t("last_sync", {time: formatTime(lastSync)}) : t("never_synced")),
      h("p", {id: "photos-waiting"}, photosWaiting ? t("photos_waiting_n", {n: photosWaiting}) : t("photos_none_waiting"))),
    walksHere.length ? walksHere.map((walk) => {
      const mine = records.filter((r) => r.walk === walk.slug);
      const found = problems.get(walk.slug) || (!keys.has(walk.slug) && mine.length ? {code: "key_missing"} : null);
      const problem = problemText(found);
      const refusedHere = mine.filter((r) => r.syncState === "refused").length;
      return h("section", {class: "walk-counts", "aria-labelledby": `counts-${walk.slug}`, "data-walk": walk.slug},
        h("h2", {id: `counts-${walk.slug}`}, localized(walk.title).text),
        problem && h("p", {class: "problem", role: "alert"}, problem),
        // The walk's page has the walk code field.
        KEY_PROBLEMS.includes(found?.code) && h("p", {}, h("a", {href: appPath(walk.slug)}, t("walk_code_enter"))),
        h("p", {class: "walk-count"}, countsText(mine), refusedHere ? ` · ${t("refused_n", {n: refusedHere})}` : ""),
        stationTable(walk, mine));
    }) : h("p", {}, t("no_checklists")),
    h("section", {class: "safety", "aria-labelledby": "safety-title"},
      h("h2", {id: "safety-title"}, t("data_safety")),
      storage === false && unsent > 0 && h("p", {id: "storage-state"}, t("storage_note")),
      storage === true && h("p", {id: "storage-state"}, t("storage_persisted")),
      storageLines(usage),
      h("p", {}, offlineReady ? t("offline_ready") : t("offline_not_ready")),
      canShare && h("button", {type: "button", class: "secondary", id: "share-backup", onclick: actions.share}, t("share_backup")),
      h("button", {type: "button", class: "secondary", id: "backup", onclick: actions.backup}, t("backup")),
      h("p", {class: "muted"}, t("backup_hint")),
      restoreControl(actions, restoreMessage),
      h("p", {class: "muted"}, t("restore_hint")),
      h("p", {class: "muted"}, t("device_id", {id: deviceId.slice(0, 8)}))));
}

/** Load what this device holds and render the view; offlineReady tells whether the app works offline. */
export async function deviceScreen({offlineReady, canShare, restoreMessage, actions}) {
  const walks = await store.listWalks();
  const problems = new Map(await Promise.all(walks.map(async (w) => [w.slug, await store.getMeta(`problem:${w.slug}`)])));
  const keys = new Set((await Promise.all(walks.map(async (w) => (await store.getWalkKey(w.slug)) && w.slug))).filter(Boolean));
  return deviceView({walks, records: await store.listRecords(), problems, keys,
    lastSync: await store.getMeta("lastSync"), storage: await store.getMeta("persisted"),
    deviceId: await deviceId(), offlineReady, canShare, restoreMessage, actions,
    photosWaiting: (await waitingPhotos()).length, usage: await storageUse()});
}
