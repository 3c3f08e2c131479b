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
