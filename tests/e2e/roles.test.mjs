// The dashboard signed in with a viewer key, an editor key and an admin key, in headless Chromium against a real
// `chorus serve`: a viewer reads everything its workspace holds (sources, themes, feedback, alerts and their
// deliveries) but is shown no control that changes it (no new workspace, source, sync, pause, delete, taxonomy
// edit, alert edit or test, and no key management); an editor gets the source, taxonomy and alert controls but
// no workspaces and no keys; an admin manages keys and reads the audit log, which shows the editor's change.
// Screenshots go to tests/artifacts/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiCall, eventually, launchBrowser, newCustomerKey, screenshot, startChorus } from './harness.mjs';

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
  admin = await newCustomerKey(chorus, 'Roles Ltd');
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
  await apiCall(chorus.url, admin, 'POST', `/v1/workspaces/${ws}/alerts`, {
    name: 'Sour mood', kind: 'negative_share', params: { threshold: 0.5 },
    channel: { type: 'webhook', url: 'http://127.0.0.1:9/hook' },
  });
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
  assert.equal(await page.locator('.pause-source, .rename-source, .delete-source').count(), 0, 'no pause, rename or delete');
  assert.equal(await page.locator('nav a[data-view="access"]').count(), 0, 'no key management');
  await screenshot(page, 'roles-viewer-sources');

  // Alerts: the rule and its delivery log are shown; no test, enable/disable, delete or add form.
  await page.goto(`${chorus.url}/#/${ws}/alerts`);
  await page.locator('.card.alert').first().waitFor();
  assert.match(await page.locator('.card.alert h3').first().innerText(), /Sour mood/);
  await page.locator('.card.alert .deliveries').first().waitFor();
  assert.equal(await page.locator('.test-alert, .toggle-alert, .delete-alert').count(), 0, 'no alert edit controls');
  assert.equal(await page.locator('#add-alert').count(), 0, 'no add-alert form');
  await screenshot(page, 'roles-viewer-alerts');

  // The keys page itself says it is for admins, and offers nothing.
  await page.goto(`${chorus.url}/#/${ws}/access`);
  await eventually('the admins-only notice', async () => /Admins only/.test(await page.locator('#view').innerText()));
  assert.equal(await page.locator('#keys-table, #add-key, #audit-table').count(), 0);

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
  assert.equal(await page.locator('nav a[data-view="access"]').count(), 0, 'no key management');
  // Pausing the forum: its card says so and offers Resume instead of Sync now.
  const forum = page.locator('.card.source', { hasText: 'Forum' });
  await forum.locator('.pause-source').click();
  await page.locator('.card.source', { hasText: 'Forum' }).locator('.pill.state-paused').waitFor();
  assert.equal(await page.locator('.card.source', { hasText: 'Forum' }).locator('.pause-source').innerText(), 'Resume');
  assert.equal(await page.getByRole('button', { name: 'Sync now' }).count(), 0);
  await page.goto(`${chorus.url}/#/${ws}/themes?period=7d`);
  await page.locator('#taxonomy-table tr[data-theme-id="pricing"] select.merge-into').waitFor();
  assert.equal(await page.locator('#add-theme-submit').count(), 1);
  await page.goto(`${chorus.url}/#/${ws}/alerts`);
  await page.locator('.card.alert .test-alert').first().waitFor();
  assert.equal(await page.locator('#add-alert').count(), 1);
  await page.close();
});

test('the customer key is an admin key: it may create workspaces, manage keys and read the audit log', async () => {
  const page = await signIn(admin);
  await page.locator('#workspace-name').waitFor();
  await page.goto(`${chorus.url}/#/${ws}/access`);
  await page.locator('#keys-table tbody tr').first().waitFor();
  const names = await page.locator('#keys-table tbody td strong').allInnerTexts();
  assert.ok(names.includes('viewer team') && names.includes('editor team'), names.join(', '));
  // The editor's pause is in the log, under the editor key's name.
  const paused = page.locator('#audit-table tr[data-action="source.update"]').first();
  await paused.waitFor();
  assert.match(await paused.innerText(), /editor team/);
  assert.match(await paused.innerText(), /paused/);

  // A new key: its secret is shown once, then it is listed without it.
  await page.fill('#key-name', 'Night shift');
  await page.selectOption('#key-role-choice', 'viewer');
  await page.click('#add-key-submit');
  const secret = await page.locator('.shown-secret').innerText();
  assert.match(secret, /^chk_/);
  await page.locator('#keys-table tbody td strong', { hasText: 'Night shift' }).waitFor();
  assert.ok(!(await page.locator('#keys-table').innerText()).includes(secret));
  const self = await apiCall(chorus.url, secret, 'GET', '/v1/keys/self');
  assert.equal(self.role, 'viewer');
  assert.deepEqual(self.workspaces, [ws]);
  // Its creation shows in the log at once; the filter narrows the log to key changes.
  await page.locator('#audit-table tr[data-action="key.create"]', { hasText: 'Night shift' }).waitFor();
  await page.selectOption('#audit-action', 'key');
  await page.locator('#audit-table tr[data-action="key.create"]', { hasText: 'Night shift' }).waitFor();
  assert.equal(await page.locator('#audit-table tr[data-action="source.update"]').count(), 0);
  // Revoking it is logged too, and the row says so.
  page.once('dialog', (d) => d.accept());
  await page.locator('#keys-table tr', { hasText: 'Night shift' }).locator('.revoke-key').click();
  await page.locator('#audit-table tr[data-action="key.delete"]', { hasText: 'Night shift' }).waitFor();
  await page.locator('#keys-table tr', { hasText: 'Night shift' }).locator('.pill', { hasText: 'revoked' }).waitFor();
  assert.equal((await fetch(`${chorus.url}/v1/keys/self`, { headers: { Authorization: `Bearer ${secret}` } })).status, 401);
  await screenshot(page, 'roles-admin-access');
  await page.close();
  assert.deepEqual(pageErrors, []);
});
