// @ts-check
/**
 * Helpers for tests that talk to the real relay binary over 127.0.0.1 (tests/relay, tests/e2e).
 *
 *   import { startRelay, login, uuid } from '../relay/helpers.mjs';
 *   const relay = await startRelay({ env: { ... } });       // FIELDTEXT_ADMIN_PASSWORD is set for you
 *   const admin = await login(relay);                       // { fetch, json, post, csrf, user }
 *   const r = await admin.post('/api/events', { events: [...] });
 *   await relay.stop();
 *
 * The binary: `${FT_BUILD_DIR || 'build/native'}/relay/fieldtext-relay` (relative to the repo root).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RELAY_BIN = path.resolve(ROOT, process.env.FT_BUILD_DIR || 'build/native', 'relay/fieldtext-relay');
export const ADMIN_PASSWORD = 'admin-password-for-tests';

export const uuid = () => randomUUID();

/** A free TCP port on 127.0.0.1 (for a relay whose public URL must be known before it starts). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = /** @type {net.AddressInfo} */ (s.address());
      s.close(() => resolve(a.port));
    });
  });
}

/**
 * Starts the relay with a temporary FIELDTEXT_DATA (removed by stop()).
 * @param {{env?: Record<string, string|undefined>, port?: number, adminPassword?: string|null, dataDir?: string, args?: string[]}} [opts]
 *   adminPassword: null starts without FIELDTEXT_ADMIN_PASSWORD (the setup link is printed).
 */
export async function startRelay(opts = {}) {
  const dataDir = opts.dataDir || mkdtempSync(path.join(os.tmpdir(), 'ft-relay-'));
  /** @type {Record<string, string>} */
  const env = { ...process.env, FIELDTEXT_PORT: String(opts.port ?? 0), FIELDTEXT_DATA: dataDir };
  for (const k of Object.keys(env)) if (k.startsWith('TWILIO_') || k === 'FIELDTEXT_PUBLIC_URL' || k === 'FIELDTEXT_SANDBOX') delete env[k];
  const pw = opts.adminPassword === undefined ? ADMIN_PASSWORD : opts.adminPassword;
  // Sends wait for an approved A2P campaign only in the tests that say so (registration tests).
  env.FIELDTEXT_REQUIRE_REGISTRATION = '0';
  if (pw) env.FIELDTEXT_ADMIN_PASSWORD = pw;
  else delete env.FIELDTEXT_ADMIN_PASSWORD;
  for (const [k, v] of Object.entries(opts.env || {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(RELAY_BIN, opts.args || [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise((r) => child.once('exit', r));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start in 30 s: ${stdout}${stderr}`)), 30000);
    const rl = readline.createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) });
    rl.on('line', (line) => {
      stdout += line + '\n';
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`relay exited (${code}): ${stdout}${stderr}`)); });
  });
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    child,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    /** Stops the relay (SIGTERM) and removes its data unless keepData. */
    async stop(keepData = false) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (!keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (/Sanitizer|runtime error:/.test(stderr)) throw new Error(`relay sanitizer report:\n${stderr}`);
      return code;
    },
  };
}

/**
 * A client that keeps the session cookie and sends the CSRF token and the relay's Origin on every
 * state change, as the page does.
 * @param {string} base
 */
export function client(base) {
  /** @type {string|null} */
  let cookie = null;
  /** @type {string|null} */
  let csrf = null;
  /** @param {string} p @param {RequestInit & {headers?: Record<string,string>}} [init] */
  async function f(p, init = {}) {
    const headers = { ...(init.headers || {}) };
    if (cookie && !('Cookie' in headers)) headers.Cookie = cookie;
    const method = (init.method || 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      if (csrf && !('X-CSRF-Token' in headers)) headers['X-CSRF-Token'] = csrf;
      if (!('Origin' in headers)) headers.Origin = base;
    }
    const r = await fetch(base + p, { ...init, headers, redirect: 'manual' });
    const set = r.headers.get('set-cookie');
    if (set) {
      const m = /ft_session=([^;]*)/.exec(set);
      if (m) cookie = m[1] ? `ft_session=${m[1]}` : null;
    }
    return r;
  }
  const api = {
    fetch: f,
    /** @param {string} p */
    async json(p) { const r = await f(p); return { status: r.status, body: await r.json(), headers: r.headers }; },
    /** @param {string} p @param {any} body @param {Record<string,string>} [headers] */
    async post(p, body, headers = {}) {
      const r = await f(p, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const text = await r.text();
      let j = null;
      try { j = JSON.parse(text); } catch { j = text; }
      return { status: r.status, body: j, headers: r.headers };
    },
    get csrf() { return csrf; },
    set csrf(v) { csrf = v; },
    get cookie() { return cookie; },
    /** @type {any} */
    user: null,
  };
  return api;
}

/**
 * Signs in (admin / the test password by default) and returns the client.
 * @param {{url: string}} relay @param {string} [username] @param {string} [password]
 */
export async function login(relay, username = 'admin', password = ADMIN_PASSWORD) {
  const c = client(relay.url);
  const r = await c.post('/api/login', { username, password });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
  c.csrf = r.body.csrf;
  c.user = r.body.user;
  return c;
}

/** Posts events and returns the results array. @param {ReturnType<typeof client>} c @param {any[]} events */
export async function postEvents(c, events) {
  const r = await c.post('/api/events', { events });
  if (r.status !== 200) throw new Error(`POST /api/events: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.results;
}

/** The consent script (core consent.h FT_CONSENT_SCRIPT_TEMPLATE) for a company. @param {string} company */
export const consentScript = (company) =>
  `Would you like to receive text message reminders and updates about your appointments with ${company}? Message and data rates may apply. You can opt out at any time by replying STOP.`;

/** Records the three consent steps for a customer (so sends are allowed). The relay applies them
 * with the core's consent state machine: the script must be the consent script for the business. */
export async function consentCustomer(c, phone, customerId = uuid(), name = 'Pat Customer') {
  const biz = await c.json('/api/business');
  const company = (biz.body && biz.body.business && biz.body.business.name) || 'Test Co';
  const results = await postEvents(c, [
    { id: uuid(), type: 'customer.saved', body: { customer_id: customerId, name, phone, type: 'residential', class: 'lawn' } },
    { id: uuid(), type: 'consent.script_read', body: { customer_id: customerId, phone, method: 'phone', script_text: consentScript(company), script_version: 'script-v1' } },
    { id: uuid(), type: 'consent.screen_acknowledged', body: { customer_id: customerId, phone } },
    { id: uuid(), type: 'consent.box_checked', body: { customer_id: customerId, phone } },
  ]);
  for (const r of results) if (r.error) throw new Error(`consent refused: ${JSON.stringify(r)}`);
  return customerId;
}

/** Polls fn until it returns a truthy value (or throws after timeoutMs). */
export async function waitFor(fn, timeoutMs = 10000, what = 'condition') {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** All events of the log (admin client). */
export async function allEvents(c) {
  const r = await c.json('/api/events?after=0&limit=500');
  return r.body.events;
}

/** Minutes after local midnight now in a zone. @param {string} zone */
export function localMinutes(zone) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date());
  const get = (/** @type {string} */ t) => Number(parts.find((p) => p.type === t)?.value);
  return get('hour') * 60 + get('minute');
}

/** FIELDTEXT_CLOCK_OFFSET_MS that puts the relay's rule clock at about noon in `zone` today, so a
 * test that sends automated kinds (on_the_way, reminder) is inside the 8 a.m.-9 p.m. send window
 * whatever the hour it runs at. @param {string} zone */
export function middayOffsetMs(zone = 'America/New_York') {
  return (12 * 60 - localMinutes(zone)) * 60000;
}
