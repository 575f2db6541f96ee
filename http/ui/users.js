// Admin: the users, adding one, changing a role, disabling and enabling.
import { get, post, put } from './api.js';
import { field, h, notice, replace, say, table, time } from './dom.js';

const roles = ['admin', 'operator', 'viewer'];

export async function render(view) {
  const message = notice();
  const list = h('div', {});
  replace(view.main, h('h1', {}, 'Users'), message, addForm(message, reload), h('h2', {}, 'All users'), list);
  await reload();

  async function reload() {
    let users;
    try {
      ({ users } = await get('/api/users'));
    } catch (error) {
      if (view.live()) say(message, error.message);
      return;
    }
    if (!view.live()) return;
    const rows = users.map((u) => userRow(u, view.session.user.id === u.id, message, reload));
    replace(list, table('Users', ['Username', 'Role', 'State', 'Created', 'Actions'], rows, 'No users.'));
  }
}

function userRow(user, isSelf, message, reload) {
  // An admin cannot change their own role: someone must be left to undo it.
  // Saved by a button, not on change: arrow keys on a select fire change.
  const role = h('select', {
    'aria-label': `Role of ${user.username}`,
    disabled: isSelf,
    on: { change: () => { save.disabled = role.value === user.role; } },
  }, roles.map((r) => h('option', { value: r, selected: r === user.role }, r)));
  const save = h('button', {
    type: 'button', disabled: true, 'aria-label': `Save role of ${user.username}`,
    on: { click: () => change({ role: role.value }, `${user.username} is now ${role.value}.`) },
  }, 'Save');
  const toggle = isSelf ? h('span', { class: 'muted' }, 'you') : h('button', {
    type: 'button',
    class: user.disabled ? '' : 'danger',
    on: {
      click: () => change({ disabled: !user.disabled },
        `${user.username} is ${user.disabled ? 'enabled' : 'disabled'}.`),
    },
  }, user.disabled ? 'Enable' : 'Disable');

  async function change(body, done) {
    try {
      await put(`/api/users/${user.id}`, body);
      say(message, done, 'info');
    } catch (error) {
      say(message, `${user.username} was not changed: ${error.message}`);
    }
    await reload();
    message.focus(); // the row that had the focus was redrawn
  }

  return h('tr', { dataset: { username: user.username } },
    h('th', { scope: 'row' }, user.username),
    h('td', {}, isSelf ? role : h('div', { class: 'inline' }, role, save)),
    h('td', {}, user.disabled ? h('span', { class: 'state-disabled' }, 'disabled') : 'active'),
    h('td', {}, time(user.created_at)),
    h('td', {}, toggle));
}

function addForm(message, reload) {
  const username = h('input', { name: 'username', required: true, maxlength: 64, pattern: '[A-Za-z0-9._\\-]+', autocomplete: 'off' });
  const password = h('input', { name: 'password', type: 'password', required: true, maxlength: 1024, autocomplete: 'new-password' });
  const role = h('select', { name: 'role' }, roles.map((r) => h('option', { value: r, selected: r === 'operator' }, r)));
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add user');
  const form = h('form', { class: 'card', on: { submit: onSubmit } },
    h('h2', {}, 'Add a user'),
    h('div', { class: 'row' },
      field('Username', username, 'Letters, digits, . _ and -; cannot be changed later.'),
      field('Password', password),
      field('Role', role)),
    submit);

  async function onSubmit(event) {
    event.preventDefault();
    submit.disabled = true;
    try {
      await post('/api/users', { username: username.value, password: password.value, role: role.value });
      say(message, `User ${username.value} added.`, 'info');
      form.reset();
      await reload();
    } catch (error) {
      say(message, `The user was not added: ${error.message}`);
    } finally {
      submit.disabled = false;
    }
  }
  return form;
}
