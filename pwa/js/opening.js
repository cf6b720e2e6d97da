/** Opening a walk: from the address the app was started with, a scanned link, or a typed station code. */
import {refreshCatalog} from "./catalog.js";
import {t} from "./i18n.js";
import {appPath, findStation, parseLocation} from "./route.js";
import * as store from "./store.js";
import {syncNow} from "./sync.js";

// A walk code (ABCD-EFGH, no 0 O 1 I) without its dash.
const WALK_CODE = /^[2-9A-HJ-NP-Z]{8}$/;

async function keepKey(walk, key) {
  if ((await store.getWalkKey(walk)) === key) return false;
  await store.setWalkKey(walk, key);
  await store.setMeta(`problem:${walk}`, null);
  return true;
}

/** Keep the walk key of the address the app was opened with, and drop it from the visible address. */
export async function captureKey() {
  const {walk, key} = parseLocation(location.href);
  if (!walk || !key) return;
  // Dropped from the address bar so that it is not shared by accident.
  history.replaceState(history.state, "", location.pathname + location.search);
  await keepKey(walk, key);
}

async function openLink(link) {
  let route = {};
  try {
    route = parseLocation(new URL(link).href);
  } catch {
    // Not a link at all: said below.
  }
  // Only this app's own walk and station links open here; the route knows the app's origin and path.
  if (!route.walk) return {message: t("link_foreign", {link: link.length > 80 ? `${link.slice(0, 79)}…` : link})};
  if (route.key && (await keepKey(route.walk, route.key))) syncNow();
  return {path: appPath(route.walk, route.code)};
}

/** Resolve a typed or scanned text to {path} of the station it names, or {message} saying why it cannot open. */
export async function openCode(typed) {
  if (/^https?:/i.test(typed.trim())) return openLink(typed.trim());
  let found = findStation(await store.listWalks(), typed);
  if (!found) {
    // A station added since the walks were saved: look once more online.
    await refreshCatalog().catch(() => {});
    found = findStation(await store.listWalks(), typed);
  }
  if (!found && WALK_CODE.test(typed.toUpperCase().replace(/[^A-Z0-9]/g, ""))) {
    await import("./later-strings.js");
    return {message: t("code_is_walk_code", {code: typed.trim()})};
  }
  if (!found) return {message: t("code_unknown", {code: typed.trim()})};
  return {path: appPath(found.walk.slug, found.station.code)};
}
