// Query normalization: the JavaScript twin of model_build/preprocess.py (see its docstring).
// Both must give the same numbers on the same pixels; tests/test_preprocess_parity.py checks.
export const PREPROCESS_VERSION = 5;
const INK_THRESHOLD = 0.25;
const MIN_CONTRAST = 0.04;
const MARGIN = 1 / 16;
const TRANSPARENT_FRACTION = 0.02;
const CONTAINER_EDGE = 0.6;
const CONTAINER_FILL = 0.55;
const WIDE = 1.4;
const LEAD = 1.1;
const RULE_SPAN = 0.85;
const RULE_RUN = 0.08;

/** RGBA bytes (width x height) -> size*size Float32Array of ink in [0, 1]; null when blank. */
export function preprocess(data, width, height, size) {
  const views = preprocessViews(data, width, height, size);
  return views.length ? views[0] : null;
}

/** The whole crop's ink map, then the leading view when its box is wide (step 7); [] if blank. */
export function preprocessViews(data, width, height, size) {
  const rgb = composite(data, width * height);
  let ink = inkMap(rgb, width, height);
  if (!ink) return [];
  ink = stripRules(ink, width, height);
  const bounds = inkBounds(ink, width, { y0: 0, y1: height, x0: 0, x1: width });
  if (!bounds) return [];
  ink = openContainer(rgb, ink, width, height, bounds);
  const views = [resample(ink, width, height, squareBox(bounds), size)];
  const lead = leadingBounds(ink, width, bounds);
  if (lead) {
    const window = new Float64Array(width * height);
    for (let y = lead.y0; y < lead.y1; y++) for (let x = lead.x0; x < lead.x1; x++) window[y * width + x] = ink[y * width + x];
    views.push(resample(window, width, height, squareBox(lead), size));
  }
  return views;
}

// The box's first LEAD heights, trimmed to their ink; null when the box is not wide.
function leadingBounds(ink, w, { y0, y1, x0, x1 }) {
  const bh = y1 - y0;
  if (x1 - x0 < WIDE * bh) return null;
  return inkBounds(ink, w, { y0, y1, x0, x1: Math.min(x0 + Math.ceil(LEAD * bh), x1) });
}

// Step 4: border lines at the crop's edges dropped (see model_build/preprocess.py).
function stripRules(ink, w, h) {
  const on = (x, y) => ink[y * w + x] >= INK_THRESHOLD;
  const rowCounts = new Int32Array(h), colCounts = new Int32Array(w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (on(x, y)) { rowCounts[y]++; colCounts[x]++; }
  // [lo, hi, loFlush, hiFlush]: the lines left once a border run at either end is cut, and
  // whether each run lies flush with the crop's edge.
  const edgeRuns = (counts, span) => {
    const n = counts.length, most = Math.max(3, Math.round(RULE_RUN * n));
    const scan = (start, step) => {
      let i = start, run = 0;
      while (i >= 0 && i < n && counts[i] === 0) i += step;
      const flush = i === start;
      while (i >= 0 && i < n && counts[i] >= RULE_SPAN * span) { i += step; run++; }
      return run > 0 && run <= most ? [i, flush] : [start, false];
    };
    const [lo, loFlush] = scan(0, 1), [hi, hiFlush] = scan(n - 1, -1);
    return [lo, hi + 1, loFlush, hiFlush];
  };
  const [top, bottom, topFlush, bottomFlush] = edgeRuns(rowCounts, w);
  const [left, right, leftFlush, rightFlush] = edgeRuns(colCounts, h);
  // A cut needs an empty line beside it, not counting the other sides' border lines.
  const emptyRow = (y) => { for (let x = left; x < right; x++) if (on(x, y)) return false; return true; };
  const emptyCol = (x) => { for (let y = top; y < bottom; y++) if (on(x, y)) return false; return true; };
  let cut = [top > 0 && top < h && emptyRow(top), bottom > 0 && bottom < h && emptyRow(bottom - 1),
    left > 0 && left < w && emptyCol(left), right > 0 && right < w && emptyCol(right - 1)];
  const region = () => [cut[0] ? top : 0, cut[1] ? bottom : h, cut[2] ? left : 0, cut[3] ? right : w];
  const cuts = cut.filter(Boolean).length;
  if (cuts === 0 || cuts === 4) return ink;
  let [y0, y1, x0, x1] = region();
  // A line flush with the edge is kept when what is left reaches the other edge (a tight crop).
  const rest = inkBounds(ink, w, { y0, y1, x0, x1 });
  if (!rest) return ink;
  cut = [cut[0] && !(topFlush && rest.y1 === y1), cut[1] && !(bottomFlush && rest.y0 === y0),
    cut[2] && !(leftFlush && rest.x1 === x1), cut[3] && !(rightFlush && rest.x0 === x0)];
  // Nor when what is left has a line as long: bars of the icon itself (menu, equals, justify).
  for (let y = y0; y < y1; y++) if (rowCounts[y] >= RULE_SPAN * w) { cut[0] = cut[1] = false; break; }
  for (let x = x0; x < x1; x++) if (colCounts[x] >= RULE_SPAN * h) { cut[2] = cut[3] = false; break; }
  if (!cut.some(Boolean)) return ink;
  [y0, y1, x0, x1] = region();
  const out = new Float64Array(w * h);
  let peak = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) { out[y * w + x] = ink[y * w + x]; peak = Math.max(peak, ink[y * w + x]); }
  if (peak < INK_THRESHOLD) return ink;
  for (let p = 0; p < w * h; p++) out[p] = Math.min(out[p] / peak, 1);
  return out;
}

function composite(data, n) {
  const rgb = new Float64Array(n * 3);
  let transparent = 0;
  for (let p = 0; p < n; p++) if (data[p * 4 + 3] / 255 < 0.5) transparent++;
  if (transparent / n <= TRANSPARENT_FRACTION) {
    for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = data[p * 4 + c] / 255;
    return rgb;
  }
  let lumSum = 0, opaque = 0;
  for (let p = 0; p < n; p++) {
    if (data[p * 4 + 3] / 255 >= 0.5) {
      opaque++;
      lumSum += (data[p * 4] / 255) * 0.299 + (data[p * 4 + 1] / 255) * 0.587 + (data[p * 4 + 2] / 255) * 0.114;
    }
  }
  const back = opaque > 0 && lumSum / opaque > 0.5 ? 0 : 1;
  for (let p = 0; p < n; p++) {
    const a = data[p * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = (data[p * 4 + c] / 255) * a + back * (1 - a);
  }
  return rgb;
}

function median(values) {
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Pixel indexes of a w x h image's border, in the order numpy concatenates them.
function borderIndexes(w, h) {
  const border = [];
  for (let x = 0; x < w; x++) border.push(x);
  for (let x = 0; x < w; x++) border.push((h - 1) * w + x);
  for (let y = 0; y < h; y++) border.push(y * w);
  for (let y = 0; y < h; y++) border.push(y * w + w - 1);
  return border;
}

/** A query's background: the median of its border, channel by channel, of pixels `stride`
 * values apart (3: composited rgb, 4: RGBA). */
export function borderColour(values, stride, w, h) {
  const border = borderIndexes(w, h);
  return [0, 1, 2].map((c) => median(border.map((p) => values[p * stride + c])));
}

function inkMap(rgb, w, h, bg = null) {
  bg = bg || borderColour(rgb, 3, w, h);
  const ink = new Float64Array(w * h);
  let peak = 0;
  for (let p = 0; p < w * h; p++) {
    const dr = rgb[p * 3] - bg[0], dg = rgb[p * 3 + 1] - bg[1], db = rgb[p * 3 + 2] - bg[2];
    const d = Math.sqrt((dr * dr + dg * dg + db * db) / 3);
    ink[p] = d;
    if (d > peak) peak = d;
  }
  if (peak < MIN_CONTRAST) return null;
  for (let p = 0; p < w * h; p++) ink[p] = Math.min(ink[p] / peak, 1);
  return ink;
}

// The box around ink >= INK_THRESHOLD inside a window of the image (default: all of it).
export function inkBounds(ink, w, win) {
  let x0 = Infinity, x1 = -1, y0 = Infinity, y1 = -1;
  for (let y = win.y0; y < win.y1; y++) {
    for (let x = win.x0; x < win.x1; x++) {
      if (ink[y * w + x] >= INK_THRESHOLD) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  return { y0, y1: y1 + 1, x0, x1: x1 + 1 };
}

// Inside a filled container (a brand-coloured button around a light icon), measure ink
// against the container's colour: see model_build/preprocess.py, step 5.
function openContainer(rgb, ink, w, h, { y0, y1, x0, x1 }) {
  const bw = x1 - x0, bh = y1 - y0;
  if (bw < 3 || bh < 3) return ink;
  const at = (x, y) => (ink[(y0 + y) * w + x0 + x] >= INK_THRESHOLD ? 1 : 0);
  let edge = 0, inside = 0;
  for (const p of borderIndexes(bw, bh)) edge += at(p % bw, Math.floor(p / bw));
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) inside += at(x, y);
  if (edge / (2 * bw + 2 * bh) < CONTAINER_EDGE || inside / (bw * bh) < CONTAINER_FILL) return ink;
  const region = new Float64Array(bw * bh * 3);
  const filled = [[], [], []];
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const p = (y0 + y) * w + x0 + x, q = y * bw + x;
      for (let c = 0; c < 3; c++) {
        region[q * 3 + c] = rgb[p * 3 + c];
        if (at(x, y)) filled[c].push(rgb[p * 3 + c]);
      }
    }
  }
  const fill = filled.map(median);
  const regionInk = inkMap(region, bw, bh, fill);
  const out = new Float64Array(w * h);
  if (regionInk) {
    for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) out[(y0 + y) * w + x0 + x] = regionInk[y * bw + x];
  }
  return out;
}

export function squareBox({ y0, y1, x0, x1 }) {
  const side = Math.max(y1 - y0, x1 - x0) * (1 + 2 * MARGIN);
  return { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, side };
}

// W[i][j]: the share of source pixel j inside output cell i, as sparse [first j, weights].
function areaWeights(start, step, size, length) {
  const rows = [];
  for (let i = 0; i < size; i++) {
    const lo = start + step * i, hi = start + step * (i + 1);
    const j0 = Math.max(0, Math.floor(lo)), j1 = Math.min(length, Math.ceil(hi));
    const weights = [];
    for (let j = j0; j < j1; j++) weights.push(Math.max(0, Math.min(hi, j + 1) - Math.max(lo, j)) / step);
    rows.push([j0, weights]);
  }
  return rows;
}

export function resample(ink, w, h, box, size) {
  const step = box.side / size;
  const wy = areaWeights(box.cy - box.side / 2, step, size, h);
  const wx = areaWeights(box.cx - box.side / 2, step, size, w);
  const out = new Float32Array(size * size);
  const row = new Float64Array(w);
  for (let i = 0; i < size; i++) {
    row.fill(0);
    const [j0, wys] = wy[i];
    for (let t = 0; t < wys.length; t++) {
      const weight = wys[t], base = (j0 + t) * w;
      if (weight) for (let x = 0; x < w; x++) row[x] += weight * ink[base + x];
    }
    for (let k = 0; k < size; k++) {
      const [l0, wxs] = wx[k];
      let v = 0;
      for (let t = 0; t < wxs.length; t++) v += wxs[t] * row[l0 + t];
      out[i * size + k] = v;
    }
  }
  return out;
}
