// @ts-check
/**
 * The Twilio sandbox: a local stand-in for the parts of Twilio's HTTP API that fieldtext uses
 * (Messages, Messaging Services, A2P brand/campaign, TrustHub bundles), with Twilio's validation
 * and error codes, signed status callbacks and inbound webhooks, Advanced Opt-Out (STOP/START),
 * fault injection, and a witness record that survives crashes. See README.md beside this file.
 *
 * Every API request is checked against Twilio's OpenAPI descriptions (oai.mjs) before anything
 * else happens: a request the spec does not allow is refused with 400 and recorded
 * (GET /sandbox/rejections), so every test that drives the relay also checks its requests.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Oai, parsePairs } from './oai.mjs';
import { signature } from './sign.mjs';
import { Store } from './store.mjs';
import { loadSegmentCounter } from './segments.mjs';
import { isValidTo, outcomeFor, countryOf, DELIVERY_ERRORS, MAGIC_CREATE_ERRORS } from './numbers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');
const API_VERSION = '2010-04-01';
const MAX_BODY = 1024 * 1024;
const MAX_CHARS = 1600;
const WEBHOOK_TIMEOUT_MS = 15000;
const SCHEDULE_MIN_S = 900;
const SCHEDULE_MAX_S = 35 * 24 * 3600;
const REQUEST_LOG_MAX = 10000;

export const DEFAULTS = Object.freeze({
  accountSid: 'AC' + 'f1e1d7e57'.padEnd(32, '0'),
  authToken: '0123456789abcdef0123456789abcdef',
  numbers: ['+15005550006'],
  messagingServiceSid: 'MG' + 'f1e1d7e57'.padEnd(32, '0'),
  callbackDelayMs: 20,
  a2pDelayMs: 500,
});

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);
const AUTO_REPLY = {
  STOP: 'You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.',
  START: 'You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
  HELP: 'Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
};
const USE_CASES = new Set(['2FA', 'ACCOUNT_NOTIFICATION', 'AGENTS_FRANCHISES', 'CHARITY', 'CUSTOMER_CARE',
  'DELIVERY_NOTIFICATION', 'EMERGENCY', 'FRAUD_ALERT', 'HIGHER_EDUCATION', 'K12_EDUCATION', 'LOW_VOLUME',
  'MARKETING', 'MIXED', 'POLLING_VOTING', 'PROXY', 'PUBLIC_SERVICE_ANNOUNCEMENT', 'SECURITY_ALERT',
  'SOLE_PROPRIETOR', 'SWEEPSTAKE', 'STARTER']);

/** Twilio's error body. */
class TwilioError extends Error {
  /** @param {number} status @param {number} code @param {string} message @param {object} [extra] */
  constructor(status, code, message, extra) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
  toJSON() {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status, ...(this.extra || {}) };
  }
}

const hex = (/** @type {number} */ n) => crypto.randomBytes(n).toString('hex');
const newSid = (/** @type {string} */ prefix) => prefix + hex(16);
/** RFC 2822 as Twilio writes it: "Thu, 24 Aug 2023 05:01:45 +0000". */
const rfc2822 = (/** @type {number} */ ms) => new Date(ms).toUTCString().replace('GMT', '+0000');
/** ISO 8601 without milliseconds, as the v1 APIs write it. */
const iso = (/** @type {number} */ ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
/** A stable PN sid for a sandbox number. */
const pnSid = (/** @type {string} */ n) => 'PN' + crypto.createHash('sha1').update(n).digest('hex').slice(0, 32);
const norm = (/** @type {string} */ s) => s.replace(/_/g, '').toLowerCase();

/**
 * Reads the configuration from the environment (options given to createSandbox override it).
 * @param {NodeJS.ProcessEnv} env
 */
export function configFromEnv(env = process.env) {
  const list = (/** @type {string|undefined} */ v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
  /** @type {Record<string, any>} */
  const c = {};
  if (env.TWILIO_ACCOUNT_SID) c.accountSid = env.TWILIO_ACCOUNT_SID;
  if (env.TWILIO_AUTH_TOKEN) c.authToken = env.TWILIO_AUTH_TOKEN;
  if (env.TWILIO_API_KEY && env.TWILIO_API_SECRET) c.apiKeys = { [env.TWILIO_API_KEY]: env.TWILIO_API_SECRET };
  if (env.FIELDTEXT_SANDBOX_NUMBERS) c.numbers = list(env.FIELDTEXT_SANDBOX_NUMBERS);
  if (env.TWILIO_MESSAGING_SERVICE_SID) c.messagingServiceSid = env.TWILIO_MESSAGING_SERVICE_SID;
  if (env.FIELDTEXT_PUBLIC_URL) c.publicUrl = env.FIELDTEXT_PUBLIC_URL;
  if (env.FIELDTEXT_SANDBOX_INBOUND_URL) c.inboundUrl = env.FIELDTEXT_SANDBOX_INBOUND_URL;
  if (env.FIELDTEXT_SANDBOX_STATUS_CALLBACK) c.statusCallback = env.FIELDTEXT_SANDBOX_STATUS_CALLBACK;
  if (env.FIELDTEXT_SANDBOX_REWRITE) {
    c.rewrite = Object.fromEntries((list(env.FIELDTEXT_SANDBOX_REWRITE) || []).map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i), p.slice(i + 1)];
    }));
  }
  if (env.FIELDTEXT_SANDBOX_CALLBACK_DELAY_MS) c.callbackDelayMs = Number(env.FIELDTEXT_SANDBOX_CALLBACK_DELAY_MS);
  if (env.FIELDTEXT_SANDBOX_DUPLICATE_CALLBACKS) c.duplicateCallbacks = env.FIELDTEXT_SANDBOX_DUPLICATE_CALLBACKS === '1';
  if (env.FIELDTEXT_SANDBOX_RATE) c.ratePerSecond = Number(env.FIELDTEXT_SANDBOX_RATE);
  if (env.FIELDTEXT_SANDBOX_A2P_DELAY_MS) c.a2pDelayMs = Number(env.FIELDTEXT_SANDBOX_A2P_DELAY_MS);
  if (env.FIELDTEXT_SANDBOX_REQUIRE_A2P) c.requireA2p = env.FIELDTEXT_SANDBOX_REQUIRE_A2P === '1';
  if (env.FIELDTEXT_SANDBOX_NONCOMPLIANT) c.noncompliant = list(env.FIELDTEXT_SANDBOX_NONCOMPLIANT);
  if (env.FIELDTEXT_SANDBOX_OAI) c.oaiEnforce = env.FIELDTEXT_SANDBOX_OAI !== 'off';
  if (env.FIELDTEXT_SANDBOX_DATA_DIR) c.dataDir = env.FIELDTEXT_SANDBOX_DATA_DIR;
  if (env.FIELDTEXT_SANDBOX_FSYNC) c.fsync = env.FIELDTEXT_SANDBOX_FSYNC === '1';
  if (env.FIELDTEXT_TWILIO_OAI_DIR) c.oaiDir = env.FIELDTEXT_TWILIO_OAI_DIR;
  return c;
}

/** Config keys that POST /sandbox/config may change. */
const MUTABLE = ['accountSid', 'authToken', 'apiKeys', 'numbers', 'publicUrl', 'inboundUrl', 'statusCallback',
  'rewrite', 'callbackDelayMs', 'duplicateCallbacks', 'ratePerSecond', 'a2pDelayMs', 'requireA2p', 'oaiEnforce', 'noncompliant'];

export class Sandbox {
  /**
   * @param {Record<string, any>} config
   * @param {Oai} oai
   * @param {{count: (body: string, smart?: boolean) => number, source: string}} counter
   */
  constructor(config, oai, counter) {
    this.initialConfig = { ...config };
    this.config = { ...config };
    this.oai = oai;
    this.counter = counter;
    this.store = new Store(config.dataDir, { fsync: config.fsync });
    this.base = '';
    /** @type {Set<Promise<any>>} */
    this.pending = new Set();
    /** @type {Set<NodeJS.Timeout>} */
    this.timers = new Set();
    this.closed = false;
    this.clear();
    this.replay(this.store.load());
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        if (!res.headersSent) this.send(res, 500, { code: 20500, message: `sandbox bug: ${e && e.message}`, status: 500 });
        else res.destroy();
      });
    });
  }

  /** Empties the in-memory state (not the config). */
  clear() {
    /** @type {Map<string, any>} sid → message (Twilio JSON + a `sandbox` key) */
    this.messages = new Map();
    /** @type {Set<string>} numbers that sent STOP */
    this.optouts = new Set();
    /** @type {Map<string, Map<string, any>>} collection path → sid → resource (v1 APIs) */
    this.resources = new Map();
    /** @type {any[]} */
    this.rejections = [];
    /** @type {any[]} */
    this.callbacks = [];
    /** @type {any[]} */
    this.requests = [];
    /** @type {any[]} */
    this.faults = [];
    this.bucket = { tokens: 0, at: 0 };
    this.seedDefaults();
  }

  /** The default Messaging Service with the sandbox's numbers. */
  seedDefaults() {
    const now = Date.now();
    const mg = this.config.messagingServiceSid;
    if (!this.collection('/v1/Services').has(mg)) {
      this.collection('/v1/Services').set(mg, {
        sid: mg, account_sid: this.config.accountSid, friendly_name: 'fieldtext sandbox', date_created: iso(now), date_updated: iso(now),
        inbound_request_url: null, inbound_method: 'POST', fallback_url: null, fallback_method: 'POST',
        status_callback: this.defaultStatusCallback(), sticky_sender: true, mms_converter: true, smart_encoding: false,
        scan_message_content: 'inherit', fallback_to_long_code: false, area_code_geomatch: true, synchronous_validation: false,
        validity_period: 36000, url: `${this.base}/v1/Services/${mg}`, links: {}, usecase: 'notifications',
        us_app_to_person_registered: false, use_inbound_webhook_on_number: false, sandbox_default: true,
      });
    }
    const pns = this.collection(`/v1/Services/${mg}/PhoneNumbers`);
    for (const n of this.config.numbers) {
      const sid = pnSid(n);
      if (!pns.has(sid)) pns.set(sid, this.phoneNumberResource(mg, n, now));
    }
  }

  defaultStatusCallback() {
    if (this.config.statusCallback) return this.config.statusCallback;
    return this.config.publicUrl ? this.config.publicUrl.replace(/\/$/, '') + '/twilio/status' : null;
  }

  inboundUrl() {
    if (this.config.inboundUrl) return this.config.inboundUrl;
    return this.config.publicUrl ? this.config.publicUrl.replace(/\/$/, '') + '/twilio/inbound' : null;
  }

  /** @param {string} mg @param {string} n @param {number} now */
  phoneNumberResource(mg, n, now) {
    return { sid: pnSid(n), account_sid: this.config.accountSid, service_sid: mg, date_created: iso(now), date_updated: iso(now),
      phone_number: n, country_code: countryOf(n) || 'US', capabilities: ['SMS'], url: `${this.base}/v1/Services/${mg}/PhoneNumbers/${pnSid(n)}` };
  }

  /** Rebuilds the state from the witness file. @param {any[]} lines */
  replay(lines) {
    for (const l of lines) {
      if (l.t === 'message') this.messages.set(l.m.sid, l.m);
      else if (l.t === 'optout') { if (l.on) this.optouts.add(l.number); else this.optouts.delete(l.number); }
      else if (l.t === 'resource') this.collection(l.c).set(l.r.sid, l.r);
      else if (l.t === 'resource-delete') this.collection(l.c).delete(l.sid);
      else if (l.t === 'rejection') this.rejections.push(l.r);
      else if (l.t === 'callback') this.callbacks.push(l.r);
    }
  }

  /** @param {string} c */
  collection(c) {
    let m = this.resources.get(c);
    if (!m) { m = new Map(); this.resources.set(c, m); }
    return m;
  }

  /** Listens on 127.0.0.1. @param {number} [port] @returns {Promise<string>} the base URL */
  listen(port = 0) {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        const addr = /** @type {import('node:net').AddressInfo} */ (this.server.address());
        this.base = `http://127.0.0.1:${addr.port}`;
        this.port = addr.port;
        // Resources made before listening (or by an earlier run) carry another base: point them here.
        for (const m of this.resources.values()) {
          for (const r of m.values()) if (typeof r.url === 'string') r.url = r.url.replace(/^(http:\/\/127\.0\.0\.1:\d+)?(?=\/)/, this.base);
        }
        resolve(this.base);
      });
    });
  }

  async close() {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await new Promise((r) => {
      this.server.close(() => r(undefined));
      if (typeof this.server.closeAllConnections === 'function') this.server.closeAllConnections();
    });
    this.store.close();
  }

  /** Runs fn after ms unless the sandbox closes first. @param {number} ms @param {() => void} fn */
  later(ms, fn) {
    const t = setTimeout(() => { this.timers.delete(t); if (!this.closed) fn(); }, Math.max(0, ms));
    this.timers.add(t);
  }

  /** Tracks background work for POST /sandbox/drain. @param {Promise<any>} p */
  track(p) {
    const q = p.catch(() => {}).finally(() => this.pending.delete(q));
    this.pending.add(q);
    return q;
  }

  /** Waits until no message lifecycle or webhook is in flight. @param {number} [timeoutMs] */
  async drain(timeoutMs = 30000) {
    const end = Date.now() + timeoutMs;
    while (this.pending.size && Date.now() < end) {
      /** @type {NodeJS.Timeout | undefined} */
      let t;
      const timeout = new Promise((r) => { t = setTimeout(r, end - Date.now()); });
      await Promise.race([Promise.all([...this.pending]), timeout]);
      clearTimeout(t);
    }
    return this.pending.size === 0;
  }

  // ---------------------------------------------------------------- HTTP plumbing

  /** @param {http.ServerResponse} res @param {number} status @param {any} body @param {Record<string,string>} [headers] */
  send(res, status, body, headers = {}) {
    if (status === 204) { res.writeHead(204, headers); res.end(); return; }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  /** @param {http.IncomingMessage} req @returns {Promise<string>} */
  readBody(req) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let size = 0;
      req.on('data', (c) => {
        size += c.length;
        if (size > MAX_BODY) { reject(new TwilioError(413, 20413, 'Request entity too large')); req.destroy(); return; }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
  async handle(req, res) {
    const url = new URL(req.url || '/', 'http://sandbox');
    let raw = '';
    try {
      raw = await this.readBody(req);
    } catch (e) {
      if (e instanceof TwilioError) return this.send(res, e.status, e);
      throw e;
    }
    if (url.pathname.startsWith('/sandbox/') || url.pathname === '/sandbox') return this.control(req, res, url, raw);
    const entry = { at: Date.now(), method: req.method, path: url.pathname, query: url.search, status: 0, code: null };
    this.requests.push(entry);
    if (this.requests.length > REQUEST_LOG_MAX) this.requests.splice(0, this.requests.length - REQUEST_LOG_MAX);
    try {
      const out = await this.api(req, url, raw, entry);
      entry.status = out.status;
      if (out.body && typeof out.body.sid === 'string') entry.sid = out.body.sid;
      this.send(res, out.status, out.body, out.headers);
    } catch (e) {
      if (!(e instanceof TwilioError)) throw e;
      entry.status = e.status;
      entry.code = e.code;
      /** @type {Record<string,string>} */
      const headers = {};
      if (e.status === 429 && e.extra && e.extra.retryAfter !== undefined) headers['Retry-After'] = String(e.extra.retryAfter);
      if (e.status === 401) headers['WWW-Authenticate'] = 'Basic realm="Twilio API"';
      const body = e.toJSON();
      delete body.retryAfter;
      this.send(res, e.status, body, headers);
    }
  }

  /**
   * Records and throws a refusal that is the relay's fault (routing, auth, spec).
   * @param {string} reason @param {any} detail @param {TwilioError} err
   */
  reject(reason, detail, err) {
    const r = { at: Date.now(), reason, ...detail, status: err.status, code: err.code, message: err.message };
    this.rejections.push(r);
    this.store.append({ t: 'rejection', r });
    throw err;
  }

  /**
   * The Twilio API proper.
   * @param {http.IncomingMessage} req @param {URL} url @param {string} raw @param {any} entry
   * @returns {Promise<{status: number, body: any, headers?: Record<string,string>}>}
   */
  async api(req, url, raw, entry) {
    const method = (req.method || 'GET').toUpperCase();
    const found = this.oai.match(method, url.pathname);
    const detail = { method, path: url.pathname, query: url.search, body: raw.slice(0, 4096) };
    if (found.error === 'path') {
      this.reject('path', detail, new TwilioError(404, 20404, `The requested resource ${url.pathname} was not found`));
    }
    if (found.error === 'method') {
      this.reject('method', detail, new TwilioError(405, 20004, `Method not allowed (allowed: ${(found.allowed || []).join(', ')})`));
    }
    const match = /** @type {import('./oai.mjs').Match} */ (found.match);
    entry.operation = `${method} ${match.template}`;
    this.authenticate(req, match, detail);

    const contentType = String(req.headers['content-type'] || '');
    const isForm = /^application\/x-www-form-urlencoded\b/i.test(contentType);
    const form = isForm ? parsePairs(raw) : [];
    const query = parsePairs(url.search.slice(1));
    const violations = this.oai.check(match, query, form);
    if (raw.length && !isForm) {
      violations.push({ kind: 'content-type', message: `body must be application/x-www-form-urlencoded, got ${contentType || 'none'}` });
    }
    if (violations.length) {
      const err = this.violationError(match, violations);
      if (this.config.oaiEnforce !== false) this.reject('oai', { ...detail, operation: entry.operation, violations }, err);
      this.rejections.push({ at: Date.now(), reason: 'oai-not-enforced', ...detail, violations });
    }
    const isCreate = method === 'POST' && match.template === '/2010-04-01/Accounts/{AccountSid}/Messages.json';
    await this.applyFaults(isCreate, url.pathname);

    /** @type {Record<string, string[]>} */
    const params = {};
    for (const [k, v] of form || []) (params[k] = params[k] || []).push(v);
    const p = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v[0]]));
    const q = Object.fromEntries(query);
    const ctx = { match, p, params, q, url, method };
    switch (`${method} ${match.template}`) {
      case 'POST /2010-04-01/Accounts/{AccountSid}/Messages.json': return this.createMessage(ctx);
      case 'GET /2010-04-01/Accounts/{AccountSid}/Messages.json': return this.listMessages(ctx);
      case 'GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json': return { status: 200, body: this.publicMessage(this.getMessage(match.pathParams.Sid)) };
      case 'POST /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json': return this.updateMessage(ctx);
      case 'DELETE /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json': return this.deleteMessage(ctx);
      case 'GET /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json': return this.listNumbers(ctx);
      case 'POST /2010-04-01/Accounts/{AccountSid}/Addresses.json': return this.createAddress(ctx);
      case 'GET /2010-04-01/Accounts/{AccountSid}/Addresses/{Sid}.json': {
        const a = this.collection(this.addressesPath()).get(match.pathParams.Sid);
        if (!a) throw new TwilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
        return { status: 200, body: a };
      }
      default: break;
    }
    if (match.spec !== 'twilio_api_v2010.json') return this.resourceApi(ctx);
    throw new TwilioError(501, 20501, `${method} ${match.template} is valid for Twilio but not implemented by the sandbox`);
  }

  /** @param {import('./oai.mjs').Match} match @param {import('./oai.mjs').Violation[]} violations */
  violationError(match, violations) {
    const message = violations.map((v) => v.message).join('; ');
    const extra = { sandbox_oai: violations };
    const missingTo = match.template === '/2010-04-01/Accounts/{AccountSid}/Messages.json' && match.method === 'POST'
      && violations.every((v) => v.kind === 'missing' && v.param === 'To');
    if (missingTo) return new TwilioError(400, 21604, "A 'To' phone number is required.", extra);
    return new TwilioError(400, 20422, `Invalid parameter (twilio-oai): ${message}`, extra);
  }

  /** HTTP Basic with the account SID + auth token, or an API key SID + secret. */
  authenticate(/** @type {http.IncomingMessage} */ req, /** @type {import('./oai.mjs').Match} */ match, /** @type {any} */ detail) {
    const h = String(req.headers.authorization || '');
    const m = /^Basic\s+(.+)$/i.exec(h);
    const fail = (/** @type {string} */ why) => this.reject('auth', { ...detail, why }, new TwilioError(401, 20003, 'Authenticate'));
    if (!m) return fail('no credentials');
    const dec = Buffer.from(m[1], 'base64').toString('utf8');
    const i = dec.indexOf(':');
    const user = dec.slice(0, i);
    const pass = dec.slice(i + 1);
    const eq = (/** @type {string} */ a, /** @type {string} */ b) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
    const keys = this.config.apiKeys || {};
    const ok = i > 0 && ((user === this.config.accountSid && eq(pass, this.config.authToken))
      || (Object.prototype.hasOwnProperty.call(keys, user) && eq(pass, keys[user])));
    if (!ok) return fail('wrong credentials');
    const acct = match.pathParams.AccountSid;
    if (acct !== undefined && acct !== this.config.accountSid) return fail(`credentials are not for account ${acct}`);
  }

  /** Injected faults (POST /sandbox/faults) and the configured rate. @param {boolean} isCreate */
  async applyFaults(/** @type {boolean} */ isCreate, /** @type {string} */ pathname = '') {
    const i = this.faults.findIndex((f) => (!f.path || pathname.includes(f.path)) && (f.match === 'any' || isCreate));
    if (i >= 0) {
      const f = this.faults[i];
      if (--f.count <= 0) this.faults.splice(i, 1);
      if (f.delayMs > 0) await sleep(f.delayMs); /* a slow refusal: the request is in flight meanwhile */
      if (f.kind === 'rate') throw new TwilioError(429, 20429, 'Too Many Requests', { retryAfter: f.retryAfter });
      throw new TwilioError(f.status, f.code || 20500, f.message || 'Internal Server Error (injected by the sandbox)');
    }
    const rate = Number(this.config.ratePerSecond) || 0;
    if (isCreate && rate > 0) {
      const now = Date.now();
      const cap = Math.max(1, rate);
      const b = this.bucket;
      b.tokens = b.at ? Math.min(cap, b.tokens + ((now - b.at) / 1000) * rate) : cap;
      b.at = now;
      if (b.tokens < 1) {
        throw new TwilioError(429, 20429, 'Too Many Requests', { retryAfter: Math.max(1, Math.ceil((1 - b.tokens) / rate)) });
      }
      b.tokens -= 1;
    }
  }

  // ---------------------------------------------------------------- Messages

  /** @param {string} sid */
  getMessage(sid) {
    const m = this.messages.get(sid);
    if (!m) throw new TwilioError(404, 20404, `The requested resource /2010-04-01/Accounts/${this.config.accountSid}/Messages/${sid}.json was not found`);
    return m;
  }

  /** The message as the API returns it (without the sandbox's own bookkeeping). @param {any} m */
  publicMessage(m) {
    const { sandbox, ...rest } = m;
    return rest;
  }

  /** Saves a message to the witness file, then to memory. @param {any} m */
  saveMessage(m) {
    this.store.append({ t: 'message', m });
    this.messages.set(m.sid, m);
  }

  /** The service that owns a sender number, if any. @param {string} n */
  serviceOfNumber(n) {
    for (const [c, m] of this.resources) {
      const mm = /^\/v1\/Services\/(MG[0-9a-fA-F]{32})\/PhoneNumbers$/.exec(c);
      if (mm) for (const r of m.values()) if (r.phone_number === n) return mm[1];
    }
    return null;
  }

  /** @param {string} mg */
  numbersOfService(mg) {
    return [...this.collection(`/v1/Services/${mg}/PhoneNumbers`).values()].map((r) => r.phone_number);
  }

  /** POST Messages.json. @param {any} ctx */
  createMessage(ctx) {
    const { p, params } = ctx;
    const to = p.To;
    if (params.MediaUrl) {
      throw new TwilioError(400, 21620, 'Invalid media URL(s): fieldtext sends no MMS, so the sandbox refuses MediaUrl');
    }
    if (MAGIC_CREATE_ERRORS[to]) {
      const e = MAGIC_CREATE_ERRORS[to];
      throw new TwilioError(400, e.code, e.message);
    }
    if (!isValidTo(to)) throw new TwilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
    const mg = p.MessagingServiceSid || null;
    if (!p.From && !mg) throw new TwilioError(400, 21603, "A 'From' phone number is required.");
    if (mg && !this.collection('/v1/Services').has(mg)) {
      throw new TwilioError(400, 21701, `The Messaging Service ${mg} does not exist`);
    }
    if (p.From) {
      const mine = this.config.numbers.includes(p.From) || (mg && this.numbersOfService(mg).includes(p.From)) || this.serviceOfNumber(p.From);
      if (!mine) throw new TwilioError(400, 21606, `The From phone number ${p.From} is not a valid, SMS-capable inbound phone number or short code for your account.`);
    }
    const body = p.Body;
    if (body === undefined || body === '') throw new TwilioError(400, 21602, 'Message body is required.');
    if (body.length > MAX_CHARS) throw new TwilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (this.optouts.has(to)) throw new TwilioError(400, 21610, 'Attempt to send to unsubscribed recipient');

    let status = mg && !p.From ? 'accepted' : 'queued';
    let sendAt = null;
    if (p.ScheduleType !== undefined || p.SendAt !== undefined) {
      if (p.ScheduleType !== 'fixed') throw new TwilioError(400, 35111, "ScheduleType must be 'fixed' to schedule a message.");
      if (!mg) throw new TwilioError(400, 35118, 'MessagingServiceSid is required to schedule a message.');
      const t = p.SendAt === undefined ? NaN : Date.parse(p.SendAt);
      if (Number.isNaN(t)) throw new TwilioError(400, 35114, 'SendAt is required and must be an ISO 8601 date-time.');
      const ahead = (t - Date.now()) / 1000;
      if (ahead < SCHEDULE_MIN_S || ahead > SCHEDULE_MAX_S) {
        throw new TwilioError(400, 35115, 'SendAt time must be between 900 seconds and 35 days (3024000 seconds) in the future.');
      }
      sendAt = t;
      status = 'scheduled';
    }
    const smart = /^true$/i.test(p.SmartEncoded || '');
    const now = Date.now();
    const sid = newSid('SM');
    const from = p.From || (status === 'scheduled' ? null : this.numbersOfService(/** @type {string} */ (mg))[0] || null);
    const uri = `/2010-04-01/Accounts/${this.config.accountSid}/Messages/${sid}.json`;
    const svc = mg ? this.collection('/v1/Services').get(mg) : null;
    const m = {
      account_sid: this.config.accountSid, api_version: API_VERSION, body, date_created: rfc2822(now), date_sent: null,
      date_updated: rfc2822(now), direction: 'outbound-api', error_code: null, error_message: null,
      from: status === 'accepted' ? null : from, messaging_service_sid: mg, num_media: '0',
      num_segments: String(this.counter.count(body, smart)), price: null, price_unit: 'USD', sid, status,
      subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') }, to, uri,
      sandbox: {
        created_ms: now, status_callback: p.StatusCallback || (svc && svc.status_callback) || null,
        send_at: sendAt ? new Date(sendAt).toISOString() : null, sender: from, smart, history: [{ status, at: now }],
      },
    };
    this.saveMessage(m);
    if (status !== 'scheduled') this.track(this.lifecycle(sid));
    return { status: 201, body: this.publicMessage(m) };
  }

  /**
   * Moves a message through its statuses, posting a signed callback at each step.
   * @param {string} sid
   */
  async lifecycle(sid) {
    const first = this.getMessage(sid);
    const outcome = outcomeFor(first.to);
    let final = outcome.final;
    let errorCode = outcome.errorCode;
    if (this.config.requireA2p && !this.senderRegistered(first)) { final = 'failed'; errorCode = 30034; }
    /** @type {string[]} */
    const steps = [];
    if (first.status === 'accepted') steps.push('queued');
    if (final === 'failed') steps.push('failed');
    else steps.push('sent', ...(final === 'sent' ? [] : [final]));
    const dup = this.config.duplicateCallbacks || outcome.duplicate;
    if (first.status === 'queued' || first.status === 'accepted') await this.statusCallback(first, !!dup);
    for (const st of steps) {
      await sleep(Number(this.config.callbackDelayMs) || 0);
      if (this.closed) return;
      const m = this.getMessage(sid);
      if (m.status === 'canceled') return;
      const now = Date.now();
      const next = { ...m, status: st, date_updated: rfc2822(now), sandbox: { ...m.sandbox, history: [...m.sandbox.history, { status: st, at: now }] } };
      if (st === 'queued' && !next.from) next.from = m.sandbox.sender || this.numbersOfService(m.messaging_service_sid)[0] || null;
      if (st === 'sent') { next.date_sent = rfc2822(now); next.price = (-0.0079 * Number(m.num_segments)).toFixed(5); }
      if (st === 'failed' || st === 'undelivered') {
        next.error_code = errorCode || 30008;
        next.error_message = DELIVERY_ERRORS[/** @type {keyof typeof DELIVERY_ERRORS} */ (next.error_code)] || 'Unknown error';
      }
      this.saveMessage(next);
      await this.statusCallback(next, !!dup);
    }
  }

  /** Whether the message's sender belongs to a service with a VERIFIED campaign. @param {any} m */
  senderRegistered(m) {
    const mg = m.messaging_service_sid || (m.sandbox.sender && this.serviceOfNumber(m.sandbox.sender));
    if (!mg) return false;
    return [...this.collection(`/v1/Services/${mg}/Compliance/Usa2p`).values()].some((c) => c.campaign_status === 'VERIFIED');
  }

  /** Posts the status callback for a message's current status (twice when asked). @param {any} m @param {boolean} dup */
  async statusCallback(m, dup) {
    const url = m.sandbox.status_callback;
    if (!url) return;
    /** @type {[string,string][]} */
    const params = [
      ['AccountSid', m.account_sid], ['ApiVersion', API_VERSION], ['From', m.from || m.sandbox.sender || ''],
      ['MessageSid', m.sid], ['MessageStatus', m.status], ['SmsSid', m.sid], ['SmsStatus', m.status], ['To', m.to],
    ];
    if (m.messaging_service_sid) params.push(['MessagingServiceSid', m.messaging_service_sid]);
    if (m.error_code) params.push(['ErrorCode', String(m.error_code)]);
    if (m.status === 'delivered') params.push(['RawDlrDoneDate', new Date().toISOString().replace(/\D/g, '').slice(2, 12)]);
    const token = `${m.sid}-${m.status}-${hex(4)}`;
    await this.postWebhook('status', url, params, token, { sid: m.sid, status: m.status });
    if (dup) await this.postWebhook('status', url, params, token, { sid: m.sid, status: m.status, duplicate: true });
  }

  /**
   * Posts a signed form-encoded webhook and records the delivery.
   * @param {string} kind @param {string} url @param {[string,string][]} params @param {string} idem @param {object} info
   * @returns {Promise<any>}
   */
  async postWebhook(kind, url, params, idem, info) {
    const sig = signature(this.config.authToken, url, params);
    const target = this.rewrite(url);
    const body = new URLSearchParams(params).toString();
    const rec = { at: Date.now(), kind, url, target, params: Object.fromEntries(params), signature: sig, ...info, http_status: 0, response: '', error: null };
    try {
      const r = await httpPost(target, body, {
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
        'X-Twilio-Signature': sig,
        'I-Twilio-Idempotency-Token': idem,
        'User-Agent': 'TwilioProxy/1.1',
        Accept: '*/*',
      });
      rec.http_status = r.status;
      rec.response = r.body.slice(0, 4096);
    } catch (e) {
      rec.error = String(e && /** @type {any} */ (e).message || e);
    }
    if (this.closed) return rec;
    this.callbacks.push(rec);
    this.store.append({ t: 'callback', r: rec });
    return rec;
  }

  /** Where a webhook is physically delivered (signed URL stays as given). @param {string} url */
  rewrite(url) {
    for (const [from, to] of Object.entries(this.config.rewrite || {})) {
      if (url.startsWith(from)) return to + url.slice(from.length);
    }
    return url;
  }

  /** GET Messages.json with Twilio's filters and paging. @param {any} ctx */
  listMessages(ctx) {
    const { q } = ctx;
    const pageSize = Math.min(1000, Number(q.PageSize) || 50);
    const page = Number(q.Page) || 0;
    const day = (/** @type {string} */ s) => new Date(s).toISOString().slice(0, 10);
    let all = [...this.messages.values()].filter((m) => !m.sandbox.deleted);
    if (q.To) all = all.filter((m) => m.to === q.To);
    if (q.From) all = all.filter((m) => m.from === q.From);
    const sentDay = (/** @type {any} */ m) => (m.date_sent ? day(m.date_sent) : null);
    if (q.DateSent) all = all.filter((m) => sentDay(m) === day(q.DateSent));
    if (q['DateSent<']) all = all.filter((m) => sentDay(m) && /** @type {string} */ (sentDay(m)) <= day(q['DateSent<']));
    if (q['DateSent>']) all = all.filter((m) => sentDay(m) && /** @type {string} */ (sentDay(m)) >= day(q['DateSent>']));
    all.sort((a, b) => b.sandbox.created_ms - a.sandbox.created_ms);
    const slice = all.slice(page * pageSize, (page + 1) * pageSize);
    const basePath = `/2010-04-01/Accounts/${this.config.accountSid}/Messages.json`;
    const qs = (/** @type {number} */ pg) => {
      const u = new URLSearchParams();
      for (const k of ['To', 'From', 'DateSent', 'DateSent<', 'DateSent>']) if (q[k]) u.set(k, q[k]);
      u.set('PageSize', String(pageSize));
      u.set('Page', String(pg));
      if (pg > 0) u.set('PageToken', `PA${pg}`);
      return `${basePath}?${u}`;
    };
    const more = (page + 1) * pageSize < all.length;
    return {
      status: 200,
      body: {
        end: page * pageSize + Math.max(0, slice.length - 1), first_page_uri: qs(0), messages: slice.map((m) => this.publicMessage(m)),
        next_page_uri: more ? qs(page + 1) : null, page, page_size: pageSize, previous_page_uri: page > 0 ? qs(page - 1) : null,
        start: page * pageSize, uri: qs(page),
      },
    };
  }

  /** POST Messages/{Sid}.json: cancel a scheduled message (Status=canceled) or redact (Body=""). @param {any} ctx */
  updateMessage(ctx) {
    const { p, match } = ctx;
    const m = this.getMessage(match.pathParams.Sid);
    const now = Date.now();
    const next = { ...m, date_updated: rfc2822(now), sandbox: { ...m.sandbox } };
    if (p.Status === 'canceled') {
      if (m.status !== 'scheduled') throw new TwilioError(400, 30409, `Message ${m.sid} is not scheduled and cannot be canceled`);
      next.status = 'canceled';
      next.sandbox.history = [...m.sandbox.history, { status: 'canceled', at: now }];
      this.saveMessage(next);
      this.track(this.statusCallback(next, false));
      return { status: 200, body: this.publicMessage(next) };
    }
    if (p.Body !== undefined) {
      if (p.Body !== '') throw new TwilioError(400, 20422, 'Body can only be updated to an empty string (redaction)');
      next.body = '';
      this.saveMessage(next);
      return { status: 200, body: this.publicMessage(next) };
    }
    throw new TwilioError(400, 20422, 'Nothing to update (Status=canceled or Body= expected)');
  }

  /** @param {any} ctx */
  deleteMessage(ctx) {
    const m = this.getMessage(ctx.match.pathParams.Sid);
    this.saveMessage({ ...m, sandbox: { ...m.sandbox, deleted: true } });
    return { status: 204, body: null };
  }

  /** Sends scheduled messages now (POST /sandbox/scheduled/release). @param {string} [sid] */
  releaseScheduled(sid) {
    const released = [];
    for (const m of [...this.messages.values()]) {
      if (m.status !== 'scheduled' || (sid && m.sid !== sid)) continue;
      const now = Date.now();
      const from = this.numbersOfService(m.messaging_service_sid)[0] || null;
      this.saveMessage({ ...m, status: 'queued', from, date_updated: rfc2822(now),
        sandbox: { ...m.sandbox, sender: from, history: [...m.sandbox.history, { status: 'queued', at: now }] } });
      this.track(this.lifecycle(m.sid));
      released.push(m.sid);
    }
    return released;
  }

  /** GET IncomingPhoneNumbers.json: the sandbox's numbers. @param {any} ctx */
  listNumbers(ctx) {
    const nums = this.config.numbers.filter((/** @type {string} */ n) => !ctx.q.PhoneNumber || n === ctx.q.PhoneNumber);
    const basePath = `/2010-04-01/Accounts/${this.config.accountSid}/IncomingPhoneNumbers.json`;
    return {
      status: 200,
      body: {
        incoming_phone_numbers: nums.map((/** @type {string} */ n) => ({
          sid: pnSid(n), account_sid: this.config.accountSid, phone_number: n, friendly_name: n, api_version: API_VERSION,
          capabilities: { sms: true, mms: false, voice: false, fax: false }, sms_url: this.inboundUrl(), sms_method: 'POST',
          status_callback: '', status: 'in-use', uri: basePath.replace(/\.json$/, `/${pnSid(n)}.json`),
        })),
        start: 0, end: Math.max(0, nums.length - 1), page: 0, page_size: 50, uri: basePath, first_page_uri: basePath,
        next_page_uri: null, previous_page_uri: null,
      },
    };
  }

  // ---------------------------------------------------------------- v1 resources (Messaging, TrustHub)

  /**
   * A generic store for the v1 APIs, shaped by the spec's response schema: POST on a collection
   * creates (sid prefix from the schema's sid pattern), GET lists or fetches, POST on an instance
   * updates, DELETE removes. Hooks add Twilio's rules for brands, campaigns and bundles.
   * @param {any} ctx
   */
  resourceApi(ctx) {
    const { match, method, url, params } = ctx;
    const pathType = (this.oai.specFor(match).paths[match.template]['x-twilio'] || {}).pathType;
    const isList = pathType === 'list' || !/\}$/.test(match.template);
    const now = Date.now();
    if (isList) {
      const coll = this.collection(url.pathname);
      if (method === 'GET') return this.listResources(ctx, coll);
      if (method !== 'POST') throw new TwilioError(405, 20004, 'Method not allowed');
      this.checkParent(url.pathname);
      const schema = this.oai.responseSchema(match) || { properties: {} };
      const r = this.fromParams(schema, params, {});
      const prefix = (/^\^([A-Z]{2})/.exec((schema.properties.sid || {}).pattern || '') || [])[1] || 'XX';
      r.sid = newSid(prefix);
      if ('account_sid' in schema.properties) r.account_sid = this.config.accountSid;
      if ('date_created' in schema.properties) r.date_created = iso(now);
      if ('date_updated' in schema.properties) r.date_updated = iso(now);
      if ('url' in schema.properties) r.url = `${this.base}${url.pathname}/${r.sid}`;
      if ('links' in schema.properties) r.links = {};
      for (const [k, v] of Object.entries(schema.properties)) {
        const s = this.oai.deref(this.oai.specFor(match), v);
        if (r[k] === undefined) r[k] = Array.isArray(s.enum) ? s.enum[0] : (s.default !== undefined ? s.default : null);
      }
      const hooked = this.onCreate(match.template, url.pathname, r, ctx);
      this.saveResource(url.pathname, hooked);
      return { status: 201, body: hooked };
    }
    const parts = url.pathname.split('/');
    const sid = decodeURIComponent(/** @type {string} */ (parts.pop()));
    const collPath = parts.join('/');
    const coll = this.collection(collPath);
    const r = coll.get(sid);
    if (!r) throw new TwilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
    if (method === 'GET') return { status: 200, body: r };
    if (method === 'DELETE') {
      coll.delete(sid);
      this.store.append({ t: 'resource-delete', c: collPath, sid });
      return { status: 204, body: null };
    }
    const schema = this.oai.responseSchema(match) || { properties: {} };
    const next = this.fromParams(schema, params, { ...r });
    if ('date_updated' in r) next.date_updated = iso(now);
    const hooked = this.onUpdate(collPath, next, ctx);
    this.saveResource(collPath, hooked);
    return { status: 200, body: hooked };
  }

  /** @param {string} c @param {any} r */
  saveResource(c, r) {
    this.store.append({ t: 'resource', c, r });
    this.collection(c).set(r.sid, r);
  }

  /** A nested collection needs its parent (e.g. the Messaging Service of a campaign). @param {string} p */
  checkParent(p) {
    const m = /^(\/v1\/[A-Za-z]+)\/([A-Z]{2}[0-9a-fA-F]{32})\//.exec(p);
    if (m && !this.collection(m[1]).has(m[2])) throw new TwilioError(404, 20404, `The requested resource ${m[1]}/${m[2]} was not found`);
  }

  /**
   * Copies form parameters into a resource by the schema's property names (FriendlyName →
   * friendly_name, A2PProfileBundleSid → a2p_profile_bundle_sid), converting types.
   * @param {any} schema @param {Record<string,string[]>} params @param {any} into
   */
  fromParams(schema, params, into) {
    const byNorm = new Map(Object.keys(schema.properties || {}).map((k) => [norm(k), k]));
    for (const [name, values] of Object.entries(params)) {
      const key = byNorm.get(norm(name));
      if (!key) continue;
      const s = schema.properties[key] || {};
      const v = values[0];
      if (s.type === 'array') into[key] = values;
      else if (s.type === 'boolean') into[key] = /^true$/i.test(v);
      else if (s.type === 'integer' || s.type === 'number') into[key] = Number(v);
      else if (s.type === undefined && /^[[{]/.test(v)) { try { into[key] = JSON.parse(v); } catch { into[key] = v; } }
      else into[key] = v;
    }
    return into;
  }

  /** @param {any} ctx @param {Map<string, any>} coll */
  listResources(ctx, coll) {
    const { match, q, url } = ctx;
    const schema = this.oai.responseSchema(match) || { properties: {} };
    const key = Object.keys(schema.properties || {}).find((k) => schema.properties[k].type === 'array') || 'data';
    const pageSize = Math.min(1000, Number(q.PageSize) || 50);
    const page = Number(q.Page) || 0;
    const all = [...coll.values()];
    const pageUrl = (/** @type {number} */ pg) => `${this.base}${url.pathname}?PageSize=${pageSize}&Page=${pg}`;
    const more = (page + 1) * pageSize < all.length;
    return {
      status: 200,
      body: {
        [key]: all.slice(page * pageSize, (page + 1) * pageSize),
        meta: { page, page_size: pageSize, first_page_url: pageUrl(0), previous_page_url: page > 0 ? pageUrl(page - 1) : null,
          url: pageUrl(page), next_page_url: more ? pageUrl(page + 1) : null, key },
      },
    };
  }

  /**
   * Twilio's rules on creation, per resource.
   * @param {string} template @param {string} collPath @param {any} r @param {any} ctx
   */
  onCreate(template, collPath, r, ctx) {
    const { params } = ctx;
    const p = Object.fromEntries(Object.entries(/** @type {Record<string,string[]>} */ (params)).map(([k, v]) => [k, v[0]]));
    switch (template) {
      case '/v1/a2p/BrandRegistrations':
        r.status = 'PENDING';
        r.brand_type = p.BrandType || 'STANDARD';
        r.identity_status = 'UNVERIFIED';
        r.tcr_id = null; r.failure_reason = null; r.errors = []; r.brand_score = null; r.brand_feedback = null;
        r.links = { brand_vettings: `${r.url}/Vettings`, brand_registration_otps: `${r.url}/SmsOtp` };
        this.scheduleA2p(collPath, r.sid, { status: 'APPROVED', identity_status: 'VERIFIED', tcr_id: 'B' + hex(3).toUpperCase(), brand_score: 80 });
        return r;
      case '/v1/Services/{MessagingServiceSid}/Compliance/Usa2p': {
        const mg = ctx.match.pathParams.MessagingServiceSid;
        const brand = this.collection('/v1/a2p/BrandRegistrations').get(p.BrandRegistrationSid);
        if (!brand) throw new TwilioError(404, 20404, `Brand registration ${p.BrandRegistrationSid} was not found`);
        if (brand.status !== 'APPROVED') throw new TwilioError(400, 20422, `Brand registration ${brand.sid} is ${brand.status}, not APPROVED`);
        if (this.collection(collPath).size) throw new TwilioError(409, 20409, `Messaging Service ${mg} already has a US A2P campaign`);
        const why = campaignProblems(p, params);
        if (why.length) throw new TwilioError(400, 20422, `Campaign refused: ${why.join('; ')}`);
        Object.assign(r, { messaging_service_sid: mg, campaign_status: 'PENDING', campaign_id: null, is_externally_registered: false,
          rate_limits: null, mock: brand.mock || false, errors: [] });
        this.scheduleA2p(collPath, r.sid, { campaign_status: 'VERIFIED', campaign_id: 'C' + hex(3).toUpperCase(),
          rate_limits: { att: { mps: 600, msg_class: 'A' }, tmobile: { brand_tier: 'TOP' } } });
        return r;
      }
      case '/v1/Services':
        Object.assign(r, { us_app_to_person_registered: false, links: { phone_numbers: `${r.url}/PhoneNumbers`, us_app_to_person: `${r.url}/Compliance/Usa2p` } });
        return r;
      case '/v1/Services/{ServiceSid}/PhoneNumbers': {
        const n = this.config.numbers.find((/** @type {string} */ x) => pnSid(x) === p.PhoneNumberSid);
        if (!n) throw new TwilioError(404, 20404, `Phone number ${p.PhoneNumberSid} was not found in this account`);
        const other = this.serviceOfNumber(n);
        if (other && other !== ctx.match.pathParams.ServiceSid) {
          this.collection(`/v1/Services/${other}/PhoneNumbers`).delete(p.PhoneNumberSid);
        }
        return this.phoneNumberResource(ctx.match.pathParams.ServiceSid, n, Date.now());
      }
      case '/v1/CustomerProfiles/{CustomerProfileSid}/Evaluations':
      case '/v1/TrustProducts/{TrustProductSid}/Evaluations':
        return this.evaluate(template, r, ctx);
      case '/v1/SupportingDocuments': {
        if (!SUPPORTING_DOCUMENT_TYPES.has(p.Type)) throw new TwilioError(400, 20422, `Invalid Type: ${p.Type} is not a Supporting Document Type`);
        if (p.Type === 'customer_profile_address') {
          const sids = [].concat((r.attributes && typeof r.attributes === 'object' && r.attributes.address_sids) || []);
          if (!sids.length) throw new TwilioError(400, 20422, 'Attributes must give address_sids for a customer_profile_address document');
          for (const a of sids) {
            if (!this.collection(this.addressesPath()).has(a)) throw new TwilioError(400, 20422, `Attributes: address_sids ${a} is not an Address of this account`);
          }
        }
        r.status = 'DRAFT';
        r.mime_type = null;
        return r;
      }
      case '/v1/CustomerProfiles/{CustomerProfileSid}/EntityAssignments':
      case '/v1/TrustProducts/{TrustProductSid}/EntityAssignments': {
        if (!this.findResource(p.ObjectSid)) throw new TwilioError(400, 20404, `ObjectSid ${p.ObjectSid} was not found in this account`);
        const parent = ctx.match.pathParams.CustomerProfileSid || ctx.match.pathParams.TrustProductSid;
        const parentPath = collPath.replace(/\/EntityAssignments$/, '');
        const bundle = this.collection(parentPath.replace(/\/[^/]+$/, '')).get(parent);
        if (bundle && bundle.status !== 'draft') throw new TwilioError(400, 20422, `${parent} is ${bundle.status}: only a draft can change`);
        return r;
      }
      default:
        return r;
    }
  }

  /** Where the v2010 Addresses of the account are kept. */
  addressesPath() { return `/2010-04-01/Accounts/${this.config.accountSid}/Addresses`; }

  /** POST Addresses.json: the address a customer_profile_address document points at. @param {any} ctx */
  createAddress(ctx) {
    const { p } = ctx;
    for (const k of ['CustomerName', 'Street', 'City', 'Region', 'PostalCode', 'IsoCountry']) {
      if (!String(p[k] || '').trim()) throw new TwilioError(400, 21238, `Address Validation Error: ${k} must not be empty`);
    }
    if (!/^[A-Z]{2}$/.test(p.IsoCountry)) throw new TwilioError(400, 21238, `Address Validation Error: IsoCountry ${p.IsoCountry} is not an ISO 3166-1 alpha-2 code`);
    if (p.FriendlyName && p.FriendlyName.length > 64) throw new TwilioError(400, 21238, 'Address Validation Error: FriendlyName is longer than 64 characters');
    const postalOk = p.IsoCountry === 'US' ? /^\d{5}(-\d{4})?$/.test(p.PostalCode)
      : p.IsoCountry === 'CA' ? /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i.test(p.PostalCode) : true;
    const regionOk = p.IsoCountry === 'US' || p.IsoCountry === 'CA' ? /^[A-Z]{2}$/i.test(p.Region) : true;
    if (!postalOk || !regionOk) throw new TwilioError(400, 21628, 'The address you have provided cannot be validated.');
    const now = Date.now();
    const sid = newSid('AD');
    const r = {
      account_sid: this.config.accountSid, city: p.City, customer_name: p.CustomerName, date_created: rfc2822(now), date_updated: rfc2822(now),
      friendly_name: p.FriendlyName ?? null, iso_country: p.IsoCountry, postal_code: p.PostalCode, region: p.Region, sid, street: p.Street,
      uri: `${this.addressesPath()}/${sid}.json`, emergency_enabled: /^true$/i.test(p.EmergencyEnabled || ''), validated: false, verified: false,
      street_secondary: p.StreetSecondary ?? null,
    };
    this.saveResource(this.addressesPath(), r);
    return { status: 201, body: r };
  }

  /**
   * An Evaluation of a CustomerProfile (Secondary Customer Profile policy) or a TrustProduct (A2P
   * Messaging Profile policy): what is assigned to the bundle, checked requirement by requirement,
   * `results[]` shaped as Twilio's ({friendly_name, object_type, passed, failure_reason, error_code,
   * valid[], invalid[{friendly_name, object_field, failure_reason, error_code}],
   * requirement_friendly_name, requirement_name}). Noncompliant on purpose: a business name
   * containing "noncompliant", or config.noncompliant listing "customer_profile" / "trust_product".
   * @param {string} template @param {any} r @param {any} ctx
   */
  evaluate(template, r, ctx) {
    const isCp = template.startsWith('/v1/CustomerProfiles/');
    const base = isCp ? '/v1/CustomerProfiles' : '/v1/TrustProducts';
    const bundleSid = ctx.match.pathParams[isCp ? 'CustomerProfileSid' : 'TrustProductSid'];
    const bundle = this.collection(base).get(bundleSid);
    if (!bundle) throw new TwilioError(404, 20404, `The requested resource ${base}/${bundleSid} was not found`);
    if (bundle.policy_sid && r.policy_sid !== bundle.policy_sid) throw new TwilioError(400, 20422, `PolicySid ${r.policy_sid} is not the policy of ${bundleSid}`);
    r[isCp ? 'customer_profile_sid' : 'trust_product_sid'] = bundleSid;
    const assigned = [...this.collection(`${base}/${bundleSid}/EntityAssignments`).values()]
      .map((a) => this.findResource(a.object_sid)).filter(Boolean);
    const find = (/** @type {string} */ c, /** @type {string} */ type) => (assigned.find((x) => x && x.c === c && x.r.type === type) || { r: null }).r;
    const forced = [].concat(this.config.noncompliant || []).includes(isCp ? 'customer_profile' : 'trust_product');
    /** @type {any[]} */
    const results = [];
    /** @param {string} name @param {string} friendly @param {string} objectType @param {any} attrs @param {[string, string][]} fields @param {(a: any) => any[]} [extra] */
    const requirement = (name, friendly, objectType, attrs, fields, extra) => {
      const res = { friendly_name: friendly, object_type: objectType, passed: true, failure_reason: null, error_code: null,
        valid: /** @type {any[]} */ ([]), invalid: /** @type {any[]} */ ([]), requirement_friendly_name: friendly, requirement_name: name };
      if (!attrs) {
        Object.assign(res, { passed: false, failure_reason: `A ${friendly} is missing. Please add one to the regulatory bundle.`, error_code: 22214 });
        results.push(res);
        return;
      }
      for (const [field, label] of fields) {
        const v = attrs[field];
        if (v === undefined || v === null || String(v).trim() === '') {
          res.invalid.push({ friendly_name: label, object_field: field, failure_reason: `The ${label} is missing. Please enter in a ${label} on the ${friendly}.`, error_code: 22215 });
        } else {
          res.valid.push({ friendly_name: label, object_field: field, failure_reason: null, error_code: null });
        }
      }
      if (extra) res.invalid.push(...extra(attrs));
      if (res.invalid.length) Object.assign(res, { passed: false, failure_reason: `The ${friendly} is not valid.`, error_code: 22215 });
      results.push(res);
    };
    if (isCp) {
      const info = find('/v1/EndUsers', 'customer_profile_business_information');
      requirement('business_info', 'Business Information', 'customer_profile_business_information', info && (info.attributes || {}), [
        ['business_name', 'Business Name'], ['business_identity', 'Business Identity'], ['business_type', 'Business Type'],
        ['business_industry', 'Business Industry'], ['business_registration_identifier', 'Business Registration ID Type'],
        ['business_registration_number', 'Business Registration Number'], ['business_regions_of_operation', 'Business Regions of Operation'],
        ['website_url', 'Website URL']], (a) => {
        const bad = [];
        if (/noncompliant/i.test(String(a.business_name || '')) || forced) {
          bad.push({ friendly_name: 'Business Name', object_field: 'business_name', error_code: 22215,
            failure_reason: 'The Business Name does not match the name registered for this Business Registration Number.' });
        }
        return bad;
      });
      const rep = find('/v1/EndUsers', 'authorized_representative_1');
      requirement('authorized_representative_1', 'Authorized Representative', 'authorized_representative_1', rep && (rep.attributes || {}), [
        ['first_name', 'First Name'], ['last_name', 'Last Name'], ['email', 'Email'], ['phone_number', 'Phone Number'],
        ['business_title', 'Business Title'], ['job_position', 'Job Position']]);
      const doc = find('/v1/SupportingDocuments', 'customer_profile_address');
      const addrSid = doc && [].concat((doc.attributes || {}).address_sids || [])[0];
      const addr = addrSid ? this.collection(this.addressesPath()).get(addrSid) : null;
      requirement('customer_profile_address', 'Business Address', 'customer_profile_address', doc && (addr || {}), [
        ['customer_name', 'Customer Name'], ['street', 'Street'], ['city', 'City'], ['region', 'Region'], ['postal_code', 'Postal Code'],
        ['iso_country', 'Country']]);
    } else {
      const info = find('/v1/EndUsers', 'us_a2p_messaging_profile_information');
      requirement('us_a2p_messaging_profile_information', 'A2P Messaging Profile Information', 'us_a2p_messaging_profile_information',
        info && (info.attributes || {}), [['company_type', 'Company Type']], (a) => {
          const bad = [];
          if (a.company_type && !['private', 'public', 'non-profit', 'government'].includes(a.company_type)) {
            bad.push({ friendly_name: 'Company Type', object_field: 'company_type', error_code: 22215, failure_reason: `The Company Type ${a.company_type} is not one of private, public, non-profit, government.` });
          }
          if (a.company_type === 'public' && (!a.stock_exchange || !a.stock_ticker)) {
            bad.push({ friendly_name: 'Stock Ticker', object_field: 'stock_ticker', error_code: 22215, failure_reason: 'A public company needs its Stock Exchange and Stock Ticker.' });
          }
          if (forced) bad.push({ friendly_name: 'Company Type', object_field: 'company_type', error_code: 22215, failure_reason: 'The Company Type does not match the business records (sandbox: noncompliant on request).' });
          return bad;
        });
      const cp = assigned.find((x) => x && x.c === '/v1/CustomerProfiles');
      results.push({ friendly_name: 'Secondary Customer Profile', object_type: 'customer_profile', passed: !!cp,
        failure_reason: cp ? null : 'A Secondary Customer Profile is missing. Please add one to the regulatory bundle.', error_code: cp ? null : 22214,
        valid: [], invalid: [], requirement_friendly_name: 'Secondary Customer Profile', requirement_name: 'customer_profile' });
    }
    r.results = results;
    r.status = results.every((x) => x.passed) ? 'compliant' : 'noncompliant';
    return r;
  }

  /** @param {string} collPath @param {any} r @param {any} ctx */
  onUpdate(collPath, r, ctx) {
    const submitted = ctx.p.Status === 'pending-review' && (collPath === '/v1/CustomerProfiles' || collPath === '/v1/TrustProducts');
    if (submitted) this.scheduleA2p(collPath, r.sid, { status: 'twilio-approved' });
    return r;
  }

  /** Applies an approval after config.a2pDelayMs (never when it is negative). @param {string} c @param {string} sid @param {object} change */
  scheduleA2p(c, sid, change) {
    const ms = Number(this.config.a2pDelayMs);
    if (!(ms >= 0)) return;
    this.later(ms, () => this.updateResource(c, sid, change));
  }

  /** @param {string} c @param {string} sid @param {any} change */
  updateResource(c, sid, change) {
    const r = this.collection(c).get(sid);
    if (!r) return null;
    const next = { ...r, ...change };
    if ('date_updated' in r) next.date_updated = iso(Date.now());
    this.saveResource(c, next);
    const svc = /^\/v1\/Services\/(MG[0-9a-fA-F]{32})\/Compliance\/Usa2p$/.exec(c);
    if (svc && next.campaign_status) {
      const s = this.collection('/v1/Services').get(svc[1]);
      if (s) this.saveResource('/v1/Services', { ...s, us_app_to_person_registered: next.campaign_status === 'VERIFIED' });
    }
    return next;
  }

  /** Finds a v1 resource by sid in any collection. @param {string} sid */
  findResource(sid) {
    for (const [c, m] of this.resources) if (m.has(sid)) return { c, r: m.get(sid) };
    return null;
  }

  // ---------------------------------------------------------------- inbound

  /**
   * Delivers an inbound SMS to the relay as Twilio would (POST /sandbox/inbound).
   * @param {{from: string, to?: string, body: string, url?: string, times?: number, fromCity?: string,
   *          fromState?: string, fromZip?: string}} input
   */
  async inbound(input) {
    const from = input.from;
    const to = input.to || this.config.numbers[0];
    const body = String(input.body ?? '');
    if (!from || !isValidTo(from)) throw new TwilioError(400, 21211, `Invalid 'From' number ${from}`);
    if (!this.config.numbers.includes(to) && !this.serviceOfNumber(to)) throw new TwilioError(400, 21606, `${to} is not one of the sandbox's numbers`);
    const url = input.url || this.inboundUrl();
    const now = Date.now();
    const sid = newSid('SM');
    const mg = this.serviceOfNumber(to);
    const word = body.trim().toUpperCase();
    const kind = OPT_OUT.has(word) ? 'STOP' : OPT_IN.has(word) ? 'START' : HELP.has(word) ? 'HELP' : null;
    if (kind === 'STOP' && !this.optouts.has(from)) { this.store.append({ t: 'optout', number: from, on: true }); this.optouts.add(from); }
    if (kind === 'START' && this.optouts.has(from)) { this.store.append({ t: 'optout', number: from, on: false }); this.optouts.delete(from); }
    const segments = String(body ? this.counter.count(body) : 1);
    this.saveMessage({
      account_sid: this.config.accountSid, api_version: API_VERSION, body, date_created: rfc2822(now), date_sent: rfc2822(now),
      date_updated: rfc2822(now), direction: 'inbound', error_code: null, error_message: null, from, messaging_service_sid: mg,
      num_media: '0', num_segments: segments, price: '-0.00790', price_unit: 'USD', sid, status: 'received',
      subresource_uris: { media: `/2010-04-01/Accounts/${this.config.accountSid}/Messages/${sid}/Media.json` }, to,
      uri: `/2010-04-01/Accounts/${this.config.accountSid}/Messages/${sid}.json`,
      sandbox: { created_ms: now, opt_out_type: kind, history: [{ status: 'received', at: now }] },
    });
    /** @type {[string,string][]} */
    const params = [
      ['ToCountry', countryOf(to)], ['ToState', ''], ['SmsMessageSid', sid], ['NumMedia', '0'], ['ToCity', ''],
      ['FromZip', input.fromZip || ''], ['SmsSid', sid], ['FromState', input.fromState || ''], ['SmsStatus', 'received'],
      ['FromCity', input.fromCity || ''], ['Body', body], ['FromCountry', countryOf(from)], ['To', to], ['ToZip', ''],
      ['NumSegments', segments], ['MessageSid', sid], ['AccountSid', this.config.accountSid], ['From', from], ['ApiVersion', API_VERSION],
    ];
    if (mg) params.push(['MessagingServiceSid', mg]);
    if (kind) params.push(['OptOutType', kind]);
    const deliveries = [];
    const replies = [];
    if (kind) replies.push(this.reply(to, from, AUTO_REPLY[kind], mg, 'auto-reply'));
    if (url) {
      const idem = `${sid}-${hex(4)}`;
      const times = Math.max(1, Math.min(5, Number(input.times) || 1));
      for (let i = 0; i < times; i++) deliveries.push(await this.postWebhook('inbound', url, params, idem, { sid, duplicate: i > 0 }));
      const twiml = deliveries[0] && deliveries[0].http_status === 200 ? deliveries[0].response : '';
      for (const text of twimlMessages(twiml)) {
        if (!this.optouts.has(from)) replies.push(this.reply(to, from, text, mg, 'twiml'));
      }
    }
    return { sid, optOutType: kind, optedOut: this.optouts.has(from), url, deliveries, replies };
  }

  /** Records a reply Twilio sends itself (opt-out auto-reply, TwiML <Message>). */
  reply(/** @type {string} */ from, /** @type {string} */ to, /** @type {string} */ body, /** @type {string|null} */ mg, /** @type {string} */ why) {
    const now = Date.now();
    const sid = newSid('SM');
    this.saveMessage({
      account_sid: this.config.accountSid, api_version: API_VERSION, body, date_created: rfc2822(now), date_sent: rfc2822(now),
      date_updated: rfc2822(now), direction: 'outbound-reply', error_code: null, error_message: null, from, messaging_service_sid: mg,
      num_media: '0', num_segments: String(this.counter.count(body)), price: null, price_unit: 'USD', sid, status: 'delivered',
      subresource_uris: { media: `/2010-04-01/Accounts/${this.config.accountSid}/Messages/${sid}/Media.json` }, to,
      uri: `/2010-04-01/Accounts/${this.config.accountSid}/Messages/${sid}.json`,
      sandbox: { created_ms: now, reply: why, history: [{ status: 'delivered', at: now }] },
    });
    return sid;
  }

  // ---------------------------------------------------------------- control endpoints

  /**
   * /sandbox/* (JSON, no auth: the sandbox listens on loopback only).
   * @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {URL} url @param {string} raw
   */
  async control(req, res, url, raw) {
    /** @type {any} */
    let j = {};
    if (raw) {
      try { j = JSON.parse(raw); } catch { return this.send(res, 400, { ok: false, error: 'body must be JSON' }); }
    }
    const route = `${req.method} ${url.pathname.replace(/\/$/, '')}`;
    const ok = (/** @type {object} */ o = {}) => this.send(res, 200, { ok: true, ...o });
    try {
      switch (route) {
        case 'GET /sandbox/health':
          return ok({ url: this.base, accountSid: this.config.accountSid, numbers: this.config.numbers,
            messagingServiceSid: this.config.messagingServiceSid, segments: this.counter.source, oaiDir: this.oai.dir });
        case 'GET /sandbox/config': return ok({ config: this.publicConfig() });
        case 'POST /sandbox/config': {
          for (const k of Object.keys(j)) if (!MUTABLE.includes(k)) return this.send(res, 400, { ok: false, error: `unknown config key ${k}` });
          Object.assign(this.config, j);
          if (j.numbers || j.statusCallback || j.publicUrl) this.seedDefaults();
          if (j.statusCallback !== undefined || j.publicUrl !== undefined) {
            const s = this.collection('/v1/Services').get(this.config.messagingServiceSid);
            if (s) this.saveResource('/v1/Services', { ...s, status_callback: this.defaultStatusCallback() });
          }
          return ok({ config: this.publicConfig() });
        }
        case 'GET /sandbox/messages': {
          let list = [...this.messages.values()];
          for (const k of ['direction', 'to', 'from', 'status']) {
            const v = url.searchParams.get(k);
            if (v) list = list.filter((m) => m[k] === v);
          }
          return ok({ messages: list });
        }
        case 'GET /sandbox/callbacks': {
          let list = this.callbacks;
          const sid = url.searchParams.get('sid');
          const kind = url.searchParams.get('kind');
          if (sid) list = list.filter((c) => c.sid === sid);
          if (kind) list = list.filter((c) => c.kind === kind);
          return ok({ callbacks: list });
        }
        case 'GET /sandbox/rejections': return ok({ rejections: this.rejections });
        case 'GET /sandbox/requests': return ok({ requests: this.requests });
        case 'GET /sandbox/optouts': return ok({ optouts: [...this.optouts] });
        case 'POST /sandbox/optouts': {
          if (!j.number) return this.send(res, 400, { ok: false, error: 'number is required' });
          const on = j.optedOut !== false;
          this.store.append({ t: 'optout', number: j.number, on });
          if (on) this.optouts.add(j.number); else this.optouts.delete(j.number);
          return ok({ optouts: [...this.optouts] });
        }
        case 'POST /sandbox/inbound': {
          const r = await this.track(this.inbound(j));
          return ok(r);
        }
        case 'GET /sandbox/faults': return ok({ faults: this.faults });
        case 'POST /sandbox/faults': {
          const kind = j.kind === 'rate' ? 'rate' : 'error';
          const f = { kind, count: Math.max(1, Number(j.count) || 1), match: j.match === 'any' ? 'any' : 'create', path: j.path || null,
            status: Number(j.status) || (kind === 'rate' ? 429 : 500), code: j.code, message: j.message,
            retryAfter: j.retryAfter === undefined ? 1 : Number(j.retryAfter), delayMs: Math.max(0, Number(j.delayMs) || 0) };
          this.faults.push(f);
          return ok({ faults: this.faults });
        }
        case 'DELETE /sandbox/faults': this.faults = []; return ok({ faults: [] });
        case 'POST /sandbox/a2p': {
          const found = this.findResource(j.sid);
          if (!found) return this.send(res, 404, { ok: false, error: `no resource ${j.sid}` });
          const change = found.c.endsWith('/Usa2p') ? { campaign_status: j.status || 'VERIFIED', campaign_id: found.r.campaign_id || 'C' + hex(3).toUpperCase() }
            : found.c === '/v1/a2p/BrandRegistrations'
              ? { status: j.status || 'APPROVED', tcr_id: found.r.tcr_id || 'B' + hex(3).toUpperCase(), failure_reason: j.failureReason || null,
                errors: j.status === 'FAILED' ? [{ code: 30794, description: j.failureReason || 'Brand rejected (sandbox)' }] : [] }
              : { status: j.status || 'twilio-approved' };
          return ok({ resource: this.updateResource(found.c, j.sid, change) });
        }
        case 'POST /sandbox/scheduled/release': return ok({ released: this.releaseScheduled(j.sid) });
        case 'POST /sandbox/drain': return ok({ idle: await this.drain(Number(j.timeoutMs) || 30000) });
        case 'POST /sandbox/reset': {
          await this.drain(5000);
          for (const t of this.timers) clearTimeout(t);
          this.timers.clear();
          if (j.config) this.config = { ...this.initialConfig };
          this.store.truncate();
          this.clear();
          return ok();
        }
        default:
          return this.send(res, 404, { ok: false, error: `no control endpoint ${route}` });
      }
    } catch (e) {
      if (e instanceof TwilioError) return this.send(res, e.status, { ok: false, ...e.toJSON() });
      throw e;
    }
  }

  publicConfig() {
    const { dataDir, oaiDir, fsync, ...rest } = this.config;
    return { ...rest, dataDir, inboundUrlEffective: this.inboundUrl(), statusCallbackEffective: this.defaultStatusCallback() };
  }
}

/** The Supporting Document Types the sandbox knows (TrustHub's list is longer). */
const SUPPORTING_DOCUMENT_TYPES = new Set(['customer_profile_address', 'business_registration', 'utility_bill',
  'tax_document', 'government_issued_document']);

/** Twilio's written rules for a campaign (RULES.md), beyond what the spec's types say. */
function campaignProblems(/** @type {Record<string,string>} */ p, /** @type {Record<string,string[]>} */ params) {
  const why = [];
  const len = (/** @type {string|undefined} */ s) => (s || '').length;
  if (len(p.Description) < 40 || len(p.Description) > 4096) why.push('Description must be 40-4096 characters');
  if (len(p.MessageFlow) < 40 || len(p.MessageFlow) > 2048) why.push('MessageFlow must be 40-2048 characters');
  const samples = params.MessageSamples || [];
  if (samples.length < 2 || samples.length > 5) why.push('MessageSamples needs 2-5 samples');
  if (samples.some((s) => s.length < 20 || s.length > 1024)) why.push('each MessageSample must be 20-1024 characters');
  if (!USE_CASES.has(p.UsAppToPersonUsecase)) why.push(`unknown UsAppToPersonUsecase ${p.UsAppToPersonUsecase}`);
  return why;
}

/** The texts of <Message> verbs in a TwiML reply. @param {string} xml */
export function twimlMessages(xml) {
  const out = [];
  const unesc = (/** @type {string} */ s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  for (const m of String(xml || '').matchAll(/<Message\b[^>]*?(?:\/>|>([\s\S]*?)<\/Message>)/g)) {
    const inner = m[1] || '';
    const b = /<Body>([\s\S]*?)<\/Body>/.exec(inner);
    const text = unesc((b ? b[1] : inner.replace(/<[^>]+>/g, '')).trim());
    if (text) out.push(text);
  }
  return out;
}

/**
 * POSTs a body and resolves with {status, body}; rejects on network errors and after 15 s.
 * @param {string} target @param {string} body @param {Record<string,string>} headers
 * @returns {Promise<{status: number, body: string}>}
 */
function httpPost(target, body, headers) {
  return new Promise((resolve, reject) => {
    const u = new URL(target);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(u, { method: 'POST', headers: { ...headers, 'Content-Length': Buffer.byteLength(body) }, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode || 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(WEBHOOK_TIMEOUT_MS, () => req.destroy(new Error('timeout (15 s, as Twilio)')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Creates a sandbox (not yet listening). Options override the environment.
 * @param {Record<string, any>} [options]
 */
export async function createSandbox(options = {}) {
  const config = { ...DEFAULTS, dataDir: path.join(REPO_ROOT, 'var', 'sandbox'), ...configFromEnv(), ...options };
  config.numbers = [...config.numbers];
  const oai = new Oai(config.oaiDir);
  const counter = await loadSegmentCounter();
  return new Sandbox(config, oai, counter);
}
