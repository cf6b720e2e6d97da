/**
 * Sending the outbox: per walk, in chunks, with exponential backoff and jitter after failures.
 * A record leaves the outbox only when the server answered accepted, duplicate or stale for it (or that the
 * organisers deleted it). Walk codes typed on the device are exchanged for walk keys first.
 * Then the files of its photos and voice notes, one at a time: HEAD first, so a retry after a
 * reload, a killed browser or a dead network sends only what the server does not hold yet.
 */
import {HttpError, NetworkError, exchangeWalkCode, headMedia, postSync, putMedia} from "./api.js";
import {backoffDelay, markSent, namedFiles, needsSync, refuse, settle, toWire} from "./records.js";
import * as store from "./store.js";

const CHUNK = 50;
const listeners = new Set();
let status = {phase: "idle", sent: 0, total: 0};
let running = null;
let attempt = 0;
let timer = null;
let timerAt = 0;

/** Subscribe to sync status changes ({phase, sent, total, retryAt, manual}); returns an unsubscribe function. */
export function onSyncStatus(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(change) {
  status = {...status, ...change};
  for (const listener of listeners) listener(status);
}

/** Return the current sync status. */
export const syncStatus = () => status;

/** Return this device's id, made on first use. */
export async function deviceId() {
  let id = await store.getMeta("device_id");
  if (!id) {
    id = crypto.randomUUID();
    await store.setMeta("device_id", id);
  }
  return id;
}

/** Sync unless a sync is already running; a manual sync also resends refused records. */
export function syncNow({manual = false} = {}) {
  clearTimeout(timer);
  timer = null;
  // Someone pressed "Sync now": if it fails, the next automatic try comes soon again.
  if (manual) attempt = 0;
  // One sync at a time, across tabs too where the browser has Web Locks.
  running ??= (navigator.locks ? navigator.locks.request("walker-sync", () => run(manual)) : run(manual))
    .finally(() => { running = null; });
  return running;
}

/** Sync after `delay` ms unless a sync is already due sooner. */
export function syncSoon(delay) {
  const at = Date.now() + delay;
  if (timer && timerAt <= at) return;
  clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(() => { timer = null; syncNow(); }, delay);
}

const isTransient = (error) =>
  error instanceof NetworkError || (error instanceof HttpError && (error.status >= 500 || [408, 425, 429].includes(error.status)));

/** Return the photos whose file (or voice note) the server has not confirmed yet: [{photo, record}]. */
export async function waitingPhotos() {
  const records = await store.listRecords();
  const held = new Set((await store.listMedia()).filter((m) => m.uploaded).map((m) => m.sha256));
  return records.flatMap((record) => (record.photos || [])
    .filter((p) => !held.has(p.sha256) || (p.voice && !held.has(p.voice.sha256)))
    .map((photo) => ({photo, record})));
}

/** Keep a typed walk code (capitals and digits) until the next sync exchanges it for the walk's key. */
export async function keepWalkCode(walk, code) {
  await store.setMeta("walkCodes", {...(await store.getMeta("walkCodes")), [walk]: code});
}

/** Exchange the kept walk codes for keys; a refused code is dropped and becomes its walk's problem. */
export async function exchangeCodes() {
  for (const [walk, code] of Object.entries((await store.getMeta("walkCodes")) || {})) {
    let problem = null;
    try {
      await store.setWalkKey(walk, (await exchangeWalkCode(walk, code)).key);
    } catch (error) {
      if (isTransient(error)) throw error;  // kept for the next try
      problem = {code: error.code || `http_${error.status}`, message: error.message};
    }
    await store.setMeta(`problem:${walk}`, problem);
    const left = {...(await store.getMeta("walkCodes"))};
    if (left[walk] === code) delete left[walk];  // unless another code was typed meanwhile
    await store.setMeta("walkCodes", left);
  }
}

async function run(manual) {
  const records = await store.listRecords();
  const pending = records.filter((r) => needsSync(r, {includeRefused: manual}));
  const total = pending.length;
  const files = await filesToSend(manual);
  emit({phase: total ? "sending" : files.length ? "uploading" : "idle", sent: 0, total, manual, retryAt: null,
    filesSent: 0, filesTotal: files.length});
  if (!total && !files.length && !Object.keys((await store.getMeta("walkCodes")) || {}).length) return status;
  const device = await deviceId();
  const byWalk = groupBy(pending);
  let sent = 0;
  try {
    // Walk codes typed on this phone first: they bring the keys the records need. Offline, they wait (backoff).
    await exchangeCodes();
    for (const [walk, records] of byWalk) {
      const key = await store.getWalkKey(walk);
      if (!key) {
        // A refused walk code says more than "no key".
        if (!(await store.getMeta(`problem:${walk}`))) await store.setMeta(`problem:${walk}`, {code: "key_missing"});
        continue;
      }
      try {
        await sendWalk(walk, key, records, device, (n) => emit({sent: sent + n}));
        await store.setMeta(`problem:${walk}`, null);
      } catch (error) {
        if (isTransient(error)) throw error;
        await store.setMeta(`problem:${walk}`, {code: error.code || `http_${error.status}`, message: error.message});
      }
      sent = status.sent;
    }
    await sendFiles(await filesToSend(manual));
  } catch (error) {
    if (!isTransient(error)) throw error;
    const delay = backoffDelay(attempt++);
    syncSoon(delay);
    return emit({phase: "retry", retryAt: Date.now() + delay, error: error.message});
  }
  attempt = 0;
  return emit({phase: "done"});
}

function groupBy(records) {
  const groups = new Map();
  for (const r of records) groups.set(r.walk, [...(groups.get(r.walk) || []), r]);
  return groups;
}

async function sendWalk(walk, key, records, device, progress) {
  let size = CHUNK;
  let done = 0;
  while (done < records.length) {
    const ids = records.slice(done, done + size).map((r) => r.id);
    // Re-read inside the marking transaction: an edit made since the list was taken is sent too.
    const fresh = await store.updateRecords(ids, (r) => markSent(r, r.revision));
    const revisions = new Map(fresh.map((r) => [r.id, r.revision]));
    let reply;
    try {
      reply = await postSync(walk, key, {device_id: device, responses: fresh.map(toWire)});
    } catch (error) {
      if (!(error instanceof HttpError && error.status === 413)) throw error;
      if (ids.length > 1) {
        size = Math.ceil(ids.length / 2);
        continue;
      }
      await store.updateRecord(ids[0], (r) => refuse(r, error.message, new Date().toISOString()));
      done += 1;
      progress(done);
      continue;
    }
    const now = new Date().toISOString();
    const results = new Map(reply.results.map((result) => [result.id, result]));
    await store.updateRecords(ids, (r) => (results.has(r.id) && revisions.has(r.id)
      ? settle(r, results.get(r.id), revisions.get(r.id), now) : null));
    await store.setMeta("lastSync", now);
    done += ids.length;
    progress(done);
  }
}

/** Files to send: kept on the device, not confirmed by the server, named by a checklist the server has seen. */
async function filesToSend(manual) {
  const records = await store.listRecords();
  const named = namedFiles(records.filter((r) => r.syncedRevision > 0));
  return (await store.listMedia()).filter((m) => !m.uploaded && named.has(m.sha256) && (manual || !m.refusal));
}

async function sendFiles(files) {
  emit({phase: files.length ? "uploading" : status.phase, filesSent: 0, filesTotal: files.length});
  let sent = 0;
  for (const file of files) {
    const key = await store.getWalkKey(file.walk);
    if (!key) continue;
    try {
      if (!(await headMedia(file.walk, key, file.sha256))) await putMedia(file.walk, key, file.sha256, file.blob, file.type);
      await store.markMediaUploaded(file.sha256, new Date().toISOString());
    } catch (error) {
      if (isTransient(error)) throw error;
      // 409: the checklist naming it has a newer revision still to arrive; it goes with a later sync.
      if (!(error instanceof HttpError) || error.status !== 409) await noteFileRefused(file, error);
    }
    sent += 1;
    emit({filesSent: sent});
  }
}

async function noteFileRefused(file, error) {
  const entry = await store.getMedia(file.sha256);
  if (entry) await store.putMediaRefusal(file.sha256, {status: error.status, message: error.message});
}
