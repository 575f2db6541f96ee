// The login page.
import { login } from './api.js';
import { field, h, notice, replace, say } from './dom.js';

export async function render(view) {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, maxlength: 256 });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 1024 });
  const message = notice();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h('form', { class: 'card narrow', on: { submit: onSubmit } },
    h('h1', {}, 'Log in to tasksd'),
    message,
    field('Username', username),
    field('Password', password),
    submit);
  replace(view.main, form);
  if (view.notice) say(message, view.notice, 'info');
  username.focus();

  async function onSubmit(event) {
    event.preventDefault();
    submit.disabled = true;
    say(message, null);
    try {
      await login(username.value, password.value);
      view.go('/servers');
    } catch (error) {
      say(message, error.message);
      password.select();
    } finally {
      submit.disabled = false;
    }
  }
}
