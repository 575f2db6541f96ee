// An admin adds a user, changes its role and disables it; adds a server
// (key file, pinned host key), runs a command on it, edits it; sees an API
// refusal in words; filters the audit log and exports it as CSV.
import { readFile } from 'node:fs/promises';
import { api, assert, env, login, required, run, screenshot } from './lib.mjs';

const ssh = {
  port: required('TASKS_UI_SSH_PORT'),
  user: required('TASKS_UI_SSH_USER'),
  keyFile: required('TASKS_UI_SSH_KEY_FILE'),
  hostKey: required('TASKS_UI_SSH_HOST_KEY'),
};

await run('admin', async ({ newPage }) => {
  const page = await newPage({ viewport: { width: 1280, height: 800 } });
  await login(page, 'admin', required('TASKS_UI_ADMIN_PASSWORD'));

  // Users: add, change the role, disable.
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
  await page.getByLabel('Username').fill('ursula');
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByLabel('Role', { exact: true }).selectOption('operator');
  await page.getByRole('button', { name: 'Add user' }).click();
  await page.getByText('User ursula added.').waitFor();
  const row = page.locator('tr[data-username="ursula"]');
  await row.getByLabel('Role of ursula', { exact: true }).selectOption('viewer');
  await row.getByRole('button', { name: 'Save role of ursula' }).click();
  await page.getByText('ursula is now viewer.').waitFor();
  await page.locator('tr[data-username="ursula"]').getByRole('button', { name: 'Disable' }).click();
  await page.getByText('ursula is disabled.').waitFor();
  await page.locator('tr[data-username="ursula"]').getByRole('button', { name: 'Enable' }).waitFor();
  const { users } = (await api(page, 'GET', '/api/users')).body;
  const ursula = users.find((u) => u.username === 'ursula');
  assert.equal(ursula.role, 'viewer');
  assert.equal(ursula.disabled, true);
  await screenshot(page, 'admin-users');

  // Servers: add one with a key file and a pinned host key.
  await page.getByRole('link', { name: 'Manage servers' }).click();
  await page.getByRole('link', { name: 'Add server' }).click();
  await page.getByRole('heading', { level: 1, name: 'Add a server' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('web2');
  await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(ssh.port);
  await page.getByLabel('SSH user').fill(ssh.user);
  await page.getByLabel('Key file').fill(ssh.keyFile);
  await page.getByLabel('Pinned host key').fill(ssh.hostKey);
  await screenshot(page, 'admin-server-form');
  await page.getByRole('button', { name: 'Add server' }).click();
  await page.getByRole('heading', { level: 1, name: 'web2' }).waitFor();
  assert.equal(await page.locator('.details code.fingerprint').textContent(), ssh.hostKey);

  // It works: a command runs on it.
  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await page.getByRole('button', { name: 'Run Command' }).click();
  await page.getByLabel('Command').fill('echo via-ui');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.locator('tbody tr', { hasText: 'echo via-ui' }).locator('.badge-success').waitFor();

  // Edit: only the changed field is sent.
  await page.goto(`${env.url}/#/admin/servers`);
  await page.getByRole('link', { name: 'Edit web2' }).click();
  await page.getByLabel('Parallel tasks').fill('2');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('heading', { level: 1, name: 'web2' }).waitFor();
  assert.equal(await page.locator('.details dt', { hasText: 'Parallel tasks' }).locator('+ dd').textContent(), '2');

  // An API refusal is told in words, not as JSON.
  await page.goto(`${env.url}/#/admin/servers/new`);
  await page.getByLabel('Name', { exact: true }).fill('web2');
  await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('SSH user').fill(ssh.user);
  await page.getByLabel('Key file').fill(ssh.keyFile);
  await page.getByRole('button', { name: 'Add server' }).click();
  const refusal = page.getByRole('alert');
  await refusal.waitFor();
  const words = await refusal.textContent();
  assert.match(words, /^The server was not saved: .*already/i);
  assert.doesNotMatch(words, /[{}"]/);

  await page.goto(`${env.url}/#/admin/servers`);
  await page.locator('tr[data-server-name="web2"]').waitFor();
  await screenshot(page, 'admin-servers');

  // Audit log: filter, then export what the filter matches.
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByLabel('Action').fill('server.');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/action=server\./);
  await page.locator('tbody tr', { hasText: 'server.update' }).first().waitFor();
  const shown = await page.locator('tbody tr').count();
  const { records } = (await api(page, 'GET', '/api/audit?action=server.&limit=1000')).body;
  assert.equal(shown, Math.min(records.length, 50));
  await screenshot(page, 'audit-log');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), /^tasksd-audit-.*\.csv$/);
  const csv = await readFile(await file.path(), 'utf8');
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'seq,ts,action,user_id,username,task_id,server_id,command_preview,client_ip,user_agent,metadata,prev_hash,hash');
  assert.equal(lines.at(-1), '', 'CSV lines end with CRLF');
  const data = lines.slice(1, -1);
  assert.equal(data.length, records.length);
  assert.ok(data.every((line) => /^\d+,[^,]+,server\./.test(line)), 'a row outside the filter');
  assert.ok(data.some((line) => line.includes(',server.create,') && line.includes('web2')));
  // Oldest first, as tasksctl exports; hashes are whole.
  const seqs = data.map((line) => Number(line.split(',')[0]));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  assert.ok(data.every((line) => /,[0-9a-f]{64},[0-9a-f]{64}$/.test(line)));
  await page.getByText(`Exported ${records.length} records.`).waitFor();
});
