// Every main page passes axe-core's WCAG 2 A and AA rules, on a laptop and
// on a phone. axe is injected as an inline script, so this context bypasses
// the CSP (the security scenario checks the CSP itself).
import { createRequire } from 'node:module';
import { api, assert, env, login, required, run } from './lib.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The axe violations of the page as it is now, one line each. */
async function violations(page) {
  await page.addScriptTag({ path: axePath });
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found;
}

const pages = [
  ['servers', '/servers', 'Servers'],
  ['workspace', `/servers/${env.serverId}`, 'sshd'],
  ['server details', `/servers/${env.serverId}?tab=details`, 'sshd'],
  ['users', '/admin/users', 'Users'],
  ['manage servers', '/admin/servers', 'Manage servers'],
  ['server form', '/admin/servers/new', 'Add a server'],
  ['audit log', '/admin/audit', 'Audit log'],
];

await run('accessibility', async ({ newPage }) => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    const page = await newPage({ viewport, bypassCSP: true });
    await page.goto(`${env.url}/`);
    await page.getByRole('heading', { level: 1, name: 'Log in to tasksd' }).waitFor();
    const problems = (await violations(page)).map((v) => `login: ${v}`);
    await login(page, 'admin', required('TASKS_UI_ADMIN_PASSWORD'));
    for (const [name, path, heading] of pages) {
      await page.goto(`${env.url}/#${path}`);
      await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
      await page.locator('.loading').waitFor({ state: 'detached' });
      if (name === 'workspace') await page.getByRole('button', { name: 'Run Command' }).click();
      problems.push(...(await violations(page)).map((v) => `${name}: ${v}`));
    }
    // A task view with output.
    const created = await api(page, 'POST', `/api/servers/${env.serverId}/tasks`, { command: 'echo accessible', store_output: true });
    const taskId = created.body.task_id;
    await page.goto(`${env.url}/#/tasks/${taskId}`);
    await page.locator('.task-head .badge-success').waitFor();
    problems.push(...(await violations(page)).map((v) => `task: ${v}`));
    assert.deepEqual(problems, [], `accessibility problems at ${viewport.width}px`);
  }
});
