// Admin: the servers with Edit and Delete, and the add/edit form
// (connection, authentication methods, pinned host key, parallel tasks).
import { del, get, post, put } from './api.js';
import { errorText, field, h, notice, replace, say, table } from './dom.js';

export async function render(view) {
  if (view.params.id === 'new') return renderForm(view, null);
  if (view.params.id) {
    let server;
    try {
      server = await get(`/api/servers/${encodeURIComponent(view.params.id)}`);
    } catch (error) {
      replace(view.main, h('h1', {}, 'Edit server'), errorText(error.message));
      return;
    }
    if (view.live()) renderForm(view, server);
    return;
  }
  return renderList(view);
}

async function renderList(view) {
  const message = notice();
  const list = h('div', {});
  replace(view.main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Manage servers'),
      h('a', { class: 'button primary', href: '#/admin/servers/new' }, 'Add server')),
    message, list);
  await reload();

  async function reload() {
    let servers;
    try {
      ({ servers } = await get('/api/servers'));
    } catch (error) {
      if (view.live()) say(message, error.message);
      return;
    }
    if (!view.live()) return;
    const rows = servers.map((s) => h('tr', { dataset: { serverName: s.name } },
      h('th', { scope: 'row' }, h('a', { href: `#/servers/${s.id}` }, s.name)),
      h('td', {}, `${s.username}@${s.host}:${s.port}`),
      h('td', {}, s.host_key ? 'pinned' : h('span', { class: 'muted' }, 'not pinned')),
      h('td', {}, h('div', { class: 'inline' },
        h('a', { class: 'button', href: `#/admin/servers/${s.id}`, 'aria-label': `Edit ${s.name}` }, 'Edit'),
        h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${s.name}`, on: { click: () => remove(s) } }, 'Delete')))));
    replace(list, table('Servers', ['Name', 'SSH login', 'Host key', 'Actions'], rows, 'No servers yet.'));
  }

  async function remove(server) {
    if (!window.confirm(`Delete server ${server.name}? Its tasks stay in the history; queued ones fail.`)) return;
    try {
      await del(`/api/servers/${server.id}`);
      say(message, `Server ${server.name} deleted.`, 'info');
    } catch (error) {
      say(message, `${server.name} was not deleted: ${error.message}`);
    }
    await reload();
    message.focus(); // the row that had the focus is gone
  }
}

function renderForm(view, server) {
  const editing = server !== null;
  const value = (name, fallback = '') => (editing && server[name] !== null ? String(server[name]) : fallback);
  const inputs = {
    name: h('input', { required: true, maxlength: 64, pattern: '[A-Za-z0-9._\\-]+', value: value('name') }),
    host: h('input', { required: true, maxlength: 253, value: value('host'), spellcheck: 'false' }),
    port: h('input', { type: 'number', min: 1, max: 65535, required: true, value: value('port', '22') }),
    username: h('input', { required: true, maxlength: 64, value: value('username'), spellcheck: 'false' }),
    key_file: h('input', { maxlength: 4096, value: value('key_file'), placeholder: '/etc/tasksd/id_ed25519', spellcheck: 'false' }),
    vault_key_id: h('input', { type: 'number', min: 1, value: value('vault_key_id') }),
    password: h('input', { type: 'password', maxlength: 1024, autocomplete: 'new-password' }),
    host_key: h('input', { maxlength: 50, value: value('host_key'), placeholder: 'SHA256:…', pattern: 'SHA256:[A-Za-z0-9+\\/]{43}', spellcheck: 'false', class: 'mono' }),
    max_concurrent_tasks: h('input', { type: 'number', min: 1, max: 256, value: value('max_concurrent_tasks') }),
  };
  const removePassword = editing && server.has_password
    ? h('input', { type: 'checkbox', id: 'remove-password' }) : null;
  const message = notice();
  const submit = h('button', { type: 'submit', class: 'primary' }, editing ? 'Save changes' : 'Add server');
  const title = editing ? `Edit server ${server.name}` : 'Add a server';
  replace(view.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/admin/servers' }, 'Manage servers'), ' / '),
    h('h1', {}, title),
    h('form', { class: 'card', on: { submit: onSubmit } },
      message,
      h('fieldset', {}, h('legend', {}, 'Connection'),
        field('Name', inputs.name, 'Letters, digits, . _ and -.'),
        field('Host', inputs.host, 'Name or address tasksd connects to.'),
        field('Port', inputs.port),
        field('SSH user', inputs.username)),
      h('fieldset', {}, h('legend', {}, 'Authentication'),
        h('p', { class: 'hint' }, 'Configure at least one. They are tried in this order: vault key, key file, password.'),
        field('Vault key id', inputs.vault_key_id, 'A key imported with tasksctl vault import.'),
        field('Key file', inputs.key_file, 'Absolute path of a private key file that tasksd can read.'),
        field('Password', inputs.password, editing && server.has_password
          ? 'A password is stored. Leave empty to keep it.' : 'Stored encrypted; never shown again.'),
        removePassword ? h('div', { class: 'field checkbox' }, removePassword,
          h('label', { for: 'remove-password' }, 'Remove the stored password')) : null),
      h('fieldset', {}, h('legend', {}, 'Host key and limits'),
        field('Pinned host key', inputs.host_key,
          editing && server.host_key
            ? 'The fingerprint tasksd accepts. It can be replaced, not removed.'
            : 'As ssh-keygen -lf prints it. Empty: pinned on the first connection if the host key policy is tofu.'),
        field('Parallel tasks', inputs.max_concurrent_tasks, '1 to 256 tasks at once on this server. Empty: the service default.')),
      h('div', { class: 'actions' }, submit, h('a', { class: 'button', href: '#/admin/servers' }, 'Cancel'))));

  async function onSubmit(event) {
    event.preventDefault();
    say(message, null);
    const body = editing ? changes() : fresh();
    if (editing && Object.keys(body).length === 0) {
      say(message, 'Nothing was changed.', 'info');
      return;
    }
    submit.disabled = true;
    try {
      const saved = editing ? await put(`/api/servers/${server.id}`, body) : await post('/api/servers', body);
      view.go(`/servers/${saved.id}?tab=details`);
    } catch (error) {
      say(message, `The server was not saved: ${error.message}`);
      submit.disabled = false;
    }
  }

  /** Every field of a new server; empty optional fields are left out. */
  function fresh() {
    const body = {
      name: inputs.name.value.trim(),
      host: inputs.host.value.trim(),
      port: Number(inputs.port.value),
      username: inputs.username.value.trim(),
    };
    for (const name of ['key_file', 'host_key']) {
      if (inputs[name].value.trim() !== '') body[name] = inputs[name].value.trim();
    }
    for (const name of ['vault_key_id', 'max_concurrent_tasks']) {
      if (inputs[name].value !== '') body[name] = Number(inputs[name].value);
    }
    if (inputs.password.value !== '') body.password = inputs.password.value;
    return body;
  }

  /** Only what the form changed: PUT leaves the other fields alone. */
  function changes() {
    const body = {};
    for (const name of ['name', 'host', 'username', 'key_file', 'host_key']) {
      const now = inputs[name].value.trim();
      const before = server[name] ?? '';
      // A pin cannot be cleared through the API; an emptied field keeps it.
      if (now !== before && !(name === 'host_key' && now === '')) body[name] = now === '' ? null : now;
    }
    for (const name of ['port', 'vault_key_id', 'max_concurrent_tasks']) {
      const now = inputs[name].value === '' ? null : Number(inputs[name].value);
      if (now !== server[name]) body[name] = now;
    }
    if (inputs.password.value !== '') body.password = inputs.password.value;
    else if (removePassword?.checked) body.password = null;
    return body;
  }
}
