// The widget's DOM: a drop zone (click, drag and drop, paste) beside a draw pad, top matches,
// and the icon grid; each icon offers the icons that look like it.
import { h } from './dom.js';
import { mountPad } from './sketchpad.js';

// Strings by language: the widget's `data-lang` (the plugin's `language` option, else the
// theme's), else the page's <html lang>, else English.
export const LANGUAGES = {
  en: {
    drop: 'Drop a screenshot here, paste it (Ctrl/Cmd+V) or click to choose a file',
    loading: 'Loading the model…',
    searching: 'Searching…',
    noIcon: 'No icon found in this image: try a tighter crop.',
    failed: 'The icon model could not be loaded',
    retry: 'Retry',
    filter: 'Filter icons by name',
    copied: 'Copied',
    count: (n, total) => (n === total ? `${total} icons` : `${n} of ${total} icons`),
    results: 'Best matches (click to copy)',
    draw: 'Or draw it here',
    padLabel: 'Draw pad: draw the icon with the mouse, a finger or a pen. Keyboard: Space puts the pen down or lifts it, the arrow keys move it, Ctrl+Z undoes, Escape clears.',
    undo: 'Undo',
    clear: 'Clear',
    similar: 'Similar',
    similarTo: (id) => `Icons that look like ${id}`,
    drawn: 'Best matches for your drawing (click to copy)',
  },
  zh: {
    drop: '将截图拖放到此处、粘贴（Ctrl/Cmd+V）或点击选择文件',
    loading: '正在加载模型…',
    searching: '正在搜索…',
    noIcon: '图片中未找到图标：请裁剪得更紧凑一些。',
    failed: '无法加载图标模型',
    retry: '重试',
    filter: '按名称筛选图标',
    copied: '已复制',
    count: (n, total) => (n === total ? `共 ${total} 个图标` : `${total} 个图标中的 ${n} 个`),
    results: '最佳匹配（点击复制）',
    draw: '或在此处绘制',
    padLabel: '绘图板：用鼠标、手指或触控笔画出图标。键盘：空格键落笔或抬笔，方向键移动笔，Ctrl+Z 撤销，Esc 清除。',
    undo: '撤销',
    clear: '清除',
    similar: '相似',
    similarTo: (id) => `与 ${id} 相似的图标`,
    drawn: '与你的绘图最匹配的图标（点击复制）',
  },
  de: {
    drop: 'Screenshot hier ablegen, einfügen (Strg/Cmd+V) oder klicken, um eine Datei zu wählen',
    loading: 'Modell wird geladen …',
    searching: 'Suche läuft …',
    noIcon: 'Kein Symbol in diesem Bild gefunden: enger zuschneiden.',
    failed: 'Das Symbolmodell konnte nicht geladen werden',
    retry: 'Erneut versuchen',
    filter: 'Symbole nach Namen filtern',
    copied: 'Kopiert',
    count: (n, total) => (n === total ? `${total} Symbole` : `${n} von ${total} Symbolen`),
    results: 'Beste Treffer (zum Kopieren klicken)',
    draw: 'Oder hier zeichnen',
    padLabel: 'Zeichenfläche: Symbol mit Maus, Finger oder Stift zeichnen. Tastatur: Leertaste setzt den Stift auf oder hebt ihn ab, Pfeiltasten bewegen ihn, Strg+Z macht rückgängig, Esc löscht.',
    undo: 'Rückgängig',
    clear: 'Löschen',
    similar: 'Ähnliche',
    similarTo: (id) => `Symbole, die wie ${id} aussehen`,
    drawn: 'Beste Treffer für Ihre Zeichnung (zum Kopieren klicken)',
  },
  fr: {
    drop: 'Déposez une capture ici, collez-la (Ctrl/Cmd+V) ou cliquez pour choisir un fichier',
    loading: 'Chargement du modèle…',
    searching: 'Recherche…',
    noIcon: 'Aucune icône trouvée dans cette image : recadrez plus serré.',
    failed: 'Le modèle d’icônes n’a pas pu être chargé',
    retry: 'Réessayer',
    filter: 'Filtrer les icônes par nom',
    copied: 'Copié',
    count: (n, total) => (n === total ? `${total} icônes` : `${n} sur ${total} icônes`),
    results: 'Meilleures correspondances (cliquez pour copier)',
    draw: 'Ou dessinez-la ici',
    padLabel: 'Zone de dessin : dessinez l’icône à la souris, au doigt ou au stylet. Clavier : Espace pose ou lève le crayon, les flèches le déplacent, Ctrl+Z annule, Échap efface.',
    undo: 'Annuler',
    clear: 'Effacer',
    similar: 'Similaires',
    similarTo: (id) => `Icônes qui ressemblent à ${id}`,
    drawn: 'Meilleures correspondances pour votre dessin (cliquez pour copier)',
  },
  es: {
    drop: 'Suelta aquí una captura, pégala (Ctrl/Cmd+V) o haz clic para elegir un archivo',
    loading: 'Cargando el modelo…',
    searching: 'Buscando…',
    noIcon: 'No se encontró ningún icono en esta imagen: recorta más ajustado.',
    failed: 'No se pudo cargar el modelo de iconos',
    retry: 'Reintentar',
    filter: 'Filtrar iconos por nombre',
    copied: 'Copiado',
    count: (n, total) => (n === total ? `${total} iconos` : `${n} de ${total} iconos`),
    results: 'Mejores coincidencias (haz clic para copiar)',
    draw: 'O dibújalo aquí',
    padLabel: 'Área de dibujo: dibuja el icono con el ratón, un dedo o un lápiz. Teclado: Espacio apoya o levanta el lápiz, las flechas lo mueven, Ctrl+Z deshace, Esc borra.',
    undo: 'Deshacer',
    clear: 'Borrar',
    similar: 'Similares',
    similarTo: (id) => `Iconos que se parecen a ${id}`,
    drawn: 'Mejores coincidencias para tu dibujo (haz clic para copiar)',
  },
  ja: {
    drop: 'スクリーンショットをここにドロップ、貼り付け（Ctrl/Cmd+V）、またはクリックしてファイルを選択',
    loading: 'モデルを読み込み中…',
    searching: '検索中…',
    noIcon: 'この画像にアイコンが見つかりません。もっと狭く切り取ってください。',
    failed: 'アイコンモデルを読み込めませんでした',
    retry: '再試行',
    filter: '名前でアイコンを絞り込む',
    copied: 'コピーしました',
    count: (n, total) => (n === total ? `${total} 個のアイコン` : `${total} 個中 ${n} 個のアイコン`),
    results: '最も近い候補（クリックでコピー）',
    draw: 'またはここに描く',
    padLabel: '描画パッド：マウス、指、ペンでアイコンを描きます。キーボード：スペースでペンを下ろす／上げる、矢印キーで移動、Ctrl+Z で元に戻す、Esc で消去。',
    undo: '元に戻す',
    clear: '消去',
    similar: '類似',
    similarTo: (id) => `${id} に似たアイコン`,
    drawn: '描いた絵に最も近い候補（クリックでコピー）',
  },
};

export function strings(lang) {
  const code = String(lang || '').toLowerCase().split(/[-_]/)[0];
  return LANGUAGES[code] || LANGUAGES.en;
}


// An id as text with line-break chances after its / and - (not inside words).
function breakable(id) {
  return id.split(/(?<=[/\-_:])/).flatMap((part, i) => (i ? [document.createElement('wbr'), part] : [part]));
}

// SVG as <img>: it can never run a script or fetch anything, whatever the file held.
const svgSource = (svg) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

export function iconImage(icon) {
  const img = h('img', { alt: icon.id, loading: 'lazy' });
  if (icon.svg) img.src = svgSource(icon.svg); // else set once its drawings' file is loaded
  return img;
}

const GRID_PAGE = 120; // icons added to the grid at a time, as the reader scrolls near its end

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (err) {
    const area = h('textarea', { readonly: '', style: 'position:fixed;opacity:0' });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
}

export function mountUI(root, api) {
  const STRINGS = strings(root.dataset.lang || document.documentElement.lang);
  root.classList.add('iconsearch');
  const input = h('input', { type: 'file', accept: 'image/*', hidden: '', class: 'iconsearch__file' });
  // A canvas of the bounded pixels, not an <img> of the file: a huge screenshot is decoded once,
  // off the main thread, and never painted at full size.
  const preview = h('canvas', { class: 'iconsearch__preview', 'aria-hidden': 'true', hidden: '' });
  const drop = h('div', { class: 'iconsearch__drop', tabindex: '0', role: 'button', 'aria-label': STRINGS.drop },
    preview, h('span', { class: 'iconsearch__hint' }, STRINGS.drop), input);
  const status = h('div', { class: 'iconsearch__status', role: 'status', 'aria-live': 'polite' });
  const results = h('ol', { class: 'iconsearch__results', 'aria-label': STRINGS.results });
  const pad = mountPad(STRINGS, (canvas) => {
    if (canvas) run(canvas, { sketch: true });
    else { ++queries; results.replaceChildren(); setStatus(''); } // cleared: nothing to answer
  });
  const filter = h('input', { type: 'search', class: 'iconsearch__filter', placeholder: STRINGS.filter, 'aria-label': STRINGS.filter });
  const count = h('div', { class: 'iconsearch__count' });
  const grid = h('ul', { class: 'iconsearch__grid' });
  const more = h('div', { class: 'iconsearch__more', 'aria-hidden': 'true' }); // seen: show the next page
  root.replaceChildren(h('div', { class: 'iconsearch__search' }, h('div', { class: 'iconsearch__inputs' }, drop, pad.element),
    status, results),
    h('div', { class: 'iconsearch__browse' }, filter, count, grid, more));

  const setStatus = (text, { error = false, retry = null } = {}) => {
    status.replaceChildren(text);
    status.classList.toggle('iconsearch__status--error', error);
    if (retry) status.append(' ', h('button', { type: 'button', class: 'iconsearch__retry', onclick: retry }, STRINGS.retry));
  };

  // "Similar": the icons whose look the model finds nearest, listed in place of the matches.
  const similarButton = (icon) => h('button', {
    type: 'button', class: 'iconsearch__like', title: STRINGS.similar, 'aria-label': `${STRINGS.similar}: ${icon.id}`,
    onclick: () => showSimilar(icon),
  }, '≈');
  async function showSimilar(icon) {
    const query = ++queries;
    try {
      const matches = await api.similar(icon.id, 12);
      await api.svgs(matches.map((m) => m.id)).catch(() => {});
      if (query !== queries) return;
      setStatus(STRINGS.similarTo(icon.id));
      showMatches(matches);
      status.scrollIntoView?.({ block: 'nearest' });
    } catch (err) {
      if (query === queries) setStatus(`${STRINGS.failed}: ${err.message}`, { error: true });
    }
  }

  // A click copies the icon's snippet (its source's template, e.g. ":material-home:"), else its id.
  const copyButton = (icon, extra, showSnippet = false) => h('button', {
    type: 'button', class: 'iconsearch__icon', title: icon.snippet || icon.id, 'data-id': icon.id,
    onclick: async (ev) => {
      const btn = ev.currentTarget; // null once the handler awaits
      const text = icon.snippet || icon.id;
      await copy(text);
      btn.classList.add('iconsearch__icon--copied');
      setStatus(`${STRINGS.copied}: ${text}`);
      setTimeout(() => btn.classList.remove('iconsearch__icon--copied'), 1200);
    },
  }, iconImage(icon), h('span', { class: 'iconsearch__id' }, ...breakable(icon.id)),
  showSnippet && icon.snippet ? h('code', { class: 'iconsearch__snippet' }, icon.snippet) : null, extra);

  const showMatches = (matches) => {
    const byId = new Map(api.icons.map((i) => [i.id, i]));
    results.replaceChildren(...matches.map((m) => h('li', { class: 'iconsearch__match' },
      copyButton(byId.get(m.id), h('span', { class: 'iconsearch__score' },
        h('span', { class: 'iconsearch__track' },
          h('span', { class: 'iconsearch__bar', style: `width:${(m.score * 100).toFixed(1)}%` })),
        h('span', { class: 'iconsearch__pct' }, `${(m.score * 100).toFixed(1)}%`)), true),
      similarButton(byId.get(m.id)))));
  };

  let lastQuery = null;
  let queries = 0; // a newer query's answer wins over an older, slower one
  async function run(image, options = {}) {
    lastQuery = [image, options];
    const query = ++queries;
    if (!options.sketch) results.replaceChildren(); // (a drawing's matches change in place, stroke by stroke)
    setStatus(api.backend ? STRINGS.searching : STRINGS.loading);
    root.classList.add('iconsearch--busy');
    try {
      const data = await api.toImageData(image);
      if (!options.sketch) { // a drawing is its own preview
        preview.width = data.width;
        preview.height = data.height;
        preview.getContext('2d').putImageData(data, 0, 0);
        preview.hidden = false;
      }
      const matches = await api.search(data, 5, options);
      // The matches show their icons at once (and without them if their file fails: retried later).
      await api.svgs(matches.map((m) => m.id)).catch(() => {});
      if (query !== queries) return;
      if (!matches.length) setStatus(STRINGS.noIcon);
      else setStatus(options.sketch ? STRINGS.drawn : '');
      showMatches(matches);
    } catch (err) {
      if (query !== queries) return;
      results.replaceChildren();
      if (err instanceof api.QueryError) setStatus(err.message, { error: true });
      else setStatus(`${STRINGS.failed}: ${err.message}`, { error: true, retry: () => run(...lastQuery) });
    } finally {
      if (query === queries) root.classList.remove('iconsearch--busy');
    }
  }

  drop.addEventListener('click', () => input.click());
  drop.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); input.click(); } });
  input.addEventListener('change', () => { if (input.files[0]) run(input.files[0]); input.value = ''; });
  drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('iconsearch__drop--over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('iconsearch__drop--over'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('iconsearch__drop--over');
    const file = ev.dataTransfer?.files?.[0];
    if (file) run(file);
  });
  const onPaste = (ev) => {
    if (!root.isConnected) return;
    const item = [...(ev.clipboardData?.items || [])].find((i) => i.kind === 'file');
    if (!item) return;
    ev.preventDefault();
    run(item.getAsFile());
  };
  document.addEventListener('paste', onPaste);

  // The grid holds what the reader has scrolled to, a page at a time, and fetches the drawings of
  // what it adds (in files of a few hundred): 14,000 icons cost no more than 120 on page load.
  let shown = [];
  let rendered = 0;
  const renderMore = () => {
    const batch = shown.slice(rendered, rendered + GRID_PAGE);
    rendered += batch.length;
    const buttons = batch.map((icon) => copyButton(icon));
    grid.append(...buttons.map((button, i) => h('li', {}, button, similarButton(batch[i]))));
    if (batch.some((icon) => !icon.svg)) {
      api.svgs(batch.map((icon) => icon.id)).then(() => buttons.forEach((button, i) => {
        const img = button.querySelector('img');
        if (!img.src && batch[i].svg) img.src = svgSource(batch[i].svg);
        button.title = batch[i].snippet || batch[i].id; // (the snippet comes in the drawing's company)
      }), (err) => setStatus(`${STRINGS.failed}: ${err.message}`, { error: true, retry: renderGrid }));
    }
    more.hidden = rendered >= shown.length;
    observer.unobserve(more); // observing again reports at once whether it is still in view
    if (!more.hidden) observer.observe(more);
  };
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) renderMore();
  }, { rootMargin: '600px' });
  const renderGrid = () => {
    const q = filter.value.trim().toLowerCase();
    shown = q ? api.icons.filter((i) => i.id.toLowerCase().includes(q)) : api.icons;
    rendered = 0;
    grid.replaceChildren();
    renderMore();
    count.textContent = STRINGS.count(shown.length, api.icons.length);
  };
  filter.addEventListener('input', renderGrid);
  api.loadIndex().then(renderGrid, (err) => setStatus(`${STRINGS.failed}: ${err.message}`, {
    error: true, retry: () => api.loadIndex().then(renderGrid, () => {}),
  }));
  return () => { // unmount
    document.removeEventListener('paste', onPaste);
    observer.disconnect();
  };
}
