/** The backup file: every checklist on this device in one JSON file the walker can keep or hand on. */
import {backupDocument} from "./records.js";
import * as store from "./store.js";
import {deviceId} from "./sync.js";

/** Build the backup file of this device; resolve with {name, text}. */
export async function backupFile() {
  const now = new Date().toISOString();
  const id = await deviceId();
  return {name: `city-audit-backup-${now.slice(0, 10)}-${id.slice(0, 8)}.json`,
    text: JSON.stringify(backupDocument(await store.listRecords(), id, now), null, 1)};
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
