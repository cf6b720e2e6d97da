/** The start screen: type a station code, scan a QR code, or pick a walk saved on this device. */
import {localized, t} from "../i18n.js";
import {appPath} from "../route.js";
import * as store from "../store.js";
import {h} from "./dom.js";

/** Tell whether this browser can scan QR codes in the app (it has a camera API); the scanner itself loads on use. */
const canScan = () => Boolean(navigator.mediaDevices?.getUserMedia);

/** Render the start screen; actions.openCode(text) opens a typed code, actions.scan() starts the camera. */
export function homeView({walks, notice, canScan, actions}) {
  const input = h("input", {id: "code", name: "code", type: "text", autocomplete: "off", autocapitalize: "characters",
    spellcheck: "false", inputmode: "text", placeholder: "P7-1", "aria-describedby": "code-help"});
  const message = h("p", {id: "code-message", class: "problem", role: "alert"});
  const form = h("form", {class: "code-form", onsubmit: async (event) => {
    event.preventDefault();
    message.textContent = (await actions.openCode(input.value)) || "";
  }},
    h("label", {for: input.id}, t("code_label")),
    h("p", {id: "code-help", class: "muted"}, t("code_help")),
    h("div", {class: "row"}, input, h("button", {type: "submit", class: "primary"}, t("open"))),
    message);
  return h("div", {class: "home-view"},
    h("h1", {id: "view-title", tabindex: -1}, t("app_title")),
    notice && h("p", {class: "problem", role: "alert"}, notice),
    h("p", {}, t("home_intro")),
    form,
    canScan && h("p", {}, h("button", {type: "button", class: "secondary", onclick: actions.scan}, t("scan"))),
    h("section", {"aria-labelledby": "walks-title"},
      h("h2", {id: "walks-title"}, t("walks_on_device")),
      walks.length
        ? h("ul", {class: "walks"}, walks.map((walk) => h("li", {},
            h("a", {href: appPath(walk.slug)}, localized(walk.title).text),
            walk.closed ? ` (${t("closed")})` : "")))
        : h("p", {}, t("no_walks"))));
}

/** Load the walks on this device and render the start screen with an optional notice. */
export async function homeScreen({notice, actions}) {
  return homeView({walks: await store.listWalks(), canScan: canScan(), notice, actions});
}
