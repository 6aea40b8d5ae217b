// @ts-check
/**
 * The back end for the staff app's browser tests: the real relay binary with the Twilio sandbox
 * when they are built, else tests/e2e/fake-relay.mjs (a test double of relay/API.md).
 *
 *   FT_E2E_BACKEND=real   require the real relay (fail if it is missing)
 *   FT_E2E_BACKEND=fake   always the double
 *   (unset)               real when build/<dir>/relay/fieldtext-relay and tests/relay/helpers.mjs
 *                         exist, else the double, saying so on stderr
 *
 * Both give: url (the app's origin, ends with '/'), kind, inbound(from, body) (the pretend
 * customer texts in), sandboxMessages() (what Twilio received), addUser(), stop().
 * The admin is alice / ADMIN_PASSWORD; addUser creates bob through POST /api/users.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, newPage } from './helpers.mjs';
import { startFakeRelay } from './fake-relay.mjs';

export const ADMIN = { username: 'alice', name: 'Alice Admin', password: 'alice-password-1' };
export const STAFF = { username: 'bob', name: 'Bob Staff', password: 'bob-password-12' };

/**
 * @typedef {{kind: 'real'|'fake', url: string, inbound: (from: string, body: string) => Promise<any>,
 *   sandboxMessages: () => Promise<any[]>, stop: () => Promise<void>, raw: any}} Backend
 */

/**
 * @param {{sandbox?: boolean, env?: Record<string, string>}} [opts] env: more relay environment
 *   (real relay only), e.g. FIELDTEXT_CLOCK_OFFSET_MS
 * @returns {Promise<Backend>}
 */
export async function startBackend(opts = {}) {
  const want = process.env.FT_E2E_BACKEND || 'auto';
  const helpers = path.join(ROOT, 'tests/relay/helpers.mjs');
  // The binary tests/relay/helpers.mjs starts: $FT_BUILD_DIR (scripts/test: build/asan) or build/native.
  const binPath = path.resolve(ROOT, process.env.FT_BUILD_DIR || 'build/native', 'relay/fieldtext-relay');
  const bin = fs.existsSync(binPath) ? binPath : null;
  if (want === 'real' || (want === 'auto' && bin && fs.existsSync(helpers))) {
    if (!bin || !fs.existsSync(helpers)) throw new Error(`FT_E2E_BACKEND=real: ${binPath} or tests/relay/helpers.mjs is missing`);
    return startReal(helpers, opts);
  }
  if (want === 'auto') process.stderr.write('# e2e: the real relay is not built yet: running against tests/e2e/fake-relay.mjs (relay/API.md double)\n');
  const relay = await startFakeRelay({ sandbox: opts.sandbox !== false, users: [{ ...ADMIN, role: 'admin' }] });
  return { kind: 'fake', url: relay.url, inbound: (f, b) => relay.inbound(f, b), sandboxMessages: () => relay.sandboxMessages(), stop: () => relay.stop(), raw: relay };
}

/**
 * The real relay (tests/relay/helpers.mjs startRelay) wired to an in-process Twilio sandbox
 * (relay/sandbox/client.mjs), each knowing the other's URL, as tests/relay/twilio.test.mjs does.
 * The relay's admin is "admin"; ADMIN is updated to it. A bundle is bought so texts can go out.
 * @param {string} helpersPath @param {{sandbox?: boolean, env?: Record<string, string>}} opts @returns {Promise<Backend>}
 */
async function startReal(helpersPath, opts) {
  const h = await import(helpersPath);
  const { startSandbox } = await import(path.join(ROOT, 'relay/sandbox/client.mjs'));
  const port = await h.freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-e2e-sandbox-'));
  const sb = await startSandbox({ publicUrl, callbackDelayMs: 10, dataDir });
  /** @type {any} */
  let relay;
  try {
    relay = await h.startRelay({ port, env: { ...sb.env, FIELDTEXT_PUBLIC_URL: publicUrl, FIELDTEXT_SANDBOX: opts.sandbox === false ? '0' : '1', FIELDTEXT_RETRY_BASE_MS: '200', FIELDTEXT_WEB: path.join(ROOT, 'web'), ...(opts.env || {}) } });
  } catch (e) {
    await sb.stop();
    throw e;
  }
  const admin = await h.login(relay);
  ADMIN.username = 'admin';
  ADMIN.password = h.ADMIN_PASSWORD;
  ADMIN.name = (admin.user && (admin.user.name || admin.user.username)) || 'admin';
  const bought = await admin.post('/api/ledger/purchase', { segments: 10000 });
  if (bought.status !== 200) process.stderr.write(`# e2e: could not buy segments: ${bought.status} ${JSON.stringify(bought.body)}\n`);
  return {
    kind: 'real',
    url: relay.url.replace(/\/?$/, '/'),
    inbound: (from, body) => sb.inbound({ from, body }),
    sandboxMessages: () => sb.messages(),
    stop: async () => {
      try { await relay.stop(); } finally {
        await sb.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
    raw: { relay, sb },
  };
}

/**
 * Creates bob (staff) through the admin's session in a throwaway request context.
 * @param {import('playwright-core').APIRequestContext} request
 * @param {string} url
 */
export async function addStaff(request, url) {
  const login = await request.post(new URL('/api/login', url).href, { data: { username: ADMIN.username, password: ADMIN.password } });
  const { csrf } = await login.json();
  const r = await request.post(new URL('/api/users', url).href, { data: { ...STAFF, role: 'staff' }, headers: { 'x-csrf-token': csrf } });
  if (!r.ok() && r.status() !== 409) throw new Error(`could not create ${STAFF.username}: ${r.status()} ${await r.text()}`);
}

/**
 * A new page (its context added to contexts, for the file's after hook) signed in to the backend.
 * @param {import('playwright-core').Browser} browser @param {Backend} backend
 * @param {Set<import('playwright-core').BrowserContext>} contexts
 * @param {{username: string, password: string}} [who] @param {import('playwright-core').BrowserContextOptions} [opts]
 */
export async function openSignedIn(browser, backend, contexts, who = ADMIN, opts = {}) {
  const opened = await newPage(browser, opts);
  contexts.add(opened.context);
  await opened.page.goto(backend.url);
  await signIn(opened.page, who);
  return opened;
}

/**
 * Signs in on the app's page.
 * @param {import('playwright-core').Page} page @param {{username: string, password: string}} who
 */
export async function signIn(page, who) {
  try {
    await page.waitForSelector('form[data-form="login"]');
  } catch (e) {
    // Say where the page is stuck (phase, failure, what is on screen) instead of only "timeout".
    const where = await page.evaluate(() => {
      const st = /** @type {any} */ (window).fieldtext ? /** @type {any} */ (window).fieldtext.store.getState() : null;
      return JSON.stringify({ phase: st && st.phase, failure: st && st.failure, loginError: st && st.loginError, text: (document.body.innerText || '').slice(0, 200) });
    }).catch((x) => String(x));
    throw new Error(`${/** @type {any} */ (e).message}\npage: ${where}`);
  }
  await page.fill('input[name=username]', who.username);
  await page.fill('input[name=password]', who.password);
  await page.click('form[data-form="login"] button[type=submit]');
  await page.waitForSelector('#messages:not([hidden])');
}

/**
 * Adds a customer and runs the opt-in flow to the end.
 * @param {import('playwright-core').Page} page @param {string} name @param {string} typed phone as typed
 */
export async function addOptedInCustomer(page, name, typed) {
  await page.click('[data-view=customers]');
  await page.click('[data-action=new-customer]');
  await page.fill('input[name=name]', name);
  await page.fill('input[name=phone]', typed);
  await page.click('form[data-form=customer] button[type=submit]');
  await page.click('[data-action=start-optin]');
  await page.waitForSelector('[data-testid=consent-script]');
  await page.click('[data-action=optin-read]');
  await page.waitForSelector('[data-testid=disclosure]');
  await page.click('[data-action=optin-ack]');
  await page.check('[data-testid=consent-box]');
  await page.click('[data-action=optin-box]');
  await page.waitForSelector('[data-testid=consent-verification].ok');
}

/**
 * Sends a text from the open conversation with Enter and waits until the composer is empty.
 * @param {import('playwright-core').Page} page @param {string} text
 */
export async function sendText(page, text) {
  await page.fill('[data-field=compose]', text);
  await page.press('[data-field=compose]', 'Enter');
}

/** Waits until a condition on the back end holds. @param {() => Promise<boolean>} fn @param {number} [ms] */
export async function until(fn, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
