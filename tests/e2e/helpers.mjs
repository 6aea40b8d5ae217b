// @ts-check
/**
 * Shared helpers for the browser tests (tests/e2e/*.test.mjs): real headless Chromium through
 * playwright-core (the system's /usr/bin/chromium; never `npx playwright install`), the static
 * server on a random loopback port, and cleanup.
 *
 *   import { useBrowserSession } from './helpers.mjs';
 *   const session = useBrowserSession();            // registers before/after hooks
 *   test('…', async () => {
 *     const { page } = await session.open('estimator.html');   // new context each time
 *     …
 *   });
 *
 * Each open() gets a fresh browser context (its own storage and service workers); pages record
 * page errors, console errors and dialogs (dismissed) so a test can assert there were none.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_ROOT = path.join(ROOT, 'web');
export const CHROMIUM_PATH = process.env.FT_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Fails early, with the fix, when the WASM core has not been built. */
export function requireWasm() {
  for (const f of ['fieldtext_core.mjs', 'fieldtext_core.wasm']) {
    if (!fs.existsSync(path.join(WEB_ROOT, 'wasm', f))) {
      throw new Error(`web/wasm/${f} is missing: build the WASM core first (scripts/build)`);
    }
  }
}

/**
 * Starts scripts/dev/serve-static.mjs on 127.0.0.1 (port 0 = a random free port).
 * @param {{root?: string, port?: number}} [opts]
 * @returns {Promise<{url: string, port: number, stop: () => Promise<void>}>} url ends with '/'
 */
export function startStaticServer({ root = WEB_ROOT, port = 0 } = {}) {
  const env = { ...process.env };
  delete env.FIELDTEXT_PORT; // it would override the port argument
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/dev/serve-static.mjs'), root, String(port)], {
    env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then(() => children.delete(child));
  /** @returns {Promise<void>} */
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => { stop(); reject(new Error(`static server did not start: ${out}${err}`)); }, 10_000);
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${m[1]}/`, port: Number(m[1]), stop });
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`static server exited (${code}): ${err}`)); });
  });
}

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
process.once('exit', () => { for (const c of children) c.kill('SIGKILL'); });

/**
 * Launches the system Chromium headless.
 * @param {import('playwright-core').LaunchOptions} [opts]
 */
export function launchBrowser(opts = {}) {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium (scripts/setup --test)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, ...opts });
}

/**
 * @typedef {{page: import('playwright-core').Page, context: import('playwright-core').BrowserContext,
 *   errors: string[], dialogs: string[]}} OpenedPage
 */

/**
 * A new context and page that records page errors, console errors and dialogs.
 * @param {import('playwright-core').Browser} browser
 * @param {import('playwright-core').BrowserContextOptions} [contextOptions]
 * @returns {Promise<OpenedPage>}
 */
export async function newPage(browser, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  /** @type {string[]} */
  const errors = [];
  /** @type {string[]} */
  const dialogs = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
  return { page, context, errors, dialogs };
}

/**
 * One browser and one static server for a test file: before() starts them, after() closes every
 * context opened through the session, the browser and the server.
 * @param {{root?: string}} [opts]
 */
export function useBrowserSession(opts = {}) {
  /** @type {import('playwright-core').Browser | null} */
  let browser = null;
  /** @type {Awaited<ReturnType<typeof startStaticServer>> | null} */
  let server = null;
  /** @type {Set<import('playwright-core').BrowserContext>} */
  const contexts = new Set();

  const session = {
    /** The server's base URL (ends with '/'), set once before() ran. */
    baseUrl: '',
    get browser() { if (!browser) throw new Error('session not started'); return browser; },
    get server() { if (!server) throw new Error('session not started'); return server; },
    /**
     * Opens a path of the served folder in a new context; waits for the load event.
     * @param {string} [pathname]
     * @param {import('playwright-core').BrowserContextOptions} [contextOptions]
     */
    async open(pathname = '', contextOptions = {}) {
      const opened = await newPage(session.browser, contextOptions);
      contexts.add(opened.context);
      opened.context.once('close', () => contexts.delete(opened.context));
      await opened.page.goto(new URL(pathname, session.baseUrl).href);
      return opened;
    },
    /** Starts another static server on a random port (e.g. one to stop mid-test). */
    async extraServer() {
      const s = await startStaticServer({ root: opts.root });
      extra.add(s);
      return s;
    },
  };
  /** @type {Set<Awaited<ReturnType<typeof startStaticServer>>>} */
  const extra = new Set();

  before(async () => {
    requireWasm();
    [browser, server] = await Promise.all([launchBrowser(), startStaticServer({ root: opts.root })]);
    session.baseUrl = server.url;
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
    for (const s of extra) await s.stop();
  });
  return session;
}
