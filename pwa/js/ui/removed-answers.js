/** Answers to questions the organisers removed from a checklist after this phone stored it: kept, and shown. */
import {t} from "../i18n.js";
import "../later-strings.js";
import {h} from "./dom.js";

const shown = (answer) => [answer.dont_know ? t("dont_know") : answer.score, answer.comment && `“${answer.comment}”`]
  .filter((part) => part !== null && part !== undefined && part !== false && part !== "").join(" · ") || "–";

/** Render the notice listing a record's answers to items its checklist no longer has. */
export const removedAnswers = (answers) => h("section", {class: "problem", id: "removed-answers",
  "aria-labelledby": "removed-title"},
  h("h2", {id: "removed-title"}, t("removed_title")),
  h("p", {}, t("removed_text")),
  h("ul", {}, answers.map((answer) => h("li", {}, `${answer.item}: ${shown(answer)}`))));
