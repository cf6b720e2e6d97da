/** The answering screen for a walk or one of its stations: the station's items first, then the rest by topic. */
import {HttpError, NetworkError} from "../api.js";
import {ensureChecklist, ensureWalk} from "../catalog.js";
import {currentRecord} from "../changes.js";
import {GROUPS, language, languageOptions, localized, t} from "../i18n.js";
import {answerFor, isAnswered} from "../records.js";
import {appPath} from "../route.js";
import * as store from "../store.js";
import {KEY_PROBLEMS, problemText} from "./device.js";
import {h} from "./dom.js";
import {itemFieldset} from "./item.js";
import {stateText} from "./records.js";

const text = (value) => localized(value).text;

function progressText(items, record) {
  const answered = items.filter((item) => isAnswered(answerFor(record, item.id))).length;
  return t("progress", {n: answered, total: items.length});
}

function participantPanel(ctx) {
  const {record, actions} = ctx;
  const status = h("p", {class: "muted", id: "participant-status"});
  const group = h("select", {id: "p-group", onchange: (e) => actions.profile({group: e.target.value || null})},
    h("option", {value: ""}, t("group_none")),
    Object.keys(GROUPS).map((g) => h("option", {value: g, selected: record?.participant.group === g}, t(`group_${g}`))));
  // The participant's language is the app's language too: every text switches with it.
  const language = h("select", {id: "p-lang", onchange: (e) => actions.participantLanguage(e.target.value || null)},
    h("option", {value: ""}, t("group_none")),
    languageOptions().map(([code, name]) =>
      h("option", {value: code, lang: code, selected: record?.participant.language === code}, name)));
  const newButton = h("button", {type: "button", class: "secondary", onclick: actions.newParticipant}, t("new_participant"));
  const finishButton = h("button", {type: "button", class: "secondary", id: "finish", onclick: actions.finish}, t("finish"));
  const panel = h("section", {class: "participant", "aria-labelledby": "participant-title"},
    h("h2", {id: "participant-title"}),
    status,
    h("div", {class: "row"}, finishButton, newButton),
    h("details", {class: "profile"},
      h("summary", {}, t("profile")),
      h("p", {class: "muted"}, t("profile_hint")),
      h("label", {for: group.id}, t("group_label")), group,
      h("label", {for: language.id}, t("participant_language")), language));
  panel.show = (current) => {
    panel.querySelector("h2").textContent = current ? t("participant_n", {n: current.number}) : t("participant_new");
    const answered = current ? current.answers.filter(isAnswered).length : 0;
    newButton.hidden = finishButton.hidden = !current;
    status.textContent = current ? `${t("answers_n", {n: answered})} · ${stateText(current)}` : t("participant_new_hint");
  };
  panel.show(record);
  return panel;
}

/** Render the walk or station screen; returns the element, whose show(record) refreshes answers and progress. */
export function stationView(ctx) {
  const {walk, checklist, station, record, actions} = ctx;
  const topics = checklist.topics;
  const itemsById = new Map(topics.flatMap((topic) => topic.items.map((item) => [item.id, item])));
  const focus = station?.items ? station.items.filter((id) => itemsById.has(id)) : [];
  const focusSet = new Set(focus);
  const fieldsets = new Map();
  // A translation nobody has checked yet is marked, with the English beside each item.
  const draft = language() !== "en" && checklist.translations?.[language()]?.reviewed === false;
  const fieldset = (item) => {
    const el = itemFieldset(item, {scale: checklist.scale, answer: answerFor(record, item.id), draft,
      onChange: (change) => actions.answer(item.id, change)});
    fieldsets.set(item.id, el);
    return el;
  };
  const summaries = [];
  const focusProgress = h("p", {class: "progress"});

  const header = station
    ? [h("h1", {id: "view-title", tabindex: -1}, text(station.title)),
       h("p", {class: "muted"}, t("station_of_walk", {code: station.code, walk: text(walk.title)}))]
    : [h("h1", {id: "view-title", tabindex: -1}, text(walk.title)),
       walk.description && h("p", {}, text(walk.description))];

  const sections = [];
  if (focus.length) {
    sections.push(h("section", {class: "focus", "aria-labelledby": "focus-title"},
      h("h2", {id: "focus-title"}, t("at_station")), focusProgress,
      focus.map((id) => fieldset(itemsById.get(id)))));
  }
  sections.push(h("section", {class: "topics", "aria-labelledby": "topics-title"},
    h("h2", {id: "topics-title"}, focus.length ? t("rest_of_checklist") : t("checklist")),
    topics.map((topic) => {
      const rest = topic.items.filter((item) => !focusSet.has(item.id));
      if (!rest.length) return null;
      const progress = h("span", {class: "progress"});
      summaries.push({topic, progress});
      return h("details", {class: "topic", id: `topic-${topic.id}`, open: !focus.length && topics.length === 1},
        h("summary", {}, h("span", {class: "topic-title"}, text(topic.title)), progress),
        rest.map(fieldset));
    })));

  const stations = walk.stations;
  const index = station ? stations.findIndex((s) => s.code === station.code) : -1;
  const next = stations[index + 1];
  const nav = h("nav", {class: "stations", "aria-labelledby": "stations-title"},
    h("h2", {id: "stations-title"}, t("stations")),
    next && h("p", {}, h("a", {href: appPath(walk.slug, next.code), class: "button"},
      t("next_station", {code: next.code, title: text(next.title)}))),
    h("ol", {}, stations.map((s) => h("li", {},
      h("a", {href: appPath(walk.slug, s.code), "aria-current": s.code === station?.code ? "page" : null},
        `${s.code} · ${text(s.title)}`)))),
    station && h("p", {}, h("a", {href: appPath(walk.slug)}, t("whole_walk"))));

  const panel = participantPanel(ctx);
  // The photo section loads after the answering screen (it is not needed to answer), then fills its place.
  const slot = h("div", {class: "photos-slot"});
  let photos = null;
  let latest = record;
  import("./photos.js").then(({photosSection, photoActions}) => {
    photos = photosSection({checklist, station, actions: {...actions, ...photoActions(actions.photoHooks)},
      load: store.getMedia});
    el.photos = photos;
    slot.replaceWith(photos);
    photos.show(latest);
  });
  const draftNote = draft && h("p", {class: "draft-note", id: "draft-note"}, t("draft_note"));
  const el = h("div", {class: "station-view"}, header, ctx.notices, ctx.codeSlot, draftNote, panel,
    sections, slot, nav);
  el.show = (current) => {
    latest = current;
    panel.show(current);
    photos?.show(current);
    for (const [id, fs] of fieldsets) fs.show(answerFor(current, id));
    focusProgress.textContent = progressText(focus.map((id) => itemsById.get(id)), current);
    for (const {topic, progress} of summaries) progress.textContent = progressText(topic.items, current);
  };
  el.show(record);
  return el;
}

async function loadWalk(slug) {
  try {
    const walk = await ensureWalk(slug);
    return {walk, checklist: await ensureChecklist(walk.checklist)};
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) return {error: t("walk_not_found", {walk: slug})};
    if (error instanceof NetworkError) return {error: t("walk_unknown_offline")};
    return {error: t("load_failed", {reason: error.message})};
  }
}

/** Return the notices about a walk's sync problem (a missing or refused key, a closed walk), as elements. */
export async function walkNotices(slug) {
  const problem = (await store.getMeta(`problem:${slug}`)) || ((await store.getWalkKey(slug)) ? null : {code: "key_missing"});
  const message = problemText(problem);
  return message ? [h("p", {class: "problem", role: "alert"}, message)] : [];
}

/** Return a place for the walk code form when this phone cannot send the walk's answers for want of a key. */
export async function walkCodeSlot(slug) {
  const problem = await store.getMeta(`problem:${slug}`);
  if ((await store.getWalkKey(slug)) && !KEY_PROBLEMS.includes(problem?.code)) return null;
  const slot = h("div", {class: "walk-code-slot"});
  // The form loads on first use, outside the first visit's shell.
  import("./walk-code.js").then(async ({walkCodeForm}) => slot.append(await walkCodeForm(slug)));
  return slot;
}

/**
 * Load a walk (and station) for route {walk, code} and render its screen; resolve with {view, walk, checklist,
 * station, record}, or {error} when the walk cannot be opened.
 */
export async function stationScreen({route, actions}) {
  const loaded = await loadWalk(route.walk);
  if (loaded.error) return loaded;
  const {walk} = loaded;
  const station = route.code ? walk.stations.find((s) => s.code === route.code) : null;
  const record = await currentRecord(walk.slug);
  // A checklist started before the walk moved to a newer checklist version keeps its own version.
  const checklist = record && record.checklist_version !== loaded.checklist.version
    ? await ensureChecklist({slug: record.checklist, version: record.checklist_version}) : loaded.checklist;
  const notices = h("div", {class: "notices", id: "notices"}, await walkNotices(walk.slug),
    route.code && !station && h("p", {class: "problem", role: "alert"}, t("station_not_found", {code: route.code})));
  document.title = `${text(station?.title || walk.title)} – ${t("app_title")}`;
  const view = stationView({walk, checklist, station, record, notices, codeSlot: await walkCodeSlot(walk.slug),
    actions});
  return {view, walk, checklist, station, record};
}
