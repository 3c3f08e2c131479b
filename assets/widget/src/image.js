// Turn whatever a reader or a script hands us into bounded RGBA pixels.
export const MAX_SIDE = 512; // big screenshots are downscaled before any pixel work

export class QueryError extends Error {
  constructor(message) {
    super(message);
    this.name = 'QueryError';
  }
}

export async function toImageData(image) {
  if (typeof ImageData !== 'undefined' && image instanceof ImageData) {
    if (Math.max(image.width, image.height) <= MAX_SIDE) return image;
    const canvas = makeCanvas(image.width, image.height);
    canvas.getContext('2d').putImageData(image, 0, 0);
    return draw(canvas, image.width, image.height);
  }
  if (typeof Blob !== 'undefined' && image instanceof Blob) {
    checkType(image);
    const size = await headerSize(image);
    if (size && Math.max(size[0], size[1]) > MAX_SIDE) {
      const shrunk = await shrinkInWorker(image, size).catch(() => null);
      if (shrunk) return shrunk;
    }
    return draw(...(await decodeBlob(image)));
  }
  if (typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement) {
    if (!image.complete) await image.decode();
    if (!image.naturalWidth) throw new QueryError('The image could not be decoded.');
    return draw(image, image.naturalWidth, image.naturalHeight);
  }
  if ((typeof HTMLCanvasElement !== 'undefined' && image instanceof HTMLCanvasElement)
      || (typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap)
      || (typeof OffscreenCanvas !== 'undefined' && image instanceof OffscreenCanvas)) {
    return draw(image, image.width, image.height);
  }
  throw new QueryError('Unsupported input: pass an image, canvas, ImageBitmap, ImageData, Blob or File.');
}

function checkType(blob) {
  if (blob.type && !blob.type.startsWith('image/')) {
    throw new QueryError(`"${blob.name || blob.type}" is not an image. Use a PNG, JPEG, GIF, WebP or SVG screenshot.`);
  }
}

// Big screenshots are decoded and shrunk in a worker: even 12,000 x 12,000 pixels never hold up
// the page. The worker is made from a string (no extra file to serve) and reused; where a
// Content-Security-Policy forbids it, the caller falls back to the main thread.
const WORKER_SOURCE = `onmessage = async ({ data: { id, blob, w, h } }) => {
  try {
    const bitmap = await createImageBitmap(blob, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
    const ctx = new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true });
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    const pixels = ctx.getImageData(0, 0, w, h);
    postMessage({ id, pixels }, [pixels.data.buffer]);
  } catch (err) {
    postMessage({ id, error: String(err) });
  }
};`;
let worker = null;
let jobs = 0;

function shrinkInWorker(blob, [width, height]) {
  if (typeof Worker === 'undefined' || typeof OffscreenCanvas === 'undefined') return Promise.reject(new Error('no worker'));
  if (!worker) worker = new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' })));
  const scale = MAX_SIDE / Math.max(width, height);
  const w = Math.max(1, Math.round(width * scale)), h = Math.max(1, Math.round(height * scale));
  const id = ++jobs;
  return new Promise((resolve, reject) => {
    const done = (ev) => {
      if (ev.data && ev.data.id !== id) return;
      worker.removeEventListener('message', done);
      worker.removeEventListener('error', done);
      if (ev.data && ev.data.pixels) resolve(ev.data.pixels);
      else reject(new Error((ev.data && ev.data.error) || 'worker failed'));
    };
    worker.addEventListener('message', done);
    worker.addEventListener('error', done);
    worker.postMessage({ id, blob, w, h });
  });
}

async function decodeBlob(blob) {
  try {
    const bitmap = await createImageBitmap(blob);
    return [bitmap, bitmap.width, bitmap.height];
  } catch (err) {
    // SVG files (and some formats) only decode through an <img>.
    const url = URL.createObjectURL(blob);
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      const w = img.naturalWidth || 256, h = img.naturalHeight || 256;
      return [img, w, h];
    } catch (err2) {
      throw new QueryError('This file could not be read as an image (corrupt or unsupported format).');
    } finally {
      URL.revokeObjectURL(url);
    }
  }
}

// [width, height] from the file's header (PNG, GIF, JPEG, WebP, BMP), or null: only to decide
// whether to shrink while decoding, so a wrong guess costs speed, never correctness.
export async function headerSize(blob) {
  const b = new Uint8Array(await blob.slice(0, 65536).arrayBuffer());
  const v = new DataView(b.buffer);
  const ascii = (at, n) => String.fromCharCode(...b.subarray(at, at + n));
  if (b.length >= 24 && ascii(1, 3) === 'PNG') return [v.getUint32(16), v.getUint32(20)];
  if (b.length >= 10 && ascii(0, 3) === 'GIF') return [v.getUint16(6, true), v.getUint16(8, true)];
  if (b.length >= 26 && ascii(0, 2) === 'BM') return [v.getInt32(18, true), Math.abs(v.getInt32(22, true))];
  if (b.length >= 30 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') {
    const kind = ascii(12, 4);
    if (kind === 'VP8X') return [1 + (v.getUint32(24, true) & 0xffffff), 1 + (v.getUint32(27, true) & 0xffffff)];
    if (kind === 'VP8L') { const bits = v.getUint32(21, true); return [1 + (bits & 0x3fff), 1 + ((bits >> 14) & 0x3fff)]; }
    if (kind === 'VP8 ') return [v.getUint16(26, true) & 0x3fff, v.getUint16(28, true) & 0x3fff];
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) { // JPEG: the first start-of-frame marker
    for (let i = 2; i + 9 < b.length;) {
      if (b[i] !== 0xff) return null;
      const marker = b[i + 1];
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return [v.getUint16(i + 7), v.getUint16(i + 5)];
      }
      i += 2 + v.getUint16(i + 2);
    }
  }
  return null;
}

export function makeCanvas(w, h) {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w; c.height = h;
  return c;
}

function draw(source, w, h) {
  if (!w || !h) throw new QueryError('The image is empty.');
  const scale = Math.min(1, MAX_SIDE / Math.max(w, h));
  const tw = Math.max(1, Math.round(w * scale)), th = Math.max(1, Math.round(h * scale));
  const canvas = makeCanvas(tw, th);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, tw, th);
  return ctx.getImageData(0, 0, tw, th);
}
