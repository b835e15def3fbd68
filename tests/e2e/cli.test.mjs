// The command line against a running server: report (table and --json), sync --follow on a failing
// source, the push-only refusal, and --help with examples on every command.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { apiCall, chorusBinary, eventually, startChorus } from './harness.mjs';

let chorus;
let key;
let ws;
let pushSource;
let deadSource;

// Runs chorus with the server and key in the environment; resolves with {code, stdout, stderr}.
async function run(args, env = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(chorusBinary(), args, {
      env: { ...process.env, CHORUS_SERVER: chorus.url, CHORUS_API_KEY: key, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const api = (method, path, body) => apiCall(chorus.url, key, method, path, body);

before(async () => {
  chorus = await startChorus();
  key = (await apiCall(chorus.url, chorus.adminKey, 'POST', '/v1/customers', { name: 'CLI Ltd' })).api_key;
  const { items } = await api('GET', '/v1/connectors');
  assert.ok(items.some((c) => c.type === 'jsonl'), 'GET /v1/connectors must list the jsonl connector');
  const workspace = await api('POST', '/v1/workspaces', {
    name: 'CLI',
    sources: [
      { type: 'jsonl', name: 'push', config: { fields: { id: 'id', text: 'text', timestamp: 'at' } } },
      // Nothing listens on port 9 (discard): every sync of this source fails.
      { type: 'discourse', name: 'dead forum', config: { base_url: 'http://127.0.0.1:9' } },
    ],
  });
  ws = workspace.id;
  [pushSource, deadSource] = workspace.sources.map((s) => s.id);
  const now = Date.now();
  const texts = ['The export is broken and I am angry.', 'I love the new charts, great work!', 'How do I change my password?'];
  const lines = Array.from({ length: 9 }, (_, i) => {
    const at = new Date(now - (i % 3) * 86400000 - 3600000).toISOString();
    const text = texts[i % 3];
    return JSON.stringify({ id: `c${i}`, text, at });
  });
  const file = join(chorus.dir, 'cli.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const imported = await run(['import', '--workspace', ws, '--source', pushSource, file]);
  assert.equal(imported.code, 0, imported.stderr);
  await eventually('the records', async () => (await api('GET', `/v1/workspaces/${ws}/insights`)).totals.count === 9);
});

after(async () => {
  await chorus?.stop();
});

test('report --json prints the API\'s insights and report for the period', async () => {
  const r = await run(['report', ws, '--group-by', 'sentiment', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.insights.totals.count, 9);
  assert.equal(out.report.bucket, 'day');
  const reported = out.report.series.reduce((n, s) => n + s.points.reduce((m, p) => m + p.count, 0), 0);
  assert.equal(reported, 9);
  const direct = await api('GET', `/v1/workspaces/${ws}/insights?from=${encodeURIComponent(out.insights.from)}&to=${encodeURIComponent(out.insights.to)}`);
  assert.deepEqual(out.insights.top_themes, direct.top_themes);
});

test('report prints totals, the sentiment mix, themes and volume as tables', async () => {
  const insights = await api('GET', `/v1/workspaces/${ws}/insights`);
  const r = await run(['report', ws, '--bucket', 'week']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Workspace \d+ "CLI"/);
  assert.match(r.stdout, /Feedback\s+9\n/);
  for (const [sentiment, n] of Object.entries(insights.totals.by_sentiment))
    assert.match(r.stdout, new RegExp(`\\n  ${sentiment}\\s+${n}\\s`));
  assert.match(r.stdout, new RegExp(`\\n  ${insights.top_themes[0].theme}\\s+${insights.top_themes[0].count}\\s`));
  assert.match(r.stdout, /Volume by week\s+total/);
});

test('report explains bad input and unknown workspaces', async () => {
  const bad = await run(['report', ws, '--from', 'yesterday-ish']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^chorus: --from must be a date/);
  const missing = await run(['report', '9999']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^chorus: workspace 9999 does not exist/);
  // A source the workspace does not hold is named, with the sources it does hold, not reported as silence.
  const source = await run(['report', ws, '--source', '987654']);
  assert.equal(source.code, 2);
  assert.match(source.stderr, new RegExp(`^chorus: workspace ${ws} has no source 987654; its sources are .*${pushSource} \\(`));
  const known = await run(['report', ws, '--source', pushSource, '--json']);
  assert.equal(known.code, 0, known.stderr);
  const nokey = await run(['report', ws], { CHORUS_API_KEY: '' });
  assert.equal(nokey.code, 2);
  assert.match(nokey.stderr, /no API key/);
});

test('sync --follow reports a failed sync with its error and exit status 1', async () => {
  const r = await run(['sync', ws, deadSource, '--follow', '--interval', '0.2']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /chorus: sync \d+ of source \d+ failed after 0 items: .*127\.0\.0\.1:9/);
  const source = await api('GET', `/v1/workspaces/${ws}/sources/${deadSource}`);
  assert.equal(source.status.state, 'failed');
});

test('sync without --follow starts the sync and says how to follow it', async () => {
  const r = await run(['sync', ws, deadSource]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Sync (\\d+) of source ${deadSource} is \\w+; follow it with: chorus sync ${ws} ${deadSource} --follow`));
});

test('sync of a push-only source is refused with the reason', async () => {
  const r = await run(['sync', ws, pushSource, '--follow']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^chorus: cannot start a sync of source \d+: jsonl sources are push-only/);
});

test('every command has --help with examples', async () => {
  for (const cmd of ['serve', 'analyze', 'import', 'sync', 'report', 'alerts', 'version']) {
    const r = await run([cmd, '--help']);
    assert.equal(r.code, 0, `${cmd} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`Examples?:\\n(?:  .*\\n)*?  .*chorus ${cmd}`), `${cmd} --help has examples`);
  }
  const top = await run(['--help']);
  assert.match(top.stdout, /chorus sync 1 3 --follow/);
  assert.match(top.stdout, /chorus report 1/);
});

test('alerts: add, list, test, read deliveries, disable and delete a rule; bad rules are refused', async () => {
  const rule = { name: 'Checkout', kind: 'emerging', params: { themes: ['payments'] },
    channel: { type: 'webhook', url: 'http://127.0.0.1:9/hook' } };
  const added = await run(['alerts', 'add', ws, '--body', JSON.stringify(rule)]);
  assert.equal(added.code, 0, added.stderr);
  const id = added.stdout.match(/^Alert (\d+) "Checkout" \(emerging, webhook\): enabled/)?.[1];
  assert.ok(id, added.stdout);
  assert.match(added.stdout, /Signing secret \(shown this once.*\): whsec_/);
  const list = await run(['alerts', 'list', ws]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`^${id}\\s+Checkout\\s+emerging\\s+webhook\\s+enabled`, 'm'));
  const sent = await run(['alerts', 'test', ws, id]);
  assert.equal(sent.code, 1, 'nothing listens on port 9');
  assert.match(sent.stdout, /^Not delivered: .*could not be reached/);
  const log = await run(['alerts', 'deliveries', ws, id, '--json']);
  assert.equal(log.code, 0, log.stderr);
  const { items } = JSON.parse(log.stdout);
  assert.equal(items.length, 1);
  assert.equal(items[0].state, 'failed');
  assert.match((await run(['alerts', 'deliveries', ws, id])).stdout, /failed\s+1\s+-\s+test/);
  assert.match((await run(['alerts', 'disable', ws, id])).stdout, /disabled: disabled through the API/);
  const refused = await run(['alerts', 'add', ws, '--body', JSON.stringify({ ...rule, channel: { type: 'slack', url: 'file:///etc/passwd' } })]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^chorus: channel.url must be an http or https URL/);
  assert.equal((await run(['alerts', 'add', ws])).code, 2, 'a rule is needed');
  assert.equal((await run(['alerts', 'delete', ws, id])).code, 0);
  assert.match((await run(['alerts', 'list', ws])).stdout, /No alerts in this workspace/);
  const theirs = await run(['alerts', 'list', ws], { CHORUS_API_KEY: chorus.adminKey });
  assert.notEqual(theirs.code, 0, 'the admin key is not a customer key');
});
