// Building the page from data. Text always goes in as text nodes, never as
// HTML: command output and user input cannot become markup.

/**
 * Creates an element. `props`: attributes by name, except `on` (event
 * listeners by type), `dataset`, and the DOM properties `value`, `checked`,
 * `disabled`, `selected`. Children: nodes, strings (as text), null (skipped)
 * or arrays of those.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'on') {
      for (const [type, listener] of Object.entries(value)) el.addEventListener(type, listener);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (['value', 'checked', 'disabled', 'selected'].includes(name)) {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `el` with `children`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** A labelled form field: the label, the control, and an optional hint. */
export function field(label, control, hint = null) {
  if (!control.id) control.id = `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${++fieldCount}`;
  const hintNode = hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  if (hintNode) control.setAttribute('aria-describedby', hintNode.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintNode);
}
let fieldCount = 0;

/** A table with a caption (for screen readers), headings and rows of cells. */
export function table(caption, headings, rows, emptyText) {
  if (rows.length === 0) return h('p', { class: 'empty' }, emptyText);
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, headings.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, rows)));
}

const statusLabels = {
  queued: 'Queued', running: 'Running', success: 'Success',
  failed: 'Failed', timeout: 'Timed out', cancelled: 'Cancelled',
};

/** The coloured status badge; the word carries the meaning, not the colour. */
export function badge(status) {
  return h('span', { class: `badge badge-${status}`, dataset: { status } },
    statusLabels[status] ?? status);
}

export function isActive(status) {
  return status === 'queued' || status === 'running';
}

/** An API timestamp as local time, with the exact UTC value on hover. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: iso, title: iso }, formatLocal(iso));
}

export function formatLocal(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** How long a task ran (or has been running), in words. */
export function duration(startIso, endIso) {
  if (!startIso) return '—';
  const end = endIso ? new Date(endIso) : new Date();
  const ms = Math.max(0, end - new Date(startIso));
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A message area that screen readers announce when it changes. */
export function notice() {
  // tabindex: a page may move the focus here after an action redraws it.
  return h('div', { class: 'notice', role: 'status', 'aria-live': 'polite', tabindex: '-1', hidden: true });
}

/** Shows `text` in a notice() as an error or a confirmation; null hides it. */
export function say(el, text, kind = 'error') {
  el.hidden = !text;
  el.className = `notice ${kind}`;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  el.textContent = text ?? '';
}

/** An error sentence shown in place of content that could not load. */
export function errorText(text) {
  return h('p', { class: 'notice error', role: 'alert' }, text);
}

/**
 * Newer/Older links of a newest-first list paged by offset; `hrefOf(offset)`
 * builds a page's address. The API gives no total: a full page means that
 * an older one may follow. Null when there is only one page.
 */
export function pager(label, hrefOf, offset, count, pageSize) {
  const link = (to, text, rel) => h('a', { class: 'button', rel, href: hrefOf(to) }, text);
  const newer = offset > 0 ? link(Math.max(0, offset - pageSize), 'Newer', 'prev') : null;
  const older = count === pageSize ? link(offset + pageSize, 'Older', 'next') : null;
  if (!newer && !older) return null;
  return h('nav', { class: 'pager', 'aria-label': label }, newer,
    h('span', {}, `Page ${Math.floor(offset / pageSize) + 1}`), older);
}
