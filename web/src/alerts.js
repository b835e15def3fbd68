// Alerts: the workspace's alert rules with their channel and state, a "Send test" button, each rule's
// delivery log, and a form to add one. Channel secrets are typed in once and never shown again.
import { api, can } from './api.js';
import { el, clear, emptyState, errorBox, loading } from './dom.js';
import { ago, count, dateTime } from './format.js';

const KINDS = {
  emerging: { label: 'Emerging theme', hint: 'A theme bursts far above its baseline in live feedback.' },
  negative_share: { label: 'Negative share', hint: 'The share of negative live feedback rises above a threshold.' },
  new_theme: { label: 'New theme', hint: 'A theme not seen in the last 28 days reaches a number of items.' },
  source_stale: { label: 'Source failing or quiet', hint: 'A source fails, or brings nothing for its expected interval.' },
  weekly_digest: { label: 'Weekly digest', hint: 'Every Monday: volume, sentiment, themes, movers, new and emerging issues.' },
};

// The channel settings the form asks for; `secret` ones are sealed by the server and never shown back.
const CHANNELS = {
  slack: [{ name: 'url', label: 'Incoming webhook URL', secret: true, required: true, placeholder: 'https://hooks.slack.com/services/…' }],
  webhook: [
    { name: 'url', label: 'URL', required: true, placeholder: 'https://example.com/hooks/chorus' },
    { name: 'secret', label: 'Signing secret (whsec_…; empty: one is made and shown once)', secret: true },
  ],
  email: [
    { name: 'host', label: 'SMTP host', required: true, placeholder: 'smtp.example.com' },
    { name: 'port', label: 'Port', type: 'integer', placeholder: '587' },
    { name: 'starttls', label: 'Require STARTTLS', type: 'boolean', checked: true },
    { name: 'user', label: 'User' },
    { name: 'password', label: 'Password', secret: true },
    { name: 'from', label: 'From', required: true, placeholder: 'alerts@example.com' },
    { name: 'to', label: 'To (comma separated)', type: 'list', required: true, placeholder: 'team@example.com' },
  ],
};

// The parameter the form offers per kind (the server fills in every other default).
const PARAMS = {
  emerging: [{ name: 'themes', label: 'Themes (comma separated; empty: any theme)', type: 'list' },
    { name: 'min_count', label: 'At least this many items', type: 'number', placeholder: '8' }],
  negative_share: [{ name: 'threshold', label: 'Negative share above (0.01–1)', type: 'number', placeholder: '0.4', required: true },
    { name: 'min_items', label: 'Out of at least this many items', type: 'number', placeholder: '20' }],
  new_theme: [{ name: 'min_count', label: 'At least this many items', type: 'number', placeholder: '5' }],
  source_stale: [{ name: 'sources', label: 'Source ids (comma separated; empty: every source)', type: 'list' },
    { name: 'expected_every_hours', label: 'Webhook and push sources: quiet after this many hours (empty: learnt from their last 28 days)', type: 'number' }],
  weekly_digest: [{ name: 'hour_utc', label: 'Send on Mondays after this hour (UTC)', type: 'number', placeholder: '8' }],
};

export async function render(container, ctx) {
  const { items } = await api.get(`/v1/workspaces/${ctx.ws}/alerts`);
  if (!ctx.isCurrent()) return;
  clear(container,
    el('div', { class: 'alerts' }, items.length
      ? items.map((a) => alertCard(a, ctx))
      : emptyState('No alerts yet', can('editor')
        ? 'Add one below to hear about bursts, sour moods, new themes and failing sources in Slack, by e-mail or at your own endpoint.'
        : 'An editor of this workspace can add alerts.')),
    can('editor') ? addAlertForm(ctx) : null);
}

function describeParams(a) {
  const p = a.params || {};
  const update = p.update_factor ? `; one update if it grows ${p.update_factor}×` : '';
  switch (a.kind) {
    case 'emerging': return `${p.themes?.length ? p.themes.join(', ') : 'any theme'}; at least ${p.min_count} items in ${p.window_hours} h${update}`;
    case 'negative_share': return `above ${Math.round(p.threshold * 100)}% of at least ${p.min_items} items in ${p.window_hours} h${update}`;
    case 'new_theme': return `unseen for ${p.lookback_days} days, at least ${p.min_count} items${update}`;
    case 'source_stale': return `${p.sources?.length ? `sources ${p.sources.join(', ')}` : 'every source'}; push sources quiet after ${
      p.expected_every_hours !== undefined ? `${p.expected_every_hours} h` : 'their learnt interval'}`;
    case 'weekly_digest': return `Mondays after ${p.hour_utc}:00 UTC`;
    default: return '';
  }
}

function channelLabel(c) {
  if (c.type === 'email') return `e-mail to ${(c.to || []).join(', ')}`;
  if (c.type === 'webhook') return `webhook ${c.url}`;
  return 'Slack';
}

function alertCard(a, ctx) {
  const base = `/v1/workspaces/${ctx.ws}/alerts/${a.id}`;
  const result = el('div', { class: 'test-result' });
  const log = el('div', { class: 'deliveries' }, loading('Loading deliveries…'));
  const refresh = () => loadDeliveries(base, log, ctx);
  const testButton = el('button', {
    type: 'button', class: 'primary test-alert',
    onclick: async () => {
      testButton.disabled = true;
      clear(result, loading('Sending a test…'));
      try {
        const r = await api.post(`${base}/test`, {});
        clear(result, r.delivered
          ? el('div', { class: 'notice ok' }, 'Test delivered.')
          : errorBox({ message: `The test was not delivered: ${r.delivery.error || 'no reason given'}` }));
        await refresh();
      } catch (err) {
        clear(result, errorBox(err));
      }
      testButton.disabled = false;
    },
  }, 'Send test');
  const toggle = el('button', {
    type: 'button', class: 'toggle-alert',
    onclick: async () => {
      try {
        await api.patch(base, { enabled: !a.enabled });
        ctx.navigate('alerts', {});
      } catch (err) { clear(result, errorBox(err)); }
    },
  }, a.enabled ? 'Disable' : 'Enable');
  const remove = el('button', {
    type: 'button', class: 'danger delete-alert',
    onclick: async () => {
      if (!confirm(`Delete the alert “${a.name}” and its delivery log?`)) return;
      try {
        await api.del(base);
        ctx.navigate('alerts', {});
      } catch (err) { clear(result, errorBox(err)); }
    },
  }, 'Delete');
  const card = el('div', { class: 'card alert', dataset: { alert: a.id } },
    el('div', { class: 'panel-head' },
      el('div', {}, el('h3', {}, a.name), el('span', { class: 'tag' }, KINDS[a.kind]?.label || a.kind)),
      el('span', { class: `pill ${a.enabled ? 'state-ok' : 'state-failed'}` }, a.enabled ? 'enabled' : 'disabled')),
    el('dl', { class: 'facts' },
      el('dt', {}, 'When'), el('dd', {}, describeParams(a)),
      el('dt', {}, 'Sends to'), el('dd', {}, channelLabel(a.channel)),
      el('dt', {}, 'Live items'), el('dd', {}, a.params?.live_lag_hours !== undefined
        ? `arriving within ${a.params.live_lag_hours} h of their own time` : '—')),
    a.disabled_reason ? el('div', { class: 'notice error disabled-reason' }, `Disabled: ${a.disabled_reason}`) : null,
    // Viewers read rules and their deliveries; changing or testing them needs an editor key.
    can('editor') ? el('div', { class: 'actions' }, testButton, toggle, remove) : null,
    result,
    el('h4', {}, 'Deliveries'),
    log);
  refresh();
  return card;
}

async function loadDeliveries(base, node, ctx) {
  try {
    const { items } = await api.get(`${base}/deliveries`, { limit: 20 });
    if (!ctx.isCurrent()) return;
    if (!items.length) {
      clear(node, el('p', { class: 'muted' }, 'Nothing sent yet.'));
      return;
    }
    clear(node, el('table', { class: 'data delivery-log' },
      el('thead', {}, el('tr', {}, ['Time', 'What', 'State', 'Attempts', 'Status', 'Error'].map((h) => el('th', {}, h)))),
      el('tbody', {}, items.map((d) => el('tr', { dataset: { delivery: d.id, state: d.state } },
        el('td', { title: dateTime(d.created_at) }, ago(d.created_at)),
        el('td', {}, d.type === 'alert.test' ? 'test' : d.title || d.subject),
        el('td', {}, el('span', { class: `pill state-${d.state === 'delivered' ? 'ok' : d.state === 'failed' ? 'failed' : 'queued'}` }, d.state)),
        el('td', {}, count(d.attempts)),
        el('td', {}, d.status ?? '—'),
        el('td', { class: 'error-text' }, d.error || ''))))));
  } catch (err) {
    clear(node, errorBox(err));
  }
}

function input(group, f) {
  const id = `${group}-${f.name}`;
  if (f.type === 'boolean') {
    const box = el('input', { id, type: 'checkbox', checked: f.checked === true });
    return { node: el('div', { class: 'field check' }, el('label', { for: id }, box, ` ${f.label}`)), read: () => box.checked };
  }
  const node = el('input', {
    id, type: f.secret ? 'password' : f.type === 'integer' || f.type === 'number' ? 'number' : 'text',
    step: f.type === 'number' ? 'any' : f.type === 'integer' ? 1 : undefined, placeholder: f.placeholder || '', autocomplete: 'off',
  });
  if (f.required) node.required = true;
  const read = () => {
    const v = node.value.trim();
    if (v === '') return undefined;
    if (f.type === 'integer' || f.type === 'number') return Number(v);
    if (f.type === 'list') return v.split(',').map((x) => x.trim()).filter(Boolean);
    return v;
  };
  return { node: el('div', { class: 'field' }, el('label', { for: id }, f.label, f.required ? el('span', { class: 'req' }, ' *') : null), node), read };
}

function addAlertForm(ctx) {
  const name = el('input', { id: 'alert-name', required: true, placeholder: 'Checkout problems' });
  const kind = el('select', { id: 'alert-kind' }, Object.entries(KINDS).map(([k, v]) => el('option', { value: k }, v.label)));
  const kindHint = el('small', { class: 'muted' });
  const channel = el('select', { id: 'alert-channel' },
    el('option', { value: 'slack' }, 'Slack'), el('option', { value: 'webhook' }, 'Signed webhook'), el('option', { value: 'email' }, 'E-mail'));
  const params = el('fieldset', {}, el('legend', {}, 'When'));
  const settings = el('fieldset', {}, el('legend', {}, 'Send to'));
  const status = el('div', { class: 'form-status' });
  let readParams = () => ({});
  let readChannel = () => ({});
  // Each select rebuilds only its own fieldset, so choosing a channel keeps the conditions typed in.
  const buildParams = () => {
    kindHint.textContent = KINDS[kind.value].hint;
    const specs = PARAMS[kind.value];
    const p = specs.map((f) => input('param', f));
    clear(params, el('legend', {}, 'When'), p.map((x) => x.node));
    readParams = () => Object.fromEntries(p.map((x, i) => [specs[i].name, x.read()]).filter(([, v]) => v !== undefined));
  };
  const buildChannel = () => {
    const specs = CHANNELS[channel.value];
    const c = specs.map((f) => input('channel', f));
    clear(settings, el('legend', {}, 'Send to'), c.map((x) => x.node),
      el('small', { class: 'muted' }, 'Secrets are stored encrypted and never shown again.'));
    readChannel = () => ({ type: channel.value,
      ...Object.fromEntries(c.map((x, i) => [specs[i].name, x.read()]).filter(([, v]) => v !== undefined)) });
  };
  kind.addEventListener('change', buildParams);
  channel.addEventListener('change', buildChannel);
  buildParams();
  buildChannel();
  return el('form', {
    class: 'panel add-alert', id: 'add-alert',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        clear(status, loading('Adding…'));
        const created = await api.post(`/v1/workspaces/${ctx.ws}/alerts`,
          { name: name.value.trim(), kind: kind.value, params: readParams(), channel: readChannel() });
        const secret = created.channel?.secret;
        clear(status, el('div', { class: 'notice ok' }, `Added “${created.name}”.`,
          secret ? el('div', {}, 'Signing secret (shown this once): ', el('code', { class: 'mono shown-secret' }, secret)) : null));
        if (!secret) ctx.navigate('alerts', { added: created.id });
      } catch (err) {
        clear(status, errorBox(err));
      }
    },
  },
  el('h2', {}, 'Add an alert'),
  el('div', { class: 'field' }, el('label', { for: 'alert-name' }, 'Name', el('span', { class: 'req' }, ' *')), name),
  el('div', { class: 'field' }, el('label', { for: 'alert-kind' }, 'Kind'), kind, kindHint),
  params,
  el('div', { class: 'field' }, el('label', { for: 'alert-channel' }, 'Channel'), channel),
  settings,
  el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', id: 'add-alert-submit' }, 'Add alert')),
  status);
}
