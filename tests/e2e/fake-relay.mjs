// @ts-check
/**
 * A test double of the relay's HTTP API (relay/API.md), in memory, for the browser tests of the
 * staff app while the real relay (relay/, build/<dir>/relay/fieldtext-relay) is not built, and for
 * storage/outbox tests that need a relay they can stop and start. It is NOT the relay: it checks
 * only what the app's tests rely on (session cookie, CSRF, idempotent event ids, consent/opt-out,
 * 1,600 characters, SSE, the sandbox inbound endpoint), and plays Twilio itself (every accepted
 * message.send becomes message.sent then message.status "delivered"; a record of what "Twilio"
 * received is kept like the sandbox's GET /sandbox/messages).
 *
 *   const relay = await startFakeRelay({ users: [...], sandbox: true });
 *   relay.url, relay.sent (outbound records), relay.inbound(from, body), relay.setDown(true), relay.stop()
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadCore } from '../../web/js/core.js';

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
const TYPES = /** @type {Record<string, string>} */ ({ '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml' });
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);
export const BUSINESS_NUMBER = '+15125550100';

/**
 * @param {{users?: {username: string, name: string, password: string, role?: string}[], sandbox?: boolean, business?: any, balance?: number, setupToken?: string}} [opts]
 */
export async function startFakeRelay(opts = {}) {
  const core = await loadCore();
  /** @type {{id: string, username: string, name: string, password: string, role: string}[]} */
  const users = (opts.users || []).map((u, i) => ({ id: `u${i + 1}`, role: 'staff', ...u }));
  /** @type {Map<string, {user: any, csrf: string}>} */
  const sessions = new Map();
  /** @type {any[]} */
  const log = [];
  /** @type {Map<string, number>} */
  const seqOf = new Map();
  /** @type {Set<http.ServerResponse>} */
  const streams = new Set();
  /** @type {any[]} */
  const sent = [];
  /** @type {Map<string, string>} phone → 'in'|'out' */
  const consent = new Map();
  const state = { balance: opts.balance ?? 2500, down: false, postCount: 0 };
  const setupToken = opts.setupToken || crypto.randomBytes(8).toString('hex');
  const business = opts.business || { name: 'Greenleaf Pest Control', phone: BUSINESS_NUMBER };

  /** @param {any} ev */
  function append(ev) {
    const e = { ...ev, seq: log.length + 1, at: Date.now() };
    log.push(e);
    seqOf.set(e.id, e.seq);
    applyConsent(e);
    for (const res of streams) res.write(`id: ${e.seq}\nevent: ft\ndata: ${JSON.stringify(e)}\n\n`);
    return e;
  }
  /** @param {any} e */
  function applyConsent(e) {
    const b = e.body || {};
    if (e.type === 'consent.box_checked') {
      const steps = log.filter((x) => x.body && x.body.phone === b.phone && (x.type === 'consent.script_read' || x.type === 'consent.screen_acknowledged'));
      if (steps.some((x) => x.type === 'consent.script_read') && steps.some((x) => x.type === 'consent.screen_acknowledged')) consent.set(b.phone, 'in');
    }
    if (e.type === 'consent.opted_out') consent.set(b.phone, 'out');
    if (e.type === 'consent.opted_in') consent.set(b.phone, 'in');
  }
  /** @param {string} message @param {string} name @param {number} code */
  const err = (message, name, code) => ({ code, name, message });

  /** @param {any} ev @param {any} user */
  function accept(ev, user) {
    if (seqOf.has(ev.id)) return { id: ev.id, seq: seqOf.get(ev.id) };
    const b = ev.body || {};
    if (ev.type === 'message.send') {
      if (!b.body || !String(b.body).trim()) return { id: ev.id, error: err('The message is empty.', 'FT_E_EMPTY', -20) };
      const st = core.segments(String(b.body));
      if (st.characters > 1600) return { id: ev.id, error: err('The message is over 1,600 characters.', 'FT_E_TOO_LONG', -21) };
      const c = consent.get(b.phone);
      if (c === 'out') return { id: ev.id, error: err('The customer opted out (STOP): texting them is blocked.', 'FT_E_OPTED_OUT', -30) };
      if (c !== 'in') return { id: ev.id, error: err('No SMS consent recorded for this number.', 'FT_E_NO_CONSENT', -31) };
      if (st.segments > state.balance) return { id: ev.id, error: err('The balance is too low.', 'FT_E_BALANCE', -40) };
      const e = append({ id: ev.id, type: ev.type, body: b, actor: user.id, client_at: ev.at });
      const sid = 'SM' + crypto.randomBytes(16).toString('hex');
      sent.push({ sid, to: b.phone, from: BUSINESS_NUMBER, body: b.body, direction: 'outbound-api', event_id: ev.id });
      state.balance -= st.segments;
      append({ id: crypto.randomUUID(), type: 'message.sent', body: { message_id: b.message_id || ev.id, sid, segments: st.segments, encoding: st.encoding }, actor: 'system' });
      append({ id: crypto.randomUUID(), type: 'balance.debited', body: { segments: st.segments, message_id: b.message_id || ev.id }, actor: 'system' });
      setTimeout(() => append({ id: crypto.randomUUID(), type: 'message.status', body: { message_id: b.message_id || ev.id, sid, status: 'delivered' }, actor: 'twilio' }), 150);
      return { id: ev.id, seq: e.seq };
    }
    if (ev.type === 'message.received') return { id: ev.id, error: err('Only the relay writes message.received.', 'FT_E_FORBIDDEN', -50) };
    const e = append({ id: ev.id, type: ev.type, body: b, actor: user.id, client_at: ev.at });
    return { id: ev.id, seq: e.seq };
  }

  /** @param {string} from @param {string} body */
  function inbound(from, body) {
    const st = core.segments(body || ' ');
    const sid = 'SM' + crypto.randomBytes(16).toString('hex');
    append({ id: crypto.randomUUID(), type: 'message.received', body: { phone: from, body, sid, segments: st.segments }, actor: 'customer' });
    state.balance -= st.segments;
    const word = body.trim().toUpperCase();
    if (OPT_OUT.has(word)) append({ id: crypto.randomUUID(), type: 'consent.opted_out', body: { phone: from, method: 'keyword', keyword: word }, actor: 'customer' });
    if (OPT_IN.has(word)) append({ id: crypto.randomUUID(), type: 'consent.opted_in', body: { phone: from, method: 'keyword' }, actor: 'customer' });
    return { sid };
  }

  /** @param {http.IncomingMessage} req */
  function session(req) {
    const m = /(?:^|;\s*)ft_session=([^;]+)/.exec(req.headers.cookie || '');
    return m ? sessions.get(m[1]) : undefined;
  }
  /** @param {http.ServerResponse} res @param {number} status @param {any} body @param {Record<string,string>} [headers] */
  function json(res, status, body, headers = {}) {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  }
  /** @param {any} u */
  const pub = (u) => ({ id: u.id, username: u.username, name: u.name, role: u.role });

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url || '/', 'http://localhost');
    let raw = '';
    for await (const c of req) raw += c;
    if (url.pathname.startsWith('/api/') && state.down) { req.socket.destroy(); return; }
    if (url.pathname === '/sandbox/messages') return json(res, 200, { ok: true, messages: sent });
    if (!url.pathname.startsWith('/api/')) {
      let file = url.pathname === '/setup' || url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).slice(1);
      file = path.normalize(path.join(WEB, file));
      if (!file.startsWith(WEB)) { res.writeHead(403).end(); return; }
      fs.readFile(file, (e, data) => {
        if (e) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-cache' });
        res.end(data);
      });
      return;
    }
    /** @type {any} */
    let body = {};
    if (raw) { try { body = JSON.parse(raw); } catch (e) { return json(res, 400, { ok: false, error: err('Malformed JSON', 'FT_E_JSON', -2) }); } }
    const s = session(req);
    if (req.method !== 'GET') {
      if (req.headers.origin && req.headers.origin !== `http://${req.headers.host}`) return json(res, 403, { ok: false, error: err('Bad origin', 'FT_E_FORBIDDEN', -50) });
      const open = url.pathname === '/api/login' || url.pathname === '/api/setup';
      if (!open && (!s || req.headers['x-csrf-token'] !== s.csrf)) return json(res, 403, { ok: false, error: err('CSRF token missing or wrong', 'FT_E_FORBIDDEN', -50) });
    }
    const route = `${req.method} ${url.pathname}`;
    if (route === 'POST /api/login' || route === 'POST /api/setup') {
      if (route === 'POST /api/setup') {
        if (users.length || body.token !== setupToken) return json(res, 403, { ok: false, error: err('Setup link used or wrong', 'FT_E_FORBIDDEN', -50) });
        users.push({ id: 'u1', username: body.username, name: body.name, password: body.password, role: 'admin' });
        return json(res, 200, { ok: true });
      }
      const u = users.find((x) => x.username === body.username && x.password === body.password);
      if (!u) return json(res, 401, { ok: false, error: err('Wrong username or password', 'FT_E_AUTH', -51) });
      const sid = crypto.randomBytes(16).toString('hex');
      const csrf = crypto.randomBytes(16).toString('hex');
      sessions.set(sid, { user: u, csrf });
      return json(res, 200, { ok: true, user: pub(u), csrf }, { 'set-cookie': `ft_session=${sid}; HttpOnly; SameSite=Strict; Path=/` });
    }
    if (!s) return json(res, 401, { ok: false, error: err('Not signed in', 'FT_E_AUTH', -51) });
    switch (route) {
      case 'POST /api/logout': return json(res, 200, { ok: true }, { 'set-cookie': 'ft_session=; Max-Age=0; Path=/' });
      case 'GET /api/me': return json(res, 200, { ok: true, user: pub(s.user), csrf: s.csrf, sandbox: !!opts.sandbox, business, balance: { segments: state.balance }, registration: { status: 'approved' } });
      case 'GET /api/users': return json(res, 200, { ok: true, users: users.map(pub) });
      case 'POST /api/users': {
        if (s.user.role !== 'admin') return json(res, 403, { ok: false, error: err('Admins only', 'FT_E_FORBIDDEN', -50) });
        if (users.some((u) => u.username === body.username)) return json(res, 409, { ok: false, error: err('Username taken', 'FT_E_EXISTS', -53) });
        const u = { id: `u${users.length + 1}`, username: body.username, name: body.name, password: body.password, role: body.role || 'staff' };
        users.push(u);
        return json(res, 200, { ok: true, user: pub(u) });
      }
      case 'POST /api/events': {
        state.postCount++;
        const results = (body.events || []).map((/** @type {any} */ ev) => accept(ev, s.user));
        return json(res, 200, { ok: true, results });
      }
      case 'GET /api/events': {
        const after = Number(url.searchParams.get('after') || 0);
        const limit = Number(url.searchParams.get('limit') || 1000);
        const evs = log.filter((e) => e.seq > after).slice(0, limit);
        return json(res, 200, { ok: true, events: evs, last_seq: log.length });
      }
      case 'GET /api/stream': {
        const after = Number(url.searchParams.get('after') || 0);
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': hello\n\n');
        for (const e of log) if (e.seq > after) res.write(`id: ${e.seq}\nevent: ft\ndata: ${JSON.stringify(e)}\n\n`);
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return undefined;
      }
      case 'POST /api/sandbox/inbound':
        if (!opts.sandbox) return json(res, 404, { ok: false, error: err('Not in sandbox mode', 'FT_E_NOT_FOUND', -52) });
        return json(res, 200, { ok: true, ...inbound(body.from, String(body.body || '')) });
      default: return json(res, 404, { ok: false, error: err(`No ${route}`, 'FT_E_NOT_FOUND', -52) });
    }
  });
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  server.on('connection', (sock) => { sockets.add(sock); sock.on('close', () => sockets.delete(sock)); });
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    kind: 'fake',
    url: `http://127.0.0.1:${addr.port}/`,
    setupUrl: `http://127.0.0.1:${addr.port}/setup?token=${setupToken}`,
    log, sent, users, state,
    /** What the pretend Twilio received (like the sandbox's GET /sandbox/messages). */
    async sandboxMessages() { return sent.slice(); },
    /** @param {string} from @param {string} body */
    async inbound(from, body) { return inbound(from, body); },
    /** Makes /api/* unreachable (connections dropped) or reachable again. @param {boolean} down */
    setDown(down) {
      state.down = down;
      if (down) for (const r of streams) { r.destroy(); }
      if (down) streams.clear();
    },
    async stop() {
      for (const r of streams) r.destroy();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(() => r(undefined)));
    },
  };
}

// Run alone for manual checks: node tests/e2e/fake-relay.mjs
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const r = await startFakeRelay({ sandbox: true, users: [{ username: 'alice', name: 'Alice Admin', password: 'alice-password', role: 'admin' }, { username: 'bob', name: 'Bob Staff', password: 'bob-password' }] });
  console.log(`fake relay on ${r.url}`);
}
