// The Themes page's taxonomy panel in headless Chromium against a real `chorus serve`: merging one theme into
// another re-analyses the stored records and the merged theme's count becomes the sum; a rule theme added in
// the form shows with its count; a refused name shows the server's reason. Screenshots go to tests/artifacts/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  apiCall, eventually, launchBrowser, newCustomerKey, screenshot, signedInPage, startChorus, workspaceWithItems,
} from './harness.mjs';

const TEXTS = [
  'The price is far too expensive for a small team.',
  'Pricing went up again and it is expensive now.',
  'Way too expensive: the price doubled this year.',
  'Sync between my phone and laptop stopped working.',
  'Sync fails on my tablet every night.',
  'My invoice is missing from the billing page.',
];

let chorus;
let browser;
let page;
let key;
let ws;
const pageErrors = [];

const themes = () => apiCall(chorus.url, key, 'GET', `/v1/workspaces/${ws}/themes`);
const countOf = async (id) => (await themes()).items.find((t) => t.id === id && t.level === 1)?.count;
const row = (id) => page.locator(`#taxonomy-table tr[data-theme-id="${id}"]`);

before(async () => {
  chorus = await startChorus();
  key = await newCustomerKey(chorus, 'Taxonomy Ltd');
  const at = new Date(Date.now() - 3600000).toISOString();
  ws = (await workspaceWithItems(chorus, key, 'Taxonomy', TEXTS.map((text, i) => ({ id: `t-${i}`, text, at })))).id;
  await eventually('the records and their rollups', async () => (await countOf('pricing')) === 3 && (await countOf('sync')) === 2);
  browser = await launchBrowser();
  page = await signedInPage(browser, chorus.url, key, pageErrors);
});

after(async () => {
  await browser?.close();
  await chorus?.stop();
});

test('the taxonomy panel lists the themes with their counts', async () => {
  await page.goto(`${chorus.url}/#/${ws}/themes?period=7d`);
  await row('pricing').waitFor();
  assert.equal((await row('pricing').locator('.count').innerText()).trim(), '3');
  assert.equal((await row('sync').locator('.count').innerText()).trim(), '2');
  const options = await row('sync').locator('select.merge-into option').allInnerTexts();
  assert.ok(options.includes('pricing'), `merge targets: ${options}`);
  assert.ok(!options.includes('sync'), 'a theme is not offered as its own merge target');
  await screenshot(page, 'taxonomy');
});

test('merging sync into pricing re-analyses the records and adds the counts', async () => {
  await row('sync').locator('select.merge-into').selectOption('pricing');
  await page.locator('#taxonomy-status .notice').waitFor();
  await eventually('the merged count on the page', async () =>
    (await row('pricing').locator('.count').innerText()).trim() === '5'
    && (await row('sync').locator('.count').innerText()).trim() === '0');
  assert.match(await row('sync').innerText(), /merged into pricing/);
  await page.locator('#taxonomy-status .notice.ok').waitFor({ timeout: 30000 });
  assert.equal(await countOf('pricing'), 5);
  // The top themes above the panel are read again once the records have followed.
  await eventually('the top themes table to follow', async () =>
    (await page.locator('.themes-table tr[data-theme="pricing"] td.num').innerText()).trim() === '5'
    && (await page.locator('.themes-table tr[data-theme="sync"]').count()) === 0);
  const { items } = await apiCall(chorus.url, key, 'GET', `/v1/workspaces/${ws}/feedback?theme=pricing`);
  assert.equal(items.length, 5);
  await screenshot(page, 'taxonomy-merged');
});

test('a rule theme added in the form shows with its count', async () => {
  await page.fill('#new-theme-name', 'Invoices');
  await page.fill('#new-theme-any', 'invoice, receipt');
  await page.selectOption('#new-theme-parent', 'pricing');
  await page.click('#add-theme-submit');
  await eventually('the new theme with its record', async () =>
    (await row('c1').count()) === 1 && (await row('c1').locator('.count').innerText()).trim() === '1');
  assert.match(await row('c1').innerText(), /invoices/);
  assert.match(await row('c1').innerText(), /rule/);
  assert.match(await row('c1').innerText(), /under pricing/);
  const c1 = (await themes()).items.find((t) => t.id === 'c1');
  assert.equal(c1.parent, 'pricing');
  assert.equal(c1.custom, true);
});

test('rename and hide change the taxonomy', async () => {
  await row('sync').locator('button.rename').click();
  await row('sync').locator('input.rename-input').fill('Syncing');
  await row('sync').locator('button[type=submit]').click();
  await eventually('the new name in the list', async () => /syncing/.test(await row('sync').innerText()));
  await row('c1').locator('button.hide').click();
  await eventually('the hidden theme marked', async () => /hidden/.test(await row('c1').innerText()));
  const items = (await themes()).items;
  assert.equal(items.find((t) => t.id === 'sync').name, 'syncing');
  assert.equal(items.find((t) => t.id === 'c1').hidden, true);
  assert.ok(!(await row('pricing').locator('select.merge-into option').allInnerTexts()).includes('invoices'),
    'a hidden theme is not offered as a merge target');
  await screenshot(page, 'taxonomy-edited');
});

test('a name already in use is refused in words', async () => {
  await page.fill('#new-theme-name', 'pricing');
  await page.fill('#new-theme-any', 'cost');
  await page.click('#add-theme-submit');
  const err = page.locator('#add-theme .notice.error');
  await err.waitFor();
  assert.match(await err.innerText(), /not accepted: the name "pricing" is already used/i);
  assert.deepEqual(pageErrors, []);
});
