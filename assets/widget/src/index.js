// mkdocs-iconsearch widget: find an icon from a screenshot, in the reader's browser.
// Public API (window.iconsearch): ready(), search(image, k, {sketch}), similar(id, k),
// preprocess(image, size), icons, svgs(ids).
import { preprocessViews, PREPROCESS_VERSION } from './preprocess.js';
import { toImageData, QueryError } from './image.js';
import { mountUI, LANGUAGES } from './ui.js';
import { layerMaps, lightOnColour, misfit, weigh } from './variants.js';
import { normalizeSketch } from './sketch.js';
import { topK } from './rank.js';
import { classesOf, familiesOf, frontDecode } from './compact.js';

const scriptUrl = import.meta.url;

function findContainer() {
  return document.querySelector('[data-iconsearch]');
}

// Where the model is: the widget's container, else the site's <meta name="iconsearch"> (on
// every page of a Material site, whose instant navigation loads this script everywhere).
function findModel() {
  return findContainer() || document.querySelector('meta[name="iconsearch"]');
}

function config(el) {
  // data-base is relative to the page; without it, assets sit beside this script.
  const base = el?.dataset.base ? new URL(el.dataset.base, document.baseURI).href : new URL('./', scriptUrl).href;
  return {
    base,
    modelUrl: new URL(el?.dataset.model || 'model.json', base).href,
    indexUrl: new URL(el?.dataset.index || 'index.json', base).href,
    // The snippets' files, "*" for the number of the drawings' file whose icons they are.
    snippets: el?.dataset.snippets || null,
  };
}

// A JSON file of the site, or an Error that names it and its HTTP status.
function fetchJson(url) {
  return fetch(url).then((r) => {
    if (!r.ok) throw new Error(`could not load ${url} (HTTP ${r.status})`);
    return r.json();
  });
}

// Variant words that names carry (eva's 'home-outline', Material's 'home-outline'): icons whose
// names differ only by one are variants of one icon, like antd's outlined/home and filled/home.
// The index lists each name's classes (model_build/pipeline.py: families); this groups those of
// indexes from before it did.
const VARIANT_SUFFIX = /-(outline|outlined|fill|filled|twotone|solid|regular|line|sharp|round|rounded)$/;

// A sketch's name score: this much of the sketch head's, the rest the classifier's (byName).
const SKETCH_MIX = 0.5;

function variantKey(name) {
  return name.replace(VARIANT_SUFFIX, '');
}

function createApi() {
  let indexPromise = null;
  let enginePromise = null;
  let position = new Map(); // icon id -> its place in api.icons (and in the drawings' files)
  let drawings = null; // {chunk, files, base, snippets}: icons [k * chunk, (k + 1) * chunk) are in files[k]
  let chunks = new Map(); // k -> Promise of that file's loading (and of its snippets' file)
  let families = []; // each name's classes (its variants), the outlined first: the sketch head's outputs
  let familyOf = []; // class -> its family (an entry of families)
  let classOf = []; // icon -> its class
  let painted = null; // the classes whose drawing names a paint (index.painted; null: unknown, all may)
  let neighbours = null; // Promise of the similar classes' file (loaded on first use)
  let similarUrl = null;
  // The best match's variant: each variant of its name is drawn and its misfit to the query's
  // ink weighs its score (variants.js: weigh). The ink is the view the drawings explain best: a
  // crop with a label beside the icon has the icon alone in its leading view. Updates `scores`
  // in place; a drawing that cannot be drawn leaves the model's word. `data`: the query's
  // pixels, for lightOnColour (see misfit).
  async function weighVariants(scores, views, data) {
    let top = 0;
    for (let c = 1; c < scores.length; c++) if (scores[c] > scores[top]) top = c;
    const family = familyOf[top] || [];
    // Only a drawing that names a paint can have a second one (a set of one-colour icons, as
    // Material for MkDocs' are, is never weighed: no drawing fetched and drawn for each query).
    if (family.length < 2 || (painted && !family.some((c) => painted.has(c)))) return;
    const svgs = await api.svgs(family.map((c) => api.icons[api.classes[c][0]].id));
    const drawings = await Promise.all(svgs.map((svg) => (svg ? layerMaps(svg, api.imageSize).catch(() => null) : null)));
    // Only colour is weighed: where no variant has a second paint (eva's fill and outline), the
    // shapes differ and the model's word is better than a drawing's pixel error.
    if (drawings.some((d) => !d) || !drawings.some((d) => d.layers.length > 1)) return;
    let misfits = null;
    const lightInk = lightOnColour(data);
    for (const view of views) {
      const each = drawings.map((d) => misfit(view, d, lightInk));
      if (!each.some((m) => m === null) && (!misfits || Math.min(...each) < Math.min(...misfits))) misfits = each;
    }
    if (misfits) weigh(scores, family, misfits);
  }

  // A query's RGBA pixels; a drawing's as sketch.js evens it out.
  async function pixels(image, sketch) {
    const data = await toImageData(image);
    return sketch ? normalizeSketch(data) : data;
  }

  // The snippets of these classes' first icons, which their answers carry (in the drawings'
  // files' company: the widget shows the answers' drawings next anyway). An answer whose file
  // cannot be loaded goes without its snippet; the grid retries the file.
  function loadSnippets(classes) {
    if (!drawings?.snippets) return Promise.resolve();
    return api.svgs(classes.map((c) => api.icons[api.classes[c][0]].id)).catch(() => {});
  }

  // A class's answer: its first icon, the others that draw the same pixels as its twins.
  function match(c, score) {
    const [first, ...others] = api.classes[c].map((i) => api.icons[i]);
    const m = { id: first.id, name: first.name, score };
    if (first.snippet) m.snippet = first.snippet;
    if (others.length) m.twins = others.map((i) => i.id);
    return m;
  }

  // A sketch shows outlines, whichever variant it meant: one answer per name, its outlined
  // variant (the others in `variants`). A name's score mixes the sketch head's (trained on
  // sketches of outlines) with the classifier's for its variants together (which knows line
  // icons drawn as lines, the way people draw them): each alone read fewer doodles.
  async function byName(classScores, nameScores, k) {
    const perName = new Float32Array(families.length);
    families.forEach((fam, n) => fam.forEach((c) => { perName[n] += classScores[c]; }));
    if (nameScores) perName.forEach((s, n) => { perName[n] = SKETCH_MIX * (nameScores[n] ?? 0) + (1 - SKETCH_MIX) * s; });
    const order = topK(perName, k);
    await loadSnippets(order.map((n) => families[n][0]));
    return order.map((n) => {
      const [first, ...others] = families[n];
      const m = match(first, perName[n]);
      const variants = others.flatMap((o) => api.classes[o].map((i) => api.icons[i].id));
      if (variants.length) m.variants = variants;
      return m;
    });
  }

  const api = {
    version: PREPROCESS_VERSION,
    icons: [],
    backend: null,
    loadIndex() {
      if (!indexPromise) {
        const el = findModel();
        if (!el) {
          return Promise.reject(new QueryError('This page has no icon model: the icon search works on the page '
            + 'with the search widget (or, in Material for MkDocs, on any page of the site).'));
        }
        const { base, indexUrl, snippets } = config(el);
        indexPromise = fetchJson(indexUrl)
          .then((index) => {
            if (index.preprocess_version !== PREPROCESS_VERSION) {
              throw new Error('the model was built for another widget version: rebuild the site');
            }
            similarUrl = index.similar ? new URL(index.similar, base).href : null;
            neighbours = null;
            // Format 3 writes its lists small (compact.js); formats 1 and 2 in full.
            const ids = index.ids !== undefined ? frontDecode(index.ids) : index.icons.map((icon) => icon.id);
            api.icons = ids.map((id) => ({ id, name: id.split('/').pop() }));
            position = new Map(api.icons.map((icon, i) => [icon.id, i]));
            // (format 1 indexes carry each svg inline)
            drawings = index.svgs ? { ...index.svgs, base, snippets } : null;
            if (!index.svgs) index.icons.forEach((icon, i) => { api.icons[i].svg = icon.svg; });
            chunks = new Map();
            // One model output per class; icons that draw the same pixels share a class.
            api.classes = index.twins ? classesOf(ids.length, index.twins) : index.classes || api.icons.map((_, i) => [i]);
            if (index.kin) families = familiesOf(api.classes.length, index.kin);
            else if (index.families) families = index.families;
            else { // an index from before families
              const kin = new Map();
              api.classes.forEach((members, c) => {
                const key = variantKey(api.icons[members[0]].name);
                if (!kin.has(key)) kin.set(key, []);
                kin.get(key).push(c);
              });
              families = [...kin.values()];
            }
            familyOf = [];
            families.forEach((fam) => fam.forEach((c) => { familyOf[c] = fam; }));
            painted = index.painted ? new Set(index.painted) : null;
            classOf = new Int32Array(api.icons.length);
            api.classes.forEach((members, c) => members.forEach((i) => { classOf[i] = c; }));
            api.imageSize = index.image_size;
            return index;
          });
        indexPromise.catch(() => { indexPromise = null; });
      }
      return indexPromise;
    },
    /** The SVG of each icon id (loaded in chunks, once; each icon's `svg` is set too, and its
     * `snippet` where the site has snippets). */
    async svgs(ids) {
      await api.loadIndex();
      const wanted = ids.map((id) => {
        if (!position.has(id)) throw new QueryError(`No icon has the id ${JSON.stringify(id)}.`);
        return position.get(id);
      });
      if (drawings) {
        const load = (k) => {
          if (!chunks.has(k)) {
            const url = (name) => new URL(name, drawings.base).href;
            const promise = Promise.all([fetchJson(url(drawings.files[k])),
              drawings.snippets ? fetchJson(url(drawings.snippets.replace('*', k))) : []])
              .then(([svgs, snippets]) => svgs.forEach((svg, j) => {
                const icon = api.icons[k * drawings.chunk + j];
                icon.svg = svg;
                if (snippets[j]) icon.snippet = snippets[j];
              }));
            promise.catch(() => chunks.delete(k));
            chunks.set(k, promise);
          }
          return chunks.get(k);
        };
        await Promise.all([...new Set(wanted.map((i) => Math.floor(i / drawings.chunk)))].map(load));
      }
      return wanted.map((i) => api.icons[i].svg);
    },
    /** Resolves once the model is loaded and warm; rejects (and may be called again) on failure. */
    ready() {
      if (!enginePromise) {
        enginePromise = (async () => {
          const index = await api.loadIndex();
          const { createEngine } = await import('./engine.js');
          const where = config(findModel());
          const engine = await createEngine({
            ...where, imageSize: index.image_size,
            sketchUrl: index.sketch_model ? new URL(index.sketch_model, where.base).href : null,
          });
          api.backend = engine.backend;
          return engine;
        })();
        enginePromise.catch(() => { enginePromise = null; });
      }
      return enginePromise.then(() => undefined);
    },
    /** The model's inputs for an image: its views, each an Array of size*size floats ([] when blank);
     * ``{sketch: true}``: as a drawing's (sketch.js first). */
    async preprocess(image, size, { sketch = false } = {}) {
      const data = await pixels(image, sketch);
      return preprocessViews(data.data, data.width, data.height, size || api.imageSize || 32).map((v) => Array.from(v));
    },
    /** The icons that look most like icon ``id`` (by the model's embedding), best first:
     * [{id, name, score[, snippet, twins]}], at most k. */
    async similar(id, k = 12) {
      await api.loadIndex();
      if (!position.has(id)) throw new QueryError(`No icon has the id ${JSON.stringify(id)}.`);
      if (!similarUrl) return [];
      if (!neighbours) {
        neighbours = fetchJson(similarUrl);
        neighbours.catch(() => { neighbours = null; });
      }
      const { classes } = await neighbours;
      const row = classes[classOf[position.get(id)]] || [];
      const found = [];
      for (let j = 0; j + 1 < row.length && found.length < k; j += 2) found.push([row[j], row[j + 1] / 1000]);
      await loadSnippets(found.map(([c]) => c));
      return found.map(([c, score]) => match(c, score));
    },
    /** The best k matches for an image: [{id, name, score[, snippet, twins, variants]}].
     * ``{sketch: true}``: a drawing, matched by name: one answer per icon name (``variants``: the
     * other variants' ids), its score mixed from the sketch head and its variants' sum (byName). */
    async search(image, k = 5, { sketch = false } = {}) {
      await api.ready();
      const engine = await enginePromise;
      const data = await pixels(image, sketch);
      const views = preprocessViews(data.data, data.width, data.height, api.imageSize);
      if (!views.length) return [];
      // Training saw ink stored as bytes: quantize the same way. One batch for all views; the
      // answer is their average (a wide crop's leading view sees the icon up close).
      const size = api.imageSize * api.imageSize;
      const batch = new Float32Array(views.length * size);
      views.forEach((ink, v) => { for (let i = 0; i < size; i++) batch[v * size + i] = Math.round(ink[i] * 255) / 255; });
      const heads = sketch && engine.outputs.includes('sketch') ? ['probabilities', 'sketch'] : ['probabilities'];
      const [scores, names] = (await engine.scores(batch, views.length, heads)).map((all) => {
        const outputs = all.length / views.length;
        const mean = new Float32Array(outputs);
        for (let v = 0; v < views.length; v++) for (let c = 0; c < outputs; c++) mean[c] += all[v * outputs + c] / views.length;
        return mean;
      });
      if (sketch) return byName(scores, names, k);
      await weighVariants(scores, views, data);
      const order = topK(scores, k);
      await loadSnippets(order);
      return order.map((c) => match(c, scores[c]));
    },
    /** The widget's strings, by language code. */
    languages: LANGUAGES,
    /** Any image input -> RGBA ImageData, at most MAX_SIDE pixels a side. */
    toImageData,
    QueryError,
  };
  return api;
}

const api = window.iconsearch || createApi();
window.iconsearch = api;

let unmount = null;

function init() {
  const el = findContainer();
  if (el && !el.dataset.iconsearchMounted) {
    if (unmount) unmount(); // the widget of the page we left (instant navigation)
    el.dataset.iconsearchMounted = '1';
    unmount = mountUI(el, api);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
// Material for MkDocs' instant navigation swaps pages without a reload and announces each one
// on its `document$` observable: mount the widget on every page that has one.
if (window.document$ && typeof window.document$.subscribe === 'function') window.document$.subscribe(() => init());
else document.addEventListener('DOMContentLoaded', () => window.document$?.subscribe?.(() => init()));
