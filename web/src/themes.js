// Themes: the top themes of the period with count, share, sentiment, change against the previous period
// of equal length and a daily sparkline; a theme opens its quotes and its records. Below them, the
// workspace's taxonomy, where themes are renamed, hidden, merged and added.
import { api } from './api.js';
import { el, clear, emptyState, errorBox, loading } from './dom.js';
import { sparkline, countsPerBucket } from './charts.js';
import { count, percent, signed, sentimentWord, shortDate, SENTIMENT_COLORS } from './format.js';
import { recordRow } from './records.js';
import { taxonomyPanel } from './taxonomy.js';

export async function render(container, ctx) {
  const top = el('div', { class: 'top-themes' });
  // After a taxonomy change has reached the records, the top themes are read again too.
  const refreshTop = () => renderTop(top, ctx).catch((err) => ctx.isCurrent() && clear(top, errorBox(err)));
  const panel = taxonomyPanel(ctx, { onSettled: refreshTop });
  await renderTop(top, ctx);
  if (ctx.isCurrent()) clear(container, top, panel);
}

async function renderTop(container, ctx) {
  const { ws, range, params } = ctx;
  const filters = { source: params.get('source'), language: params.get('language') };
  const insights = await api.get(`/v1/workspaces/${ws}/insights`, { from: range.from, to: range.to, ...filters });
  if (!ctx.isCurrent()) return;
  const themes = insights.top_themes;
  if (!themes.length) {
    clear(container, emptyState('No themes in this period', 'Themes appear as feedback arrives and is analysed.'));
    return;
  }
  const selected = params.get('theme');
  const detail = el('div', { class: 'panel theme-detail', id: 'theme-detail' });
  const select = (theme) => ctx.navigate('themes', { ...Object.fromEntries(params), theme });
  const rows = themes.map((t) => themeRow(t, t.theme === selected, () => select(t.theme)));
  clear(container,
    el('div', { class: 'panel' },
      el('table', { class: 'data themes-table' },
        el('thead', {}, el('tr', {},
          el('th', {}, 'Theme'), el('th', { class: 'num' }, 'Count'), el('th', {}, 'Share'),
          el('th', {}, 'Sentiment'), el('th', {}, 'Change vs previous'), el('th', {}, `Trend (per ${range.bucket})`))),
        el('tbody', {}, rows.map((r) => r.row)))),
    selected ? detail : el('p', { class: 'muted hint' }, 'Select a theme to read what customers say about it.'));

  // Sparklines: one small report per theme, drawn as each arrives.
  for (const r of rows)
    api.get(`/v1/workspaces/${ws}/reports`, { from: range.from, to: range.to, bucket: range.bucket, theme: r.theme.theme, ...filters })
      .then((report) => {
        if (!ctx.isCurrent()) return;
        const tone = sentimentWord(r.theme.avg_compound).tone;
        sparkline(r.canvas, countsPerBucket(report, range), tone === 'negative' ? SENTIMENT_COLORS.negative
          : tone === 'positive' ? SENTIMENT_COLORS.positive : '#6366f1');
      })
      .catch(() => {});

  if (selected) await renderDetail(detail, ctx, selected, insights, filters);
}

function themeRow(t, active, onSelect) {
  const canvas = el('canvas', { width: 140, height: 32, class: 'spark' });
  const mood = sentimentWord(t.avg_compound);
  const row = el('tr', { class: active ? 'active clickable' : 'clickable', dataset: { theme: t.theme }, onclick: onSelect },
    el('td', {}, el('a', { href: '#', onclick: (e) => e.preventDefault() }, t.theme)),
    el('td', { class: 'num' }, count(t.count)),
    el('td', {}, el('div', { class: 'share' }, el('span', { class: 'share-bar', style: `width:${Math.round(t.share * 100)}%` }),
      el('span', {}, percent(t.share, 1)))),
    el('td', {}, el('span', { class: `pill ${mood.tone}` }, `${signed(t.avg_compound)} ${mood.word}`)),
    el('td', {}, change(t.count, t.previous_count)),
    el('td', {}, canvas));
  return { row, canvas, theme: t };
}

function change(now, before) {
  if (before === null || before === undefined) return el('span', { class: 'muted' }, '—');
  if (before === 0) return el('span', { class: 'change up' }, 'new');
  const diff = now - before;
  const pct = Math.round((diff / before) * 100);
  return el('span', { class: `change ${diff > 0 ? 'up' : diff < 0 ? 'down' : ''}` },
    `${diff > 0 ? '▲' : diff < 0 ? '▼' : '＝'} ${Math.abs(pct)}%`, el('span', { class: 'muted' }, ` (${count(before)} before)`));
}

async function renderDetail(container, ctx, theme, insights, filters) {
  const stat = insights.top_themes.find((t) => t.theme === theme);
  const quotes = insights.quotes?.[theme] || [];
  const records = el('div', { class: 'records' }, loading());
  const explorerParams = { ...Object.fromEntries(ctx.params), theme };
  clear(container,
    el('div', { class: 'panel-head' },
      el('h2', {}, `“${theme}”`),
      stat ? el('span', { class: 'muted' }, `${count(stat.count)} items · ${shortDate(ctx.range.from)} – ${shortDate(new Date(new Date(ctx.range.to) - 1).toISOString())}`) : null),
    el('h3', {}, 'Quotes'),
    quotes.length ? el('div', { class: 'quotes' }, quotes.map((q) => el('blockquote', { class: `quote ${q.sentiment_type || ''}` },
      el('p', {}, q.text),
      q.url ? el('a', { href: q.url, target: '_blank', rel: 'noopener noreferrer' }, 'Original ↗') : null)))
      : el('p', { class: 'muted' }, 'No quotes for this theme.'),
    el('div', { class: 'panel-head' }, el('h3', {}, 'Records'),
      el('a', { href: '#', id: 'open-in-explorer', onclick: (e) => { e.preventDefault(); ctx.navigate('feedback', explorerParams); } },
        'Open all in the feedback explorer →')),
    records);
  try {
    const page = await api.get(`/v1/workspaces/${ctx.ws}/feedback`, {
      from: ctx.range.from, to: ctx.range.to, ...filters, theme, limit: 10,
    });
    if (!ctx.isCurrent()) return;
    clear(records, page.items.map((r) => recordRow(r, ctx.workspace)));
  } catch (err) {
    clear(records, errorBox(err));
  }
}
