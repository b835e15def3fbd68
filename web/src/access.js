// Access (admin keys only): the customer's API keys with their role and scope, a form to add one, revoke and
// rotate; and the audit log of who changed what. A key's secret is shown once, when it is made or rotated.
import { api, can } from './api.js';
import { el, clear, emptyState, errorBox, loading } from './dom.js';
import { ago, dateTime } from './format.js';

const ACTIONS = ['', 'key', 'workspace', 'source', 'taxonomy', 'alert', 'erasure'];

export async function render(container, ctx) {
  if (!can('admin')) {
    clear(container, emptyState('Admins only', 'Keys and the audit log are shown to admin keys.'));
    return;
  }
  const keysPanel = el('section', { class: 'panel keys-panel', id: 'keys' }, loading('Loading keys…'));
  const auditPanel = el('section', { class: 'panel audit-panel', id: 'audit' }, loading('Loading the audit log…'));
  clear(container, keysPanel, auditPanel);
  // A change of keys shows up in the log at once, under the filter chosen.
  ctx.refreshAudit = () => renderAudit(auditPanel, ctx, document.getElementById('audit-action')?.value || '');
  await Promise.all([renderKeys(keysPanel, ctx), renderAudit(auditPanel, ctx, ctx.params.get('action') || '')]);
}

function scopeLabel(ws) {
  return ws === 'all' ? 'all workspaces' : `workspace${ws.length > 1 ? 's' : ''} ${ws.join(', ')}`;
}

// Draws the keys panel; `notice` (a new secret, shown once) goes under the table.
async function renderKeys(panel, ctx, notice = null, changed = false) {
  const { items } = await api.get('/v1/keys');
  if (!ctx.isCurrent()) return;
  if (changed) ctx.refreshAudit?.();
  const shown = el('div', { class: 'shown-once' }, notice);
  const secretNotice = (what, secret) => el('div', { class: 'notice ok' }, `${what} Copy the key now: it is shown this once. `,
    el('code', { class: 'mono shown-secret' }, secret));
  const rows = items.map((k) => {
    const active = k.state === 'active';
    const revoke = el('button', {
      type: 'button', class: 'danger revoke-key',
      onclick: async () => {
        if (!confirm(`Revoke “${k.name}”? Requests with it are refused from now on.`)) return;
        try {
          await api.del(`/v1/keys/${k.id}`);
          await renderKeys(panel, ctx, null, true);
        } catch (err) { clear(shown, errorBox(err)); }
      },
    }, 'Revoke');
    const rotate = el('button', {
      type: 'button', class: 'rotate-key',
      onclick: async () => {
        try {
          const r = await api.post(`/v1/keys/${k.id}/rotate`, {});
          await renderKeys(panel, ctx, secretNotice(
            `New secret for “${r.name}”; the old one works until ${dateTime(r.previous_secret_valid_until)}.`, r.api_key), true);
        } catch (err) { clear(shown, errorBox(err)); }
      },
    }, 'Rotate');
    return el('tr', { dataset: { key: k.id } },
      el('td', {}, el('strong', {}, k.name)),
      el('td', {}, el('span', { class: 'tag' }, k.role)),
      el('td', {}, scopeLabel(k.workspaces)),
      el('td', {}, el('span', { class: `pill state-${active ? 'ok' : 'failed'}` }, k.state)),
      el('td', { title: dateTime(k.last_used_at) }, k.last_used_at ? ago(k.last_used_at) : 'never'),
      el('td', { class: 'actions' }, active ? [rotate, revoke] : null));
  });
  clear(panel,
    el('h2', {}, 'API keys'),
    el('table', { class: 'data keys-table', id: 'keys-table' },
      el('thead', {}, el('tr', {}, ['Name', 'Role', 'Scope', 'State', 'Last used', ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, rows)),
    shown,
    addKeyForm(ctx, (made) => renderKeys(panel, ctx, secretNotice(`Added “${made.name}” (${made.role}).`, made.api_key), true)));
}

function addKeyForm(ctx, done) {
  const name = el('input', { id: 'key-name', required: true, placeholder: 'Support team', maxlength: 100 });
  const role = el('select', { id: 'key-role-choice' }, ['viewer', 'editor', 'admin'].map((r) => el('option', { value: r }, r)));
  const scope = el('select', { id: 'key-scope' },
    el('option', { value: 'this' }, `This workspace (${ctx.workspace.name})`), el('option', { value: 'all' }, 'All workspaces'));
  const status = el('div', { class: 'form-status' });
  return el('form', {
    class: 'add-key', id: 'add-key',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        clear(status, loading('Adding…'));
        const made = await api.post('/v1/keys', {
          name: name.value.trim(), role: role.value, workspaces: scope.value === 'all' ? 'all' : [ctx.ws],
        });
        clear(status);
        await done(made);
      } catch (err) { clear(status, errorBox(err)); }
    },
  },
  el('h3', {}, 'Add a key'),
  el('div', { class: 'row' },
    el('div', { class: 'field' }, el('label', { for: 'key-name' }, 'Name'), name),
    el('div', { class: 'field' }, el('label', { for: 'key-role-choice' }, 'Role'), role),
    el('div', { class: 'field' }, el('label', { for: 'key-scope' }, 'Scope'), scope)),
  el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', id: 'add-key-submit' }, 'Add key')),
  status);
}

async function renderAudit(panel, ctx, action) {
  const filter = el('select', { id: 'audit-action', onchange: () => renderAudit(panel, ctx, filter.value) },
    ACTIONS.map((a) => el('option', { value: a, selected: a === action }, a ? `${a}.*` : 'Every change')));
  const body = el('tbody', {});
  const more = el('div', { class: 'actions' });
  const table = el('table', { class: 'data audit-table', id: 'audit-table' },
    el('thead', {}, el('tr', {}, ['When', 'Key', 'Action', 'Target', 'Workspace', 'Detail'].map((h) => el('th', {}, h)))), body);
  clear(panel, el('div', { class: 'panel-head' }, el('h2', {}, 'Audit log'), filter), table, more);
  const page = async (cursor) => {
    try {
      const r = await api.get('/v1/audit', { action, cursor, limit: 50 });
      if (!ctx.isCurrent()) return;
      if (!cursor && !r.items.length) clear(body, el('tr', {}, el('td', { colspan: 6 }, emptyState('No changes yet', ''))));
      body.append(...r.items.map((e) => el('tr', { dataset: { action: e.action } },
        el('td', { title: dateTime(e.at) }, ago(e.at)),
        el('td', {}, e.key.name),
        el('td', {}, el('code', {}, e.action)),
        el('td', {}, `${e.target.type} ${e.target.name ? `“${e.target.name}”` : e.target.id}`),
        el('td', {}, e.workspace_id || '—'),
        el('td', { class: 'muted' }, e.detail || ''))));
      clear(more, r.next_cursor ? el('button', { type: 'button', class: 'older', onclick: () => page(r.next_cursor) }, 'Older') : null);
    } catch (err) {
      clear(more, errorBox(err));
    }
  };
  await page('');
}
