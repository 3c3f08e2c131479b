// Turn whatever a reader or a script hands us into bounded RGBA pixels.
export const MAX_SIDE = 512; // big screenshots are downscaled before any pixel work

export class QueryError extends Error {}

export async function toImageData(image) {
  if (typeof ImageData !== 'undefined' && image instanceof ImageData) {
    if (Math.max(image.width, image.height) <= MAX_SIDE) return image;
    const canvas = makeCanvas(image.width, image.height);
    canvas.getContext('2d').putImageData(image, 0, 0);
    return draw(canvas, image.width, image.height);
  }
  if (typeof Blob !== 'undefined' && image instanceof Blob) return draw(...(await decodeBlob(image)));
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

async function decodeBlob(blob) {
  if (blob.type && !blob.type.startsWith('image/')) {
    throw new QueryError(`"${blob.name || blob.type}" is not an image. Use a PNG, JPEG, GIF, WebP or SVG screenshot.`);
  }
  try {
    // Big screenshots are decoded and shrunk off the main thread: the page never stalls on them.
    const size = await headerSize(blob);
    const scale = size ? Math.min(1, MAX_SIDE / Math.max(size[0], size[1])) : 1;
    const bitmap = scale < 1
      ? await createImageBitmap(blob, { resizeWidth: Math.max(1, Math.round(size[0] * scale)),
        resizeHeight: Math.max(1, Math.round(size[1] * scale)), resizeQuality: 'high' })
      : await createImageBitmap(blob);
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

function makeCanvas(w, h) {
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
