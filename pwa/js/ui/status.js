/** The two status lines under the tabs: what the outbox is doing, and whether the app can work offline. */
import {formatTime, t} from "../i18n.js";
import {needsSync} from "../records.js";
import * as store from "../store.js";
import {syncStatus, waitingPhotos} from "../sync.js";

/** Redraw the sync line from the sync status and the records on the device. */
export async function updateSyncLine() {
  const status = syncStatus();
  const records = await store.listRecords();
  const waiting = records.filter((r) => needsSync(r)).length;
  const refused = records.filter((r) => r.syncState === "refused").length;
  const photos = (await waitingPhotos()).length;
  let message = "";
  if (status.phase === "sending") message = t("sync_progress", {sent: status.sent, total: status.total});
  else if (status.phase === "uploading") message = t("photos_progress", {sent: status.filesSent, total: status.filesTotal});
  else if (photos && !waiting && status.phase !== "retry") message = t("photos_waiting_n", {n: photos});
  else if (status.phase === "retry") message = t("sync_retry", {time: formatTime(new Date(status.retryAt).toISOString())});
  else if (waiting) message = t("waiting_n", {n: waiting});
  else if (status.manual && status.phase === "idle") message = t("sync_nothing");
  else if (records.length && !refused) message = t("all_synced");
  if (photos && waiting) message = `${message} ${t("photos_waiting_n", {n: photos})}`;
  if (refused) message = `${message} ${t("refused_n", {n: refused})}`.trim();
  document.getElementById("sync-status").textContent = message;
}

/** Redraw the offline line: ready is true once the service worker and the saved walks allow offline work. */
export function updateOfflineLine(ready) {
  document.getElementById("offline-status").textContent = ready ? t("offline_ready") : t("offline_not_ready");
}
