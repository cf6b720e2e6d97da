/** Service worker registration, the "update available" banner and the install hint. */
import {t} from "../i18n.js";
import {fill, h} from "./dom.js";

/**
 * Show a banner, replacing one with the same id; build() returns [message, ...buttons] in the current language.
 * A dismissible banner gets an OK button; onDismiss() runs when it is tapped.
 */
export function banner(id, build, {dismissible = false, transient = false, role = "status", onDismiss = null} = {}) {
  document.getElementById(id)?.remove();
  const el = h("div", {class: transient ? "banner transient" : "banner", id, role});
  const dismiss = () => {
    el.remove();
    onDismiss?.();
  };
  el.render = () => {
    const [message, ...buttons] = build();
    fill(el, h("p", {}, message), buttons,
      dismissible && h("button", {type: "button", class: "secondary", onclick: dismiss}, t("ok")));
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

// Safari on an iPhone or iPad, outside an installed copy of the app. iPadOS presents itself as a Mac, which its
// touch screen gives away; other iOS browsers and in-app browsers name themselves or lack "Version/…".
function iosSafariInBrowser() {
  const ua = navigator.userAgent;
  const ios = /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
  const safari = /Version\/[\d.]+.*Safari\//.test(ua) && !/CriOS|FxiOS|EdgiOS|OPiOS|GSA\//.test(ua);
  const installed = navigator.standalone === true || matchMedia("(display-mode: standalone)").matches;
  return ios && safari && !installed;
}

/**
 * Offer to install the app: the browser's own prompt where it has one; on iOS Safari, which has none, a hint
 * to use Share → Add to Home Screen until the walker dismisses it (hintDismissed, onHintDismissed()).
 */
export function setupInstallHint({hintDismissed = false, onHintDismissed = null} = {}) {
  if (iosSafariInBrowser() && !hintDismissed) {
    banner("install-banner", () => [t("install_ios")], {dismissible: true, onDismiss: onHintDismissed});
  }
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
