// Sources: each source's status, last sync, errors, "Sync now" and its webhook URL; and an add-source
// form generated from the connector catalogue (GET /v1/connectors), so new source types need no UI work.
import { api, can } from './api.js';
import { el, clear, emptyState, errorBox, loading } from './dom.js';
import { ago, count, dateTime } from './format.js';

export async function render(container, ctx) {
  const [{ items: connectors }, { items: sources }] = await Promise.all([
    api.get('/v1/connectors'),
    api.get(`/v1/workspaces/${ctx.ws}/sources`),
  ]);
  if (!ctx.isCurrent()) return;
  const byType = Object.fromEntries(connectors.map((c) => [c.type, c]));
  clear(container,
    el('div', { class: 'sources' }, sources.length
      ? sources.map((s) => sourceCard(s, byType[s.type], ctx))
      : emptyState('No sources yet', 'Add the first one below: a forum, an issue tracker, app reviews, or a file of your own.')),
    can('editor') ? addSourceForm(connectors, ctx) : null);
}

function copyable(id, text) {
  const input = el('input', { id, class: 'mono', readonly: true, value: text, onfocus: (e) => e.target.select() });
  const button = el('button', {
    type: 'button',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        input.select();
        document.execCommand?.('copy');
      }
      button.textContent = 'Copied';
      setTimeout(() => { button.textContent = 'Copy'; }, 1500);
    },
  }, 'Copy');
  return el('div', { class: 'copy' }, input, button);
}

function sourceCard(s, connector, ctx) {
  const st = s.status || {};
  const progress = el('div', { class: 'sync-progress' });
  const pulls = connector ? connector.pulls !== false : false;
  const syncButton = pulls && can('editor') ? el('button', { type: 'button', class: 'primary', onclick: () => syncNow(s, ctx, syncButton, progress) }, 'Sync now') : null;
  const pushUrl = `${location.origin}/v1/workspaces/${ctx.ws}/sources/${s.id}/items`;
  return el('div', { class: 'card source', dataset: { source: s.id } },
    el('div', { class: 'panel-head' },
      el('div', {}, el('h3', {}, s.name), el('span', { class: 'tag' }, s.type), el('span', { class: 'muted' }, ` id ${s.id}`)),
      el('span', { class: `pill state-${st.state}` }, st.state || 'unknown')),
    el('dl', { class: 'facts' },
      el('dt', {}, 'Last sync'), el('dd', { title: dateTime(st.last_sync_at) }, ago(st.last_sync_at)),
      el('dt', {}, 'Items'), el('dd', {}, count(st.items_total)),
      el('dt', {}, 'Schedule'), el('dd', {}, s.schedule?.every ? `every ${s.schedule.every}` : pulls ? 'on demand' : 'push only')),
    st.last_error ? el('div', { class: 'notice error' }, `Last error: ${st.last_error}`) : null,
    s.webhook
      ? el('div', { class: 'field' }, el('label', {}, `Webhook URL (${s.webhook.scheme})`), copyable(`webhook-${s.id}`, location.origin + s.webhook_url))
      : null,
    pulls ? null : el('div', { class: 'field' }, el('label', {}, 'Push items (POST, JSON array or JSON lines)'), copyable(`push-${s.id}`, pushUrl)),
    el('div', { class: 'actions' }, syncButton, progress));
}

async function syncNow(s, ctx, button, progress) {
  button.disabled = true;
  clear(progress, loading('Starting the sync…'));
  try {
    const { sync_id: id } = await api.post(`/v1/workspaces/${ctx.ws}/sources/${s.id}/sync`, {});
    for (;;) {
      const sync = await api.get(`/v1/workspaces/${ctx.ws}/syncs/${id}`);
      if (!ctx.isCurrent()) return;
      if (sync.state === 'done') {
        clear(progress, el('span', { class: 'ok' }, `Done: ${count(sync.items)} items fetched, ${count(sync.new_items ?? 0)} new.`));
        break;
      }
      if (sync.state === 'failed') {
        clear(progress, errorBox({ message: `The sync failed: ${sync.error || 'no reason given'}.` }));
        break;
      }
      clear(progress, loading(`${sync.state === 'queued' ? 'Waiting to start' : 'Syncing'}… ${count(sync.items)} items so far`));
      await new Promise((r) => setTimeout(r, 1000));
    }
  } catch (err) {
    clear(progress, errorBox(err));
  }
  button.disabled = false;
}

// One input for a declared field; read() gives its JSON value, or undefined when left empty.
function fieldInput(group, f) {
  const id = `${group}-${f.name}`;
  const label = el('label', { for: id }, f.name, f.required ? el('span', { class: 'req' }, ' *') : null);
  const hint = el('small', { class: 'muted' }, f.description || '');
  const placeholder = f.default !== null && f.default !== undefined
    ? (typeof f.default === 'string' ? f.default : JSON.stringify(f.default)) : '';
  let input;
  let read;
  if (Array.isArray(f.enum) && f.enum.length) {
    // An enum field: a dropdown of the values GET /v1/connectors lists, the default chosen.
    const chosen = typeof f.default === 'string' ? f.default : '';
    input = el('select', { id, name: id },
      f.required && !chosen ? el('option', { value: '' }, 'Choose…') : null,
      !f.required && !chosen ? el('option', { value: '' }, '(not set)') : null,
      f.enum.map((v) => el('option', { value: v, selected: v === chosen }, v)));
    read = () => (input.value === '' ? undefined : input.value);
    if (f.required) input.required = true;
    return { node: el('div', { class: 'field' }, label, input, hint), read };
  }
  switch (f.type) {
    case 'boolean':
      input = el('input', { id, name: id, type: 'checkbox', checked: f.default === true });
      read = () => input.checked;
      return { node: el('div', { class: 'field check' }, el('label', { for: id }, input, ` ${f.name}`), hint), read };
    case 'integer':
      input = el('input', { id, name: id, type: 'number', step: 1, placeholder });
      read = () => (input.value === '' ? undefined : Number(input.value));
      break;
    case 'string[]':
      input = el('input', { id, name: id, placeholder: placeholder || 'comma, separated, values' });
      read = () => (input.value.trim() === '' ? undefined : input.value.split(',').map((v) => v.trim()).filter(Boolean));
      break;
    case 'object':
      input = el('textarea', { id, name: id, rows: 4, class: 'mono', placeholder: placeholder || '{ }' });
      read = () => {
        if (input.value.trim() === '') return undefined;
        try {
          return JSON.parse(input.value);
        } catch (e) {
          throw new Error(`${group}.${f.name} must be a JSON object: ${e.message}`);
        }
      };
      break;
    default:
      input = el('input', { id, name: id, type: group === 'credentials' ? 'password' : 'text', placeholder, autocomplete: 'off' });
      read = () => (input.value.trim() === '' ? undefined : input.value.trim());
  }
  if (f.required) input.required = true;
  return { node: el('div', { class: 'field' }, label, input, hint), read };
}

function addSourceForm(connectors, ctx) {
  const type = el('select', { id: 'source-type', name: 'type', required: true },
    el('option', { value: '' }, 'Choose a source type…'),
    connectors.map((c) => el('option', { value: c.type }, c.type)));
  const fields = el('div', { class: 'generated' });
  const status = el('div', { class: 'form-status' });
  let readers = () => ({});
  const build = () => {
    const c = connectors.find((x) => x.type === type.value);
    if (!c) { clear(fields); readers = () => ({}); return; }
    const name = el('input', { id: 'source-name', name: 'name', placeholder: c.type, required: true });
    const config = c.config.map((f) => fieldInput('config', f));
    const creds = c.credentials.map((f) => fieldInput('credentials', f));
    const every = el('input', { id: 'schedule-every', placeholder: 'e.g. 15m, 1h (empty: only on demand)' });
    const scheme = el('select', { id: 'webhook-scheme' }, el('option', { value: '' }, 'No webhook'),
      (c.webhook_schemes || []).map((s) => el('option', { value: s }, s)));
    const secret = el('input', { id: 'webhook-secret', type: 'password', autocomplete: 'off', placeholder: 'shared secret' });
    clear(fields,
      el('p', { class: 'muted' }, c.description),
      el('div', { class: 'field' }, el('label', { for: 'source-name' }, 'Name', el('span', { class: 'req' }, ' *')), name),
      config.length ? el('fieldset', {}, el('legend', {}, 'Configuration'), config.map((x) => x.node)) : null,
      creds.length ? el('fieldset', {}, el('legend', {}, 'Credentials'), creds.map((x) => x.node),
        el('small', { class: 'muted' }, 'Credentials are stored encrypted and never shown again.')) : null,
      c.pulls !== false ? el('div', { class: 'field' }, el('label', { for: 'schedule-every' }, 'Sync every'), every) : null,
      c.webhook_schemes?.length ? el('fieldset', {}, el('legend', {}, 'Webhook'),
        el('div', { class: 'field' }, el('label', { for: 'webhook-scheme' }, 'Scheme'), scheme),
        el('div', { class: 'field' }, el('label', { for: 'webhook-secret' }, 'Secret'), secret)) : null);
    readers = () => {
      const collect = (list, specs) => Object.fromEntries(list.map((x, i) => [specs[i].name, x.read()]).filter(([, v]) => v !== undefined));
      const spec = { type: c.type, name: name.value.trim() || c.type, config: collect(config, c.config), credentials: collect(creds, c.credentials) };
      if (every.value.trim()) spec.schedule = { every: every.value.trim() };
      if (scheme.value) spec.webhook = { scheme: scheme.value, secret: secret.value };
      return spec;
    };
  };
  type.addEventListener('change', build);
  return el('form', {
    class: 'panel add-source', id: 'add-source',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        const spec = readers();
        clear(status, loading('Adding…'));
        const created = await api.post(`/v1/workspaces/${ctx.ws}/sources`, spec);
        clear(status, el('div', { class: 'notice ok' }, `Added “${created.name}” (source ${created.id}).`));
        ctx.navigate('sources', { added: created.id });
      } catch (err) {
        clear(status, errorBox(err));
      }
    },
  },
  el('h2', {}, 'Add a source'),
  el('div', { class: 'field' }, el('label', { for: 'source-type' }, 'Type'), type),
  fields,
  el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', id: 'add-source-submit' }, 'Add source')),
  status);
}
