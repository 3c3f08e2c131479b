// Which variant of an icon a screenshot shows. The model knows an icon's shape, but variants of
// one name (Ant Design's outlined / filled / twotone) can differ only by a light tint that a
// 32 x 32 ink map barely keeps: a twotone icon's second colour is often nearly the page's.
// So the widget draws each variant of the best match's name, one canvas channel per paint (a
// twotone's two colours are two layers), and measures how well each drawing explains the
// query's ink (misfit); the model's own score stays in the balance (index.js).
import { borderColour, inkBounds, squareBox, resample, preprocessViews } from './preprocess.js';
import { makeCanvas } from './image.js';

// A candidate is drawn at this many pixels a side, then sized like the query: twice the model's
// 32. (At 128, a name's first search drew for ~10 ms more: speed.py p95 14.8-17.8 ms against
// 7.3-9.8; real-world exact top-1 92.87 against 92.78 %.)
const RENDER = 64;
// Tuned on seed 1 of benchmarks/realworld.py (Ant Design); squared ink summed over size x size.
const TINT_MIN = 0.05;
const TINT_MAX = 0.7;
const TINT_BONUS = 40;
const SURFACE_CHROMA = 0.25; // a surface that a brand colour may be: max - min of its channels
// A faint tint must also show as such where only it can be (its core): most of the core at a
// level above FAINT_MIN, above the noise of the empty page around the drawing (JPEG) and not
// only near the main paint's edges (blur). Seed 1 again; seed 2 checked. Since MISFIT_NOISE
// tempers poor views, the noise test asks less and the floor more (1.5 and 0.5 before: the
// replay of benchmarks/realworld.py's searches, a plateau for FAINT_NOISE 0.5-1.0 on seed 1).
const FAINT_MIN = 0.03;
const FAINT_NOISE = 1.0; // the core's median over the page's 90th percentile of ink
const FAINT_FLOOR = 0.75; // the core's 10th percentile over FAINT_MIN
const CHANNELS = ['#ff0000', '#00ff00', '#0000ff'];
const NO_PAINT = new Set(['none', 'transparent', 'currentcolor', 'inherit']);
const cache = new Map(); // svg + size -> Promise of its layers

// The SVG with each explicit paint (fill or stroke colour) replaced by a channel's pure colour,
// and what it inherits (currentColor, the default black) by the next one: 1 to 3 layers. Null
// for a drawing of more colours (a logo): its variants are not told apart by colour.
function channelCoded(svg) {
  const root = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
  if (root.nodeName !== 'svg') return null;
  const elements = [root, ...root.querySelectorAll('*')];
  const paints = new Map();
  const paint = (el, attr) => (el.getAttribute(attr) || '').trim().toLowerCase();
  for (const el of elements) {
    for (const attr of ['fill', 'stroke']) {
      const value = paint(el, attr);
      if (value && !NO_PAINT.has(value) && !value.startsWith('url(') && !paints.has(value)) paints.set(value, paints.size);
    }
  }
  if (paints.size > 2) return null;
  // Darkest paint first (antd: #333 is the primary part, #E6E6E6 the tint), after the inherited
  // black on channel 0: the first layer is the drawing's main ink.
  const channel = new Map([...paints.keys()].sort((a, b) => luminance(a) - luminance(b)).map((v, i) => [v, i + 1]));
  for (const el of elements) {
    for (const attr of ['fill', 'stroke']) {
      if (channel.has(paint(el, attr))) el.setAttribute(attr, CHANNELS[channel.get(paint(el, attr))]);
    }
  }
  root.setAttribute('color', CHANNELS[0]);
  if (!root.hasAttribute('fill')) root.setAttribute('fill', CHANNELS[0]);
  root.setAttribute('width', RENDER);
  root.setAttribute('height', RENDER);
  return { root, layers: channel.size + 1 };
}

// A RENDER x RENDER canvas, black (no paint on any channel), to draw a channel-coded drawing on.
function blackCanvas() {
  const ctx = makeCanvas(RENDER, RENDER).getContext('2d', { willReadFrequently: true });
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, RENDER, RENDER);
  return ctx;
}

const PLAIN = new Set(['svg', 'g', 'path', 'title', 'desc']);
const STYLED = ['transform', 'stroke', 'opacity', 'fill-opacity', 'style', 'clip-path', 'mask', 'filter'];

// A drawing of plain filled paths (Ant Design's, most icon sets'), drawn straight onto the
// canvas with Path2D: an SVG image's decode costs milliseconds a drawing, this a fraction of
// one. Null for anything else (it is drawn as an image).
function drawPaths(root) {
  const elements = [...root.querySelectorAll('*')];
  if (elements.some((el) => !PLAIN.has(el.localName) || STYLED.some((a) => el.hasAttribute(a)))) return null;
  if (STYLED.some((a) => root.hasAttribute(a))) return null;
  const box = (root.getAttribute('viewBox') || '').trim().split(/[\s,]+/).map(Number);
  if (box.length !== 4 || !box.every(Number.isFinite) || box[2] <= 0 || box[3] <= 0) return null;
  const scale = RENDER / Math.max(box[2], box[3]); // xMidYMid meet
  const ctx = blackCanvas();
  ctx.setTransform(scale, 0, 0, scale, (RENDER - box[2] * scale) / 2 - box[0] * scale, (RENDER - box[3] * scale) / 2 - box[1] * scale);
  const inherited = (el, attr) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentNode) if (e.hasAttribute(attr)) return e.getAttribute(attr);
    return null;
  };
  for (const el of elements) {
    if (el.localName !== 'path' || !el.getAttribute('d')) continue;
    const fill = inherited(el, 'fill') || '#000';
    if (NO_PAINT.has(fill.toLowerCase()) && fill.toLowerCase() !== 'currentcolor') continue;
    ctx.fillStyle = fill.toLowerCase() === 'currentcolor' ? root.getAttribute('color') : fill;
    ctx.fill(new Path2D(el.getAttribute('d')), inherited(el, 'fill-rule') === 'evenodd' ? 'evenodd' : 'nonzero');
  }
  return ctx.getImageData(0, 0, RENDER, RENDER).data;
}

// Rec. 601 luma of 0-255 channels, as preprocessing weighs them.
const luma = (r, g, b) => 0.299 * r + 0.587 * g + 0.114 * b;

let probe = null;
function luminance(colour) {
  probe = probe || makeCanvas(1, 1).getContext('2d', { willReadFrequently: true });
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = '#000';
  probe.fillStyle = colour;
  probe.fillRect(0, 0, 1, 1);
  const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
  return luma(r, g, b);
}

async function drawImage(root) {
  const svg = new XMLSerializer().serializeToString(root);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const ctx = blackCanvas();
    ctx.drawImage(img, 0, 0, RENDER, RENDER);
    return ctx.getImageData(0, 0, RENDER, RENDER).data;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** An icon's drawing as the model sees a query, each part a size x size ink map: `layers` (one
 * per paint, main ink first) and their `cores`, cropped to the box of all their ink like a query;
 * `main` (the first paint alone) and `silhouette` (all paints as one ink) through the query's
 * own preprocessing. Null when it cannot be drawn or has more than two paints. */
export function layerMaps(svg, size) {
  const key = `${size}\n${svg}`;
  if (!cache.has(key)) {
    cache.set(key, (async () => {
      const coded = channelCoded(svg);
      if (!coded) return null;
      const pixels = drawPaths(coded.root) || await drawImage(coded.root);
      const n = RENDER * RENDER;
      const layers = [];
      for (let c = 0; c < coded.layers; c++) {
        const layer = new Float64Array(n);
        for (let i = 0; i < n; i++) layer[i] = pixels[i * 4 + c] / 255;
        if (layer.some((v) => v > 0.1)) layers.push(layer); // a paint hidden under others is no layer
      }
      const union = new Float64Array(n);
      for (const layer of layers) for (let i = 0; i < n; i++) union[i] = Math.min(1, union[i] + layer[i]);
      const bounds = inkBounds(union, RENDER, { y0: 0, y1: RENDER, x0: 0, x1: RENDER });
      if (!bounds) return null;
      const box = squareBox(bounds);
      const maps = layers.map((layer) => resample(layer, RENDER, RENDER, box, size));
      // Read alone, the main paint and the silhouette go through the query's own preprocessing
      // (black on white): a filled square that step 5 reads as a container shows its holes as
      // ink, as the query does. The tint test reads the layers in the plain box.
      const silhouette = asQuery(union, size);
      if (!silhouette) return null;
      // The second paint alone, drawn on first use (only light ink on a coloured surface reads
      // it); until then only its raw layer is kept, not every layer of the drawing.
      let second, secondLayer = layers.length > 1 ? layers[1] : null;
      return {
        layers: maps,
        cores: maps.map((map, i) => core(map, maps.filter((_, j) => j !== i), size)),
        empty: emptyPage(maps, size),
        main: layers.length > 1 ? asQuery(layers[0], size) : silhouette,
        silhouette,
        second: () => {
          if (second === undefined) [second, secondLayer] = [secondLayer && asQuery(secondLayer, size), null];
          return second;
        },
      };
    })());
    cache.get(key).catch(() => cache.delete(key));
  }
  return cache.get(key);
}

// Coverage (1 = ink) drawn black on white, through the query's preprocessing: its first view.
function asQuery(coverage, size) {
  const rgba = new Uint8ClampedArray(coverage.length * 4);
  for (let i = 0; i < coverage.length; i++) {
    const v = Math.round(255 * (1 - coverage[i]));
    rgba[i * 4] = v; rgba[i * 4 + 1] = v; rgba[i * 4 + 2] = v; rgba[i * 4 + 3] = 255;
  }
  return preprocessViews(rgba, RENDER, RENDER, size)[0] || null;
}

// A layer away from the others' edges (dilated by a pixel): where only its own colour can be,
// not the blur of a neighbouring stroke.
function core(map, others, size) {
  const out = Float32Array.from(map);
  for (const other of others) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let near = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy, xx = x + dx;
          if (yy >= 0 && yy < size && xx >= 0 && xx < size) near = Math.max(near, other[yy * size + xx]);
        }
        out[y * size + x] *= Math.max(0, 1 - 2 * near);
      }
    }
  }
  return out;
}

// The empty page around a drawing: cells two steps (4-neighbours) from any of its ink, where a
// query has only its noise.
function emptyPage(maps, size) {
  let near = new Uint8Array(size * size);
  for (const map of maps) map.forEach((v, p) => { if (v > 0.02) near[p] = 1; });
  for (let step = 0; step < 2; step++) {
    const grown = Uint8Array.from(near);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const p = y * size + x;
        if (near[p]) continue;
        if ((x > 0 && near[p - 1]) || (x + 1 < size && near[p + 1]) || (y > 0 && near[p - size]) || (y + 1 < size && near[p + size])) grown[p] = 1;
      }
    }
    near = grown;
  }
  return near.map((v) => 1 - v);
}

// numpy's default (linear) quantile of the values.
function quantile(values, q) {
  const s = Float64Array.from(values).sort();
  const at = q * (s.length - 1), lo = Math.floor(at);
  return lo + 1 < s.length ? s[lo] + (at - lo) * (s[lo + 1] - s[lo]) : s[lo];
}

// Whether the query shows a faint second colour in a twotone's tint core (see FAINT_MIN).
function faint(query, core, empty) {
  const inCore = [], around = [];
  for (let p = 0; p < query.length; p++) {
    if (core[p] > 0.5) inCore.push(query[p]);
    if (empty[p]) around.push(query[p]);
  }
  if (inCore.length < 3) return false;
  const level = quantile(inCore, 0.5);
  const noise = around.length >= 10 ? quantile(around, 0.9) : 0;
  return level > FAINT_MIN && level < TINT_MAX && level > FAINT_NOISE * noise
    && quantile(inCore, 0.1) > FAINT_FLOOR * FAINT_MIN;
}

// Least squares of query ~ sum a_i layer_i (no constant: the query's background is zero ink by
// construction, and a constant would stand in for a tint that covers most of the box).
function solve(query, layers) {
  const m = layers.length;
  const A = Array.from({ length: m }, () => new Float64Array(m + 1));
  for (let p = 0; p < query.length; p++) {
    for (let i = 0; i < m; i++) {
      const vi = layers[i][p];
      if (!vi) continue;
      for (let j = i; j < m; j++) A[i][j] += vi * layers[j][p];
      A[i][m] += vi * query[p];
    }
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) A[i][j] = A[j][i];
  for (let i = 0; i < m; i++) {
    let pivot = i;
    for (let r = i + 1; r < m; r++) if (Math.abs(A[r][i]) > Math.abs(A[pivot][i])) pivot = r;
    [A[i], A[pivot]] = [A[pivot], A[i]];
    if (Math.abs(A[i][i]) < 1e-9) return null;
    for (let r = 0; r < m; r++) {
      if (r === i) continue;
      const f = A[r][i] / A[i][i];
      for (let j = i; j <= m; j++) A[r][j] -= f * A[i][j];
    }
  }
  const coef = A.map((row, i) => row[m] / row[i]);
  let residual = 0;
  for (let p = 0; p < query.length; p++) {
    let fit = 0;
    for (let j = 0; j < m; j++) fit += coef[j] * layers[j][p];
    residual += (query[p] - fit) ** 2;
  }
  return { coef, residual };
}

/** How badly a drawing explains the query (lower is better): the squared error of its best
 * reading. A one-paint drawing is read as its silhouette. A two-paint drawing (a twotone) is
 * read by the second paint's weight beside the first's, measured away from their shared edges:
 * a faint tint (TINT_MIN to TINT_MAX of the main ink: antd's secondary on a light page) that
 * also fills its core (faint) is its own evidence and earns TINT_BONUS; no tint at all reads as
 * its main paint alone (the outlined drawing it contains, which then wins by the model's word);
 * a second paint as strong as the first (white on a brand button, a dark theme's lighter fill),
 * or a weight the core does not show (a blur's or JPEG's spill), reads as the whole silhouette.
 * `lightInk` (light ink on a coloured surface: see lightOnColour) also allows the
 * second paint alone: its main paint may be the surface's own colour (antd's primary button or
 * dark menu's selected row is colorPrimary, a TwoTone's default main paint). */
export function misfit(query, { layers, cores, empty, main, silhouette, second }, lightInk = false) {
  if (layers.length < 2) return solve(query, [silhouette])?.residual ?? null;
  const both = solve(query, [layers[0], ...cores.slice(1)]);
  if (!both) return null;
  const [ink, tint] = both.coef;
  const ratio = ink > 0 ? tint / ink : 0;
  if (ratio > TINT_MIN && ratio < TINT_MAX && faint(query, cores[1], empty)) return both.residual - TINT_BONUS;
  const whole = solve(query, [ratio <= TINT_MIN ? main : silhouette])?.residual ?? null;
  // The query is cropped to the second paint's box then, not the drawing's: read it on its own.
  const alone = lightInk && second?.() ? solve(query, [second()])?.residual : undefined;
  return alone !== undefined && (whole === null || alone < whole) ? alone : whole;
}

/** Whether a query is light ink on a coloured surface (its background, as preprocessing finds
 * it, of chroma SURFACE_CHROMA at least): its pixels on average lighter than the surface. Only
 * there can a twotone's main paint, a brand colour, have vanished into the surface; dark
 * themes' greys are no such surface. */
export function lightOnColour({ data, width, height }) {
  const surface = borderColour(data, 4, width, height);
  if (Math.max(...surface) - Math.min(...surface) < SURFACE_CHROMA * 255) return false;
  let sum = 0;
  for (let p = 0; p < width * height; p++) sum += luma(data[p * 4], data[p * 4 + 1], data[p * 4 + 2]);
  return sum / (width * height) > luma(...surface);
}

// A drawing's misfit (squared ink) per unit of the model's log-probability.
const MODEL_WEIGHT = 15;
// Where even the best drawing misfits by more than this, the view is a poor one for all of them
// (blur, a JPEG, a crop the drawings do not frame alike): misfits count for less in proportion,
// as a squared error does under more noise. The misfits are taken as they are, a tint's bonus
// included: a tint found is no poor view. A plateau from 20 to 60 on seed 1 of
// benchmarks/realworld.py; seeds 2 and 3 checked.
const MISFIT_NOISE = 40;
// A misfit moves a name's variants against each other, but pushes none below this share of the
// best one's score (nor below its own): the runners-up stay among the top five.
const VARIANT_FLOOR = 0.05;

/** A name's variants (`family`: their classes) weighed by their drawings' `misfits`, in
 * `scores` (every class's probability): each variant's score times exp(-misfit / weight), the
 * weight MODEL_WEIGHT or more where the best misfit exceeds MISFIT_NOISE, the name's total as
 * the model gave it; then the floor. Every score is then scaled alike, so the ranking stays the
 * weighing's and the scores are probabilities again. */
export function weigh(scores, family, misfits) {
  const weight = MODEL_WEIGHT * Math.max(1, Math.min(...misfits) / MISFIT_NOISE);
  const logits = family.map((c, i) => Math.log(Math.max(scores[c], 1e-9)) - misfits[i] / weight);
  const most = Math.max(...logits);
  const weights = logits.map((l) => Math.exp(l - most));
  const total = family.reduce((sum, c) => sum + scores[c], 0);
  const norm = weights.reduce((a, b) => a + b, 0);
  const weighed = weights.map((w) => (total * w) / norm);
  const best = Math.max(...weighed);
  let raised = 0;
  family.forEach((c, i) => {
    const floor = Math.max(weighed[i], Math.min(scores[c], VARIANT_FLOOR * best));
    raised += floor - weighed[i];
    scores[c] = floor;
  });
  if (raised > 0) for (let c = 0; c < scores.length; c++) scores[c] /= 1 + raised;
}
