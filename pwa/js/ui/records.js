/** "Checklists on this device": every participant's checklist with its sync state. */
import {formatTime, localized, t} from "../i18n.js";
import {isAnswered} from "../records.js";
import * as store from "../store.js";
import {countsText} from "./device.js";
import {h} from "./dom.js";

/** Return a record's sync state in words. */
export const stateText = (record) => t(`state_${record.syncState}`);

function thumbnails(record, loadFile) {
  const photos = record.photos || [];
  if (!photos.length) return null;
  const list = h("ul", {class: "record-photos", "aria-label": t("photos_n", {n: photos.length})});
  for (const photo of photos) {
    const image = h("img", {alt: photo.caption || t("photo_n", {n: list.children.length + 1}), width: 64,
      height: Math.round(64 * photo.height / photo.width)});
    loadFile?.(photo.sha256).then((entry) => { if (entry) image.src = URL.createObjectURL(entry.blob); });
    list.append(h("li", {}, image));
  }
  return list;
}

/** Render the list; actions.resume(record) continues a checklist, actions.newParticipant() starts one. */
export function recordsView({records, walks, currentIds, actions, loadFile}) {
  const titles = new Map(walks.map((w) => [w.slug, localized(w.title).text]));
  const sorted = [...records].sort((a, b) => (a.walk === b.walk ? b.number - a.number : a.walk.localeCompare(b.walk)));
  return h("div", {class: "records-view"},
    h("h1", {id: "view-title", tabindex: -1}, t("checklists_title")),
    h("p", {id: "records-counts"}, countsText(records)),
    actions.newParticipant && h("button", {type: "button", class: "secondary", onclick: actions.newParticipant},
      t("new_participant")),
    sorted.length ? h("ul", {class: "cards"}, sorted.map((record) => {
      const current = currentIds.has(record.id) && record.syncState !== "removed";
      return h("li", {class: `card state-${record.syncState}`, "data-record": record.id},
        h("h2", {}, t("participant_n", {n: record.number}), " · ", titles.get(record.walk) || record.walk),
        h("p", {class: "state"}, h("strong", {}, stateText(record)), current ? ` · ${t("open_now")}` : ""),
        record.syncState === "refused" && record.refusal &&
          h("p", {class: "reason"}, t("refused_reason", {reason: record.refusal.reason})),
        h("p", {class: "muted"}, t("answers_n", {n: record.answers.filter(isAnswered).length}), " · ",
          t("started_at", {time: formatTime(record.started_at)}),
          record.participant.group ? ` · ${t(`group_${record.participant.group}`)}` : "",
          record.photos?.length ? ` · ${t("photos_n", {n: record.photos.length})}` : ""),
        thumbnails(record, loadFile),
        // A checklist the organisers removed cannot be continued: the server refuses it.
        !current && record.syncState !== "removed" &&
          h("button", {type: "button", class: "secondary", onclick: () => actions.resume(record)}, t("resume")));
    })) : h("p", {}, t("no_checklists")));
}

/** Load every record on this device and render the list. */
export async function recordsScreen({actions}) {
  const records = await store.listRecords();
  const walks = await store.listWalks();
  const currentIds = new Set(await Promise.all(walks.map((w) => store.getMeta(`current:${w.slug}`))));
  return recordsView({records, walks, currentIds, actions, loadFile: store.getMedia});
}
