// The Chorus HTTP API as the dashboard uses it: the key from this browser session, and errors in words.

const KEY = 'chorus.apiKey';
const ROLE = 'chorus.role';
const RANK = { viewer: 1, editor: 2, admin: 3 };

export const session = {
  get key() { return sessionStorage.getItem(KEY) || ''; },
  set key(value) { value ? sessionStorage.setItem(KEY, value) : sessionStorage.removeItem(KEY); },
  // The signed-in key's role (GET /v1/keys/self) and whether it covers every workspace.
  get role() { return sessionStorage.getItem(ROLE) || ''; },
  set role(value) { value ? sessionStorage.setItem(ROLE, value) : sessionStorage.removeItem(ROLE); },
  get allWorkspaces() { return sessionStorage.getItem(`${ROLE}.all`) === '1'; },
  set allWorkspaces(value) { sessionStorage.setItem(`${ROLE}.all`, value ? '1' : '0'); },
};

// Whether the signed-in key's role is at least `role`: controls it may not use are not shown at all.
export function can(role) {
  return (RANK[session.role] || 0) >= RANK[role];
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// What a person should read for a failed call: the server's own message, framed by what the status means.
function humanMessage(status, body) {
  const detail = body?.error?.message?.replace(/[.\s]+$/, '');
  switch (status) {
    case 400: return detail ? `That was not accepted: ${detail}.` : 'The request was not accepted.';
    case 401: return 'Your API key was not accepted. Sign in again with a valid key.';
    case 403: return detail ? `Not allowed: ${detail}.` : 'This key may not do that.';
    case 404: return detail ? `Not found: ${detail}.` : 'Not found.';
    case 409: return detail ? `Conflict: ${detail}.` : 'That conflicts with something that already exists.';
    case 413: return detail ? `Too large: ${detail}.` : 'That is too large for the server.';
    case 429: return 'The server is busy with too many requests. Wait a moment and try again.';
    case 503: return 'Chorus is not ready right now (a part of it is down or starting). Try again shortly.';
    default:
      return detail ? `The server had a problem: ${detail}.` : `The server answered with an error (HTTP ${status}).`;
  }
}

export async function request(method, path, { query, body, headers } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {}))
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  const init = { method, headers: { ...(headers || {}) } };
  if (session.key) init.headers.Authorization = `Bearer ${session.key}`;
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] ??= 'application/json';
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the Chorus server. Check that it is running and try again.');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: handled below */ }
  if (!res.ok) throw new ApiError(res.status, json?.error?.code || 'http', humanMessage(res.status, json));
  if (json === null && text) throw new ApiError(res.status, 'bad_json', 'The server sent an answer the dashboard cannot read.');
  return json;
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body, headers) => request('POST', path, { body, headers }),
  patch: (path, body) => request('PATCH', path, { body }),
  del: (path) => request('DELETE', path),
};
