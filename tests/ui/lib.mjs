// Shared by the UI scenarios: Debian's Chromium through playwright-core,
// logging in, waiting, screenshots. The C++ driver (ui_test.cpp) starts
// sshd and tasksd and passes everything through the environment.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const env = {
  url: required('TASKS_UI_URL'),
  serverId: process.env.TASKS_UI_SERVER_ID ?? '1',
  screenshots: process.env.TASKS_UI_SCREENSHOTS ?? '',
};

export function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (the C++ driver sets it)`);
  return value;
}

/** Longest a single UI expectation may take before the scenario fails. */
export const patience = 20_000;

/**
 * Runs `scenario(browser)` in a fresh headless Chromium and exits non-zero
 * with the reason when it throws. Browser console errors fail it too (the
 * CSP reports a blocked inline script there), except refused API calls and
 * the `expectedConsole` patterns.
 */
export async function run(name, scenario, { expectedConsole = [] } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.TASKS_UI_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const problems = [];
  try {
    await scenario({
      browser,
      newPage: async (options = {}) => {
        const context = await browser.newContext({ acceptDownloads: true, ...options });
        const page = await context.newPage();
        page.setDefaultTimeout(patience);
        page.on('console', (m) => {
          // Refused API calls (401, 403, 409) are part of the scenarios.
          const expected = [/^Failed to load resource: the server responded with a status of 4\d\d/, ...expectedConsole];
          if (m.type() === 'error' && !expected.some((e) => e.test(m.text()))) problems.push(`console: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        return page;
      },
    });
    assert.deepEqual(problems, [], 'the browser reported errors');
    console.log(`ok: ${name}`);
  } catch (error) {
    console.error(`FAILED: ${name}\n${error.stack ?? error}`);
    if (problems.length) console.error(problems.join('\n'));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

/** Logs in through the form and waits for the servers page. */
export async function login(page, username, password) {
  await page.goto(`${env.url}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Servers' }).waitFor();
}

/** Saves a full-page screenshot as <dir>/<name>.png when a dir is given. */
export async function screenshot(page, name) {
  if (!env.screenshots) return;
  mkdirSync(env.screenshots, { recursive: true });
  await page.screenshot({ path: join(env.screenshots, `${name}.png`), fullPage: true });
}

/**
 * Calls the API from inside the page with the page's own session token, as
 * the UI would: {status, body} (body parsed when JSON, else null).
 */
export function api(page, method, path, body = undefined) {
  return page.evaluate(async ([m, p, b]) => {
    const token = JSON.parse(sessionStorage.getItem('tasksd.session'))?.token;
    const headers = { Authorization: `Bearer ${token}` };
    if (b !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(p, { method: m, headers, body: b === undefined ? undefined : JSON.stringify(b) });
    const text = await response.text();
    let parsed = null;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    return { status: response.status, body: parsed };
  }, [method, path, body]);
}

export { assert };
