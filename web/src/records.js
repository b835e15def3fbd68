// One feedback record as a readable card: what was said, how it reads, where it came from.
import { el } from './dom.js';
import { categoryLabel, dateTime, languageLabel, signed } from './format.js';

export function recordRow(r, workspace, onTheme) {
  const c = r.conversation_attributes || {};
  const source = workspace.sources.find((s) => s.id === r.source_id);
  const user = r.user_attributes || {};
  const url = r.metadata_attributes?.url;
  const rating = r.review_attributes?.rating;
  const title = r.review_attributes?.title;
  const evidence = c.evidence || {};
  return el('article', { class: 'record', dataset: { uid: r.unique_identifier } },
    el('header', {},
      explained(el('span', { class: `pill ${c.sentiment_type}` }, c.sentiment_type, ' ', signed(c.sentiment_compound ?? 0)),
        'sentiment', c.sentiment_type, c.sentiment_confidence, evidence.sentiment),
      explained(el('span', { class: 'tag' }, categoryLabel(c.category)),
        'category', categoryLabel(c.category), c.category_confidence, evidence.category),
      typeof rating === 'number' ? el('span', { class: 'tag rating' }, `★ ${rating}`) : null,
      el('span', { class: 'meta' },
        source ? source.name : `source ${r.source_id}`, ' · ',
        user.username || user.email || 'anonymous', ' · ',
        languageLabel(r.core_attributes?.language_code), ' · ',
        dateTime(r.context_info?.timestamp)),
      url ? el('a', { class: 'original', href: url, target: '_blank', rel: 'noopener noreferrer' }, 'Original ↗') : null),
    title ? el('h4', {}, title) : null,
    el('p', { class: 'text' }, c.text),
    el('footer', {},
      (c.themes || []).map((t) => onTheme
        ? el('button', { type: 'button', class: 'chip', onclick: () => onTheme(t) }, t)
        : el('span', { class: 'chip' }, t)),
      c.duplicate_of ? el('span', { class: 'muted dup', title: `says the same as record ${c.duplicate_of}` }, 'near-duplicate') : null));
}

// A label with what moved it, shown on hover (and on focus, for keyboards): the model's confidence and the
// words or signals that weighed most.
function explained(label, kind, value, confidence, evidence) {
  const terms = (evidence || []).map((e) => e.term);
  const sure = typeof confidence === 'number' && confidence > 0 ? `${Math.round(confidence * 100)}% sure` : null;
  if (!sure && !terms.length) return label;
  const why = el('span', { class: `why why-${kind}`, role: 'tooltip' },
    el('strong', {}, value), sure ? ` · ${sure}` : null,
    terms.length ? el('span', { class: 'why-terms' }, ' · because of ', terms.map((t, i) => [i ? ', ' : '', el('q', {}, t)])) : null);
  label.setAttribute('title', `${value}${sure ? `, ${sure}` : ''}${terms.length ? ` (${terms.join(', ')})` : ''}`);
  return el('span', { class: `explained explained-${kind}`, tabindex: 0 }, label, why);
}
