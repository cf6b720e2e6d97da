/**
 * One participant's checklist ("record") and its sync bookkeeping, as pure functions.
 *
 * Wire fields follow shared_schema/sync-request.schema.json. Local fields (walk, syncState,
 * sentRevision, syncedRevision, refusal, number, removedAt) never leave the device.
 */

/** A record's sync states, in the order the app lists them ("removed": deleted on the server by the organisers). */
export const STATES = ["in-progress", "waiting", "synced", "refused", "removed"];
const LOCAL_FIELDS = ["walk", "syncState", "sentRevision", "syncedRevision", "refusal", "number", "removedAt"];
const MAX_COMMENT = 2000;
/** Longest caption the server keeps (characters). */
export const MAX_CAPTION = 1000;
/** Photo ratings as the wire carries them. */
export const RATINGS = ["works", "needs_change"];

/** Start an empty record for a walk's checklist. */
export function newRecord({id, walk, checklist, participant, now, number}) {
  return {
    id, revision: 1, checklist: checklist.slug, checklist_version: checklist.version,
    participant: {group: participant?.group ?? null, language: participant?.language ?? null},
    started_at: now, updated_at: now, answers: [],
    walk, number, syncState: "in-progress", sentRevision: 0, syncedRevision: 0, refusal: null,
  };
}

/** Return a copy with the edit applied: a revision already sent is never reused for new content. */
function edited(record, now) {
  const revision = record.sentRevision >= record.revision ? record.revision + 1 : record.revision;
  return {...record, revision, updated_at: now, syncState: "in-progress"};
}

/** Apply a change ({score, dont_know, comment}) to one item's answer, tagged with the station where it was given. */
export function withAnswer(record, item, change, station, now) {
  const index = record.answers.findIndex((a) => a.item === item);
  const before = index >= 0 ? record.answers[index] : {item, score: null, dont_know: false, comment: null};
  const answer = {...before, ...change, station: station ?? null, answered_at: now};
  if (answer.dont_know) answer.score = null;
  // Keep each answer in place so that a server error's answers.N still names the same item.
  const answers = [...record.answers];
  answers.splice(index >= 0 ? index : answers.length, index >= 0 ? 1 : 0, answer);
  return {...edited(record, now), answers};
}

/** Apply a participant profile change ({group} or {language}). */
export function withParticipant(record, change, now) {
  return {...edited(record, now), participant: {...record.participant, ...change}};
}

/** Tell whether a record holds anything to send: an answer or a photo. */
export const hasContent = (record) => Boolean(record.answers.length || record.photos?.length);

/** Add a photo ({id, sha256, bytes, content_type, width, height, taken_at}) taken at `station`. */
export function withPhoto(record, photo, station, now) {
  const entry = {topic: null, item: null, caption: null, rating: null, voice: null, ...photo, station: station ?? null};
  return {...edited(record, now), photos: [...(record.photos || []), entry]};
}

/** Change a photo's caption, rating, topic, item or voice note; after a sync this makes a new revision. */
export function withPhotoChange(record, id, change, now) {
  const photos = (record.photos || []).map((p) => (p.id === id ? {...p, ...change} : p));
  return {...edited(record, now), photos};
}

/** Remove a photo from the checklist (its file stays on the device until nothing names it). */
export function withoutPhoto(record, id, now) {
  return {...edited(record, now), photos: (record.photos || []).filter((p) => p.id !== id)};
}

/** Return the SHA-256 of every file (photo and voice note) the records name. */
export function namedFiles(records) {
  return new Set(records.flatMap((r) => (r.photos || []).flatMap((p) => [p.sha256, p.voice?.sha256].filter(Boolean))));
}

/** Tell whether an answer says something (a score or "don't know"). */
export const isAnswered = (answer) => Boolean(answer && (answer.score !== null || answer.dont_know));

/** Return the answer to an item, or undefined. */
export const answerFor = (record, item) => record?.answers.find((a) => a.item === item);

/** Mark a record that is no longer the one being filled in as waiting to sync. */
export function setAside(record) {
  return record.syncState === "in-progress" ? {...record, syncState: "waiting"} : record;
}

/** Tell whether the organisers deleted a record on the server: it is never sent again, nor counted. */
export const isRemoved = (record) => record.syncState === "removed";

/** Tell whether a record still has to reach the server (refused ones only when asked again). */
export function needsSync(record, {includeRefused = false} = {}) {
  if (!hasContent(record) || isRemoved(record) || record.syncedRevision >= record.revision) return false;
  return includeRefused || record.syncState !== "refused";
}

/** Return the record as the sync request carries it: local fields stripped, comments trimmed. */
export function toWire(record) {
  const wire = {...record};
  for (const field of LOCAL_FIELDS) delete wire[field];
  wire.answers = record.answers.map((a) => {
    const comment = typeof a.comment === "string" ? a.comment.trim().slice(0, MAX_COMMENT) : null;
    return {...a, comment: comment || null};
  });
  if (record.photos?.length) {
    wire.photos = record.photos.map((p) => {
      const caption = typeof p.caption === "string" ? p.caption.trim().slice(0, MAX_CAPTION) : null;
      return {...p, caption: caption || null};
    });
  } else {
    delete wire.photos;  // an older server, or a checklist without photos: the field stays out
  }
  return wire;
}

/** Note that `revision` is about to be sent, so that any later edit raises the revision. */
export const markSent = (record, revision) => ({...record, sentRevision: Math.max(record.sentRevision, revision)});

/** Turn the server's errors ({path: [messages]}) into one readable line, naming items instead of indexes. */
export function describeErrors(errors, record) {
  if (!errors || typeof errors !== "object") return "";
  return Object.entries(errors).map(([path, messages]) => {
    const match = /^answers\.(\d+)/.exec(path);
    const where = match ? record.answers[Number(match[1])]?.item || path : path;
    return `${where ? where + ": " : ""}${[messages].flat().join(" ")}`;
  }).join("; ");
}

/**
 * Apply the server's result for the revision sent; accepted, duplicate and stale take it out of the outbox, and so
 * does rejected with code "deleted" (the organisers deleted it on request: the server refuses every revision of it).
 */
export function settle(record, result, sentRevision, now) {
  if (result.status === "rejected" && result.code === "deleted") {
    return {...record, syncState: "removed", refusal: null, removedAt: now};
  }
  const editedSince = record.revision > sentRevision;
  if (["accepted", "duplicate", "stale"].includes(result.status)) {
    const next = {...record, syncedRevision: Math.max(record.syncedRevision, sentRevision), refusal: null};
    if (editedSince) {
      // The server may hold a newer revision than the one sent (stale): stay above it.
      next.revision = Math.max(record.revision, (result.revision || 0) + 1);
      return next;
    }
    return {...next, syncState: "synced"};
  }
  const refusal = {revision: sentRevision, reason: describeErrors(result.errors, record) || result.status, at: now};
  return editedSince ? {...record, refusal} : {...record, refusal, syncState: "refused"};
}

/** Refuse a record locally when the server cannot take it at all (e.g. too large). */
export const refuse = (record, reason, now) =>
  ({...record, syncState: "refused", refusal: {revision: record.revision, reason, at: now}});

/** Split a list into chunks of at most `size`. */
export function chunks(list, size) {
  const out = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Delay before retry number `attempt` (0-based): exponential from 5 s to 10 min, with jitter. */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(5000 * 2 ** attempt, 600000);
  return Math.round(ceiling / 2 + random() * ceiling / 2);
}

/**
 * Build the backup file: the sync request format, each response naming its walk, and the keys of those walks
 * (so that a phone it is handed to can send the answers).
 */
export function backupDocument(records, deviceId, now, keys = {}) {
  const responses = records.filter((r) => hasContent(r) && !isRemoved(r)).map((r) => ({walk: r.walk, ...toWire(r)}));
  const walks = new Set(responses.map((r) => r.walk));
  return {
    format: "city-audit-walker-backup", exported_at: now, device_id: deviceId, responses,
    walk_keys: Object.fromEntries(Object.entries(keys).filter(([walk, key]) => walks.has(walk) && key)),
  };
}

/** Count a device's checklists the one way every screen shows them: saved (with answers), sent, not sent yet. */
export function outboxCounts(records) {
  const saved = records.filter((r) => hasContent(r) && !isRemoved(r));
  const sent = saved.filter((r) => r.syncedRevision >= r.revision).length;
  return {saved: saved.length, sent, unsent: saved.length - sent};
}

const BACKUP_FORMAT = "city-audit-walker-backup";

/** Read a backup file's text; return {responses, keys} or throw an Error whose message says what is wrong. */
export function readBackup(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error("not_json");
  }
  if (!doc || doc.format !== BACKUP_FORMAT || !Array.isArray(doc.responses)) throw new Error("not_backup");
  const valid = (r) => r && typeof r.id === "string" && typeof r.walk === "string" && Number.isInteger(r.revision) &&
    r.revision >= 1 && typeof r.checklist === "string" && Number.isInteger(r.checklist_version) && Array.isArray(r.answers);
  const keys = doc.walk_keys && typeof doc.walk_keys === "object" ? doc.walk_keys : {};
  return {responses: doc.responses.filter(valid), skipped: doc.responses.filter((r) => !valid(r)).length, keys};
}

/**
 * Decide what a restored response does to the device's copy (existing, or undefined): "added" as a new record
 * waiting to sync, "updated" when its revision is higher, else "kept" (the device's revision is as new or newer).
 * Return {outcome, record}; record is what to store (null when nothing changes).
 */
export function restoredRecord(existing, response, number) {
  const {walk, ...wire} = response;
  if (!existing) {
    return {outcome: "added", record: {...wire, participant: {group: null, language: null, ...wire.participant},
      walk, number, syncState: "waiting", sentRevision: 0, syncedRevision: 0, refusal: null}};
  }
  if (response.revision <= existing.revision) return {outcome: "kept", record: null};
  // The other phone's newer edit: this device sends it like its own, under the same id.
  return {outcome: "updated", record: {...existing, ...wire, walk: existing.walk, number: existing.number,
    syncState: existing.syncState === "in-progress" ? "in-progress" : "waiting", refusal: null}};
}
