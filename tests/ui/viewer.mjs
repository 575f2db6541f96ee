// A viewer, by keyboard only: no Run Command, no admin pages, and the API
// refuses what the UI does not offer. At phone width nothing overflows. A
// revoked token sends the user back to the login page; Log out ends the
// session.
import { api, assert, env, patience, required, run, screenshot } from './lib.mjs';

const viewer = required('TASKS_UI_VIEWER');
const password = required('TASKS_UI_VIEWER_PASSWORD');

/** Presses Tab until `locator` has the focus (at most `limit` times). */
async function tabTo(page, locator, limit = 30) {
  for (let i = 0; i < limit; i++) {
    if (await locator.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`${limit} Tabs never reached ${locator}`);
}

const tokenOf = (page) => page.evaluate(() => JSON.parse(sessionStorage.getItem('tasksd.session'))?.token ?? null);

await run('viewer', async ({ newPage }) => {
  const page = await newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${env.url}/`);

  // Log in with the keyboard alone: the username field has the focus.
  await page.getByRole('heading', { level: 1, name: 'Log in to tasksd' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.name), 'username');
  await page.keyboard.type(viewer);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Servers' }).waitFor();

  // The skip link comes before the top bar and jumps to the content, not to
  // a route.
  await page.locator('.brand').focus();
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  assert.match(page.url(), /#\/servers$/);

  // To the server's workspace by Tab and Enter.
  const server = page.getByRole('link', { name: 'sshd' });
  await tabTo(page, server);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'sshd' }).waitFor();
  await page.getByText('Viewers see only tasks they created themselves').waitFor();
  await page.getByText('may look at servers but not run commands').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Run Command' }).count(), 0, 'a viewer is offered Run Command');
  for (const admin of ['Users', 'Manage servers', 'Audit log'])
    assert.equal(await page.getByRole('link', { name: admin }).count(), 0, `a viewer is offered ${admin}`);
  await screenshot(page, 'viewer-workspace');

  // The API refuses what the UI does not offer.
  const refused = await api(page, 'POST', `/api/servers/${env.serverId}/tasks`, { command: 'true' });
  assert.equal(refused.status, 403);

  // An admin page by its address: refused in words.
  await page.goto(`${env.url}/#/admin/users`);
  await page.getByText('Only administrators can open this page.').waitFor();

  // A token revoked elsewhere: the next request lands on the login page.
  assert.equal((await api(page, 'POST', '/api/auth/logout')).status, 200);
  await page.getByRole('link', { name: 'Servers', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Log in to tasksd' }).waitFor({ timeout: patience });
  await page.getByText('Your session has expired. Please log in again.').waitFor();
  assert.equal(await tokenOf(page), null);

  // Phone width: readable, nothing wider than the screen.
  const phone = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(`${env.url}/`);
  await phone.getByLabel('Username').fill(viewer);
  await phone.getByLabel('Password').fill(password);
  await phone.getByRole('button', { name: 'Log in' }).click();
  await phone.getByRole('link', { name: 'sshd' }).click();
  await phone.getByRole('heading', { level: 1, name: 'sshd' }).waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
  await screenshot(phone, 'phone-workspace');

  // Log out: the token is revoked and gone from the tab.
  const token = await tokenOf(phone);
  await phone.getByRole('button', { name: 'Log out' }).click();
  await phone.getByRole('heading', { level: 1, name: 'Log in to tasksd' }).waitFor();
  assert.equal(await tokenOf(phone), null);
  const after = await phone.evaluate(async (t) => (await fetch('/api/auth/me', { headers: { Authorization: `Bearer ${t}` } })).status, token);
  assert.equal(after, 401, 'Log out left the token valid');
});
