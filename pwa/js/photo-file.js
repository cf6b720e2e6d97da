/**
 * Turn a camera or gallery file into what the app keeps: resized so its long edge is at most 1600 px,
 * turned upright, and re-encoded as JPEG by a canvas, which writes no EXIF (no GPS, no camera name).
 */
export const MAX_EDGE = 1600;
const QUALITY = 0.8;

/** Return the SHA-256 of a Blob as lowercase hex. */
export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Return the size that fits `width`×`height` within MAX_EDGE on its long edge, keeping the shape. */
export function fitted(width, height, maxEdge = MAX_EDGE) {
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  return {width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale))};
}

/** Prepare a photo file: resolve {blob, type, width, height, bytes, sha256}; reject when it is not a readable image. */
export async function preparePhoto(file) {
  // "from-image" applies the EXIF orientation, so a portrait photo stays upright once the EXIF is gone.
  const source = await createImageBitmap(file, {imageOrientation: "from-image"});
  const {width, height} = fitted(source.width, source.height);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";  // a transparent PNG gets a white background, as JPEG has no transparency
  context.fillRect(0, 0, width, height);
  context.drawImage(source, 0, 0, width, height);
  source.close();
  const blob = await new Promise((resolve, reject) => canvas.toBlob(
    (result) => (result ? resolve(result) : reject(new Error("The photo could not be encoded."))), "image/jpeg", QUALITY));
  canvas.width = canvas.height = 0;  // free the pixels at once on small phones
  return {blob, type: "image/jpeg", width, height, bytes: blob.size, sha256: await sha256Hex(blob)};
}
