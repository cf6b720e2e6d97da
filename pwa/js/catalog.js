/** Keep walks and checklists on the device so that any station of any walk opens offline. */
import * as api from "./api.js";
import * as store from "./store.js";

/** Return the stored checklist version, fetching it when missing. */
export async function ensureChecklist({slug, version}) {
  const stored = await store.getChecklist(slug, version);
  if (stored) return stored;
  return store.putChecklist(await api.fetchChecklist(slug, version));
}

/** Return a walk from the device, or fetch and keep it (with its checklist) when this device has never seen it. */
export async function ensureWalk(slug) {
  const stored = await store.getWalk(slug);
  if (stored) return stored;
  const walk = await api.fetchWalk(slug);
  await ensureChecklist(walk.checklist);
  return store.putWalk(walk);
}

// An unanswered version may be edited in place: resolve true when the stored copy was replaced.
async function refreshChecklist({slug, version}) {
  const stored = await store.getChecklist(slug, version);
  const fresh = await api.fetchChecklist(slug, version, stored?.etag);
  if (fresh) await store.putChecklist(fresh);
  return Boolean(stored && fresh);
}

/** Fetch every walk and the checklist versions they use; resolve with the number of stored checklists replaced. */
export async function refreshCatalog() {
  const {walks} = await api.fetchWalkList();
  const full = await Promise.all(walks.map((w) => api.fetchWalk(w.slug)));
  // Checklists first: a walk is only useful offline once its checklist is stored too.
  const versions = new Map(full.map((w) => [`${w.checklist.slug}@${w.checklist.version}`, w.checklist]));
  // Older stored versions too; one the server no longer serves stays.
  const older = (await store.listChecklists()).filter((c) => !versions.has(`${c.slug}@${c.version}`));
  const replaced = await Promise.all([...[...versions.values()].map(refreshChecklist),
    ...older.map((c) => refreshChecklist(c).catch(() => false))]);
  await Promise.all(full.map((walk) => store.putWalk(walk)));
  await store.setMeta("catalogAt", new Date().toISOString());
  return replaced.filter(Boolean).length;
}
