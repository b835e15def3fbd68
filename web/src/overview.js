// Overview: totals, volume over time stacked by sentiment with the average sentiment line, the
// sentiment and category mix, and NPS/CSAT when the feedback carries ratings.
import { api } from './api.js';
import { el, clear, emptyState } from './dom.js';
import { makeChart, bucketStarts } from './charts.js';
import {
  SENTIMENTS, SENTIMENT_COLORS, CATEGORIES, count, percent, signed, sentimentWord, categoryLabel, shortDate,
} from './format.js';

const RATING_SAMPLE_PAGES = 4;  // at most 2,000 records are read for NPS/CSAT

export async function render(container, ctx) {
  const { ws, range, params } = ctx;
  const filters = { source: params.get('source'), language: params.get('language') };
  const base = `/v1/workspaces/${ws}`;
  const previous = { from: new Date(2 * new Date(range.from) - new Date(range.to)).toISOString(), to: range.from };
  const [insights, bySentiment, byCategory, before] = await Promise.all([
    api.get(`${base}/insights`, { from: range.from, to: range.to, ...filters }),
    api.get(`${base}/reports`, { from: range.from, to: range.to, bucket: range.bucket, group_by: 'sentiment', ...filters }),
    api.get(`${base}/reports`, { from: range.from, to: range.to, bucket: 'month', group_by: 'category', ...filters }),
    api.get(`${base}/reports`, { ...previous, bucket: 'month', ...filters }),
  ]);
  if (!ctx.isCurrent()) return;
  const totals = insights.totals;
  const previousCount = sumCounts(before.series);

  if (!totals.count) {
    const noSources = ctx.workspace.sources.length === 0;
    clear(container, emptyState('No feedback in this period',
      noSources ? 'This workspace has no sources yet. Add one under Sources, then import or sync feedback.'
        : 'Try a longer period, or clear the source and language filters.'));
    return;
  }

  const ratings = el('div', { class: 'ratings' });
  const mood = sentimentWord(totals.avg_compound);
  const by = totals.by_sentiment || {};
  clear(container,
    el('div', { class: 'cards' },
      card('Feedback', count(totals.count), deltaText(totals.count, previousCount), 'total-count'),
      card('Average sentiment', signed(totals.avg_compound), mood.word, 'avg-sentiment', mood.tone),
      card('Positive', percent((by.positive || 0) / totals.count), `${count(by.positive || 0)} items`, 'positive-share', 'positive'),
      card('Negative', percent((by.negative || 0) / totals.count), `${count(by.negative || 0)} items`, 'negative-share', 'negative'),
      ratings),
    el('div', { class: 'panel' },
      el('div', { class: 'panel-head' }, el('h2', {}, 'Volume by sentiment'),
        el('span', { class: 'muted' }, `per ${range.bucket} · line: average sentiment`)),
      el('div', { class: 'chart-box tall' }, el('canvas', { id: 'volume-chart' }))),
    el('div', { class: 'grid-3' },
      el('div', { class: 'panel' }, el('h2', {}, 'Sentiment mix'),
        el('div', { class: 'chart-box' }, el('canvas', { id: 'sentiment-chart' }))),
      el('div', { class: 'panel' }, el('h2', {}, 'Categories'),
        el('div', { class: 'chart-box' }, el('canvas', { id: 'category-chart' }))),
      el('div', { class: 'panel' }, el('h2', {}, 'Top themes'), topThemes(insights.top_themes, ctx))));

  volumeChart(container.querySelector('#volume-chart'), bySentiment, range);
  sentimentChart(container.querySelector('#sentiment-chart'), by);
  categoryChart(container.querySelector('#category-chart'), byCategory);
  renderRatings(ratings, ctx, filters).catch(() => clear(ratings));
}

function card(label, value, note, id, tone = '') {
  return el('div', { class: `card stat ${tone}`, id },
    el('span', { class: 'label' }, label),
    el('span', { class: 'value' }, value),
    el('span', { class: 'note' }, note));
}

function sumCounts(series) {
  return series.reduce((n, s) => n + s.points.reduce((m, p) => m + p.count, 0), 0);
}

function deltaText(now, before) {
  if (!before) return 'none in the previous period';
  const change = (now - before) / before;
  return `${change >= 0 ? '+' : '−'}${Math.abs(Math.round(change * 100))}% vs previous period`;
}

function volumeChart(canvas, report, range) {
  const starts = bucketStarts(report.series, range);
  const index = new Map(starts.map((t, i) => [t, i]));
  const counts = {};
  const sums = new Array(starts.length).fill(0);
  const totals = new Array(starts.length).fill(0);
  for (const s of report.series) {
    counts[s.key] = new Array(starts.length).fill(0);
    for (const p of s.points) {
      const i = index.get(new Date(p.t).getTime());
      if (i === undefined) continue;
      counts[s.key][i] += p.count;
      sums[i] += p.count * p.avg_compound;
      totals[i] += p.count;
    }
  }
  const labels = starts.map((t) => range.bucket === 'hour'
    ? new Date(t).toISOString().slice(11, 16) : shortDate(new Date(t).toISOString()));
  const bars = SENTIMENTS.filter((k) => counts[k]).map((k) => ({
    type: 'bar', label: k, data: counts[k], backgroundColor: SENTIMENT_COLORS[k], stack: 'volume',
    borderRadius: 2, maxBarThickness: 28, order: 2,
  }));
  const line = {
    type: 'line', label: 'average sentiment', yAxisID: 'sentiment', order: 1,
    data: totals.map((n, i) => (n ? +(sums[i] / n).toFixed(3) : null)),
    borderColor: '#4f46e5', backgroundColor: '#4f46e5', borderWidth: 2, pointRadius: 2, tension: 0.3, spanGaps: true,
  };
  makeChart(canvas, {
    data: { labels, datasets: [...bars, line] },
    options: {
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 8 } } },
      scales: {
        x: { stacked: true, grid: { display: false } },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: 'items' }, ticks: { precision: 0 } },
        sentiment: { position: 'right', min: -1, max: 1, grid: { drawOnChartArea: false },
                     title: { display: true, text: 'sentiment' } },
      },
    },
  });
}

function sentimentChart(canvas, by) {
  const keys = SENTIMENTS.filter((k) => by[k]);
  makeChart(canvas, {
    type: 'doughnut',
    data: { labels: keys, datasets: [{ data: keys.map((k) => by[k]), backgroundColor: keys.map((k) => SENTIMENT_COLORS[k]), borderWidth: 0 }] },
    options: { cutout: '62%', plugins: { legend: { position: 'right', labels: { usePointStyle: true, boxWidth: 8 } } } },
  });
}

function categoryChart(canvas, report) {
  const totals = Object.fromEntries(report.series.map((s) => [s.key, s.points.reduce((n, p) => n + p.count, 0)]));
  const keys = CATEGORIES.filter((c) => totals[c]).sort((a, b) => totals[b] - totals[a]);
  makeChart(canvas, {
    type: 'bar',
    data: { labels: keys.map(categoryLabel), datasets: [{ data: keys.map((k) => totals[k]), backgroundColor: '#6366f1', borderRadius: 3 }] },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { grid: { display: false } } },
    },
  });
}

function topThemes(themes, ctx) {
  if (!themes.length) return el('p', { class: 'muted' }, 'No themes yet.');
  const max = themes[0].count;
  return el('ol', { class: 'theme-bars' }, themes.slice(0, 6).map((t) => el('li', {},
    el('a', { href: '#', onclick: (e) => { e.preventDefault(); ctx.navigate('themes', { ...Object.fromEntries(ctx.params), theme: t.theme }); } }, t.theme),
    el('span', { class: 'bar', style: `width:${Math.max(4, (t.count / max) * 100)}%` }),
    el('span', { class: 'num' }, count(t.count)))));
}

// NPS from 0-10 ratings (promoters 9-10 minus detractors 0-6), CSAT from 1-5 ratings (share of 4 and 5).
export function ratingScores(ratings) {
  if (!ratings.length) return null;
  const max = Math.max(...ratings);
  if (max > 5) {
    const promoters = ratings.filter((r) => r >= 9).length;
    const detractors = ratings.filter((r) => r <= 6).length;
    return { kind: 'NPS', value: Math.round(((promoters - detractors) / ratings.length) * 100), n: ratings.length };
  }
  const satisfied = ratings.filter((r) => r >= 4).length;
  return { kind: 'CSAT', value: Math.round((satisfied / ratings.length) * 100), n: ratings.length };
}

async function renderRatings(container, ctx, filters) {
  const ratings = [];
  let cursor;
  let pages = 0;
  do {
    const page = await api.get(`/v1/workspaces/${ctx.ws}/feedback`, {
      from: ctx.range.from, to: ctx.range.to, ...filters, limit: 500, cursor,
    });
    for (const r of page.items) {
      const v = r.review_attributes?.rating;
      if (typeof v === 'number' && Number.isFinite(v)) ratings.push(v);
    }
    cursor = page.next_cursor;
  } while (cursor && ++pages < RATING_SAMPLE_PAGES);
  if (!ctx.isCurrent()) return;
  const score = ratingScores(ratings);
  if (!score) return clear(container);
  const avg = ratings.reduce((a, b) => a + b, 0) / ratings.length;
  const sample = cursor ? ` (sample of the latest ${count(ratings.length)})` : '';
  const tone = score.kind === 'NPS' ? (score.value >= 30 ? 'positive' : score.value < 0 ? 'negative' : '')
    : (score.value >= 80 ? 'positive' : score.value < 60 ? 'negative' : '');
  clear(container,
    card(score.kind, score.kind === 'NPS' ? signed(score.value, 0) : `${score.value}%`,
      score.kind === 'NPS' ? `promoters minus detractors, ${count(score.n)} ratings${sample}`
        : `rated 4 or 5 of 5, ${count(score.n)} ratings${sample}`, score.kind.toLowerCase(), tone),
    card('Average rating', avg.toFixed(1), `out of ${score.kind === 'NPS' ? 10 : 5}`, 'avg-rating'));
}
