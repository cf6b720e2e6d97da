/** Where the app is: the walk and station in the address, the walk key in the fragment. */

const APP_ROOT = new URL("../", import.meta.url);

/** Return {walk, code, key} from a URL of this app (walk/code null on other pages). */
export function parseLocation(href) {
  const url = new URL(href, APP_ROOT);
  const key = new URLSearchParams(url.hash.slice(1)).get("k");
  if (url.origin !== APP_ROOT.origin || !url.pathname.startsWith(APP_ROOT.pathname)) return {walk: null, code: null, key: null};
  const parts = url.pathname.slice(APP_ROOT.pathname.length).split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== "w" || !parts[1]) return {walk: null, code: null, key};
  return {walk: parts[1].toLowerCase(), code: parts[2] ? parts[2].toUpperCase() : null, key};
}

/** Return the app path of a walk or one of its stations. */
export function appPath(walk, code) {
  const path = `w/${encodeURIComponent(walk)}${code ? "/" + encodeURIComponent(code) : ""}`;
  return new URL(path, APP_ROOT).pathname;
}

/** Return the app's root path. */
export const rootPath = () => APP_ROOT.pathname;

/** Reduce a typed station code to letters and digits, so "p7 1", "P7-1" and "p71" match. */
export const normaliseCode = (code) => String(code).toUpperCase().replace(/[^A-Z0-9]/g, "");

/** Find a station by typed code among walks; return {walk, station} or null. */
export function findStation(walks, typed) {
  const exact = String(typed).trim().toUpperCase();
  const loose = normaliseCode(typed);
  if (!loose) return null;
  for (const same of [(s) => s.code === exact, (s) => normaliseCode(s.code) === loose]) {
    for (const walk of walks) {
      const station = walk.stations.find(same);
      if (station) return {walk, station};
    }
  }
  return null;
}
