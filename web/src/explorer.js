// Feedback explorer: every record of the period, filtered by source, sentiment, category, theme,
// language and text, newest first, a page at a time.
import { api } from './api.js';
import { el, clear, emptyState, errorBox, loading } from './dom.js';
import { SENTIMENTS, CATEGORIES, categoryLabel, count } from './format.js';
import { recordRow } from './records.js';

const PAGE = 25;

export async function render(container, ctx) {
  const { ws, range, params } = ctx;
  const query = {
    from: range.from, to: range.to,
    source: params.get('source'), language: params.get('language'),
    sentiment: params.get('sentiment'), category: params.get('category'),
    theme: params.get('theme'), q: params.get('q'),
  };
  const set = (changes) => ctx.navigate('feedback', { ...Object.fromEntries(params), ...changes });
  const q = el('input', { type: 'search', id: 'filter-q', placeholder: 'Search the text…', value: query.q || '' });
  const theme = el('input', { type: 'text', id: 'filter-theme', placeholder: 'Theme', value: query.theme || '', list: 'theme-options' });
  const themeOptions = el('datalist', { id: 'theme-options' });
  const form = el('form', {
    class: 'explorer-filters',
    onsubmit: (e) => { e.preventDefault(); set({ q: q.value.trim(), theme: theme.value.trim() }); },
  },
  q,
  select('filter-sentiment', 'Any sentiment', SENTIMENTS, query.sentiment, (v) => set({ sentiment: v })),
  select('filter-category', 'Any category', CATEGORIES, query.category, (v) => set({ category: v }), categoryLabel),
  theme, themeOptions,
  el('button', { type: 'submit', class: 'primary' }, 'Apply'),
  hasFilters(query) ? el('button', { type: 'button', class: 'link', onclick: () => set({ q: '', theme: '', sentiment: '', category: '' }) }, 'Clear filters') : null);

  const summary = el('p', { class: 'muted', id: 'result-count' });
  const list = el('div', { class: 'records', id: 'records' }, loading());
  const more = el('div', { class: 'more' });
  clear(container, el('div', { class: 'panel' }, form), summary, list, more);

  api.get(`/v1/workspaces/${ws}/insights`, { from: range.from, to: range.to, source: query.source, language: query.language })
    .then((i) => themeOptions.append(...i.top_themes.map((t) => el('option', { value: t.theme }))))
    .catch(() => {});
  api.get(`/v1/workspaces/${ws}/reports`, { ...query, bucket: 'month' })
    .then(({ series }) => {
      const n = series.reduce((a, s) => a + s.points.reduce((b, p) => b + p.count, 0), 0);
      if (ctx.isCurrent()) summary.textContent = `${count(n)} matching record${n === 1 ? '' : 's'}, newest first`;
    })
    .catch(() => {});

  const onTheme = (t) => set({ theme: t });
  let first = true;
  const load = async (cursor) => {
    clear(more, loading());
    try {
      const page = await api.get(`/v1/workspaces/${ws}/feedback`, { ...query, limit: PAGE, cursor });
      if (!ctx.isCurrent()) return;
      if (first) {
        clear(list);
        first = false;
        if (!page.items.length) list.append(emptyState('No feedback matches these filters', 'Widen the period or clear a filter.'));
      }
      list.append(...page.items.map((r) => recordRow(r, ctx.workspace, onTheme)));
      clear(more, page.next_cursor
        ? el('button', { type: 'button', id: 'load-more', onclick: () => load(page.next_cursor) }, 'Load more')
        : null);
    } catch (err) {
      clear(more, errorBox(err));
      if (first) clear(list);
    }
  };
  await load();
}

function hasFilters(q) {
  return Boolean(q.q || q.theme || q.sentiment || q.category);
}

function select(id, any, values, current, onChange, label = (v) => v) {
  return el('select', { id, 'aria-label': any, onchange: (e) => onChange(e.target.value) },
    el('option', { value: '' }, any),
    values.map((v) => el('option', { value: v, selected: current === v }, label(v))));
}
