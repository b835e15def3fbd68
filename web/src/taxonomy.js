// The Themes page's Taxonomy panel: the workspace's themes with their counts in the period, each with rename,
// hide and "merge into…" controls, and a form that adds a theme from phrase rules. A change is re-applied to
// the stored records in the background; the panel shows that job's progress and refreshes the counts until
// the records (and the rollups behind the counts) have followed.
import { api, can } from './api.js';
import { el, clear, errorBox, loading } from './dom.js';
import { count } from './format.js';

const POLL_MS = 700;
const SETTLE_REFRESHES = 4;  // after the job: the rollups follow the re-analysed records a moment later

// onSettled: called once a change has reached the records and their counts.
export function taxonomyPanel(ctx, { onSettled } = {}) {
  const panel = el('div', { class: 'panel taxonomy', id: 'taxonomy' });
  const state = { ctx, panel, onSettled, items: [], version: 0, status: el('div', { class: 'taxonomy-status', id: 'taxonomy-status', 'aria-live': 'polite' }) };
  state.list = el('div', { class: 'taxonomy-list' }, loading('Loading the taxonomy…'));
  state.form = can('editor') ? addThemeForm(state) : null;
  clear(panel,
    el('div', { class: 'panel-head' }, el('h2', {}, 'Taxonomy'),
      el('span', { class: 'muted' }, 'Rename, hide or merge themes, or add your own from phrases. Existing feedback is re-analysed after each change.')),
    state.status, state.list, state.form);
  refresh(state);
  return panel;
}

async function refresh(state) {
  const { ctx } = state;
  try {
    const data = await api.get(`/v1/workspaces/${ctx.ws}/themes`, { from: ctx.range.from, to: ctx.range.to });
    if (!ctx.isCurrent()) return;
    state.items = data.items;
    state.version = data.taxonomy_version;
    clear(state.list, table(state));
    fillParents(state);
  } catch (err) {
    if (ctx.isCurrent()) clear(state.list, errorBox(err));
  }
}

function table(state) {
  const level1 = state.items.filter((t) => t.level === 1);
  const subThemes = new Map();
  for (const t of state.items.filter((i) => i.level === 2)) {
    if (!subThemes.has(t.parent)) subThemes.set(t.parent, []);
    subThemes.get(t.parent).push(t);
  }
  // Merge targets: themes that stay on records under their own name.
  const visible = level1.filter((t) => !t.hidden && !t.merged_into);
  return el('table', { class: 'data taxonomy-table', id: 'taxonomy-table' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Theme'), el('th', { class: 'num' }, 'Count'), can('editor') ? el('th', {}, 'Change') : null)),
    el('tbody', {}, level1.map((t) => row(state, t, visible, subThemes.get(t.id) || []))));
}

function kindLabel(t) {
  if (t.custom) return 'rule';
  return t.kind === 'aspect' ? 'built-in' : 'discovered';
}

function row(state, t, visible, subs) {
  const nameCell = el('td', { class: 'theme-name' },
    el('strong', {}, t.name), ' ', el('span', { class: `pill kind ${kindLabel(t)}` }, kindLabel(t)),
    t.name !== t.id && !t.custom ? el('span', { class: 'muted' }, ` (was ${t.id})`) : null,
    t.custom && t.parent ? el('span', { class: 'muted' }, ` under ${nameOf(state, t.parent)}`) : null,
    t.hidden ? el('span', { class: 'pill hidden-theme' }, 'hidden') : null,
    t.merged_into ? el('span', { class: 'muted merged' }, ` → merged into ${nameOf(state, t.merged_into)}`) : null,
    subs.length ? el('div', { class: 'muted sub-themes' },
      subs.slice(0, 6).map((s, i) => [i ? ', ' : '', `${s.name} (${count(s.count)})`])) : null);
  const rename = el('button', { type: 'button', class: 'rename', onclick: () => startRename(state, t, nameCell) }, 'Rename');
  const hide = el('button', { type: 'button', class: 'hide', onclick: () => change(state, t, { hidden: !t.hidden }) },
    t.hidden ? 'Show' : 'Hide');
  const merge = el('select', {
    class: 'merge-into', 'aria-label': `Merge ${t.name} into`,
    onchange: (e) => e.target.value && change(state, t, { merge_into: e.target.value === '-' ? null : e.target.value }),
  },
  el('option', { value: '' }, t.merged_into ? `Merged into ${nameOf(state, t.merged_into)}` : 'Merge into…'),
  t.merged_into ? el('option', { value: '-' }, 'Undo the merge') : null,
  visible.filter((o) => o.id !== t.id).map((o) => el('option', { value: o.id }, o.name)));
  const remove = t.custom
    ? el('button', { type: 'button', class: 'delete', onclick: () => removeTheme(state, t) }, 'Delete')
    : null;
  return el('tr', { dataset: { themeId: t.id } }, nameCell,
    el('td', { class: 'num count' }, count(t.count)),
    can('editor') ? el('td', { class: 'actions' }, rename, hide, merge, remove) : null);
}

function nameOf(state, id) {
  return state.items.find((i) => i.id === id && i.level === 1)?.name || id;
}

function startRename(state, t, cell) {
  const input = el('input', { class: 'rename-input', value: t.name, 'aria-label': `New name for ${t.name}`, maxlength: 60 });
  const form = el('form', {
    class: 'inline-form',
    onsubmit: (e) => {
      e.preventDefault();
      change(state, t, { name: input.value });
    },
  }, input, el('button', { type: 'submit', class: 'primary' }, 'Save'),
  el('button', { type: 'button', onclick: () => refresh(state) }, 'Cancel'));
  clear(cell, form);
  input.focus();
  input.select();
}

const themePath = (state, t) => `/v1/workspaces/${state.ctx.ws}/themes/${encodeURIComponent(t.id)}`;

async function change(state, t, body) {
  clear(state.status, loading('Saving…'));
  try {
    const item = await api.patch(themePath(state, t), body);
    followJob(state, item.reanalysis);
  } catch (err) {
    clear(state.status, errorBox(err));
  }
  refresh(state);
}

async function removeTheme(state, t) {
  if (!confirm(`Delete the theme “${t.name}”? Records lose it once they are re-analysed.`)) return;
  clear(state.status, loading('Deleting…'));
  try {
    await api.del(themePath(state, t));
    // The delete queued a re-analysis; asking for one returns that job.
    followJob(state, await api.post(`/v1/workspaces/${state.ctx.ws}/reanalyze`));
  } catch (err) {
    clear(state.status, errorBox(err));
  }
  refresh(state);
}

// Shows the re-analysis progress and refreshes the counts as it goes, then a few times more.
async function followJob(state, job) {
  const { ctx } = state;
  if (!job?.job_id) return;
  state.job = job.job_id;
  const progress = el('progress', { max: Math.max(1, job.total || 1), value: job.done || 0 });
  const text = el('span', {}, 'Re-analysing records…');
  clear(state.status, el('div', { class: 'notice reanalysing' }, text, ' ', progress));
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (!ctx.isCurrent() || state.job !== job.job_id) return;
    let now;
    try {
      now = await api.get(`/v1/workspaces/${ctx.ws}/reanalyze/${job.job_id}`);
    } catch (err) {
      clear(state.status, errorBox(err));
      return;
    }
    progress.max = Math.max(1, now.total);
    progress.value = now.done;
    text.textContent = `Re-analysing records… ${count(now.done)} of ${count(now.total)}`;
    await refresh(state);
    if (now.state === 'failed') {
      clear(state.status, errorBox({ message: `Re-analysis failed: ${now.error || 'unknown error'}` }));
      return;
    }
    if (now.state === 'done') break;
  }
  for (let i = 0; i < SETTLE_REFRESHES && ctx.isCurrent() && state.job === job.job_id; ++i) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    await refresh(state);
  }
  if (ctx.isCurrent() && state.job === job.job_id) {
    clear(state.status, el('div', { class: 'notice ok' }, 'Records are re-analysed: the counts follow the taxonomy.'));
    state.onSettled?.();
  }
}

// The built-in aspects a new theme may sit under, kept in step with the list.
function fillParents(state) {
  if (!state.parent) return;  // no add-theme form for this key's role
  const chosen = state.parent.value;
  clear(state.parent, el('option', { value: '' }, 'No parent'),
    state.items.filter((t) => t.level === 1 && t.kind === 'aspect')
      .map((t) => el('option', { value: t.id, selected: t.id === chosen }, t.name)));
}

function addThemeForm(state) {
  const { ctx } = state;
  const name = el('input', { id: 'new-theme-name', placeholder: 'e.g. invoices', maxlength: 60, required: true });
  const any = el('input', { id: 'new-theme-any', placeholder: 'invoice, receipt, billing statement' });
  const all = el('input', { id: 'new-theme-all', placeholder: 'optional: every one of these' });
  const none = el('input', { id: 'new-theme-none', placeholder: 'optional: none of these' });
  const languages = el('input', { id: 'new-theme-languages', placeholder: 'optional: en, de' });
  state.parent = el('select', { id: 'new-theme-parent' }, el('option', { value: '' }, 'No parent'));
  const status = el('div', { class: 'form-status' });
  const list = (input) => input.value.split(',').map((s) => s.trim()).filter(Boolean);
  const field = (label, input) => el('label', {}, label, input);
  return el('form', {
    class: 'add-theme', id: 'add-theme',
    onsubmit: async (e) => {
      e.preventDefault();
      clear(status, loading('Adding…'));
      try {
        const item = await api.post(`/v1/workspaces/${ctx.ws}/themes`, {
          name: name.value, parent: state.parent.value || null,
          rules: { any: list(any), all: list(all), none: list(none), languages: list(languages) },
        });
        clear(status);
        e.target.reset();
        followJob(state, item.reanalysis);
        refresh(state);
      } catch (err) {
        clear(status, errorBox(err));
      }
    },
  },
  el('h3', {}, 'Add a theme from phrases'),
  el('p', { class: 'muted' }, 'Feedback whose title or text mentions the phrases gets this theme. Words match in any form (“invoices” matches “invoice”); write plain words, not patterns.'),
  el('div', { class: 'add-theme-fields' },
    field('Name', name), field('Any of these phrases', any), field('All of these', all),
    field('None of these', none), field('Languages', languages), field('Under the aspect', state.parent)),
  el('button', { type: 'submit', class: 'primary', id: 'add-theme-submit' }, 'Add theme'), status);
}
