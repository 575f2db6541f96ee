// The list of servers every role can see; each opens its workspace.
import { get } from './api.js';
import { errorText, h, replace, table } from './dom.js';

export async function render(view) {
  let servers;
  try {
    ({ servers } = await get('/api/servers'));
  } catch (error) {
    replace(view.main, h('h1', {}, 'Servers'), errorText(error.message));
    return;
  }
  if (!view.live()) return;
  const rows = servers.map((s) => h('tr', {},
    h('td', {}, h('a', { href: `#/servers/${s.id}` }, s.name)),
    h('td', {}, `${s.username}@${s.host}:${s.port}`),
    h('td', {}, s.host_key ? h('code', { class: 'fingerprint' }, s.host_key) : h('span', { class: 'muted' }, 'not pinned yet'))));
  const admin = view.session.user.role === 'admin';
  replace(view.main,
    h('div', { class: 'page-head' },
      h('h1', {}, 'Servers'),
      admin ? h('a', { class: 'button', href: '#/admin/servers/new' }, 'Add server') : null),
    table('Servers', ['Name', 'SSH login', 'Host key'], rows,
      admin ? 'No servers yet. Add one to run commands on it.'
        : 'No servers yet. An administrator has to add them.'));
}
