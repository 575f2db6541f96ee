// The tasksd web UI: routes (in the URL fragment), navigation by role, and
// the session. Each page lives in a module of its own.
import { currentSession, logout, whenExpired } from './api.js';
import { h, replace } from './dom.js';
import * as loginPage from './login.js';
import * as serversPage from './servers.js';
import * as workspacePage from './workspace.js';
import * as taskPage from './task.js';
import * as usersPage from './users.js';
import * as serverAdminPage from './server_admin.js';
import * as auditPage from './audit.js';

const routes = [
  { pattern: '/login', page: loginPage, public: true },
  { pattern: '/servers', page: serversPage },
  { pattern: '/servers/:id', page: workspacePage },
  { pattern: '/tasks/:id', page: taskPage },
  { pattern: '/admin/users', page: usersPage, admin: true },
  { pattern: '/admin/servers', page: serverAdminPage, admin: true },
  { pattern: '/admin/servers/:id', page: serverAdminPage, admin: true },
  { pattern: '/admin/audit', page: auditPage, admin: true },
];

const main = document.getElementById('main');
let leaving = [];
let generation = 0;
let expiredNotice = null;

/** Moves to `path` (e.g. '/tasks/…'); the hashchange renders it. */
export function go(path) {
  if (location.hash === `#${path}`) render();
  else location.hash = `#${path}`;
}

function match(path) {
  for (const route of routes) {
    const names = [];
    const regex = new RegExp(`^${route.pattern.replace(/:(\w+)/g, (_, name) => {
      names.push(name);
      return '([^/]+)';
    })}$`);
    const found = regex.exec(path);
    if (found) {
      const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
      return { route, params };
    }
  }
  return null;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/servers';
  const [path, search = ''] = raw.split('?');
  return { path, query: new URLSearchParams(search) };
}

async function render() {
  for (const cleanup of leaving) cleanup();
  leaving = [];
  const mine = ++generation;
  const { path, query } = parseHash();
  const session = currentSession();
  const found = match(path);
  renderChrome(session, path);
  if (found && !found.route.public && !session) {
    go('/login');
    return;
  }
  if (found?.route.public && session) {
    go('/servers');
    return;
  }
  const view = {
    main,
    params: found?.params ?? {},
    query,
    session,
    notice: expiredNotice,
    /** False once the user navigated away: late answers are dropped. */
    live: () => mine === generation,
    /** Runs when the user leaves the page (stops timers). */
    onLeave: (cleanup) => leaving.push(cleanup),
    go,
  };
  expiredNotice = null;
  if (!found) {
    showMessage('Page not found', 'There is no such page. Choose one from the menu above.');
  } else if (found.route.admin && session.user.role !== 'admin') {
    showMessage('Not allowed', 'Only administrators can open this page.');
  } else {
    replace(main, h('p', { class: 'loading' }, 'Loading…'));
    try {
      await found.route.page.render(view);
    } catch (error) {
      // Pages show their own API errors; this is the net under them.
      if (view.live()) showMessage('Something went wrong', error.message);
    }
  }
  if (view.live()) focusHeading();
}

function showMessage(title, text) {
  replace(main, h('h1', {}, title), h('p', {}, text));
}

/** After a page change, keyboard and screen reader users start at its title. */
function focusHeading() {
  const focused = document.activeElement;
  if (focused !== main && main.contains(focused)) return; // the page chose (login)
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

function renderChrome(session, path) {
  const nav = document.getElementById('nav');
  const whoami = document.getElementById('whoami');
  if (!session) {
    replace(nav);
    replace(whoami);
    return;
  }
  const links = [['/servers', 'Servers']];
  if (session.user.role === 'admin') {
    links.push(['/admin/users', 'Users'], ['/admin/servers', 'Manage servers'], ['/admin/audit', 'Audit log']);
  }
  replace(nav, h('ul', {}, links.map(([href, label]) => h('li', {},
    h('a', { href: `#${href}`, 'aria-current': isUnder(path, href) ? 'page' : null }, label)))));
  replace(whoami,
    h('span', { class: 'user' }, session.user.username, ' ', h('span', { class: 'role' }, session.user.role)),
    h('button', { type: 'button', class: 'link', on: { click: signOut } }, 'Log out'));
}

function isUnder(path, href) {
  if (href === '/servers') return path === '/servers' || /^\/(servers|tasks)\//.test(path);
  return path === href || path.startsWith(`${href}/`);
}

async function signOut() {
  await logout();
  go('/login');
}

whenExpired(() => {
  expiredNotice = 'Your session has expired. Please log in again.';
  go('/login');
});

// The skip link moves the focus; following its #main would be a route.
document.querySelector('.skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', render);
render();
