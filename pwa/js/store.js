/**
 * The only module that touches IndexedDB: walks, checklists, walk keys, participants' records, settings,
 * and the files of their photos and voice notes (the "media" store, added in version 2).
 *
 * Upgrades are guarded by oldVersion and only ever add; a future version that reshapes data must copy it
 * into a new store inside the upgrade transaction and never drop a store that holds answers.
 */
const DB_NAME = "city-audit-walker";
const DB_VERSION = 2;

let opening = null;

function upgrade(db, oldVersion) {
  if (oldVersion < 1) {
    db.createObjectStore("meta");
    db.createObjectStore("walks", {keyPath: "slug"});
    db.createObjectStore("checklists", {keyPath: ["slug", "version"]});
    db.createObjectStore("keys", {keyPath: "walk"});
    db.createObjectStore("records", {keyPath: "id"}).createIndex("walk", "walk");
  }
  if (oldVersion < 2) {
    // Photo and voice files by their SHA-256: {sha256, walk, record, kind, blob, type, bytes, created_at, uploaded}.
    // Added beside the version 1 stores, which keep every record as it was.
    db.createObjectStore("media", {keyPath: "sha256"}).createIndex("record", "record");
  }
}

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
    request.onsuccess = () => {
      const db = request.result;
      // Another tab wants a newer schema: let it upgrade, reopen on next use.
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    request.onerror = () => { opening = null; reject(request.error); };
  });
  return opening;
}

/** Run `body(stores, done)` in one transaction; resolve with the value given to done() once it commits. */
async function transact(names, mode, body) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode);
    let result;
    const stores = Object.fromEntries([names].flat().map((name) => [name, tx.objectStore(name)]));
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
    try {
      body(stores, (value) => { result = value; });
    } catch (error) {
      tx.abort();
      reject(error);
    }
  });
}

function get(name, key) {
  return transact(name, "readonly", (s, done) => { s[name].get(key).onsuccess = (e) => done(e.target.result); });
}

function put(name, value, key) {
  return transact(name, "readwrite", (s, done) => { s[name].put(value, key); done(value); });
}

function all(name, index, query) {
  return transact(name, "readonly", (s, done) => {
    const source = index ? s[name].index(index) : s[name];
    source.getAll(query).onsuccess = (e) => done(e.target.result);
  });
}

/** Read a setting (undefined when unset). */
export const getMeta = (key) => get("meta", key);
/** Write a setting. */
export const setMeta = (key, value) => put("meta", value, key);

/** Store a walk as served by the API. */
export const putWalk = (walk) => put("walks", walk);
/** Return a stored walk or undefined. */
export const getWalk = (slug) => get("walks", slug);
/** Return every stored walk. */
export const listWalks = () => all("walks");

/** Store a checklist version as served by the API. */
export const putChecklist = (checklist) => put("checklists", checklist);
/** Return a stored checklist version or undefined. */
export const getChecklist = (slug, version) => get("checklists", [slug, version]);
/** List every stored checklist version. */
export const listChecklists = () => all("checklists");

/** Remember the key a walk's link carried. */
export const setWalkKey = (walk, key) => put("keys", {walk, key, saved_at: new Date().toISOString()});
/** Return the key stored for a walk, or undefined. */
export const getWalkKey = async (walk) => (await get("keys", walk))?.key;

/** Store a new or replaced record. */
export const putRecord = (record) => put("records", record);
/** Return one record or undefined. */
export const getRecord = (id) => get("records", id);
/** Return every record, or those of one walk. */
export const listRecords = (walk) => (walk ? all("records", "walk", walk) : all("records"));

/** Read, change and write records in one transaction; `change(record)` returns the new record or null to skip. */
export function updateRecords(ids, change) {
  return transact("records", "readwrite", (s, done) => {
    const updated = [];
    for (const id of ids) {
      s.records.get(id).onsuccess = (event) => {
        const current = event.target.result;
        const next = current && change(current);
        if (next) {
          s.records.put(next);
          updated.push(next);
        }
      };
    }
    done(updated);
  });
}

/** Change one record in one transaction; resolve with the stored result (or null). */
export async function updateRecord(id, change) {
  return (await updateRecords([id], change))[0] || null;
}

/** Return {walk: key} for every walk with a stored key. */
export const listWalkKeys = async () => Object.fromEntries((await all("keys")).map((k) => [k.walk, k.key]));

/**
 * Merge incoming items into the records in one transaction: `decide(existing, item)` returns {outcome, record};
 * a record is stored when given. Resolve with the outcomes, in order.
 */
export function mergeRecords(items, decide) {
  return transact("records", "readwrite", (s, done) => {
    const outcomes = [];
    items.forEach((item, index) => {
      s.records.get(item.id).onsuccess = (event) => {
        const {outcome, record} = decide(event.target.result, item);
        if (record) s.records.put(record);
        outcomes[index] = outcome;
      };
    });
    done(outcomes);
  });
}

/** Keep a photo or voice note file ({sha256, walk, record, kind, blob, type, bytes, created_at}); an existing one stays. */
export function putMedia(entry) {
  return transact("media", "readwrite", (s, done) => {
    s.media.get(entry.sha256).onsuccess = (event) => {
      const current = event.target.result;
      if (!current) s.media.put({uploaded: false, ...entry});
      done(current || entry);
    };
  });
}
/** Return a stored file entry or undefined. */
export const getMedia = (sha256) => get("media", sha256);
/** Return every stored file entry. */
export const listMedia = () => all("media");

/** Note that the server confirmed it holds a file (same SHA-256); the file stays on the device. */
export function markMediaUploaded(sha256, at) {
  return transact("media", "readwrite", (s, done) => {
    s.media.get(sha256).onsuccess = (event) => {
      const current = event.target.result;
      if (current) s.media.put({...current, uploaded: true, uploaded_at: at});
      done(Boolean(current));
    };
  });
}

/** Remove a file the walker removed before the server had it; a file the server confirmed is never needed again. */
export function deleteMedia(sha256) {
  return transact("media", "readwrite", (s, done) => { s.media.delete(sha256); done(true); });
}

/** Note why the server refused a file; it is kept and sent again when the walker syncs by hand. */
export function putMediaRefusal(sha256, refusal) {
  return transact("media", "readwrite", (s, done) => {
    s.media.get(sha256).onsuccess = (event) => {
      const current = event.target.result;
      if (current) s.media.put({...current, refusal});
      done(Boolean(current));
    };
  });
}
