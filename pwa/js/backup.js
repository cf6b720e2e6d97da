/**
 * The backup file: every checklist on this device in one JSON file the walker can keep, hand to the facilitator
 * or share with another phone, which restores it and sends it like its own answers.
 */
import {backupDocument, readBackup, restoredRecord} from "./records.js";
import * as store from "./store.js";
import {deviceId} from "./sync.js";

/** Build the backup file of this device; resolve with {name, text}. */
export async function backupFile() {
  const now = new Date().toISOString();
  const id = await deviceId();
  const doc = backupDocument(await store.listRecords(), id, now, await store.listWalkKeys());
  return {name: `city-audit-backup-${now.slice(0, 10)}-${id.slice(0, 8)}.json`, text: JSON.stringify(doc, null, 1)};
}

/** Save the backup file through the browser's download. */
export async function downloadBackup() {
  const {name, text} = await backupFile();
  const url = URL.createObjectURL(new Blob([text], {type: "application/json"}));
  const link = document.createElement("a");
  Object.assign(link, {href: url, download: name, hidden: true});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** Tell whether the system share sheet can take a file here (Web Share with files). */
export function canShareFiles() {
  try {
    return Boolean(navigator.canShare?.({files: [new File(["{}"], "test.json", {type: "application/json"})]}));
  } catch {
    return false;
  }
}

/** Offer the backup file to the system share sheet, or download it where sharing files is not possible. */
export async function shareBackup() {
  const {name, text} = await backupFile();
  const file = new File([text], name, {type: "application/json"});
  if (!navigator.canShare?.({files: [file]})) return downloadBackup();
  try {
    await navigator.share({files: [file], title: name});
  } catch (error) {
    if (error.name !== "AbortError") await downloadBackup(); // closing the share sheet is no failure
  }
}

/**
 * Restore a backup file: add the checklists this device lacks and take a newer revision of those it has; never
 * replace a revision with an older or equal one. Resolve with {added, updated, kept, skipped}; throw an Error
 * whose message is "not_json" or "not_backup" for a file that is no backup.
 */
export async function restoreBackup(file) {
  const {responses, skipped, keys} = readBackup(await file.text());
  const numbers = new Map();
  for (const record of await store.listRecords()) {
    numbers.set(record.walk, Math.max(numbers.get(record.walk) || 0, record.number || 0));
  }
  const nextNumber = (walk) => {
    numbers.set(walk, (numbers.get(walk) || 0) + 1);
    return numbers.get(walk);
  };
  const outcomes = await store.mergeRecords(responses, (existing, response) =>
    restoredRecord(existing, response, existing ? existing.number : nextNumber(response.walk)));
  // A walk's key travels with its answers, so this device can send them; a key it already has stays.
  for (const [walk, key] of Object.entries(keys)) {
    if (typeof key === "string" && key && !(await store.getWalkKey(walk))) await store.setWalkKey(walk, key);
  }
  const count = (outcome) => outcomes.filter((o) => o === outcome).length;
  return {added: count("added"), updated: count("updated"), kept: count("kept"), skipped};
}
