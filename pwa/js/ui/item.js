/** One checklist item: a fieldset with the checklist's scale (min to max), "don't know" when offered, a comment. */
import {localized, t} from "../i18n.js";
import {isAnswered} from "../records.js";
import {h} from "./dom.js";

function scaleHint(scale, value) {
  const labels = scale?.labels?.[value];
  if (labels) return localized(labels);
  if (value === scale.min) return {text: t("scale_worst")};
  if (value === scale.max) return {text: t("scale_best")};
  return null;
}

/** Render an item; onChange({score, dont_know} | {comment}) is called on every change. */
export function itemFieldset(item, {scale, answer, onChange}) {
  const id = item.id;
  const text = localized(item.text);
  const radios = [];
  const radio = (value, ...label) => {
    const input = h("input", {type: "radio", name: `score-${id}`, value: String(value), id: `i-${id}-${value}`,
      onchange: () => onChange(value === "dk" ? {score: null, dont_know: true} : {score: value, dont_know: false})});
    radios.push(input);
    return h("label", {for: input.id, class: value === "dk" ? "choice dk" : "choice"}, input, ...label);
  };
  const scores = [];
  for (let value = scale.min; value <= scale.max; value++) {
    const hint = scaleHint(scale, value);
    scores.push(radio(value, h("span", {class: "num"}, String(value)),
      hint && h("span", {class: "hint", lang: hint.lang}, hint.text)));
  }
  const clear = h("button", {type: "button", class: "link", onclick: () => onChange({score: null, dont_know: false})},
    t("clear_answer"));
  const comment = h("textarea", {id: `c-${id}`, rows: 3, maxlength: 2000,
    oninput: (event) => onChange({comment: event.target.value})});
  const where = h("p", {class: "where"});
  const el = h("fieldset", {class: "item", id: `item-${id}`, "data-item": id},
    h("legend", {lang: text.lang}, text.text),
    h("div", {class: "scale"}, scores),
    scale.dont_know !== false && radio("dk", t("dont_know")),
    h("details", {class: "comment"},
      h("summary", {}, t("comment_add")),
      h("label", {for: comment.id}, t("comment_label")), comment),
    h("div", {class: "after"}, where, clear));

  /** Show an answer (or none) without re-rendering, so focus and scrolling stay put. */
  el.show = (current) => {
    const value = current?.dont_know ? "dk" : current?.score != null ? String(current.score) : null;
    for (const input of radios) input.checked = input.value === value;
    if (document.activeElement !== comment) comment.value = current?.comment || "";
    if (current?.comment) el.querySelector("details").open = true;
    clear.hidden = !isAnswered(current);
    where.textContent = isAnswered(current) && current.station ? t("answered_at", {code: current.station}) : "";
    el.classList.toggle("answered", isAnswered(current));
  };
  el.show(answer);
  return el;
}
