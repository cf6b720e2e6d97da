/** Photos at a station (or away from stations): caption, rating, topic or item, voice note. Cards update in place. */
import {queueWrite} from "../changes.js";
import "../photo-strings.js";
import {localized, t} from "../i18n.js";
import {preparePhoto, sha256Hex} from "../photo-file.js";
import {MAX_CAPTION, RATINGS, namedFiles, withPhoto, withPhotoChange, withoutPhoto} from "../records.js";
import * as store from "../store.js";
import {nearlyFull, storageUse} from "./device.js";
import {h} from "./dom.js";

const MAX_VOICE_MS = 120000;
const urls = new Map();

async function fileUrl(sha256, load) {
  if (!urls.has(sha256)) {
    const entry = await load(sha256);
    urls.set(sha256, entry ? URL.createObjectURL(entry.blob) : null);
  }
  return urls.get(sha256);
}

function topicChoices(checklist, photo) {
  const selected = photo.item ? `i:${photo.item}` : photo.topic ? `t:${photo.topic}` : "";
  return [h("option", {value: "", selected: !selected}, t("photo_topic_none")),
    checklist.topics.map((topic) => h("optgroup", {label: localized(topic.title).text},
      h("option", {value: `t:${topic.id}`, selected: selected === `t:${topic.id}`}, localized(topic.title).text),
      topic.items.map((item) => h("option", {value: `i:${item.id}`, selected: selected === `i:${item.id}`},
        localized(item.text).text))))];
}

function topicOf(checklist, value) {
  if (value.startsWith("i:")) {
    const item = value.slice(2);
    const topic = checklist.topics.find((tp) => tp.items.some((i) => i.id === item));
    return {topic: topic?.id ?? null, item};
  }
  return {topic: value.startsWith("t:") ? value.slice(2) : null, item: null};
}

function voiceControls(photo, actions) {
  const box = h("div", {class: "voice"});
  let recorder = null;
  let started = 0;
  let timer = null;
  const button = h("button", {type: "button", class: "secondary", id: `voice-${photo.id}`});
  const render = (current) => {
    const recording = recorder?.state === "recording";
    button.textContent = t(recording ? "voice_stop" : "voice_record");
    box.dataset.recording = recording ? "true" : "false";
  };
  button.addEventListener("click", async () => {
    if (recorder?.state === "recording") {
      recorder.stop();
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({audio: true});
    } catch {  // no microphone, not allowed, or no MediaRecorder here
      actions.notify(t("voice_unsupported"));
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (event) => event.data.size && chunks.push(event.data);
    recorder.onstop = () => {
      clearTimeout(timer);
      stream.getTracks().forEach((track) => track.stop());
      const type = (recorder.mimeType || chunks[0]?.type || "audio/webm").split(";")[0];
      const seconds = Math.min(MAX_VOICE_MS, Date.now() - started) / 1000;
      if (chunks.length) actions.addVoice(photo.id, new Blob(chunks, {type}), seconds);
      render(photo);
    };
    started = Date.now();
    recorder.start();
    timer = setTimeout(() => recorder.state === "recording" && recorder.stop(), MAX_VOICE_MS);
    render(photo);
  });
  const audio = h("audio", {controls: true, hidden: true});
  const remove = h("button", {type: "button", class: "link", hidden: true,
    onclick: () => actions.changePhoto(photo.id, {voice: null})}, t("voice_remove"));
  box.append(button, audio, remove);
  box.show = async (current, load) => {
    render(current);
    audio.hidden = remove.hidden = !current.voice;
    if (current.voice) audio.src = (await fileUrl(current.voice.sha256, load)) || "";
  };
  return box;
}

function photoCard(photo, number, {checklist, actions, load}) {
  const id = photo.id;
  const image = h("img", {alt: "", width: 160, height: Math.round(160 * photo.height / photo.width), class: "thumb"});
  fileUrl(photo.sha256, load).then((url) => { if (url) image.src = url; });
  const caption = h("textarea", {id: `caption-${id}`, rows: 3, maxlength: MAX_CAPTION,
    oninput: (event) => actions.changePhoto(id, {caption: event.target.value})});
  const radios = RATINGS.map((value) => h("input", {type: "radio", name: `rating-${id}`, value, id: `rating-${id}-${value}`,
    onchange: () => actions.changePhoto(id, {rating: value})}));
  const clear = h("button", {type: "button", class: "link", onclick: () => actions.changePhoto(id, {rating: null})},
    t("rating_clear"));
  const topic = h("select", {id: `topic-${id}`,
    onchange: (event) => actions.changePhoto(id, topicOf(checklist, event.target.value))}, topicChoices(checklist, photo));
  const voice = voiceControls(photo, actions);
  const state = h("p", {class: "muted photo-state"});
  const card = h("li", {class: "photo", "data-photo": id},
    h("figure", {}, image, h("figcaption", {class: "visually-hidden"}, t("photo_n", {n: number}))),
    h("label", {for: caption.id}, t("caption")), caption,
    h("fieldset", {class: "rating"}, h("legend", {}, t("rating")),
      radios.map((radio) => h("label", {for: radio.id, class: "choice"}, radio, t(`rating_${radio.value}`))), clear),
    h("label", {for: topic.id}, t("photo_topic")), topic,
    voice,
    h("div", {class: "after"}, state,
      h("button", {type: "button", class: "link danger", onclick: () => actions.removePhoto(id)}, t("photo_remove"))));
  card.show = (current, held) => {
    if (document.activeElement !== caption) caption.value = current.caption || "";
    for (const radio of radios) radio.checked = radio.value === current.rating;
    clear.hidden = !current.rating;
    image.alt = current.caption || t("photo_n", {n: number});
    state.textContent = held ? t("photo_on_server") : t("photo_on_device");
    voice.show(current, load);
  };
  return card;
}

/** Render the photos section; show(record, heldFiles) refreshes it in place. */
export function photosSection({checklist, station, actions, load}) {
  const input = h("input", {type: "file", accept: "image/*", capture: "environment", id: "add-photo", class: "file-input",
    onchange: async (event) => {
      const files = [...event.target.files];
      event.target.value = "";
      for (const file of files) await actions.addPhoto(file);
    }});
  const list = h("ul", {class: "photo-list"});
  const cards = new Map();
  const status = h("p", {class: "muted", id: "photos-status", role: "status"});
  const el = h("section", {class: "photos", "aria-labelledby": "photos-title"},
    h("h2", {id: "photos-title"}, t("photos")),
    h("p", {class: "muted"}, t("photos_hint")),
    h("label", {for: input.id, class: "button secondary add-photo"}, t("add_photo")), input,
    status, list);
  el.show = async (record) => {
    const held = await heldFiles();
    const here = (record?.photos || []).filter((p) => (p.station ?? null) === (station?.code ?? null));
    const keep = new Set(here.map((p) => p.id));
    for (const [id, card] of cards) if (!keep.has(id)) { card.remove(); cards.delete(id); }
    here.forEach((photo, index) => {
      let card = cards.get(photo.id);
      if (!card) {
        card = photoCard(photo, index + 1, {checklist, actions, load});
        cards.set(photo.id, card);
        list.append(card);
      }
      card.show(photo, held.has(photo.sha256));
    });
  };
  el.setStatus = (message) => { status.textContent = message || ""; };
  return el;
}

/** Return the SHA-256 of the files the server has confirmed it holds. */
export async function heldFiles() {
  return new Set((await store.listMedia()).filter((m) => m.uploaded).map((m) => m.sha256));
}

/** The walker's photo actions; `edit(apply)` changes the current checklist as an answer does. */
export function photoActions({edit, notify, walkSlug, currentPhoto, askPersistence}) {
  async function addPhoto(file) {
    const walk = walkSlug();
    notify(t("photo_preparing"));
    let prepared;
    try {
      prepared = await preparePhoto(file);
    } catch {
      notify(t("photo_unreadable"), "alert");
      return;
    }
    const now = new Date().toISOString();
    try {
      // The file first: no checklist names a photo the device lacks.
      await store.putMedia({sha256: prepared.sha256, walk, kind: "photo", blob: prepared.blob, type: prepared.type,
        bytes: prepared.bytes, created_at: now});
    } catch (error) {
      notify(t("photo_not_saved", {reason: error.message}), "alert");
      return;
    }
    const photo = {id: crypto.randomUUID(), sha256: prepared.sha256, bytes: prepared.bytes,
      content_type: prepared.type, width: prepared.width, height: prepared.height, taken_at: now};
    await edit((record, station, at) => withPhoto(record, photo, station, at)).catch(() => {});
    notify(t("photo_saved"));
    if (nearlyFull(await storageUse())) notify(t("storage_nearly_full"), "alert");
    askPersistence();
  }

  function changePhoto(id, change) {
    return edit((record, _station, now) => withPhotoChange(record, id, change, now)).catch(() => {});
  }

  async function removePhoto(id) {
    const photo = currentPhoto(id);
    await edit((record, _station, now) => withoutPhoto(record, id, now)).catch(() => {});
    if (!photo) return;
    await queueWrite(async () => {
      // Only a file nothing names and the server never confirmed leaves the device.
      const named = namedFiles(await store.listRecords());
      for (const sha of [photo.sha256, photo.voice?.sha256].filter(Boolean)) {
        const entry = await store.getMedia(sha);
        if (entry && !named.has(sha) && !entry.uploaded) await store.deleteMedia(sha);
      }
    });
  }

  async function addVoice(id, blob, seconds) {
    const sha256 = await sha256Hex(blob);
    const type = (blob.type || "audio/webm").split(";")[0];
    await store.putMedia({sha256, walk: walkSlug(), kind: "voice", blob, type, bytes: blob.size,
      created_at: new Date().toISOString()});
    await changePhoto(id, {voice: {sha256, bytes: blob.size, content_type: type, duration_s: Math.round(seconds * 10) / 10}});
  }

  return {addPhoto, changePhoto, removePhoto, addVoice};
}
