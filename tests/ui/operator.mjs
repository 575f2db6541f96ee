// An operator runs `echo hello` with output stored, watches its badge turn
// green, reads `hello`; cancels a running `sleep 30`; a command printing a
// script tag shows it as text; pages and the status filter. Operators get
// no admin pages.
import { api, assert, env, login, patience, required, run, screenshot } from './lib.mjs';

const operator = required('TASKS_UI_OPERATOR');
const password = required('TASKS_UI_OPERATOR_PASSWORD');

/** The row of the newest task whose command is `command`. */
const rowOf = (page, command) => page.locator('tbody tr', { has: page.locator('code', { hasText: command }) }).first();

async function runCommand(page, command, { storeOutput = false } = {}) {
  await page.getByRole('button', { name: 'Run Command' }).click();
  const form = page.locator('#run-form');
  await form.getByLabel('Command').fill(command);
  await form.getByLabel('Store output').setChecked(storeOutput);
  await form.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByText('Task queued.').waitFor();
  await form.waitFor({ state: 'hidden' });
}

await run('operator', async ({ newPage }) => {
  const page = await newPage({ viewport: { width: 1280, height: 800 } });
  await login(page, operator, password);

  // Operators see no admin pages, and the API refuses them too.
  assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Audit log' }).count(), 0);
  assert.equal((await api(page, 'GET', '/api/users')).status, 403);

  await page.getByRole('link', { name: 'sshd' }).click();
  await page.getByRole('heading', { level: 1, name: 'sshd' }).waitFor();

  // The form: the configured default timeout (the driver sets 45), and the
  // warning next to the box.
  await page.getByRole('button', { name: 'Run Command' }).click();
  const form = page.locator('#run-form');
  assert.equal(await form.getByLabel('Timeout (seconds)').inputValue(), '45');
  const warning = await form.locator('#store-output-warning').textContent();
  assert.match(warning, /may contain secrets/);
  assert.match(warning, /kept in the database/);
  await form.getByLabel('Command').fill('echo hello');
  await form.getByLabel('Store output').check();
  await screenshot(page, 'run-command');
  await form.getByRole('button', { name: 'Run', exact: true }).click();

  // The list refreshes by itself until the task is final: no reload here.
  const hello = rowOf(page, 'echo hello');
  await hello.locator('.badge-success').waitFor({ timeout: patience });
  assert.equal(await hello.locator('.badge').textContent(), 'Success');
  const green = await hello.locator('.badge').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(green, 'rgb(21, 128, 61)');

  await hello.getByRole('link').click();
  await page.getByRole('heading', { level: 1, name: 'Task' }).waitFor();
  const stdout = page.locator('section', { has: page.getByRole('heading', { name: 'Standard output' }) }).locator('pre');
  assert.equal(await stdout.textContent(), 'hello\n');
  assert.equal(await page.locator('.details dt', { hasText: 'Exit code' }).locator('+ dd').textContent(), '0');
  assert.equal(await page.getByRole('button', { name: 'Cancel task' }).count(), 0, 'a final task offers no Cancel');
  await screenshot(page, 'task-view');

  // Cancel a running command from its task view.
  await page.goBack();
  await runCommand(page, 'sleep 30');
  const sleeper = rowOf(page, 'sleep 30');
  await sleeper.locator('.badge-running').waitFor();
  await screenshot(page, 'workspace');
  await sleeper.getByRole('link').click();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Cancel task' }).click();
  await page.locator('.task-head .badge-cancelled').waitFor();
  await page.getByText('Task cancelled.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Cancel task' }).count(), 0);
  const orange = await page.locator('.task-head .badge').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(orange, 'rgb(194, 65, 12)');

  // Output that looks like HTML is shown as text and never runs.
  let alerted = false;
  page.on('dialog', async (dialog) => {
    alerted = true;
    await dialog.dismiss();
  });
  await page.goBack();
  const script = '<script>alert(1)</script>';
  await runCommand(page, `printf '%s\\n' '${script}'; printf '<img src=x onerror=alert(2)>' >&2`, { storeOutput: true });
  const printer = rowOf(page, 'printf');
  await printer.locator('.badge-success').waitFor();
  await printer.getByRole('link').click();
  await page.getByRole('heading', { level: 1, name: 'Task' }).waitFor();
  const outputs = page.locator('pre.output');
  assert.equal(await outputs.nth(0).textContent(), `${script}\n`);
  assert.equal(await outputs.nth(1).textContent(), '<img src=x onerror=alert(2)>');
  assert.equal(await page.locator('main script, main img').count(), 0, 'output became markup');
  assert.equal(alerted, false, 'a script from the output ran');
  await screenshot(page, 'task-output-as-text');

  // Output over TASKS_OUTPUT_MAX_BYTES (64 KiB here) says it was cut.
  await page.goBack();
  await runCommand(page, 'yes | head -c 70000', { storeOutput: true });
  const long = rowOf(page, 'yes | head');
  await long.locator('.badge-success').waitFor();
  await long.getByRole('link').click();
  const truncated = page.locator('section', { has: page.getByRole('heading', { name: 'Standard output' }) });
  await truncated.getByText('Truncated:').waitFor();
  assert.equal((await truncated.locator('pre').textContent()).length, 65536);
  const stderr = page.locator('section', { has: page.getByRole('heading', { name: 'Standard error' }) });
  assert.equal(await stderr.getByText('Truncated:').count(), 0);

  // With every task final the list stops polling: no request for a while
  // longer than the 3 s refresh (waiting is the point here).
  await page.goBack();
  await printer.locator('.badge-success').waitFor();
  let polls = 0;
  page.on('request', (request) => { if (request.url().includes('/api/tasks?')) polls += 1; });
  await page.waitForTimeout(4000);
  assert.equal(polls, 0, 'the list kept polling with no active task');

  // Pages of 20, newest first, and the status filter. 20 more tasks through
  // the API make 24 in all.
  for (let i = 0; i < 20; i++) {
    assert.equal((await api(page, 'POST', `/api/servers/${env.serverId}/tasks`, { command: `echo page-${i}` })).status, 202);
  }
  assert.equal((await api(page, 'GET', `/api/tasks?server_id=${env.serverId}`)).body.count, 24);
  await page.reload();
  await page.locator('tbody tr').first().waitFor();
  assert.equal(await page.locator('tbody tr').count(), 20);
  assert.match(await page.locator('tbody tr').first().textContent(), /echo page-19/);
  await page.getByRole('link', { name: 'Older' }).click();
  await page.getByText('Page 2').waitFor();
  assert.equal(await page.locator('tbody tr').count(), 4);
  assert.match(await page.locator('tbody tr').last().textContent(), /echo hello/);
  await page.getByLabel('Status').selectOption('cancelled');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/status=cancelled/);
  await page.locator('tbody tr .badge-cancelled').waitFor();
  assert.equal(await page.locator('tbody tr').count(), 1);
  assert.match(await page.locator('tbody tr').textContent(), /sleep 30/);
});
