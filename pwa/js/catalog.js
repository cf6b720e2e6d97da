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

/** Fetch every walk and the checklist versions they use; resolve with the number of walks saved. */
export async function refreshCatalog() {
  const {walks} = await api.fetchWalkList();
  const full = await Promise.all(walks.map((w) => api.fetchWalk(w.slug)));
  // Checklists first: a walk is only useful offline once its checklist is stored too.
  const versions = new Map(full.map((w) => [`${w.checklist.slug}@${w.checklist.version}`, w.checklist]));
  await Promise.all([...versions.values()].map(ensureChecklist));
  await Promise.all(full.map((walk) => store.putWalk(walk)));
  await store.setMeta("catalogAt", new Date().toISOString());
  return full.length;
}
