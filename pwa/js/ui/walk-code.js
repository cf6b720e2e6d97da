/** The walk code form: a phone that opened a walk by a typed station code exchanges the printed code for its key. */
import {t} from "../i18n.js";
import "../later-strings.js";
import * as store from "../store.js";
import {exchangeCodes, keepWalkCode, syncNow} from "../sync.js";
import {h} from "./dom.js";

/** Reduce a typed walk code to capitals and digits, as the server compares it ("abcd efgh" is "ABCDEFGH"). */
export const normaliseWalkCode = (typed) => String(typed).toUpperCase().replace(/[^A-Z0-9]/g, "");

const printed = (code) => (code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code);

/** Keep a typed walk code and exchange it at once where the network allows; resolve "ok", "kept" or "wrong". */
export async function enterWalkCode(walk, typed) {
  await keepWalkCode(walk, normaliseWalkCode(typed));
  try {
    await exchangeCodes();
  } catch {
    syncNow();  // offline, or the server busy: sync exchanges it once it can, backing off until then
    return "kept";
  }
  if (await store.getMeta(`problem:${walk}`)) return "wrong";
  syncNow();
  return "ok";
}

/** Render the form for a walk; it says whether a code already waits on this phone to be checked. */
export async function walkCodeForm(walk) {
  const waiting = ((await store.getMeta("walkCodes")) || {})[walk];
  const input = h("input", {id: "walk-code", name: "walk-code", type: "text", autocomplete: "off",
    autocapitalize: "characters", spellcheck: "false", placeholder: "ABCD-EFGH", "aria-describedby": "walk-code-help"});
  const message = h("p", {id: "walk-code-message", role: "status"},
    waiting ? t("walk_code_kept", {code: printed(waiting)}) : "");
  const button = h("button", {type: "submit", class: "primary"}, t("walk_code_use"));
  const row = h("div", {class: "row"}, input, button);
  const form = h("form", {class: "code-form walk-code", "aria-labelledby": "walk-code-title", onsubmit: async (event) => {
    event.preventDefault();
    const code = normaliseWalkCode(input.value);
    if (!code) {
      message.textContent = t("walk_code_help");
      input.focus();
      return;
    }
    button.disabled = true;
    message.textContent = t("walk_code_checking");
    const result = await enterWalkCode(walk, code);
    button.disabled = false;
    message.textContent = result === "wrong" ? t("code_wrong") : t(`walk_code_${result}`, {code: printed(code)});
    if (result === "wrong") input.focus();
    else {
      input.value = input.defaultValue = "";
      row.hidden = result === "ok";
    }
  }},
  h("h2", {id: "walk-code-title"}, t("walk_code_title")),
  h("label", {for: input.id}, t("walk_code_label")),
  h("p", {id: "walk-code-help", class: "muted"}, t("walk_code_help")),
  row, message);
  return form;
}
