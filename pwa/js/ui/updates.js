/** Service worker registration, the "update available" banner and the install hint. */
import {t} from "../i18n.js";
import {fill, h} from "./dom.js";

/** Show a banner, replacing one with the same id; build() returns [message, ...buttons] in the current language. */
export function banner(id, build, {dismissible = false, transient = false, role = "status"} = {}) {
  document.getElementById(id)?.remove();
  const el = h("div", {class: transient ? "banner transient" : "banner", id, role});
  el.render = () => {
    const [message, ...buttons] = build();
    fill(el, h("p", {}, message), buttons,
      dismissible && h("button", {type: "button", class: "secondary", onclick: () => el.remove()}, t("ok")));
  };
  el.render();
  document.getElementById("banners").append(el);
  return el;
}

/** Redraw the banners in the current language. */
export function translateBanners() {
  for (const el of document.querySelectorAll(".banner")) el.render?.();
}

/** Remove the banners that only concerned the previous screen. */
export function clearTransientBanners() {
  for (const el of document.querySelectorAll(".banner.transient")) el.remove();
}

/** Register the service worker; onReady(registration) once it is active. beforeReload() runs before updating. */
export async function setupServiceWorker({onReady, beforeReload}) {
  if (!("serviceWorker" in navigator)) return;
  let accepted = false;
  const offer = (worker) => {
    if (!navigator.serviceWorker.controller) return; // first install: nothing to update
    const update = async () => {
      accepted = true;
      await beforeReload();
      worker.postMessage({type: "skip-waiting"});
    };
    banner("update-banner", () => [t("update_ready"),
      h("button", {type: "button", class: "primary", onclick: update}, t("update_now"))]);
  };
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Reload only after the user asked for the new version.
    if (accepted) location.reload();
  });
  const registration = await navigator.serviceWorker.register(new URL("sw.js", document.baseURI), {scope: "./"});
  if (registration.waiting) offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed") offer(worker);
    });
  });
  await navigator.serviceWorker.ready;
  onReady(registration);
  // A phone may keep the app open for days: look for a new version when it comes back into view.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => {});
  });
}

/** Offer to install the app where the browser allows it. */
export function setupInstallHint() {
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    const install = async () => {
      document.getElementById("install-banner")?.remove();
      await event.prompt();
    };
    banner("install-banner", () => [t("install_hint"),
      h("button", {type: "button", class: "primary", onclick: install}, t("install"))], {dismissible: true});
  });
}
