/** The end of a participant's walk: thanks, what they did, what is still to send, and the group's live tally. */
import {fetchTally} from "../api.js";
import {localized, t} from "../i18n.js";
import "../later-strings.js";
import {isAnswered} from "../records.js";
import * as store from "../store.js";
import {h} from "./dom.js";

/** Render the thank-you screen for a finished record; tally is the walk's live tally, or null offline. */
export function thanksView({walk, record, total, photos, tally, actions}) {
  const answered = record.answers.filter(isAnswered);
  const stations = new Set(answered.map((a) => a.station).filter(Boolean));
  const sent = record.syncedRevision >= record.revision;
  const titles = new Map(walk.stations.map((s) => [s.code, localized(s.title).text]));
  return h("div", {class: "thanks-view"},
    h("h1", {id: "view-title", tabindex: -1}, t("thanks_title")),
    h("p", {}, t("thanks_intro")),
    h("ul", {class: "did", id: "thanks-summary"},
      h("li", {}, t("thanks_items", {n: answered.length, total})),
      h("li", {}, t("thanks_stations", {n: stations.size})),
      photos > 0 && h("li", {}, t("thanks_photos", {n: photos})),
      h("li", {id: "thanks-sent"}, sent ? t("thanks_sent") : t("thanks_unsent"))),
    h("section", {"aria-labelledby": "tally-title", id: "tally"},
      h("h2", {id: "tally-title"}, t("tally_title")),
      tally
        ? [h("p", {id: "tally-total"}, t("tally_total", {n: tally.checklists})),
           h("ul", {class: "tally"}, tally.stations.map((s) => h("li", {},
             `${s.code} · ${titles.get(s.code) || ""}: `, h("strong", {}, String(s.checklists)))))]
        : h("p", {class: "muted"}, t("tally_offline"))),
    h("p", {}, h("button", {type: "button", class: "primary", id: "next-participant", onclick: actions.next},
      t("new_participant"))));
}

/** Load what a finished record needs (photos when the store keeps them, the live tally when online) and render it. */
export async function thanksScreen({walk, checklist, recordId, actions}) {
  const record = await store.getRecord(recordId);
  const total = checklist.topics.reduce((n, topic) => n + topic.items.length, 0);
  // Photos count when the device keeps them, on the record or in the store.
  const photos = record.photos?.length ?? (store.countPhotos ? await store.countPhotos(record.id) : 0);
  let tally = null;
  const key = await store.getWalkKey(walk.slug);
  if (key && navigator.onLine) tally = await fetchTally(walk.slug, key).catch(() => null);
  return thanksView({walk, record, total, photos, tally, actions});
}
