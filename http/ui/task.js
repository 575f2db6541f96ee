// One task: what ran, when, how it ended, its output, and Cancel.
import { get, post } from './api.js';
import { badge, duration, h, isActive, notice, replace, say, time } from './dom.js';

const refreshMs = 3000;

export async function render(view) {
  const id = view.params.id;
  const message = notice();
  const crumbs = h('p', { class: 'crumbs' }, h('a', { href: '#/servers' }, 'Servers'), ' / ');
  const content = h('div', {});
  let server = null;
  let timer = null;
  view.onLeave(() => clearTimeout(timer));

  async function refresh() {
    clearTimeout(timer);
    let task;
    try {
      task = await get(`/api/tasks/${encodeURIComponent(id)}`);
    } catch (error) {
      if (view.live()) say(message, error.message);
      return;
    }
    server ??= await serverOf(task.server_id);
    if (!view.live()) return;
    replace(crumbs, h('a', { href: '#/servers' }, 'Servers'), ' / ',
      h('a', { href: `#/servers/${task.server_id}` }, server.name), ' / ');
    replace(content, ...taskView(task, server, view, cancel));
    if (isActive(task.status)) timer = setTimeout(refresh, refreshMs);
  }

  async function cancel(button) {
    if (!window.confirm('Cancel this task? A running command is stopped on the server.')) return;
    button.disabled = true;
    try {
      await post(`/api/tasks/${encodeURIComponent(id)}/cancel`);
      say(message, 'Task cancelled.', 'info');
    } catch (error) {
      say(message, `The task was not cancelled: ${error.message}`);
    }
    await refresh();
  }

  replace(view.main,
    crumbs,
    h('h1', {}, 'Task'),
    message,
    content);
  await refresh();
}

/** The task's server; a deleted one is still named by its id. */
async function serverOf(id) {
  try {
    return await get(`/api/servers/${id}`);
  } catch {
    return { id, name: `server ${id}` };
  }
}

function taskView(task, server, view, cancel) {
  const role = view.session.user.role;
  // The API decides; the button is only offered where it can succeed.
  const mayCancel = isActive(task.status) && (role === 'admin' || (role === 'operator' && task.user_id === view.session.user.id));
  const cancelButton = mayCancel
    ? h('button', { type: 'button', class: 'danger', on: { click: (e) => cancel(e.currentTarget) } }, 'Cancel task')
    : null;
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
  return [
    h('div', { class: 'task-head' }, badge(task.status), cancelButton),
    h('pre', { class: 'command mono', 'aria-label': 'Command' }, task.command),
    h('dl', { class: 'details' },
      row('Server', h('a', { href: `#/servers/${task.server_id}` }, server.name)),
      row('Task id', h('code', {}, task.id)),
      row('Created', time(task.created_at)),
      row('Started', time(task.started_at)),
      row('Finished', time(task.finished_at)),
      row('Duration', duration(task.started_at, task.finished_at)),
      row('Timeout', `${task.timeout_seconds} s`),
      row('Exit code', task.exit_code === null ? '—' : String(task.exit_code)),
      task.error ? row('Error', h('span', { class: 'error-text' }, task.error)) : null),
    output('Standard output', task.stdout, task.stdout_truncated, task),
    output('Standard error', task.stderr, task.stderr_truncated, task),
  ];
}

function output(title, text, truncated, task) {
  let body;
  if (!task.store_output) {
    body = h('p', { class: 'muted' }, 'Output was not stored for this task.');
  } else if (isActive(task.status)) {
    body = h('p', { class: 'muted' }, 'Output is shown once the task has finished.');
  } else if (!text) {
    body = h('p', { class: 'muted' }, 'Empty.');
  } else {
    // textContent: output is shown exactly as text, never parsed as HTML.
    body = h('pre', { class: 'output mono', tabindex: '0' }, text);
  }
  return h('section', { class: 'output-section' },
    h('h2', {}, title),
    truncated ? h('p', { class: 'notice warning-notice' }, 'Truncated: the output was longer than the limit, so only its beginning was kept.') : null,
    body);
}
