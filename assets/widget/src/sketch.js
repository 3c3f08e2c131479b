// A drawing as the model's sketches look: dark ink of a set width on flat white. Runs on
// `search(image, k, {sketch: true})` queries only, before the shared preprocessing
// (preprocess.js), so the screenshot path and its Python twin are untouched.
//  1. Paper: a photo of a pencil sketch is lit unevenly. The paper's brightness is estimated
//     coarsely (the brightest pixel of each block, smoothed: strokes are thinner than a block)
//     and each pixel divided by it; what is left is the ink, whatever the lighting.
//  2. Contrast: faint graphite is stretched so its strong strokes read as full ink; paper grain
//     below a floor is dropped.
//  3. Width: thin lines (a ballpoint, a 1 px pen) are thickened to the training sketches'
//     width (WIDTH of the drawing's size); wide ones are left alone.
const BLOCKS = 24; // blocks across the longer side for the paper estimate
const FLOOR = 0.12; // ink below this (after the division) is paper grain
const WIDTH = 0.08; // strokes this wide for the drawing's box: training's span 3-8 %, the thick end reads best
const STRETCH = 0.75; // the share of inked pixels left below full ink

// Separable max filter (a square of side 2r+1) on a w x h Float32Array.
function dilate(src, w, h, r) {
  if (r < 1) return src;
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = 0;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) m = Math.max(m, src[y * w + k]);
      tmp[y * w + x] = m;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = 0;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) m = Math.max(m, tmp[k * w + x]);
      out[y * w + x] = m;
    }
  }
  return out;
}

// The paper's brightness at each pixel: block maxima, smoothed, bilinearly spread.
function paper(grey, w, h) {
  const s = Math.max(2, Math.ceil(Math.max(w, h) / BLOCKS));
  const bw = Math.ceil(w / s);
  const bh = Math.ceil(h / s);
  let blocks = new Float32Array(bw * bh);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const b = Math.floor(y / s) * bw + Math.floor(x / s);
      if (grey[y * w + x] > blocks[b]) blocks[b] = grey[y * w + x];
    }
  }
  blocks = dilate(blocks, bw, bh, 1); // a block that is all stroke takes its neighbours' paper
  for (let pass = 0; pass < 2; pass++) { // smooth: a 3 x 3 mean
    const next = new Float32Array(blocks.length);
    for (let y = 0; y < bh; y++) {
      for (let x = 0; x < bw; x++) {
        let sum = 0;
        let n = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && yy < bh && xx >= 0 && xx < bw) { sum += blocks[yy * bw + xx]; n++; }
          }
        }
        next[y * bw + x] = sum / n;
      }
    }
    blocks = next;
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(bh - 1, Math.max(0, (y + 0.5) / s - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(bh - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(bw - 1, Math.max(0, (x + 0.5) / s - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(bw - 1, x0 + 1);
      const tx = fx - x0;
      out[y * w + x] = (blocks[y0 * bw + x0] * (1 - tx) + blocks[y0 * bw + x1] * tx) * (1 - ty)
        + (blocks[y1 * bw + x0] * (1 - tx) + blocks[y1 * bw + x1] * tx) * ty;
    }
  }
  return out;
}

// Grey levels over white (a transparent pad is paper), shrunk by whole blocks to at most SIDE
// pixels a side (the model reads 32, and the steps below cost per pixel), each block its
// darkest pixel: a line thinner than a block keeps its darkness wherever it falls (averaged,
// a 2 px line split across two blocks came out half as dark as one inside a block).
const SIDE = 160;
function greyLevels(data) {
  const f = Math.max(1, Math.ceil(Math.max(data.width, data.height) / SIDE));
  const w = Math.ceil(data.width / f);
  const h = Math.ceil(data.height / f);
  const grey = new Float32Array(w * h).fill(255);
  const px = data.data;
  for (let y = 0; y < data.height; y++) {
    for (let x = 0; x < data.width; x++) {
      const i = y * data.width + x;
      const a = px[4 * i + 3] / 255;
      const b = Math.floor(y / f) * w + Math.floor(x / f);
      const v = (0.299 * px[4 * i] + 0.587 * px[4 * i + 1] + 0.114 * px[4 * i + 2]) * a + 255 * (1 - a);
      if (v < grey[b]) grey[b] = v;
    }
  }
  return { grey, w, h };
}

/** RGBA ImageData of a drawing -> RGBA ImageData of black ink on white (see above). */
export function normalizeSketch(data) {
  const { grey, w, h } = greyLevels(data);
  const light = paper(grey, w, h);
  let ink = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) ink[i] = Math.max(0, 1 - grey[i] / Math.max(light[i], 1));
  // Stretch: the STRETCH quantile of the inked pixels becomes full ink (read from a histogram
  // of 256 levels: sorting them cost a third of a pad's search).
  const levels = new Uint32Array(256);
  let inked = 0;
  for (let i = 0; i < ink.length; i++) if (ink[i] > FLOOR) { levels[Math.min(255, Math.floor(ink[i] * 256))]++; inked++; }
  if (!inked) return data; // blank: the preprocessing says so
  let level = 0;
  for (let seen = levels[0]; seen <= STRETCH * (inked - 1); seen += levels[++level]);
  const full = Math.max((level + 0.5) / 256, 2 * FLOOR);
  let area = 0;
  let edge = 0;
  let [x0, y0, x1, y1] = [w, h, -1, -1];
  for (let i = 0; i < ink.length; i++) ink[i] = Math.min(1, Math.max(0, (ink[i] - FLOOR) / (full - FLOOR)));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x] < 0.5) continue;
      area++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      const inside = (xx, yy) => xx >= 0 && yy >= 0 && xx < w && yy < h && ink[yy * w + xx] >= 0.5;
      if (!inside(x - 1, y) || !inside(x + 1, y) || !inside(x, y - 1) || !inside(x, y + 1)) edge++;
    }
  }
  if (area && edge) {
    // A line's area is its length times its width and its edge twice its length.
    const width = (2 * area) / edge;
    const target = WIDTH * Math.max(x1 - x0 + 1, y1 - y0 + 1);
    ink = dilate(ink, w, h, Math.round((target - width) / 2));
  }
  const out = new ImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const v = Math.round(255 * (1 - ink[i]));
    out.data[4 * i] = out.data[4 * i + 1] = out.data[4 * i + 2] = v;
    out.data[4 * i + 3] = 255;
  }
  return out;
}
