// How numbers, times, sentiment and languages read on screen.

export const SENTIMENTS = ['positive', 'neutral', 'mixed', 'negative'];
export const SENTIMENT_COLORS = {
  positive: '#16a34a',
  neutral: '#94a3b8',
  mixed: '#f59e0b',
  negative: '#dc2626',
};
export const CATEGORIES = ['bug', 'feature_request', 'question', 'praise', 'complaint', 'other'];

const numberFmt = new Intl.NumberFormat('en');
export const count = (n) => numberFmt.format(n ?? 0);
export const percent = (x, digits = 0) => `${((x ?? 0) * 100).toFixed(digits)}%`;
export const signed = (n, digits = 2) => (n > 0 ? '+' : n < 0 ? '−' : '') + Math.abs(n).toFixed(digits);

// A compound score in [-1, 1] in words, with the class that colours it.
export function sentimentWord(compound) {
  if (compound === null || compound === undefined) return { word: 'no data', tone: 'neutral' };
  if (compound >= 0.35) return { word: 'positive', tone: 'positive' };
  if (compound >= 0.05) return { word: 'slightly positive', tone: 'positive' };
  if (compound > -0.05) return { word: 'neutral', tone: 'neutral' };
  if (compound > -0.35) return { word: 'slightly negative', tone: 'negative' };
  return { word: 'negative', tone: 'negative' };
}

export const categoryLabel = (c) => (c ? c.replace('_', ' ').replace(/^./, (s) => s.toUpperCase()) : '—');

let languageNames;
export function languageLabel(code) {
  if (!code || code === 'un') return 'Unknown';
  try {
    languageNames ??= new Intl.DisplayNames(['en'], { type: 'language' });
    return languageNames.of(code) || code;
  } catch {
    return code;
  }
}

const dateFmt = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const dateTimeFmt = new Intl.DateTimeFormat('en', {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC',
});
export const shortDate = (iso) => (iso ? dateFmt.format(new Date(iso)) : '—');
export const dateTime = (iso) => (iso ? `${dateTimeFmt.format(new Date(iso))} UTC` : '—');

export function ago(iso) {
  if (!iso) return 'never';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

// ISO day (YYYY-MM-DD) of a Date, in UTC.
export const isoDay = (d) => d.toISOString().slice(0, 10);
