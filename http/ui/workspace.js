// A server's workspace: the Tasks tab (Run Command, the task list that
// refreshes while tasks are active, pages) and the Details tab.
import { get, post, query } from './api.js';
import { badge, duration, errorText, field, h, isActive, notice, pager, replace, say, table, time } from './dom.js';
import { loadSettings } from './settings.js';

const pageSize = 20;
const refreshMs = 3000;

export async function render(view) {
  const serverId = view.params.id;
  let server;
  try {
    server = await get(`/api/servers/${encodeURIComponent(serverId)}`);
  } catch (error) {
    replace(view.main, h('h1', {}, 'Server'), errorText(error.message));
    return;
  }
  if (!view.live()) return;
  const tab = view.query.get('tab') === 'details' ? 'details' : 'tasks';
  const body = h('section', { id: 'tab-panel', 'aria-labelledby': `tab-${tab}` });
  replace(view.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/servers' }, 'Servers'), ' / '),
    h('h1', {}, server.name),
    h('p', { class: 'muted' }, `${server.username}@${server.host}:${server.port}`),
    tabs(server, tab),
    body);
  if (tab === 'details') renderDetails(body, server, view);
  else await renderTasks(body, server, view);
}

function tabs(server, current) {
  const link = (tab, label) => h('a', {
    id: `tab-${tab}`,
    href: `#/servers/${server.id}${tab === 'tasks' ? '' : `?tab=${tab}`}`,
    'aria-current': tab === current ? 'page' : null,
  }, label);
  return h('nav', { class: 'tabs', 'aria-label': 'Server workspace' }, link('tasks', 'Tasks'), link('details', 'Details'));
}

function renderDetails(body, server, view) {
  const auth = [
    server.vault_key_id !== null ? `vault key ${server.vault_key_id}` : null,
    server.key_file ? `key file ${server.key_file}` : null,
    server.has_password ? 'password (stored encrypted)' : null,
  ].filter(Boolean).join(', then ');
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
  replace(body,
    h('dl', { class: 'details' },
      row('Name', server.name),
      row('Host', server.host),
      row('Port', String(server.port)),
      row('SSH user', server.username),
      row('Authentication', auth || 'none configured'),
      row('Pinned host key', server.host_key ? h('code', { class: 'fingerprint' }, server.host_key) : 'not pinned yet'),
      row('Parallel tasks', server.max_concurrent_tasks === null ? 'service default' : String(server.max_concurrent_tasks)),
      row('Added', time(server.created_at))),
    view.session.user.role === 'admin'
      ? h('a', { class: 'button', href: `#/admin/servers/${server.id}` }, 'Edit server') : null);
}

async function renderTasks(body, server, view) {
  const canRun = view.session.user.role !== 'viewer';
  const offset = Math.max(0, Number.parseInt(view.query.get('offset') ?? '0', 10) || 0);
  const status = view.query.get('status') ?? '';
  const list = h('div', { class: 'task-list', 'aria-live': 'off' });
  const message = notice();
  let runPanel;
  try {
    runPanel = canRun
      ? await runCommand(server, view, message, () => refresh())
      : h('p', { class: 'muted' }, 'Your role (viewer) may look at servers but not run commands.');
  } catch (error) {
    runPanel = errorText(`Run Command is unavailable: ${error.message}`);
  }
  if (!view.live()) return;
  replace(body, runPanel, message, statusFilter(server, status), list);

  let timer = null;
  view.onLeave(() => clearTimeout(timer));

  async function refresh() {
    clearTimeout(timer);
    let tasks;
    try {
      ({ tasks } = await get(`/api/tasks${query({ server_id: server.id, status, limit: pageSize, offset })}`));
    } catch (error) {
      if (view.live()) replace(list, errorText(error.message));
      return;
    }
    if (!view.live()) return;
    replace(list, taskTable(tasks, view), pager('Task pages',
      (to) => `#/servers/${server.id}${query({ status, offset: to || '' })}`, offset, tasks.length, pageSize));
    // Poll only while something can still change.
    if (tasks.some((t) => isActive(t.status))) timer = setTimeout(refresh, refreshMs);
  }
  await refresh();
}

function taskTable(tasks, view) {
  const rows = tasks.map((t) => h('tr', { dataset: { taskId: t.id } },
    h('td', {}, badge(t.status)),
    h('td', { class: 'command-cell' }, h('a', { href: `#/tasks/${t.id}` }, h('code', {}, t.command))),
    h('td', {}, time(t.created_at)),
    h('td', {}, duration(t.started_at, t.finished_at)),
    h('td', {}, t.exit_code === null ? '—' : String(t.exit_code)),
    view.session.user.role === 'admin' ? h('td', {}, String(t.user_id)) : null));
  const headings = ['Status', 'Command', 'Created', 'Duration', 'Exit code'];
  if (view.session.user.role === 'admin') headings.push('User id');
  const empty = view.session.user.role === 'viewer'
    ? 'No tasks. Viewers see only tasks they created themselves.'
    : 'No tasks on this page.';
  return table('Tasks on this server, newest first', headings, rows, empty);
}

/** Applied by its button, not on change: arrow keys on a select fire change. */
function statusFilter(server, current) {
  const select = h('select', { name: 'status' },
    ['', 'queued', 'running', 'success', 'failed', 'timeout', 'cancelled'].map((s) =>
      h('option', { value: s, selected: s === current }, s === '' ? 'All' : s)));
  return h('form', {
    class: 'filters inline', role: 'search', 'aria-label': 'Filter tasks',
    on: {
      submit: (event) => {
        event.preventDefault();
        location.hash = `#/servers/${server.id}${query({ status: select.value })}`;
      },
    },
  }, field('Status', select), h('button', { type: 'submit' }, 'Show'));
}

/** The Run Command button and the form it opens. */
async function runCommand(server, view, message, created) {
  const settings = await loadSettings();
  const command = h('textarea', { name: 'command', rows: 3, required: true, maxlength: settings.command_max_bytes, spellcheck: 'false', class: 'mono' });
  const timeout = h('input', {
    name: 'timeout_seconds', type: 'number', min: 1, max: settings.timeout_seconds_max,
    required: true, value: String(settings.default_timeout_seconds),
  });
  const storeOutput = h('input', { name: 'store_output', type: 'checkbox', checked: settings.store_output_default });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Run');
  const formMessage = notice();
  const form = h('form', { id: 'run-form', class: 'card', hidden: true, on: { submit: onSubmit } },
    h('h2', {}, `Run a command on ${server.name}`),
    formMessage,
    field('Command', command, `Runs in the login shell of ${server.username}.`),
    field('Timeout (seconds)', timeout, `1 to ${settings.timeout_seconds_max}; the task is stopped after this.`),
    h('div', { class: 'field checkbox' },
      storeOutput, h('label', { for: storeOutput.id = 'store-output' }, 'Store output')),
    h('p', { class: 'warning', id: 'store-output-warning' },
      `Output may contain secrets (passwords, keys, tokens) and is kept in the database, ` +
      `readable by you and by administrators. Each stream is cut after ${formatBytes(settings.output_max_bytes)}.`),
    h('div', { class: 'actions' }, submit,
      h('button', { type: 'button', on: { click: () => toggle(false) } }, 'Close')));
  storeOutput.setAttribute('aria-describedby', 'store-output-warning');
  const open = h('button', {
    type: 'button', class: 'primary', 'aria-expanded': 'false', 'aria-controls': 'run-form',
    on: { click: () => toggle(form.hidden) },
  }, 'Run Command');

  function toggle(show) {
    form.hidden = !show;
    open.setAttribute('aria-expanded', String(show));
    if (show) command.focus();
    else open.focus();
  }

  async function onSubmit(event) {
    event.preventDefault();
    submit.disabled = true;
    say(formMessage, null);
    try {
      const answer = await post(`/api/servers/${server.id}/tasks`, {
        command: command.value,
        timeout_seconds: Number(timeout.value),
        store_output: storeOutput.checked,
      });
      command.value = '';
      toggle(false);
      say(message, null);
      message.hidden = false;
      message.className = 'notice info';
      message.replaceChildren('Task queued. ', h('a', { href: `#/tasks/${answer.task_id}` }, 'Open it'));
      created();
    } catch (error) {
      say(formMessage, `The command was not queued: ${error.message}`);
    } finally {
      submit.disabled = false;
    }
  }
  return h('div', { class: 'run' }, open, form);
}

function formatBytes(bytes) {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
