// What the browser tests need around them: the built dashboard, a `chorus serve` on a free port with a
// throwaway data dir, headless Chromium, API calls and screenshots under tests/artifacts/.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(repoRoot, 'tests', 'artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function chorusBinary() {
  const bin = process.env.CHORUS_BINARY || join(repoRoot, 'build', 'chorus');
  if (!existsSync(bin)) throw new Error(`${bin} does not exist: build it (make) or set CHORUS_BINARY`);
  return bin;
}

// Starts `chorus serve` on port 0 and resolves once it prints the address it listens on.
export async function startChorus() {
  const dir = mkdtempSync(join(tmpdir(), 'chorus-e2e-'));
  const webRoot = join(dir, 'web');
  execFileSync(process.execPath, [join(repoRoot, 'web', 'build.mjs'), '--out', webRoot], { stdio: 'pipe' });
  const adminKey = `chadm_${randomBytes(16).toString('hex')}`;
  const child = spawn(chorusBinary(), ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'var'), '--web-root', webRoot,
    '--egress-allow', '127.0.0.0/8'],
    { env: { ...process.env, CHORUS_ADMIN_KEY: adminKey }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`chorus serve did not start in 20s:\n${log}`)), 20000);
    const onData = (chunk) => {
      log += chunk;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(log);
      if (m) { clearTimeout(timer); ok(m[1]); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => { log += c; });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`chorus serve exited with ${code}:\n${log}`)); });
  });
  return {
    url, adminKey, dir, log: () => log,
    async stop() {
      child.removeAllListeners('exit');
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => { child.once('exit', r); setTimeout(r, 10000); });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/install-deps does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export async function apiCall(base, key, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// A full-page picture; the sticky sidebar and top bar are laid out in place so they are drawn once.
export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  const style = await page.addStyleTag({ content: '.sidebar, .topbar { position: static !important; }' });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  await style.evaluate((node) => node.remove());
}

export async function eventually(what, fn, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// A new customer of the running server; its API key.
export async function newCustomerKey(chorus, name) {
  return (await apiCall(chorus.url, chorus.adminKey, 'POST', '/v1/customers', { name })).api_key;
}

// A workspace with one push source of JSONL items ({id, text, at}), holding the given items; the workspace
// as the API returned it.
export async function workspaceWithItems(chorus, key, name, items) {
  const workspace = await apiCall(chorus.url, key, 'POST', '/v1/workspaces', {
    name,
    sources: [{ type: 'jsonl', name: 'Survey', config: { fields: { id: 'id', text: 'text', timestamp: 'at' } } }],
  });
  await apiCall(chorus.url, key, 'POST', `/v1/workspaces/${workspace.id}/sources/${workspace.sources[0].id}/items`, items);
  return workspace;
}

// A dashboard page signed in with the key and showing its first screen; script errors go to `errors` and
// confirmation dialogs are accepted.
export async function signedInPage(browser, url, key, errors) {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => d.accept());
  await page.goto(`${url}/`);
  await page.fill('#api-key', key);
  await page.click('button[type=submit]');
  await page.locator('#workspace-name').waitFor();
  return page;
}
