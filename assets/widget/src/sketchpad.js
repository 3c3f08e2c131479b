// The draw pad: search by sketch. Pointer events cover the mouse, touch and pens alike; the
// drawing is kept as strokes (undo takes the last one away) and handed to `onStroke` as a
// canvas each time a stroke ends. Keyboard: Space puts the pen down or lifts it, the arrow keys
// move it (Shift: further), Ctrl/Cmd+Z undoes, Escape or Delete clears.
import { h } from './dom.js';

const SIDE = 256; // the canvas's pixels; the model sees a 32 px crop of the ink
// Pen widths in canvas pixels: a finger draws wider lines than a mouse or a stylus. Training's
// sketches have strokes of 3-8 % of the icon's box: these are ~3.5 % and ~5.5 % of the pad
// (and sketch.js thickens what is thinner than 8 % of the drawing).
const WIDTH = { mouse: 9, pen: 9, touch: 14 };
const STEP = 8; // pixels per arrow key press (Shift: 4 times that)

export function mountPad(STRINGS, onStroke) {
  // role "application": screen readers in browse mode pass the pad's keys (Space, arrows) through.
  const canvas = h('canvas', { class: 'iconsearch__canvas', width: SIDE, height: SIDE, tabindex: '0', role: 'application',
    'aria-roledescription': STRINGS.draw, 'aria-label': STRINGS.padLabel });
  const cursor = h('span', { class: 'iconsearch__cursor', hidden: '' });
  const undo = h('button', { type: 'button', class: 'iconsearch__undo', disabled: '' }, STRINGS.undo);
  const clear = h('button', { type: 'button', class: 'iconsearch__clear', disabled: '' }, STRINGS.clear);
  const element = h('div', { class: 'iconsearch__pad' },
    h('div', { class: 'iconsearch__sheet' }, canvas, cursor,
      h('span', { class: 'iconsearch__padhint', 'aria-hidden': 'true' }, STRINGS.draw)),
    h('div', { class: 'iconsearch__tools' }, undo, clear));
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const strokes = []; // each {width, points: [[x, y], ...]}
  let current = null;
  let keyPen = [SIDE / 2, SIDE / 2]; // the keyboard's pen position
  let keyDown = false;

  function paint() {
    ctx.fillStyle = '#fff'; // always dark ink on white: what the model was taught (and a photo of paper)
    ctx.fillRect(0, 0, SIDE, SIDE);
    ctx.strokeStyle = '#000';
    ctx.fillStyle = '#000';
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const s of strokes) {
      ctx.lineWidth = s.width;
      if (s.points.length === 1) { // a dot
        ctx.beginPath();
        ctx.arc(s.points[0][0], s.points[0][1], s.width / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      ctx.beginPath();
      s.points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.stroke();
    }
    undo.disabled = clear.disabled = !strokes.length;
    element.classList.toggle('iconsearch__pad--empty', !strokes.length);
  }

  const at = (ev) => {
    const r = canvas.getBoundingClientRect();
    return [((ev.clientX - r.left) / r.width) * SIDE, ((ev.clientY - r.top) / r.height) * SIDE];
  };
  function begin(point, width, pointer = null) {
    current = { width, points: [point], pointer };
    strokes.push(current);
    paint();
  }
  function extend(point) {
    if (!current) begin(point, WIDTH.mouse);
    else current.points.push(point);
    paint();
  }
  function end() {
    if (!current) return;
    current = null;
    onStroke(canvas);
  }

  canvas.addEventListener('pointerdown', (ev) => {
    if ((ev.button !== 0 && ev.pointerType === 'mouse') || current?.pointer != null) return; // one pen at a time
    ev.preventDefault();
    if (keyDown) { // the keyboard's pen is lifted by a pointer's stroke
      keyDown = false;
      end();
    }
    canvas.focus({ preventScroll: true });
    try { // strokes that leave the pad still end on it
      canvas.setPointerCapture(ev.pointerId);
    } catch (err) { /* a pointer the browser does not know (a synthetic event) */ }
    begin(at(ev), WIDTH[ev.pointerType] || WIDTH.mouse, ev.pointerId);
  });
  canvas.addEventListener('pointermove', (ev) => {
    if (!current || current.pointer !== ev.pointerId) return;
    ev.preventDefault();
    for (const e of ev.getCoalescedEvents?.() || [ev]) current.points.push(at(e));
    paint();
  });
  const lift = (ev) => { if (current && current.pointer === ev.pointerId) end(); };
  canvas.addEventListener('pointerup', lift);
  canvas.addEventListener('pointercancel', lift);

  const showCursor = () => {
    cursor.hidden = false;
    cursor.style.left = `${(keyPen[0] / SIDE) * 100}%`;
    cursor.style.top = `${(keyPen[1] / SIDE) * 100}%`;
    cursor.classList.toggle('iconsearch__cursor--down', keyDown);
  };
  canvas.addEventListener('focus', showCursor);
  canvas.addEventListener('blur', () => {
    cursor.hidden = true;
    if (keyDown) { keyDown = false; end(); }
  });
  const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  canvas.addEventListener('keydown', (ev) => {
    if (MOVES[ev.key]) {
      ev.preventDefault();
      const step = ev.shiftKey ? 4 * STEP : STEP;
      keyPen = keyPen.map((v, i) => Math.min(SIDE - 4, Math.max(4, v + MOVES[ev.key][i] * step)));
      if (keyDown) extend([...keyPen]);
    } else if (ev.key === ' ' || ev.key === 'Enter') {
      ev.preventDefault();
      keyDown = !keyDown;
      if (keyDown) begin([...keyPen], WIDTH.mouse);
      else end();
    } else if ((ev.key === 'z' || ev.key === 'Z') && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      undo.click();
    } else if (ev.key === 'Escape' || ev.key === 'Delete' || ev.key === 'Backspace') {
      ev.preventDefault();
      clear.click();
    } else {
      return;
    }
    ev.stopPropagation(); // the theme's shortcuts (Material's) leave the pad's keys alone
    showCursor();
  });
  undo.addEventListener('click', () => {
    if (!strokes.length) return;
    strokes.pop();
    current = null;
    keyDown = false;
    paint();
    if (strokes.length) onStroke(canvas);
    else onStroke(null);
  });
  clear.addEventListener('click', () => {
    strokes.length = 0;
    current = null;
    keyDown = false;
    paint();
    onStroke(null);
  });
  paint();
  return { element, canvas, strokes };
}
