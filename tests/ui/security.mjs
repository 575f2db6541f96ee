// The Content Security Policy forbids inline scripts and handlers (checked
// in the browser, by trying), the UI files are revalidated by ETag, and the
// UI's source never turns strings into HTML.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assert, env, login, required, run } from './lib.mjs';

const blocked = /^Executing inline (script|event handler) violates the following Content Security Policy/;

await run('security', async ({ newPage }) => {
  // Headers of the page and of its files.
  const index = await fetch(`${env.url}/`);
  assert.equal(index.status, 200);
  const csp = index.headers.get('content-security-policy');
  assert.match(csp, /(^|; )script-src 'self'(;|$)/);
  assert.match(csp, /(^|; )default-src 'none'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(index.headers.get('x-frame-options'), 'DENY');
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  const script = await fetch(`${env.url}/ui/app.js`);
  assert.match(script.headers.get('content-type'), /^text\/javascript/);
  const etag = script.headers.get('etag');
  assert.ok(etag, 'no ETag');
  const again = await fetch(`${env.url}/ui/app.js`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await fetch(`${env.url}/ui/no-such-file.js`)).status, 404);

  // In the browser: an injected inline script and an inline handler never run.
  const page = await newPage();
  await login(page, 'admin', required('TASKS_UI_ADMIN_PASSWORD'));
  const outcome = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
    const inline = document.createElement('script');
    inline.textContent = 'window.inlineRan = true;';
    document.body.append(inline);
    const button = document.createElement('button');
    button.setAttribute('onclick', 'window.handlerRan = true;');
    document.body.append(button);
    button.click();
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { inlineRan: window.inlineRan === true, handlerRan: window.handlerRan === true, violations };
  });
  assert.equal(outcome.inlineRan, false, 'an inline script ran');
  assert.equal(outcome.handlerRan, false, 'an inline event handler ran');
  assert.ok(outcome.violations.length >= 2, `violations reported: ${outcome.violations}`);

  // The source: no HTML from strings, no inline handlers or styles.
  const dir = required('TASKS_UI_SOURCE');
  for (const name of await readdir(dir)) {
    const text = await readFile(join(dir, name), 'utf8');
    for (const pattern of [/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/]) {
      assert.doesNotMatch(text, pattern, `${name} builds HTML or code from strings`);
    }
    if (name.endsWith('.html')) {
      assert.doesNotMatch(text, /\son[a-z]+=/i, `${name} has an inline event handler`);
      assert.doesNotMatch(text, /\sstyle=/i, `${name} has an inline style`);
      assert.doesNotMatch(text, /<script(?![^>]*\ssrc=)[^>]*>/i, `${name} has an inline script`);
    }
  }
}, { expectedConsole: [blocked] });
