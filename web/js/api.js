// @ts-check
/**
 * The relay's HTTP API (relay/API.md): JSON in and out, the session cookie, the CSRF header on
 * every state-changing request. Network failures and HTTP errors are told apart, because the
 * outbox retries the first and gives up on the second.
 */

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {{code?: number, name?: string, message?: string} | undefined} error
   */
  constructor(status, error) {
    super((error && error.message) || `HTTP ${status}`);
    this.status = status;
    this.code = error && error.code;
    this.codeName = error && error.name;
    /** Field errors of a form refusal ({field, code, name, message}), when the reply has them. @type {any[] | undefined} */
    this.errors = undefined;
  }
}

export class NetworkError extends Error {
  /** @param {any} cause */
  constructor(cause) {
    super('The relay cannot be reached' + (cause && cause.message ? ` (${cause.message})` : ''));
    this.name = 'NetworkError';
  }
}

let csrf = '';
/** @param {string} token */
export function setCsrf(token) { csrf = token || ''; }

/**
 * @param {string} method
 * @param {string} path
 * @param {any} [body]
 * @returns {Promise<any>}
 */
export async function request(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new NetworkError(e);
  }
  let data = null;
  try { data = await res.json(); } catch (e) { /* not JSON */ }
  if (!res.ok || !data || data.ok === false) {
    if (res.status >= 500 || res.status === 0 || res.status === 429 || (res.status === 404 && !data)) {
      // The relay is down, overloaded or not there (a static server): retry later.
      const err = new NetworkError({ message: `HTTP ${res.status}` });
      /** @type {any} */ (err).status = res.status;
      throw err;
    }
    const err = new ApiError(res.status, data && data.error);
    if (data && Array.isArray(data.errors)) err.errors = data.errors;
    throw err;
  }
  return data;
}

export const api = {
  me: () => request('GET', '/api/me'),
  /** @param {string} username @param {string} password */
  login: (username, password) => request('POST', '/api/login', { username, password }),
  logout: () => request('POST', '/api/logout', {}),
  /** @param {{token: string, username: string, name: string, password: string}} b */
  setup: (b) => request('POST', '/api/setup', b),
  users: () => request('GET', '/api/users'),
  /** @param {any[]} events */
  postEvents: (events) => request('POST', '/api/events', { events }),
  /** @param {number} after @param {number} limit */
  events: (after, limit) => request('GET', `/api/events?after=${after}&limit=${limit}`),
  /** Sandbox only (relay/API.md "Sandbox"). @param {string} from @param {string} body */
  sandboxInbound: (from, body) => request('POST', '/api/sandbox/inbound', { from, body }),
  /** Reminders of visits dated from..to (YYYY-MM-DD; relay/API.md "Reminders and templates"). @param {string} from @param {string} to */
  reminders: (from, to) => request('GET', `/api/reminders?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
  business: () => request('GET', '/api/business'),
  /** Admin: the business profile (no EIN / BN: the relay would drop them anyway). @param {object} b */
  saveBusiness: (b) => request('POST', '/api/business', b),
  /**
   * Admin: the A2P 10DLC form, EIN / BN included: the only request that carries it (relay/API.md
   * "Registration"). A 422 reply's field errors are on the ApiError's `errors`.
   * @param {object} form
   */
  register: (form) => request('POST', '/api/registration', form),
};
