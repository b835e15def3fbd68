// The dashboard signed in with a viewer key and with an editor key, in headless Chromium against a real
// `chorus serve`: a viewer reads everything its workspace holds but is shown no control that changes it (no new
// workspace, source, sync, or taxonomy edit); an editor gets the source and taxonomy controls but cannot make
// workspaces. Screenshots go to tests/artifacts/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiCall, eventually, launchBrowser, screenshot, startChorus } from './harness.mjs';

let chorus;
let browser;
let admin;
let ws;
let otherWs;
const pageErrors = [];

async function makeKey(role, workspaces) {
  return (await apiCall(chorus.url, admin, 'POST', '/v1/keys', { name: `${role} team`, role, workspaces })).api_key;
}

async function signIn(key) {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${chorus.url}/`);
  await page.fill('#api-key', key);
  await page.click('button[type=submit]');
  await page.locator('.ws-list .ws-item').first().waitFor();
  return page;
}

before(async () => {
  chorus = await startChorus();
  const customer = await fetch(`${chorus.url}/v1/customers`, {
    method: 'POST', headers: { Authorization: `Bearer ${chorus.adminKey}` }, body: JSON.stringify({ name: 'Roles Ltd' }),
  }).then((r) => r.json());
  admin = customer.api_key;
  const workspace = await apiCall(chorus.url, admin, 'POST', '/v1/workspaces', {
    name: 'Support',
    sources: [
      { type: 'jsonl', name: 'Survey', config: { fields: { id: 'id', text: 'text', timestamp: 'at' } } },
      { type: 'discourse', name: 'Forum', config: { base_url: 'http://127.0.0.1:9' } },
    ],
  });
  ws = workspace.id;
  otherWs = (await apiCall(chorus.url, admin, 'POST', '/v1/workspaces', { name: 'Not for support', sources: [] })).id;
  const at = new Date(Date.now() - 3600000).toISOString();
  await apiCall(chorus.url, admin, 'POST', `/v1/workspaces/${ws}/sources/${workspace.sources[0].id}/items`, [
    { id: 'a', text: 'The price is far too expensive for a small team.', at },
    { id: 'b', text: 'Pricing went up again and it is expensive now.', at },
  ]);
  await eventually('the records', async () =>
    (await apiCall(chorus.url, admin, 'GET', `/v1/workspaces/${ws}/feedback`)).items.length === 2);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await chorus?.stop();
});

test('a viewer sees its workspace and its data, and no control that changes anything', async () => {
  const page = await signIn(await makeKey('viewer', [ws]));
  // Only the workspace the key covers, and no form to make another.
  const names = await page.locator('.ws-list .ws-item strong').allInnerTexts();
  assert.deepEqual(names, ['Support']);
  assert.equal(await page.locator('#workspace-name').count(), 0);

  await page.goto(`${chorus.url}/#/${ws}/sources`);
  await page.locator('.card.source').first().waitFor();
  assert.equal(await page.locator('.card.source').count(), 2);
  assert.match(await page.locator('#key-role').innerText(), /viewer/);
  assert.equal(await page.locator('#source-type').count(), 0, 'no add-source form');
  assert.equal(await page.getByRole('button', { name: 'Sync now' }).count(), 0, 'no sync button');
  await screenshot(page, 'roles-viewer-sources');

  await page.goto(`${chorus.url}/#/${ws}/themes?period=7d`);
  await page.locator('#taxonomy-table tr[data-theme-id="pricing"]').waitFor();
  assert.equal(await page.locator('#taxonomy select.merge-into').count(), 0, 'no merge control');
  assert.equal(await page.locator('#taxonomy button.rename').count(), 0, 'no rename control');
  assert.equal(await page.locator('#add-theme-submit').count(), 0, 'no add-theme form');
  await screenshot(page, 'roles-viewer-themes');

  await page.goto(`${chorus.url}/#/${ws}/feedback`);
  await eventually('the feedback list', async () => (await page.locator('#view').innerText()).includes('too expensive'));

  // A workspace the key does not cover is not found, as another customer's.
  await page.goto(`${chorus.url}/#/${otherWs}/overview`);
  await eventually('the not-found notice', async () => /Not found/.test(await page.locator('body').innerText()));
  await page.close();
});

test('an editor gets the source and taxonomy controls but cannot create workspaces', async () => {
  const page = await signIn(await makeKey('editor', 'all'));
  assert.equal(await page.locator('.ws-list .ws-item').count(), 2);
  assert.equal(await page.locator('#workspace-name').count(), 0);
  await page.goto(`${chorus.url}/#/${ws}/sources`);
  await page.locator('#source-type').waitFor();
  assert.match(await page.locator('#key-role').innerText(), /editor/);
  assert.equal(await page.getByRole('button', { name: 'Sync now' }).count(), 1);
  await page.goto(`${chorus.url}/#/${ws}/themes?period=7d`);
  await page.locator('#taxonomy-table tr[data-theme-id="pricing"] select.merge-into').waitFor();
  assert.equal(await page.locator('#add-theme-submit').count(), 1);
  await page.close();
});

test('the customer key is an admin key and may create workspaces', async () => {
  const page = await signIn(admin);
  await page.locator('#workspace-name').waitFor();
  await page.close();
  assert.deepEqual(pageErrors, []);
});
