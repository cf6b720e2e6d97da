/**
 * Scan a station QR code with the camera: with the browser's BarcodeDetector where it reads QR codes, else with
 * jsQR (lib/), loaded only when the scanner opens and kept by the service worker for offline use.
 */
import {t} from "../i18n.js";
import {h} from "./dom.js";

const DECODER = new URL("../../lib/jsqr-1.4.0.js", import.meta.url).href;
// Frames are scaled down to this many pixels on the longer side before decoding: a station code held at arm's
// length still has several pixels per module, and a phone stays responsive.
const MAX_SIDE = 640;
const PAUSE_MS = 150;

let decoder = null;

/** Load jsQR with a classic script (it is a UMD build that defines window.jsQR); once per page. */
function loadDecoder() {
  decoder ??= new Promise((resolve, reject) => {
    const script = h("script", {src: DECODER, async: true});
    script.addEventListener("load", () => (window.jsQR ? resolve(window.jsQR) : reject(new Error(t("scan_no_decoder")))));
    script.addEventListener("error", () => {
      script.remove();
      decoder = null; // try again next time, perhaps online
      reject(new Error(t("scan_no_decoder")));
    });
    document.head.append(script);
  }).then((jsQR) => {
    // Opened before the service worker took over this page: ask it to keep the decoder anyway.
    if (navigator.serviceWorker && !navigator.serviceWorker.controller) {
      navigator.serviceWorker.ready.then((r) => r.active?.postMessage({type: "keep-on-demand", url: DECODER}));
    }
    return jsQR;
  });
  return decoder;
}

async function nativeReader() {
  try {
    if (!("BarcodeDetector" in window) || !(await window.BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
      return null;
    }
  } catch {
    return null;
  }
  const detector = new window.BarcodeDetector({formats: ["qr_code"]});
  return async (video) => (await detector.detect(video))[0]?.rawValue || null;
}

async function decoderReader() {
  const jsQR = await loadDecoder();
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", {willReadFrequently: true});
  return (video) => {
    const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
    const width = Math.round(video.videoWidth * scale);
    const height = Math.round(video.videoHeight * scale);
    if (!width || !height) return null;
    canvas.width = width;
    canvas.height = height;
    context.drawImage(video, 0, 0, width, height);
    // Printed codes are dark on light: skipping the inverted pass halves the work per frame.
    return jsQR(context.getImageData(0, 0, width, height).data, width, height, {inversionAttempts: "dontInvert"})?.data || null;
  };
}

/** Return a readable message for a camera that could not be opened. */
function cameraProblem(error) {
  if (error.name === "NotAllowedError" || error.name === "SecurityError") return t("scan_denied");
  if (["NotFoundError", "NotReadableError", "OverconstrainedError", "AbortError"].includes(error.name)) {
    return t("scan_no_camera");
  }
  return t("scan_failed", {reason: error.message});
}

/** Open a camera dialog; resolve with the scanned text, or null when the user closes it; throw a readable Error. */
export async function scanQr() {
  const reader = nativeReader().then((native) => native || decoderReader());
  reader.catch(() => {}); // reported below, after the camera
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: {ideal: "environment"}}, audio: false});
  } catch (error) {
    throw new Error(cameraProblem(error));
  }
  const stop = () => { for (const track of stream.getTracks()) track.stop(); };
  let read;
  try {
    read = await reader;
  } catch (error) {
    stop();
    throw error;
  }
  const video = h("video", {playsinline: true, muted: true, autoplay: true, "aria-hidden": "true"});
  const close = h("button", {type: "button", class: "secondary"}, t("scan_stop"));
  const dialog = h("dialog", {class: "scanner", "aria-label": t("scan")}, h("p", {}, t("scan_hint")), video, close);
  document.body.append(dialog);
  video.muted = true;
  video.srcObject = stream;
  dialog.showModal();
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (value, error) => {
      if (done) return;
      done = true;
      stop();
      dialog.close();
      dialog.remove();
      if (error) reject(error);
      else resolve(value);
    };
    close.addEventListener("click", () => finish(null));
    dialog.addEventListener("cancel", () => finish(null));
    video.play().catch((error) => finish(null, new Error(t("scan_failed", {reason: error.message}))));
    const look = async () => {
      if (done) return;
      try {
        const text = video.readyState >= video.HAVE_CURRENT_DATA ? await read(video) : null;
        if (text) return finish(text);
      } catch {
        // A frame that cannot be read yet; try the next one.
      }
      setTimeout(look, PAUSE_MS);
    };
    look();
  });
}
