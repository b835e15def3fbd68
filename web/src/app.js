// The dashboard shell: sign-in, workspace choice, navigation, the shared filter bar, and hash routing
// (#/<workspace>/<view>?period=30d&source=2...), so a reload or a shared link keeps the same view.
import { api, session, can, ApiError } from './api.js';
import { el, clear, errorBox, loading } from './dom.js';
import { destroyCharts } from './charts.js';
import { isoDay, languageLabel } from './format.js';
import * as overview from './overview.js';
import * as themes from './themes.js';
import * as emerging from './emerging.js';
import * as explorer from './explorer.js';
import * as sources from './sources.js';
import * as alerts from './alerts.js';
import * as access from './access.js';

const VIEWS = { overview, themes, emerging, feedback: explorer, sources, alerts, access };
const NAV = [
  ['overview', 'Overview'],
  ['themes', 'Themes'],
  ['emerging', 'Emerging issues'],
  ['feedback', 'Feedback'],
  ['sources', 'Sources'],
  ['alerts', 'Alerts'],
  ['access', 'Keys & audit', 'admin'],  // shown to admin keys only
];
// Views without the period and source filters.
const UNFILTERED = new Set(['sources', 'alerts', 'access']);
const PERIODS = { '7d': 7, '30d': 30, '90d': 90 };
const root = document.getElementById('app');
let renderToken = 0;

function parseHash() {
  const [path, qs] = location.hash.replace(/^#\/?/, '').split('?');
  const [ws, view] = path.split('/');
  return { ws: ws || '', view: VIEWS[view] ? view : 'overview', params: new URLSearchParams(qs || '') };
}

export function navigate(ws, view, params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') qs.set(k, v);
  const s = qs.toString();
  location.hash = `#/${ws}${view ? `/${view}` : ''}${s ? `?${s}` : ''}`;
}

// The time window of a view: from inclusive, to exclusive, whole UTC days, and a bucket that gives a
// readable number of bars.
export function timeRange(params) {
  const day = 86400000;
  const period = params.get('period') || '30d';
  let from, to;
  if (period === 'custom' && params.get('from') && params.get('to')) {
    from = new Date(`${params.get('from')}T00:00:00Z`);
    to = new Date(new Date(`${params.get('to')}T00:00:00Z`).getTime() + day);
  } else {
    const now = new Date();
    to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + day);
    from = new Date(to.getTime() - (PERIODS[period] || 30) * day);
  }
  const days = Math.max(1, Math.round((to - from) / day));
  const bucket = days <= 2 ? 'hour' : days <= 120 ? 'day' : days <= 730 ? 'week' : 'month';
  return { period, from: from.toISOString(), to: to.toISOString(), days, bucket };
}

function signIn(message) {
  destroyCharts();
  const input = el('input', { id: 'api-key', type: 'password', placeholder: 'chk_…', autocomplete: 'off', required: true });
  const status = el('div', { class: 'form-status' }, message ? errorBox({ message }) : null);
  const form = el('form', {
    class: 'card signin',
    onsubmit: async (e) => {
      e.preventDefault();
      session.key = input.value.trim();
      clear(status, loading('Checking the key…'));
      try {
        await loadRole();
        route();
      } catch (err) {
        session.key = '';
        session.role = '';
        clear(status, errorBox(err));
      }
    },
  },
  el('div', { class: 'brand big' }, el('span', { class: 'logo' }), 'Chorus'),
  el('h1', {}, 'Sign in'),
  el('p', { class: 'muted' }, 'Paste the API key of your Chorus account. It is kept in this browser tab only and forgotten when the tab closes.'),
  el('label', { for: 'api-key' }, 'API key'), input,
  el('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  status);
  clear(root, el('div', { class: 'center-page' }, form));
  input.focus();
}

async function pickWorkspace() {
  destroyCharts();
  const list = el('div', { class: 'ws-list' }, loading());
  const name = el('input', { id: 'workspace-name', placeholder: 'e.g. Mobile app feedback', required: true });
  const status = el('div', { class: 'form-status' });
  const create = can('admin') && session.allWorkspaces ? el('form', {
    class: 'inline-form',
    onsubmit: async (e) => {
      e.preventDefault();
      clear(status, loading('Creating…'));
      try {
        const ws = await api.post('/v1/workspaces', { name: name.value.trim(), sources: [] });
        navigate(ws.id, 'sources');
      } catch (err) {
        clear(status, errorBox(err));
      }
    },
  }, name, el('button', { type: 'submit', class: 'primary' }, 'Create workspace')) : null;
  clear(root, el('div', { class: 'center-page' }, el('div', { class: 'card picker' },
    el('div', { class: 'brand big' }, el('span', { class: 'logo' }), 'Chorus'),
    el('h1', {}, 'Choose a workspace'), list,
    create ? el('h2', {}, 'New workspace') : null, create, status,
    el('button', { class: 'link', onclick: signOut }, 'Sign out'))));
  try {
    const { items } = await api.get('/v1/workspaces');
    clear(list, items.length ? items.map((w) => el('a', { class: 'ws-item', href: `#/${w.id}/overview` },
      el('strong', {}, w.name),
      el('span', { class: 'muted' }, `${w.sources.length} source${w.sources.length === 1 ? '' : 's'}`)))
      : el('p', { class: 'muted' }, 'No workspaces yet: create the first one below.'));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return signIn(err.message);
    clear(list, errorBox(err));
  }
}

// What the signed-in key may do, asked once per sign-in (and after a reload).
async function loadRole() {
  const self = await api.get('/v1/keys/self');
  session.role = self.role;
  session.allWorkspaces = self.workspaces === 'all';
}

function signOut() {
  session.key = '';
  session.role = '';
  location.hash = '';
  signIn();
}

function filterBar(ctx) {
  const { params, range } = ctx;
  const set = (changes) => {
    const next = Object.fromEntries(params);
    Object.assign(next, changes);
    delete next.cursor;
    navigate(ctx.ws, ctx.view, next);
  };
  const periods = el('div', { class: 'segmented', role: 'group', 'aria-label': 'Period' },
    ['7d', '30d', '90d', 'custom'].map((p) => el('button', {
      type: 'button', class: range.period === p ? 'active' : '', dataset: { period: p },
      onclick: () => set(p === 'custom'
        ? { period: p, from: isoDay(new Date(range.from)), to: isoDay(new Date(new Date(range.to) - 86400000)) }
        : { period: p, from: '', to: '' }),
    }, p === 'custom' ? 'Custom' : p)));
  const custom = range.period === 'custom'
    ? el('div', { class: 'custom-range' },
      el('input', { type: 'date', 'aria-label': 'From', value: params.get('from') || '', onchange: (e) => set({ from: e.target.value }) }),
      '–',
      el('input', { type: 'date', 'aria-label': 'To', value: params.get('to') || '', onchange: (e) => set({ to: e.target.value }) }))
    : null;
  const source = el('select', { id: 'filter-source', 'aria-label': 'Source', onchange: (e) => set({ source: e.target.value }) },
    el('option', { value: '' }, 'All sources'),
    ctx.workspace.sources.map((s) => el('option', { value: s.id, selected: params.get('source') === s.id }, s.name)));
  const language = el('select', { id: 'filter-language', 'aria-label': 'Language', onchange: (e) => set({ language: e.target.value }) },
    el('option', { value: '' }, 'All languages'));
  // Languages present in the window come from a report grouped by language.
  api.get(`/v1/workspaces/${ctx.ws}/reports`, { from: range.from, to: range.to, group_by: 'language', bucket: 'month' })
    .then(({ series }) => {
      const codes = new Set(series.map((s) => s.key));
      if (params.get('language')) codes.add(params.get('language'));
      for (const code of [...codes].sort())
        language.append(el('option', { value: code, selected: params.get('language') === code }, languageLabel(code)));
    })
    .catch(() => {});
  return el('div', { class: 'filter-bar' }, periods, custom, source, language);
}

async function loadWorkspace(ws) {
  try {
    return await api.get(`/v1/workspaces/${ws}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signIn(err.message);
    else clear(root, el('div', { class: 'center-page' }, el('div', { class: 'card' }, errorBox(err),
      el('a', { href: '#/' }, 'Choose another workspace'))));
    return null;
  }
}

// While the next view loads, the one on screen can still be read but no longer used: anything typed into it
// or clicked there would act on a page that is about to be replaced. The sidebar stays live, so the user can
// go elsewhere meanwhile.
function holdCurrentView() {
  const main = root.querySelector('.layout > main');
  if (!main) return;
  main.inert = true;
  main.setAttribute('aria-busy', 'true');
}

export async function route() {
  const token = ++renderToken;
  holdCurrentView();
  destroyCharts();
  if (!session.key) return signIn();
  if (!session.role) {
    try {
      await loadRole();
    } catch (err) {
      session.key = '';
      return signIn(err.message);
    }
    if (token !== renderToken) return;
  }
  const { ws, view, params } = parseHash();
  if (!ws) return pickWorkspace();
  const workspace = await loadWorkspace(ws);
  if (!workspace || token !== renderToken) return;
  const ctx = {
    ws, view, params, workspace, range: timeRange(params),
    navigate: (v, p) => navigate(ws, v, p),
    isCurrent: () => token === renderToken,
  };
  const content = el('section', { class: 'content', id: 'view' });
  const title = NAV.find(([v]) => v === view)[1];
  clear(root, el('div', { class: 'layout' },
    el('aside', { class: 'sidebar' },
      el('a', { class: 'brand', href: '#/' }, el('span', { class: 'logo' }), 'Chorus'),
      el('div', { class: 'ws-name', title: 'Workspace' }, workspace.name,
        el('a', { href: '#/', class: 'switch' }, 'switch')),
      el('nav', {}, NAV.filter(([, , role]) => !role || can(role)).map(([v, label]) => el('a', {
        href: `#/${ws}/${v}${UNFILTERED.has(v) ? '' : keepFilters(params)}`, class: v === view ? 'active' : '', dataset: { view: v },
      }, label))),
      el('div', { class: 'muted key-role', id: 'key-role', title: 'The role of the key you signed in with' }, `Signed in as ${session.role}`),
      el('button', { class: 'link signout', onclick: signOut }, 'Sign out')),
    el('main', {},
      el('header', { class: 'topbar' }, el('h1', {}, title), UNFILTERED.has(view) ? null : filterBar(ctx)),
      content)));
  content.append(loading());
  try {
    await VIEWS[view].render(content, ctx);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    if (err instanceof ApiError && err.status === 401) return signIn(err.message);
    clear(content, errorBox(err));
  }
}

// The period, source and language follow the user from view to view.
function keepFilters(params) {
  const keep = new URLSearchParams();
  for (const k of ['period', 'from', 'to', 'source', 'language']) if (params.get(k)) keep.set(k, params.get(k));
  const s = keep.toString();
  return s ? `?${s}` : '';
}

window.addEventListener('hashchange', route);
route();
