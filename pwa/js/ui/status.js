/** The status lines under the tabs: what the outbox is doing, whether the app works offline, online or not. */
import {formatTime, t} from "../i18n.js";
import {outboxCounts} from "../records.js";
import * as store from "../store.js";
import {syncStatus, waitingPhotos} from "../sync.js";

/** Redraw the sync line: what sync is doing, then the one count (saved on this phone, sent) every screen uses. */
export async function updateSyncLine() {
  const status = syncStatus();
  const records = await store.listRecords();
  const refused = records.filter((r) => r.syncState === "refused").length;
  const photos = (await waitingPhotos()).length;
  const parts = [];
  if (status.phase === "sending") parts.push(t("sync_progress", {sent: status.sent, total: status.total}));
  else if (status.phase === "uploading") parts.push(t("photos_progress", {sent: status.filesSent, total: status.filesTotal}));
  else if (status.phase === "retry") parts.push(t("sync_retry", {time: formatTime(new Date(status.retryAt).toISOString())}));
  else if (status.manual && status.phase === "idle") parts.push(t("sync_nothing"));
  const counts = outboxCounts(records);
  if (counts.saved) parts.push(t("counts", counts));
  if (photos) parts.push(t("photos_waiting_n", {n: photos}));
  if (refused) parts.push(t("refused_n", {n: refused}));
  document.getElementById("sync-status").textContent = parts.join(" ");
}

/** Redraw the offline line: ready is true once the service worker and the saved walks allow offline work. */
export function updateOfflineLine(ready) {
  document.getElementById("offline-status").textContent = ready ? t("offline_ready") : t("offline_not_ready");
}

/** Redraw the quiet online/offline mark in the header. */
export function updateNetwork() {
  const mark = document.getElementById("network");
  mark.textContent = navigator.onLine ? t("online") : t("offline");
  mark.dataset.online = String(navigator.onLine);
}
