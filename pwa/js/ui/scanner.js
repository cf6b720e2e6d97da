/** Scan a station QR code with the camera where the browser has BarcodeDetector (loaded on demand). */
import {t} from "../i18n.js";
import {h} from "./dom.js";

/** Tell whether this browser can scan QR codes in the app. */
export const canScan = () => "BarcodeDetector" in window && Boolean(navigator.mediaDevices?.getUserMedia);

/** Open a camera dialog; resolve with the scanned text, or null when the user closes it. */
export async function scanQr() {
  const detector = new window.BarcodeDetector({formats: ["qr_code"]});
  const video = h("video", {playsinline: true, muted: true, "aria-hidden": "true"});
  const close = h("button", {type: "button", class: "secondary"}, t("scan_stop"));
  const dialog = h("dialog", {class: "scanner", "aria-label": t("scan")}, h("p", {}, t("scan_hint")), video, close);
  document.body.append(dialog);
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}});
  } catch (error) {
    dialog.remove();
    throw new Error(t("scan_failed", {reason: error.message}));
  }
  video.srcObject = stream;
  dialog.showModal();
  await video.play();
  return new Promise((resolve) => {
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      for (const track of stream.getTracks()) track.stop();
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    close.addEventListener("click", () => finish(null));
    dialog.addEventListener("cancel", () => finish(null));
    const look = async () => {
      if (done) return;
      try {
        const [code] = await detector.detect(video);
        if (code?.rawValue) return finish(code.rawValue);
      } catch {
        // A frame that cannot be read yet; try the next one.
      }
      setTimeout(look, 200);
    };
    look();
  });
}
