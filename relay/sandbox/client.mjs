// @ts-check
/**
 * Helpers for tests (tests/node, tests/relay): start/stop the sandbox on a random port, drive its
 * control endpoints, and get an official `twilio` client that talks to it.
 *
 *   import { startSandbox, spawnSandbox, twilioClient } from '../../relay/sandbox/client.mjs';
 *   const sb = await startSandbox({ dataDir, publicUrl: relayUrl });   // in this process
 *   const sb = await spawnSandbox({ dataDir, env: {...} });            // as a child process
 *   sb.url            → TWILIO_API_BASE for the relay
 *   sb.env            → {TWILIO_API_BASE, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, ...} for the relay
 *   await sb.inbound({ from: '+15125550123', body: 'STOP' });
 *   await sb.messages(); await sb.drain(); await sb.reset(); await sb.stop();
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Control calls on a running sandbox. @param {string} url */
export function control(url) {
  /** @param {string} method @param {string} p @param {any} [body] */
  const call = async (method, p, body) => {
    const r = await fetch(url + p, {
      method,
      headers: body === undefined ? { Connection: 'close' } : { 'Content-Type': 'application/json', Connection: 'close' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const j = await r.json();
    if (!r.ok) throw Object.assign(new Error(`sandbox ${method} ${p}: ${r.status} ${JSON.stringify(j)}`), { status: r.status, body: j });
    return j;
  };
  return {
    call,
    health: () => call('GET', '/sandbox/health'),
    getConfig: () => call('GET', '/sandbox/config').then((j) => j.config),
    /** @param {object} c keys to change (see README.md) */
    setConfig: (c) => call('POST', '/sandbox/config', c).then((j) => j.config),
    /** @param {Record<string,string>} [filter] direction, to, from, status */
    messages: (filter) => call('GET', `/sandbox/messages${filter ? '?' + new URLSearchParams(filter) : ''}`).then((j) => j.messages),
    /** @param {Record<string,string>} [filter] sid, kind */
    callbacks: (filter) => call('GET', `/sandbox/callbacks${filter ? '?' + new URLSearchParams(filter) : ''}`).then((j) => j.callbacks),
    rejections: () => call('GET', '/sandbox/rejections').then((j) => j.rejections),
    requests: () => call('GET', '/sandbox/requests').then((j) => j.requests),
    optouts: () => call('GET', '/sandbox/optouts').then((j) => j.optouts),
    /** @param {{from: string, to?: string, body: string, url?: string, times?: number}} m */
    inbound: (m) => call('POST', '/sandbox/inbound', m),
    /** @param {{kind?: 'error'|'rate', count?: number, status?: number, retryAfter?: number, match?: 'create'|'any', delayMs?: number}} f */
    fault: (f) => call('POST', '/sandbox/faults', f),
    /** @param {string} sid @param {string} [status] */
    a2p: (sid, status) => call('POST', '/sandbox/a2p', { sid, status }),
    releaseScheduled: (/** @type {string} */ sid) => call('POST', '/sandbox/scheduled/release', sid ? { sid } : {}),
    drain: () => call('POST', '/sandbox/drain', {}),
    reset: (/** @type {boolean} */ config) => call('POST', '/sandbox/reset', config ? { config: true } : {}),
  };
}

/** Environment for a relay pointed at this sandbox. @param {string} url @param {any} cfg */
function relayEnv(url, cfg) {
  return {
    TWILIO_API_BASE: url,
    TWILIO_ACCOUNT_SID: cfg.accountSid,
    TWILIO_AUTH_TOKEN: cfg.authToken,
    TWILIO_MESSAGING_SERVICE_SID: cfg.messagingServiceSid,
    TWILIO_FROM_NUMBER: cfg.numbers[0],
  };
}

/**
 * Starts a sandbox inside this process on a random port.
 * @param {Record<string, any>} [options] config overrides (dataDir, publicUrl, authToken, numbers, ...)
 */
export async function startSandbox(options = {}) {
  const { createSandbox } = await import('./server.mjs');
  const sandbox = await createSandbox(options);
  const url = await sandbox.listen(options.port || 0);
  return { url, sandbox, config: sandbox.config, env: relayEnv(url, sandbox.config), ...control(url), stop: () => sandbox.close() };
}

/**
 * Starts a sandbox as a child process (survives nothing it should not: kill it with stop('SIGKILL')).
 * @param {{port?: number, dataDir?: string, env?: Record<string,string>}} [opts]
 */
export async function spawnSandbox(opts = {}) {
  const args = [path.join(HERE, 'main.mjs'), '--port', String(opts.port || 0)];
  if (opts.dataDir) args.push('--data-dir', opts.dataDir);
  const child = spawn(process.execPath, args, { env: { ...process.env, ...(opts.env || {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const url = await new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout });
    rl.once('line', (line) => {
      const m = /^TWILIO_API_BASE=(\S+)$/.exec(line);
      if (m) resolve(m[1]); else reject(new Error(`unexpected first line from sandbox: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited (${code}): ${stderr}`)));
  });
  const c = control(url);
  const { config } = await c.call('GET', '/sandbox/config');
  const exited = new Promise((r) => child.once('exit', r));
  return {
    url, child, pid: child.pid, config, env: relayEnv(url, config), ...c,
    /** @param {NodeJS.Signals} [signal] */
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * The official `twilio` client, talking to the sandbox instead of https://*.twilio.com: its
 * RequestClient is subclassed to rewrite each request's origin (api., messaging., trusthub.).
 * @param {string} url sandbox base URL
 * @param {{accountSid: string, authToken?: string, apiKey?: string, apiSecret?: string}} cred
 * @param {Record<string, any>} [clientOpts] passed to twilio()
 */
export function twilioClient(url, cred, clientOpts = {}) {
  const twilio = createRequire(import.meta.url)('twilio');
  class SandboxRequestClient extends twilio.RequestClient {
    /** @param {any} opts */
    request(opts) {
      const u = new URL(opts.uri);
      if (/(^|\.)twilio\.com$/.test(u.hostname)) opts = { ...opts, uri: url + u.pathname + u.search };
      return super.request(opts);
    }
  }
  const httpClient = new SandboxRequestClient({ keepAlive: false });
  if (cred.apiKey) return twilio(cred.apiKey, cred.apiSecret, { accountSid: cred.accountSid, httpClient, ...clientOpts });
  return twilio(cred.accountSid, cred.authToken, { httpClient, ...clientOpts });
}
