// Admin: the audit log with filters, pages, and a CSV export of everything
// the filters match.
import { get, query } from './api.js';
import { field, h, notice, pager, replace, say, table, time } from './dom.js';
import { auditCsv } from './csv.js';

const pageSize = 50;
const exportPageSize = 1000;
const filterNames = ['user', 'action', 'task_id', 'server_id', 'from', 'to'];

export async function render(view) {
  const filters = Object.fromEntries(filterNames.map((name) => [name, view.query.get(name) ?? '']));
  const offset = Math.max(0, Number.parseInt(view.query.get('offset') ?? '0', 10) || 0);
  const message = notice();
  const list = h('div', {});
  const exportButton = h('button', { type: 'button', on: { click: () => exportCsv(filters, message, exportButton) } }, 'Export CSV');
  replace(view.main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Audit log'), exportButton),
    filterForm(filters),
    message,
    list);
  let records;
  try {
    ({ records } = await get(`/api/audit${query({ ...filters, limit: pageSize, offset })}`));
  } catch (error) {
    if (view.live()) say(message, error.message);
    return;
  }
  if (!view.live()) return;
  replace(list, recordTable(records), pager('Audit pages',
    (to) => `#/admin/audit${query({ ...filters, offset: to || '' })}`, offset, records.length, pageSize));
}

function filterForm(filters) {
  const inputs = {
    user: h('input', { name: 'user', value: filters.user, maxlength: 64 }),
    action: h('input', { name: 'action', value: filters.action, maxlength: 64, list: 'audit-actions' }),
    task_id: h('input', { name: 'task_id', value: filters.task_id, spellcheck: 'false' }),
    server_id: h('input', { name: 'server_id', type: 'number', min: 1, value: filters.server_id }),
    from: h('input', { name: 'from', value: filters.from, placeholder: '24h or 2026-11-26' }),
    to: h('input', { name: 'to', value: filters.to, placeholder: '2026-11-26T18:00:00Z' }),
  };
  const actions = ['task.', 'auth.', 'auth.login_failed', 'auth.denied', 'user.', 'server.', 'token.', 'vault.'];
  return h('form', {
    class: 'card filters', role: 'search',
    on: {
      submit: (event) => {
        event.preventDefault();
        location.hash = `#/admin/audit${query(Object.fromEntries(filterNames.map((n) => [n, inputs[n].value.trim()])))}`;
      },
    },
  },
  h('div', { class: 'row' },
    field('User', inputs.user, 'Exact username.'),
    field('Action', inputs.action, 'An action or its start: task., auth.login'),
    field('Task id', inputs.task_id),
    field('Server id', inputs.server_id),
    field('From', inputs.from, 'A time with Z, a date, or 90m, 24h, 7d ago.'),
    field('To', inputs.to, 'Same forms; inclusive.')),
  h('datalist', { id: 'audit-actions' }, actions.map((a) => h('option', { value: a }))),
  h('div', { class: 'actions' },
    h('button', { type: 'submit', class: 'primary' }, 'Apply filters'),
    h('a', { class: 'button', href: '#/admin/audit' }, 'Clear')));
}

function recordTable(records) {
  const rows = records.map((r) => h('tr', {},
    h('td', {}, String(r.seq)),
    h('td', {}, time(r.ts)),
    h('td', {}, h('code', {}, r.action)),
    h('td', {}, r.username || (r.user_id === null ? '—' : `#${r.user_id}`)),
    h('td', {}, r.task_id ? h('a', { href: `#/tasks/${r.task_id}` }, r.task_id.slice(0, 8)) : '—'),
    h('td', {}, r.server_id === null ? '—' : String(r.server_id)),
    h('td', { class: 'command-cell' }, r.command_preview ? h('code', {}, r.command_preview) : ''),
    h('td', {}, r.client_ip),
    h('td', { class: 'metadata' }, metadata(r.metadata))));
  return table('Audit records, newest first',
    ['Seq', 'Time', 'Action', 'User', 'Task', 'Server', 'Command', 'Client', 'Details'], rows,
    'No audit records match these filters.');
}

/** The metadata object as `key: value` lines. */
function metadata(object) {
  const entries = Object.entries(object ?? {});
  if (entries.length === 0) return '';
  return h('ul', { class: 'plain' }, entries.map(([key, value]) =>
    h('li', {}, h('span', { class: 'muted' }, `${key}: `), typeof value === 'string' ? value : JSON.stringify(value))));
}

/**
 * Fetches every record the filters match, page by page, and downloads them
 * as CSV (the columns of `tasksctl audit export`). Records written during
 * the export shift the pages; keeping only seqs below the last one seen
 * skips the repeats that causes.
 */
async function exportCsv(filters, message, button) {
  button.disabled = true;
  const records = [];
  try {
    for (let offset = 0; ; offset += exportPageSize) {
      say(message, `Exporting… ${records.length} records so far.`, 'info');
      const page = await get(`/api/audit${query({ ...filters, limit: exportPageSize, offset })}`);
      const last = records.length ? records[records.length - 1].seq : Infinity;
      records.push(...page.records.filter((r) => r.seq < last));
      if (page.records.length < exportPageSize) break;
    }
  } catch (error) {
    say(message, `The export failed: ${error.message}`);
    button.disabled = false;
    return;
  }
  const blob = new Blob([auditCsv(records)], { type: 'text/csv;charset=utf-8' });
  const link = h('a', { href: URL.createObjectURL(blob), download: `tasksd-audit-${new Date().toISOString().replace(/[:.]/g, '-')}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  say(message, `Exported ${records.length} records.`, 'info');
  button.disabled = false;
}
