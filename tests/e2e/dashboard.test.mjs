// The dashboard end to end in headless Chromium: sign in, create a workspace, add a jsonl source through
// the generated form, import a file with `chorus import`, and check what the charts, the explorer and a
// theme's quotes show against the API. Screenshots go to tests/artifacts/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { apiCall, chorusBinary, eventually, launchBrowser, newCustomerKey, screenshot, startChorus } from './harness.mjs';

const TEXTS = [
  ['The sync keeps failing and I lost all my notes. Terrible!', 1],
  ['Sync is broken again after the update, very frustrating.', 2],
  ['I love the new dark mode, it looks beautiful!', 5],
  ['Dark mode is great, thank you so much.', 5],
  ['Please add export to CSV, that would be really useful.', 4],
  ['Could you add an export to PDF option for reports?', 3],
  ['The app crashes every time I open the settings page.', 1],
  ['Support was friendly and fixed my billing problem quickly. Great service!', 5],
];
const COUNT = 30;  // more than one explorer page (25)
const DAY = 86400000;

// One item per line in the shape a jsonl source maps with FIELDS below.
function makeItems() {
  const now = Date.now();
  return Array.from({ length: COUNT }, (_, i) => {
    const [text, rating] = TEXTS[i % TEXTS.length];
    const at = new Date(now - (i % 6) * DAY - 2 * 3600000 - i * 60000).toISOString();
    return { id: `r-${i}`, text, created_at: at, user: { name: `user${i % 5}` }, rating, url: `https://example.com/r/${i}` };
  });
}
const FIELDS = { id: 'id', text: 'text', timestamp: 'created_at', author: 'user.name', rating: 'rating', url: 'url' };

let chorus;
let browser;
let page;
let key;
const pageErrors = [];

before(async () => {
  chorus = await startChorus();
  key = await newCustomerKey(chorus, 'E2E Ltd');
  assert.match(key, /^chk_/);
  const { items } = await apiCall(chorus.url, key, 'GET', '/v1/connectors');
  assert.ok(items.some((c) => c.type === 'jsonl'), 'GET /v1/connectors must list the jsonl connector');
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await chorus?.stop();
});

const api = (path) => apiCall(chorus.url, key, 'GET', path);
let ws;
let src;

test('a wrong key and the admin key are refused in words, a customer key signs in', async () => {
  await page.goto(`${chorus.url}/`);
  await page.fill('#api-key', 'chk_not_a_real_key');
  await page.click('button[type=submit]');
  await page.locator('.notice.error').waitFor();
  assert.match(await page.locator('.notice.error').innerText(), /key was not accepted/i);
  await screenshot(page, 'signin-refused');
  await page.fill('#api-key', chorus.adminKey);
  await page.click('button[type=submit]');
  await page.locator('.notice.error', { hasText: 'Not allowed' }).waitFor();
  assert.match(await page.locator('.notice.error').innerText(), /admin key manages customers only/);
  await page.fill('#api-key', key);
  await page.click('button[type=submit]');
  await page.locator('#workspace-name').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('chorus.apiKey')), key);
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'the key must not outlive the session');
});

test('create a workspace and add a source through the generated form', async () => {
  await page.fill('#workspace-name', 'E2E product');
  await page.click('text=Create workspace');
  await page.waitForURL(/#\/\d+\/sources/);
  ws = /#\/(\d+)\//.exec(page.url())[1];
  await page.locator('#source-type').waitFor();
  await page.selectOption('#source-type', 'jsonl');
  await page.fill('#source-name', 'Survey export');
  await page.fill('#config-fields', JSON.stringify(FIELDS, null, 2));
  await page.click('#add-source-submit');
  const card = page.locator('.card.source', { hasText: 'Survey export' });
  await card.waitFor();
  const { sources } = await api(`/v1/workspaces/${ws}`);
  assert.equal(sources.length, 1);
  assert.equal(sources[0].type, 'jsonl');
  assert.equal(sources[0].name, 'Survey export');
  src = sources[0].id;
  assert.deepEqual(sources[0].config.fields, FIELDS);
  assert.match(await page.inputValue(`#push-${src}`), new RegExp(`/v1/workspaces/${ws}/sources/${src}/items$`));
  await screenshot(page, 'sources');
});

test('an enum field is a dropdown of the values the connector catalogue lists', async () => {
  const { items } = await api('/v1/connectors');
  const jsonl = items.find((c) => c.type === 'jsonl');
  const format = jsonl.config.find((f) => f.name === 'format');
  await page.selectOption('#source-type', 'jsonl');
  const dropdown = page.locator('select#config-format');
  await dropdown.waitFor();
  const values = await dropdown.locator('option').evaluateAll((options) => options.map((o) => o.value));
  assert.deepEqual(values, format.enum);
  assert.equal(await dropdown.inputValue(), format.default, 'the default is chosen');
  await page.selectOption('#config-format', 'markdown');
  await page.fill('#source-name', 'Markdown export');
  await page.fill('#config-fields', JSON.stringify(FIELDS));
  await page.click('#add-source-submit');
  await page.locator('.card.source', { hasText: 'Markdown export' }).waitFor();
  const created = (await api(`/v1/workspaces/${ws}`)).sources.find((s) => s.name === 'Markdown export');
  assert.equal(created.config.format, 'markdown');
  await apiCall(chorus.url, key, 'DELETE', `/v1/workspaces/${ws}/sources/${created.id}`);
});

test('a bad source spec shows the server\'s reason', async () => {
  await page.selectOption('#source-type', 'jsonl');
  await page.fill('#source-name', 'Broken');
  await page.fill('#config-fields', '{"text": "text"}');
  await page.click('#add-source-submit');
  const err = page.locator('#add-source .notice.error');
  await err.waitFor();
  assert.match(await err.innerText(), /not accepted: config\.fields\.id is required/i);
  assert.equal((await api(`/v1/workspaces/${ws}`)).sources.length, 1, 'nothing half-made');
  await screenshot(page, 'source-refused');
});

test('chorus import loads the file', async () => {
  const file = join(chorus.dir, 'feedback.jsonl');
  writeFileSync(file, makeItems().map((x) => JSON.stringify(x)).join('\n') + '\n');
  const { stderr } = await promisify(execFile)(chorusBinary(), ['import', '--workspace', ws, '--source', src, file], {
    env: { ...process.env, CHORUS_SERVER: chorus.url, CHORUS_API_KEY: key },
  });
  assert.match(stderr, new RegExp(`Imported ${COUNT} items`));
  await eventually('the records to be analysed', async () => (await api(`/v1/workspaces/${ws}/insights`)).totals.count === COUNT);
});

test('the overview charts show the imported totals', async () => {
  const insights = await api(`/v1/workspaces/${ws}/insights`);
  await page.goto(`${chorus.url}/#/${ws}/overview?period=30d`);
  await page.locator('#total-count .value').waitFor();
  assert.equal(await page.locator('#total-count .value').innerText(), String(COUNT));
  // What Chart.js actually drew: bars stacked by sentiment add up to every record; the doughnut matches the API.
  const drawn = await page.evaluate(() => {
    const get = (id) => window.Chart.getChart(document.getElementById(id));
    const volume = get('volume-chart').data.datasets;
    const mix = get('sentiment-chart').data;
    return {
      bars: volume.filter((d) => d.type === 'bar').flatMap((d) => d.data).reduce((a, b) => a + b, 0),
      line: volume.find((d) => d.type === 'line').data.filter((v) => v !== null).length,
      mix: Object.fromEntries(mix.labels.map((l, i) => [l, mix.datasets[0].data[i]])),
    };
  });
  assert.equal(drawn.bars, COUNT);
  assert.ok(drawn.line >= 6, `the average sentiment line has a point per day with feedback (${drawn.line})`);
  const expected = Object.fromEntries(Object.entries(insights.totals.by_sentiment).filter(([, n]) => n > 0));
  assert.deepEqual(drawn.mix, expected);
  const ratings = makeItems().map((x) => x.rating);
  const csat = Math.round((ratings.filter((r) => r >= 4).length / ratings.length) * 100);
  await page.locator('#csat .value').waitFor();
  assert.equal(await page.locator('#csat .value').innerText(), `${csat}%`);
  await page.click('[data-period="7d"]');
  await page.waitForURL(/period=7d/);
  await page.locator('#total-count .value').waitFor();
  assert.equal(await page.locator('#total-count .value').innerText(), String(COUNT));
  await screenshot(page, 'overview');
});

test('the explorer pages through every record, and filters by sentiment and by text', async () => {
  await page.click('nav a[data-view="feedback"]');
  await page.locator('#load-more').waitFor();
  assert.equal(await page.locator('article.record').count(), 25);
  // The count comes from its own request and may arrive after the first page.
  await eventually('the count of matching records', async () =>
    (await page.locator('#result-count').innerText()) === `${COUNT} matching records, newest first`, 10000);
  await page.click('#load-more');
  await eventually('the second page', async () => (await page.locator('article.record').count()) === COUNT, 10000);
  const uids = await page.locator('article.record').evaluateAll((nodes) => nodes.map((n) => n.dataset.uid));
  assert.equal(new Set(uids).size, COUNT);
  assert.equal(await page.locator('#load-more').count(), 0);
  await page.selectOption('#filter-sentiment', 'negative');
  await page.waitForURL(/sentiment=negative/);
  const negative = (await api(`/v1/workspaces/${ws}/feedback?sentiment=negative&limit=100`)).items;
  assert.ok(negative.length > 0 && negative.length < COUNT);
  await eventually('the filtered records', async () => (await page.locator('article.record').count()) === negative.length, 10000);
  for (const pill of await page.locator('article.record header .pill').allInnerTexts()) assert.match(pill, /^negative/);

  await page.selectOption('#filter-sentiment', '');
  await page.waitForURL((u) => !/sentiment=/.test(u.hash));
  // The view renders anew after the URL changes; typing before that would go into the old form.
  await eventually('the unfiltered view', async () =>
    (await page.locator('#result-count').innerText()) === `${COUNT} matching records, newest first`, 10000);
  await page.fill('#filter-q', 'export');
  await page.click('.explorer-filters button[type=submit]');
  await page.waitForURL(/q=export/);
  const matching = (await api(`/v1/workspaces/${ws}/feedback?q=export&limit=100`)).items;
  assert.ok(matching.length > 0);
  await eventually('the searched records', async () => (await page.locator('article.record').count()) === matching.length, 10000);
  for (const text of await page.locator('article.record .text').allInnerTexts()) assert.match(text, /export/i);
  assert.match(await page.locator('article.record a.original').first().getAttribute('href'), /^https:\/\/example\.com\/r\/\d+$/);
  await screenshot(page, 'explorer');
});

test('hovering a label in the explorer says how sure the model is and which words moved it', async () => {
  // The record is read before the card renders and again after it is read: when both agree (no re-analysis
  // or late update changed it in between), the card must show exactly that state; otherwise render again.
  let checked = false;
  for (let attempt = 0; attempt < 5 && !checked; ++attempt) {
    await page.click('nav a[data-view="feedback"]');
    const first = page.locator('article.record').first();
    await first.waitFor();
    const uid = await first.getAttribute('data-uid');
    const before = await api(`/v1/workspaces/${ws}/feedback/${uid}`);
    await page.reload();  // the same view, rendered from what the server holds now
    const card = page.locator(`article.record[data-uid="${uid}"]`);
    await card.waitFor();
    const why = card.locator('.why-sentiment');
    assert.equal(await why.isVisible(), false);
    await card.locator('.explained-sentiment .pill').hover();
    await why.waitFor({ state: 'visible' });
    const text = await why.innerText();
    await card.locator('.explained-category .tag').hover();
    await card.locator('.why-category').waitFor({ state: 'visible' });
    const categoryText = await card.locator('.why-category').innerText();
    const after = await api(`/v1/workspaces/${ws}/feedback/${uid}`);
    if (JSON.stringify(before.conversation_attributes) !== JSON.stringify(after.conversation_attributes)) continue;
    const c = after.conversation_attributes;
    assert.ok(c.sentiment_confidence > 0 && c.sentiment_confidence <= 1);
    assert.ok(c.evidence.sentiment.length > 0, JSON.stringify(c.evidence));
    assert.match(text, new RegExp(`^${c.sentiment_type} · ${Math.round(c.sentiment_confidence * 100)}% sure`));
    for (const e of c.evidence.sentiment) assert.ok(text.includes(e.term), `${text} lacks ${e.term}`);
    assert.match(categoryText, /% sure/);
    checked = true;
  }
  assert.ok(checked, 'the record kept changing while the explorer showed it');
  await screenshot(page, 'explorer-evidence');
});

test('a theme opens its quotes and its records', async () => {
  const insights = await api(`/v1/workspaces/${ws}/insights`);
  assert.ok(insights.top_themes.length > 0, 'the analysed feedback has themes');
  const theme = insights.top_themes[0].theme;
  await page.click('nav a[data-view="themes"]');
  const row = page.locator(`tr[data-theme="${theme}"]`);
  await row.waitFor();
  assert.equal(await row.locator('td.num').innerText(), String(insights.top_themes[0].count));
  await row.click();
  await page.locator('#theme-detail blockquote').first().waitFor();
  const quotes = await page.locator('#theme-detail blockquote p').allInnerTexts();
  assert.deepEqual(quotes, insights.quotes[theme].map((q) => q.text));
  await page.locator('#theme-detail article.record').first().waitFor();
  await screenshot(page, 'theme-quotes');

  await page.click('#open-in-explorer');
  await page.waitForURL(/#\/\d+\/feedback\?.*theme=/);
  await page.locator('article.record').first().waitFor();
  assert.equal(await page.inputValue('#filter-theme'), theme);
  const records = (await api(`/v1/workspaces/${ws}/feedback?theme=${encodeURIComponent(theme)}&limit=100`)).items;
  await eventually('the theme\'s records', async () => (await page.locator('article.record').count()) === Math.min(records.length, 25), 10000);
});

test('"Sync now" follows the sync and reports its failure in words', async () => {
  // Nothing listens on port 9 (discard), so the sync fails after its retries.
  const dead = await apiCall(chorus.url, key, 'POST', `/v1/workspaces/${ws}/sources`,
    { type: 'discourse', name: 'Dead forum', config: { base_url: 'http://127.0.0.1:9' } });
  await page.goto(`${chorus.url}/#/${ws}/sources`);
  const card = page.locator(`.card.source[data-source="${dead.id}"]`);
  await card.locator('text=Sync now').click();
  const failure = card.locator('.sync-progress .notice.error');
  await failure.waitFor({ timeout: 30000 });
  assert.match(await failure.innerText(), /^The sync failed: .*127\.0\.0\.1:9/);
  await page.reload();
  await card.locator('.pill', { hasText: 'failed' }).waitFor();
  assert.match(await card.locator('.notice.error').innerText(), /^Last error: /);
  await screenshot(page, 'sources-sync-failed');
  await apiCall(chorus.url, key, 'DELETE', `/v1/workspaces/${ws}/sources/${dead.id}`);
});

test('emerging issues show as cards with the quotes behind them', async () => {
  // The insights' emerging list is filled in for this test (the records and quotes are real), so the
  // cards are checked whether or not this build detects spikes yet.
  const insights = await api(`/v1/workspaces/${ws}/insights`);
  const theme = insights.top_themes[0].theme;
  const start = new Date(Date.now() - 3 * DAY).toISOString().slice(0, 10) + 'T00:00:00Z';
  const end = new Date(Date.now() + DAY).toISOString().slice(0, 10) + 'T00:00:00Z';
  const spike = { theme, start, end, count: 4, baseline: 0.5, score: 6.2, sentiment_type: 'negative' };
  await page.route('**/v1/workspaces/*/insights?**', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.emerging = [spike, ...(body.emerging || [])];
    await route.fulfill({ response, json: body });
  });
  await page.goto(`${chorus.url}/#/${ws}/emerging`);
  const card = page.locator(`.card.emerging[data-theme="${theme}"]`);
  await card.locator('blockquote').first().waitFor();
  assert.match(await card.innerText(), /4\s+items vs a baseline of 0\.5 a day/);
  const inWindow = (await api(`/v1/workspaces/${ws}/feedback?theme=${encodeURIComponent(theme)}&from=${start}&to=${end}&limit=3`)).items;
  assert.deepEqual(await card.locator('blockquote p').allInnerTexts(), inWindow.map((r) => r.conversation_attributes.text));
  await screenshot(page, 'emerging');
  await page.unroute('**/v1/workspaces/*/insights?**');
});

test('the view being left cannot be used while the next one loads', async () => {
  await page.goto(`${chorus.url}/#/${ws}/sources`);
  const control = page.locator('#view input, #view select, #view button').first();
  await control.waitFor();
  // The next view waits for its workspace; the request is held until the checks below are done.
  let release;
  const held = new Promise((ok) => { release = ok; });
  let asked = false;
  await page.route(`**/v1/workspaces/${ws}`, async (route) => {
    asked = true;
    await held;
    await route.continue();
  });
  await page.click('nav a[data-view="alerts"]');
  await eventually('the workspace to be asked for', async () => asked);
  const main = page.locator('.layout > main');
  assert.equal(await main.getAttribute('aria-busy'), 'true');
  assert.equal(await main.evaluate((m) => m.inert), true);
  const focused = await control.evaluate((c) => { c.focus(); return document.activeElement === c; });
  assert.equal(focused, false, 'a control of the old view must not take the focus');
  // The sidebar stays live.
  assert.equal(await page.locator('nav a[data-view="overview"]').evaluate((a) => a.closest('[inert]') === null), true);
  release();
  await page.locator('#add-alert').waitFor();
  assert.equal(await page.locator('.layout > main').evaluate((m) => m.inert), false);
  assert.equal(await page.locator('.layout > main').getAttribute('aria-busy'), null);
  await page.unroute(`**/v1/workspaces/${ws}`);
});

test('no script errors on any screen', async () => {
  for (const view of ['emerging', 'sources', 'overview']) {
    await page.click(`nav a[data-view="${view}"]`);
    await page.waitForURL(new RegExp(`/${view}`));
    await page.locator('#view > :not(.loading)').first().waitFor();
  }
  await screenshot(page, 'emerging-and-back');
  assert.deepEqual(pageErrors, []);
});
