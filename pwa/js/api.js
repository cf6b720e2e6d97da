/**
 * The only module that talks to the server (API v1). Every failure becomes an HttpError (the server
 * answered with an error) or a NetworkError (no usable answer: offline, timeout, proxy page).
 */
const API = new URL("api/v1/", document.baseURI);

/** The server answered with an error status; code/message/details come from its JSON envelope. */
export class HttpError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code || null;
    this.details = body?.error?.details ?? null;
  }
}

/** No usable answer from the server: try again later. */
export class NetworkError extends Error {}

async function request(path, options = {}, timeout = 20000) {
  let response;
  try {
    response = await fetch(new URL(path, API), {cache: "no-store", ...options, signal: AbortSignal.timeout(timeout)});
  } catch (error) {
    throw new NetworkError(error.message);
  }
  if (response.status === 304) return null;
  let body = null;
  try {
    body = await response.json();
  } catch {
    if (response.ok) throw new NetworkError(`HTTP ${response.status} without JSON`);
  }
  if (!response.ok) throw new HttpError(response.status, body);
  options.onEtag?.(response.headers.get("ETag"));
  return body;
}

/** List the walks (slug, title, checklist). */
export const fetchWalkList = () => request("walks");

/** Fetch one walk with its stations. */
export const fetchWalk = (slug) => request(`walks/${encodeURIComponent(slug)}`);

/**
 * Fetch one checklist version, keeping its ETag as `etag`; given the stored copy's ETag, resolve null when the
 * server's copy is the same (304).
 */
export async function fetchChecklist(slug, version, etag) {
  let tag = null;
  const checklist = await request(`checklists/${encodeURIComponent(slug)}?version=${encodeURIComponent(version)}`,
    {headers: etag ? {"If-None-Match": etag} : {}, onEtag: (value) => { tag = value; }});
  return checklist && {...checklist, etag: tag};
}

async function gzip(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

/** POST a batch to a walk's sync endpoint, gzip-compressed where the browser can; resolve with the reply. */
export async function postSync(walk, key, body) {
  const text = JSON.stringify(body);
  const headers = {"Content-Type": "application/json", "X-Walk-Key": key};
  let payload = text;
  if (typeof CompressionStream === "function") {
    payload = await gzip(text);
    headers["Content-Encoding"] = "gzip";
  }
  const reply = await request(`walks/${encodeURIComponent(walk)}/sync`, {method: "POST", headers, body: payload}, 60000);
  if (!Array.isArray(reply?.results)) throw new NetworkError("The sync reply has no results.");
  return reply;
}

/** Exchange the walk code printed under the QR codes for the walk's key: resolve with {walk, key}. */
export const exchangeWalkCode = (walk, code) => request(`walks/${encodeURIComponent(walk)}/key`,
  {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({code})}, 15000);

/** Fetch a walk's live tally (checklists received, per station); needs the walk key. */
export const fetchTally = (walk, key) =>
  request(`walks/${encodeURIComponent(walk)}/tally`, {headers: {"X-Walk-Key": key}}, 8000);

function mediaUrl(walk, sha256) {
  return new URL(`walks/${encodeURIComponent(walk)}/media/${sha256}`, API);
}

/** Ask whether the server holds a file: resolve true (200) or false (404). */
export async function headMedia(walk, key, sha256) {
  let response;
  try {
    response = await fetch(mediaUrl(walk, sha256), {method: "HEAD", cache: "no-store", headers: {"X-Walk-Key": key},
      signal: AbortSignal.timeout(20000)});
  } catch (error) {
    throw new NetworkError(error.message);
  }
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  throw new HttpError(response.status, null);
}

/** PUT one file (the body is the Blob itself); resolve once the server holds it (201 stored, 200 already held). */
export async function putMedia(walk, key, sha256, blob, type) {
  // Slow café networks: allow about 20 kB/s for the file, at least two minutes.
  const timeout = Math.max(120000, blob.size / 20);
  let response;
  try {
    response = await fetch(mediaUrl(walk, sha256), {method: "PUT", cache: "no-store", body: blob,
      headers: {"X-Walk-Key": key, "Content-Type": type}, signal: AbortSignal.timeout(timeout)});
  } catch (error) {
    throw new NetworkError(error.message);
  }
  if (response.ok) return response.status;
  if (response.status === 304) return null;
  let body = null;
  try {
    body = await response.json();
  } catch {
    // A proxy's error page: the status says enough.
  }
  throw new HttpError(response.status, body);
}
