// Browser tests of the operator console: starts `kairos serve --console` on ephemeral ports,
// drives Debian's Chromium through playwright-core, and checks each page against the admin API.
// Screenshots go to $SCREENSHOTS (default tools/console/target/screenshots).
//
//   node console.test.mjs            (tools/console/browser-test.sh installs what it needs)
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const HOME = resolve(HERE, '..', '..');
const SHOTS = process.env.SCREENSHOTS || join(HERE, 'target', 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/lib/chromium/chromium';
mkdirSync(SHOTS, { recursive: true });

const results = [];
let failed = 0;
async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    const shown = await page.textContent('#page').catch(() => '');
    results.push(`FAIL ${name}: ${e.message}\n     page shows: ${(shown || '').slice(0, 400)}`);
    await page.screenshot({ path: join(SHOTS, 'failed-' + results.length + '.png'), fullPage: true }).catch(() => {});
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// ---- kairos serve -----------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'kairos-console-test-'));
const keyFile = join(work, 'admin-key');
// Knobs applied through the admin API are written to model.yaml: serve a copy of the examples.
const MODELS = join(work, 'models');
cpSync(process.env.MODELS || join(HOME, 'examples', 'models'), MODELS, { recursive: true });
let log = '';
const serve = spawn(join(HOME, 'kairos'),
  ['serve', '--models', MODELS, '--port', '0', '--admin-port', '0', '--warm-pool', '1',
    '--console', '--admin-key-file', keyFile],
  { env: { ...process.env, KAIROS_SKIP_BUILD: process.env.KAIROS_SKIP_BUILD ?? '1' }, detached: true });
serve.stdout.on('data', (d) => { log += d; });
serve.stderr.on('data', (d) => { log += d; });
function stopServe() {
  try { process.kill(-serve.pid, 'SIGTERM'); } catch (e) { /* gone already */ }
}
process.on('exit', stopServe);

async function until(what, fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let gateway;
let consoleUrl;
let key;
try {
  await until('kairos serve to be ready', () => log.includes('Kairos ready') || serve.exitCode !== null, 240_000);
  assert(serve.exitCode === null, 'kairos serve exited:\n' + log);
  gateway = /gateway listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)[1];
  consoleUrl = /Console on (http:\/\/127\.0\.0\.1:\d+\/console\/)/.exec(log)[1];
  key = readFileSync(keyFile, 'utf8').trim();
  assert(!log.includes(key), 'the admin key must not be printed');
} catch (e) {
  console.error(log);
  console.error(e.message);
  process.exit(1);
}
const admin = consoleUrl.replace(/\/console\/$/, '');
async function adminApi(method, path, body) {
  const r = await fetch(admin + path, {
    method,
    headers: { Authorization: 'Bearer ' + key, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

// ---- browser ----------------------------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
const consoleErrors = [];
// The wrong key and the bad knob are answered 401 and 400 on purpose; Chromium logs those answers
// as failed resources. Any other error counts.
const expectedRefusal = /Failed to load resource: the server responded with a status of 40[01]/;
page.on('console', (m) => {
  if (m.type() === 'error' && !expectedRefusal.test(m.text())) consoleErrors.push(m.text());
});
page.on('pageerror', (e) => consoleErrors.push(String(e)));
page.on('requestfailed', (r) => consoleErrors.push('request failed: ' + r.url()));
const shot = (name) => page.screenshot({ path: join(SHOTS, name + '.png'), fullPage: true });
const expectedModels = ['cnn', 'mlp'];

try {
  await check('the sign-in page asks for the admin key and refuses a wrong one', async () => {
    await page.goto(consoleUrl);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#key', 'not-the-key');
    await page.click('#login-form button');
    await page.waitForFunction(() => document.getElementById('login-error').textContent.includes('refused'));
  });

  await check('the models table shows the example models', async () => {
    await page.fill('#key', key);
    await page.click('#login-form button');
    await page.waitForSelector('#models-table tbody tr');
    await page.waitForFunction(
      (names) => names.every((n) => document.querySelector(`#models-table tr[data-model="${n}"]`)), expectedModels);
    const rows = await page.$$eval('#models-table tbody tr', (trs) => trs.map((t) => t.dataset.model));
    const listed = (await adminApi('GET', '/admin/models')).body.map((m) => m.name);
    assert(JSON.stringify(rows) === JSON.stringify(listed), `table ${rows} vs admin API ${listed}`);
    const state = await page.textContent('#models-table tr[data-model="mlp"] .state');
    assert(state === 'ready', 'mlp state ' + state);
    await shot('models');
  });

  await check('a burst of traffic moves the replicas chart', async () => {
    // Panic needs concurrency >= 2 x 5.6 per ready replica: 24 callers keep about that many in flight.
    await adminApi('PUT', '/admin/models/mlp/scaling', { targetConcurrency: 2, maxReplicas: 3 });
    await page.goto(consoleUrl + '#/autoscaling/mlp');
    await page.waitForSelector('#replicas-chart');
    const request = readFileSync(join(MODELS, 'mlp', 'golden', 'request.json'));
    let stop = false;
    let sent = 0;
    const caller = async () => {
      while (!stop) {
        const r = await fetch(gateway + '/v2/models/mlp/infer', { method: 'POST', body: request, headers: { 'Content-Type': 'application/json' } });
        await r.arrayBuffer();
        sent++;
      }
    };
    const callers = Array.from({ length: 24 }, caller);
    try {
      await page.waitForFunction(() => {
        const rows = document.querySelectorAll('#decisions tbody tr');
        return [...rows].some((r) => /scale (up|from zero)/.test(r.textContent));
      }, null, { timeout: 60_000 });
      // the chart's desired-replicas line steps up
      await page.waitForFunction(() => {
        const p = document.querySelector('#replicas-chart path[data-series="desired replicas"]');
        return p && /V/.test(p.getAttribute('d'));
      }, null, { timeout: 10_000 });
    } finally {
      stop = true;
      await Promise.all(callers);
    }
    assert(sent > 0, 'no request was sent');
    await page.waitForTimeout(2500); // one more refresh, so the screenshot shows the step
    await shot('autoscaling');
  });

  await check('the devices page lists cpu0 with the models on it', async () => {
    await page.goto(consoleUrl + '#/devices');
    await page.waitForSelector('#devices .device[data-device="cpu0"]');
    const text = await page.textContent('#devices .device[data-device="cpu0"]');
    assert(expectedModels.every((m) => text.includes(m)), 'cpu0 lists ' + text);
    await shot('devices');
  });

  await check('a bad knob shows the validation message and changes nothing', async () => {
    const before = (await adminApi('GET', '/admin/models/cnn/scaling')).body;
    await page.goto(consoleUrl + '#/tune/cnn');
    await page.waitForSelector('#knobs input[name="maxReplicas"]');
    await page.fill('#knobs input[name="maxReplicas"]', '-1');
    await page.click('#apply-button');
    await page.waitForSelector('#tune-message.error');
    const message = await page.textContent('#tune-message');
    assert(message.includes('maxReplicas = -1, must be >= 1'), 'message: ' + message);
    const after = (await adminApi('GET', '/admin/models/cnn/scaling')).body;
    assert(JSON.stringify(after) === JSON.stringify(before), 'knobs changed: ' + JSON.stringify(after));
  });

  await check('a good knob is previewed, then applied (confirmed by the admin API)', async () => {
    await page.fill('#knobs input[name="maxReplicas"]', '3');
    await page.fill('#knobs input[name="scaleToZeroAfter"]', '2m');
    await page.click('#preview-button');
    await page.waitForSelector('#preview table.summary tr[data-run="proposed"]', { timeout: 60_000 });
    await page.click('#apply-button');
    await page.waitForSelector('#tune-message.ok');
    const now = (await adminApi('GET', '/admin/models/cnn/scaling')).body;
    assert(now.maxReplicas === 3 && now.scaleToZeroAfter === '2m', 'admin API says ' + JSON.stringify(now));
    await shot('tune');
  });

  await check('a search on the last hour fills in a recommendation that Apply sets', async () => {
    await page.fill('#search-attainment', '99');
    await page.click('#search-button');
    await page.waitForSelector('#preview #frontier', { timeout: 120_000 });
    const message = await page.textContent('#tune-message');
    assert(/Recommended|best reachable/.test(message), 'message: ' + message);
    const proposed = await page.inputValue('#knobs input[name="targetUtilizationPercentage"]');
    await page.click('#apply-button');
    await page.waitForSelector('#tune-message.ok');
    const now = (await adminApi('GET', '/admin/models/cnn/scaling')).body;
    assert(Number(now.targetUtilizationPercentage) === Number(proposed), 'admin API says ' + JSON.stringify(now));
    await shot('tune-search');
  });

  await check('the simulate page replays the sample trace under two settings', async () => {
    await page.goto(consoleUrl + '#/simulate');
    await page.waitForSelector('#trace option[value="sample"]', { state: 'attached' });
    await page.click('#simulate-button');
    await page.waitForSelector('#simulate-result table.summary tr[data-run="B"]', { timeout: 60_000 });
    await shot('simulate');
  });

  await check('the simulate page replays an uploaded CSV trace', async () => {
    const rows = ['timestamp,model'];
    for (let i = 0; i < 600; i++) rows.push(`${(i * 0.5).toFixed(1)},uploaded-model`);
    await page.selectOption('#trace', 'upload');
    await page.setInputFiles('#trace-file', { name: 'trace.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.click('#simulate-button');
    await page.waitForFunction(() => document.getElementById('simulate-message').textContent.startsWith('uploaded CSV'), null, { timeout: 60_000 });
    const requests = await page.textContent('#simulate-result table.summary tr[data-run="A"] td:nth-child(2)');
    assert(requests === '600', 'replayed ' + requests + ' requests');
  });

  await check('the model detail page charts rate and latency', async () => {
    await page.goto(consoleUrl + '#/models/mlp');
    await page.waitForSelector('svg.chart path[data-series="p99"]', { state: 'attached' });
    await shot('model-mlp');
    await page.goto(consoleUrl + '#/autoscaling/mlp');
    await page.waitForSelector('#replicas-chart');
    await page.waitForTimeout(2500);
    await shot('console');
  });

  await check('no page logged an error', async () => {
    assert(consoleErrors.length === 0, consoleErrors.join('\n'));
  });
} finally {
  await browser.close();
  stopServe();
  rmSync(work, { recursive: true, force: true });
}

console.log(results.join('\n'));
console.log(`screenshots: ${SHOTS}`);
if (failed) {
  console.log(log.split('\n').slice(-40).join('\n'));
  process.exit(1);
}
