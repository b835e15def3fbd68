// The Alerts page in headless Chromium against a real `chorus serve` and a fake Slack endpoint on
// loopback: a rule added through the form shows without its secret, "Send test" delivers a Block Kit
// message and the delivery log says so, and a 410 from Slack disables the rule with its reason on the page;
// a source alert takes the interval after which a push source counts as quiet; and a webhook alert's
// signature verifies with the Standard Webhooks project's own library.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  apiCall, eventually, launchBrowser, newCustomerKey, screenshot, signedInPage, startChorus, workspaceWithItems,
} from './harness.mjs';

let chorus;
let browser;
let page;
let key;
let ws;
let slack;
let slackStatus = 200;
const slackPosts = [];
const pageErrors = [];

const card = () => page.locator('.card.alert').first();

before(async () => {
  slack = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      slackPosts.push({ path: req.url, body, headers: req.headers });
      res.writeHead(slackStatus, { 'Content-Type': 'text/plain' });
      res.end(slackStatus === 200 ? 'ok' : 'channel_is_archived');
    });
  });
  await new Promise((ok) => slack.listen(0, '127.0.0.1', ok));
  chorus = await startChorus();
  key = await newCustomerKey(chorus, 'Alerts Ltd');
  ws = (await workspaceWithItems(chorus, key, 'Alerts',
    [{ id: 'a', text: 'Checkout payment fails every time with my card', at: new Date().toISOString() }])).id;
  browser = await launchBrowser();
  page = await signedInPage(browser, chorus.url, key, pageErrors);
});

after(async () => {
  await browser?.close();
  await chorus?.stop();
  await new Promise((ok) => slack?.close(ok));
});

test('an alert added through the form is listed without its Slack URL', async () => {
  await page.goto(`${chorus.url}/#/${ws}/alerts`);
  await page.locator('#add-alert').waitFor();
  assert.match(await page.locator('.empty').innerText(), /No alerts yet/);
  await page.fill('#alert-name', 'Checkout problems');
  await page.selectOption('#alert-kind', 'emerging');
  await page.fill('#param-themes', 'payments');
  await page.selectOption('#alert-channel', 'slack');
  assert.equal(await page.inputValue('#param-themes'), 'payments', 'choosing a channel keeps the conditions');
  await page.fill('#channel-url', `http://127.0.0.1:${slack.address().port}/services/T1/B2/secretpart`);
  await page.click('#add-alert-submit');
  await card().waitFor();
  const text = await card().innerText();
  assert.match(text, /Checkout problems/);
  assert.match(text, /payments/);
  assert.match(text, /enabled/);
  assert.doesNotMatch(await page.content(), /secretpart/, 'the Slack URL is never shown');
  const { items } = await apiCall(chorus.url, key, 'GET', `/v1/workspaces/${ws}/alerts`);
  assert.equal(items.length, 1);
  assert.equal(items[0].kind, 'emerging');
  assert.deepEqual(items[0].params.themes, ['payments']);
});

test('"Send test" delivers a Block Kit message and the delivery log shows it', async () => {
  await card().locator('button.test-alert').click();
  await card().locator('.test-result .notice.ok').waitFor();
  assert.equal(slackPosts.length, 1);
  assert.equal(slackPosts[0].path, '/services/T1/B2/secretpart');
  const message = JSON.parse(slackPosts[0].body);
  assert.ok(Array.isArray(message.blocks) && message.blocks.length > 2, slackPosts[0].body);
  assert.match(message.text, /Test of "Checkout problems"/);
  const row = card().locator('table.delivery-log tbody tr').first();
  await row.waitFor();
  assert.equal(await row.getAttribute('data-state'), 'delivered');
  assert.match(await row.innerText(), /test/);
  await screenshot(page, 'alerts');
});

test('a 410 from Slack disables the rule and the page says why', async () => {
  slackStatus = 410;
  await card().locator('button.test-alert').click();
  await card().locator('.test-result .notice.error').waitFor();
  assert.match(await card().locator('.test-result').innerText(), /410/);
  await page.reload();
  await eventually('the disabled rule on the page', async () => /disabled/.test(await card().locator('.pill').first().innerText()));
  assert.match(await card().locator('.disabled-reason').innerText(), /410 Gone/);
  const failed = card().locator('table.delivery-log tbody tr[data-state="failed"]');
  await failed.first().waitFor();
  assert.equal(pageErrors.length, 0, pageErrors.join('\n'));
});

test('a source alert takes how long a push source may stay quiet', async () => {
  await page.goto(`${chorus.url}/#/${ws}/alerts`);
  // Rendered afresh: after a change of the hash alone, the last test's form stays on the page (inert) until
  // the new view replaces it, so waiting for the form could find the old one.
  await page.reload();
  await page.locator('#add-alert').waitFor();
  await page.fill('#alert-name', 'Quiet webhooks');
  await page.selectOption('#alert-kind', 'source_stale');
  await page.fill('#param-expected_every_hours', '12');
  await page.selectOption('#alert-channel', 'slack');
  await page.fill('#channel-url', `http://127.0.0.1:${slack.address().port}/services/T1/B2/other`);
  await page.click('#add-alert-submit');
  const quiet = page.locator('.card.alert', { hasText: 'Quiet webhooks' });
  await quiet.waitFor();
  assert.match(await quiet.innerText(), /push sources quiet after 12 h/);
  const { items } = await apiCall(chorus.url, key, 'GET', `/v1/workspaces/${ws}/alerts`);
  assert.equal(items.find((a) => a.name === 'Quiet webhooks').params.expected_every_hours, 12);
  assert.equal(pageErrors.length, 0, pageErrors.join('\n'));
});

test('a webhook alert verifies with the Standard Webhooks reference library', async () => {
  slackStatus = 200;
  const created = await apiCall(chorus.url, key, 'POST', `/v1/workspaces/${ws}/alerts`, {
    name: 'Signed', kind: 'new_theme',
    channel: { type: 'webhook', url: `http://127.0.0.1:${slack.address().port}/hooks/signed` },
  });
  assert.match(created.channel.secret, /^whsec_/);
  const result = await apiCall(chorus.url, key, 'POST', `/v1/workspaces/${ws}/alerts/${created.id}/test`, {});
  assert.equal(result.delivered, true, JSON.stringify(result));
  const post = slackPosts.find((p) => p.path === '/hooks/signed');
  assert.ok(post, 'the webhook was called');
  const verified = new Webhook(created.channel.secret).verify(post.body, post.headers);
  assert.equal(verified.type, 'alert.test');
  assert.equal(verified.rule.id, created.id);
  assert.throws(() => new Webhook(created.channel.secret).verify(`${post.body} `, post.headers), 'a changed body fails');
  const other = 'whsec_' + Buffer.from('another secret of 32 bytes......').toString('base64');
  assert.throws(() => new Webhook(other).verify(post.body, post.headers), 'another secret fails');
});
