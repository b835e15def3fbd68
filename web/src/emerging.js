// Emerging issues: themes whose volume jumped well above their baseline, with the quotes behind them.
import { api } from './api.js';
import { el, clear, emptyState } from './dom.js';
import { count, sentimentWord, shortDate } from './format.js';

export async function render(container, ctx) {
  const { ws, range, params } = ctx;
  const filters = { source: params.get('source'), language: params.get('language') };
  const insights = await api.get(`/v1/workspaces/${ws}/insights`, { from: range.from, to: range.to, ...filters });
  if (!ctx.isCurrent()) return;
  const items = insights.emerging || [];
  if (!items.length) {
    clear(container, emptyState('Nothing unusual in this period',
      'A theme shows up here when its volume rises well above its usual level, so a new problem is seen early.'));
    return;
  }
  const cards = items.map((e) => emergingCard(e, ctx));
  clear(container, el('div', { class: 'emerging-grid' }, cards.map((c) => c.node)));
  // The quotes behind each spike: records of that theme inside its window.
  await Promise.all(cards.map(async ({ item, quotes }) => {
    try {
      const page = await api.get(`/v1/workspaces/${ws}/feedback`, { theme: item.theme, from: item.start, to: item.end, ...filters, limit: 3 });
      if (!ctx.isCurrent()) return;
      clear(quotes, page.items.length ? page.items.map((r) => el('blockquote', { class: `quote ${r.conversation_attributes?.sentiment_type || ''}` },
        el('p', {}, truncate(r.conversation_attributes?.text || '', 280)))) : el('p', { class: 'muted' }, 'No quotes.'));
    } catch {
      clear(quotes);
    }
  }));
}

function emergingCard(e, ctx) {
  const days = Math.max(1, Math.round((new Date(e.end) - new Date(e.start)) / 86400000));
  const ratio = e.baseline > 0 ? e.count / (e.baseline * days) : null;
  const tone = e.sentiment_type || sentimentWord(e.avg_compound).tone;
  const quotes = el('div', { class: 'quotes' });
  const node = el('div', { class: `card emerging ${tone}`, dataset: { theme: e.theme } },
    el('div', { class: 'panel-head' }, el('h3', {}, e.theme), el('span', { class: `pill ${tone}` }, tone)),
    el('p', { class: 'window' }, `${shortDate(e.start)} – ${shortDate(new Date(new Date(e.end) - 1).toISOString())}`),
    el('div', { class: 'spike' },
      el('span', { class: 'value' }, count(e.count)),
      el('span', { class: 'muted' }, ` items vs a baseline of ${(+e.baseline).toFixed(1)} a day`,
        ratio ? ` (${ratio.toFixed(1)}× usual)` : '')),
    e.score !== undefined ? el('p', { class: 'muted' }, `spike score ${(+e.score).toFixed(1)}`) : null,
    quotes,
    el('a', { href: '#', onclick: (ev) => { ev.preventDefault(); ctx.navigate('feedback', { theme: e.theme, period: 'custom', from: e.start.slice(0, 10), to: new Date(new Date(e.end) - 1).toISOString().slice(0, 10) }); } },
      'See the records →'));
  return { node, quotes, item: e };
}

const truncate = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
