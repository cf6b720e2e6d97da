/**
 * Every change a walker makes, written to the device first (store.js), one at a time and in order, so that
 * a redraw or a sync never sees half of an edit.
 */
import {isRemoved, newRecord, setAside} from "./records.js";
import * as store from "./store.js";

let writes = Promise.resolve();
const failureListeners = new Set();

/** Call listener(error) whenever a queued change could not be written. */
export function onWriteFailed(listener) {
  failureListeners.add(listener);
}

/** Queue a change to the device's data; changes run one at a time, in order. */
export function queueWrite(change) {
  const done = writes.then(change);
  writes = done.catch((error) => {
    for (const listener of failureListeners) listener(error);
  });
  return done;
}

/** Resolve once every change queued so far is written (or reported as failed). */
export const written = () => writes;

/** Return the checklist being filled in on a walk, or null (also when the organisers removed it: start anew). */
export async function currentRecord(slug) {
  const id = await store.getMeta(`current:${slug}`);
  const record = id && (await store.getRecord(id));
  return record && !isRemoved(record) ? record : null;
}

async function startRecord(walk, checklist, participant, now) {
  const records = await store.listRecords(walk.slug);
  const record = newRecord({id: crypto.randomUUID(), walk: walk.slug, checklist, now, participant,
    number: Math.max(0, ...records.map((r) => r.number || 0)) + 1});
  await store.putRecord(record);
  await store.setMeta(`current:${walk.slug}`, record.id);
  return record;
}

/**
 * Apply `apply(record, stationCode, now)` to a walk's current checklist, starting one (with `participant`) on the
 * first change; `saved(record)` runs before the next queued change; resolve with the stored record.
 */
export function editCurrent({walk, checklist, station, participant}, apply, saved = () => {}) {
  return queueWrite(async () => {
    const now = new Date().toISOString();
    const record = (await currentRecord(walk.slug)) || (await startRecord(walk, checklist, participant, now));
    const stored = await store.updateRecord(record.id, (r) => apply(r, station?.code ?? null, now));
    saved(stored);
    return stored;
  });
}

/** Put a walk's current checklist aside (waiting to sync), so that the next answer starts a new one. */
export function closeCurrent(slug) {
  return queueWrite(async () => {
    const id = await store.getMeta(`current:${slug}`);
    if (id) await store.updateRecord(id, setAside);
    await store.setMeta(`current:${slug}`, null);
  });
}

/** Make a record its walk's current checklist again, putting the one open before aside. */
export function makeCurrent(record) {
  return queueWrite(async () => {
    const id = await store.getMeta(`current:${record.walk}`);
    if (id && id !== record.id) await store.updateRecord(id, setAside);
    await store.setMeta(`current:${record.walk}`, record.id);
  });
}
