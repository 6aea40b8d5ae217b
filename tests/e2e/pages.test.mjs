// @ts-check
/**
 * The staff app's Templates & reminders and Registration pages (web/js/views/reminders.js,
 * registration.js) in headless Chromium against the real relay and the Twilio sandbox
 * (app-helpers.mjs startBackend). The fake relay has neither page's routes: these tests skip there.
 *
 * The relay's reminder clock is set (FIELDTEXT_CLOCK_OFFSET_MS) to today 12:00 in Chicago, so a
 * visit tomorrow at 11:00 with its reminder 1 day before is due at once, inside the 8 AM–9 PM
 * window, whatever the time the tests run.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, requireWasm } from './helpers.mjs';
import { startBackend, openSignedIn, addOptedInCustomer, until, ADMIN } from './app-helpers.mjs';

const ZONE = 'America/Chicago';
const EIN = '12-3456789';

/** The UTC instant of a wall-clock time in a zone (no DST edge at noon). @param {string} ymd @param {number} hour */
function zonedNoonMs(ymd, hour) {
  const guess = Date.parse(`${ymd}T${String(hour).padStart(2, '0')}:00:00Z`);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(guess).map((p) => [p.type, p.value]));
  const asLocal = Date.parse(`${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:00Z`);
  return guess - (asLocal - guess);
}
/** @param {number} ms @returns {string} the date in Chicago, YYYY-MM-DD (from the parts: how a
 * locale orders them depends on the ICU version; Debian 12's Node 18 writes en-CA as 11/26/2026) */
const chicagoDay = (ms) => {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(ms).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
};
/** @param {string} ymd @param {number} n */
const addDays = (ymd, n) => new Date(Date.parse(`${ymd}T12:00:00Z`) + n * 86400000).toISOString().slice(0, 10);

const today = chicagoDay(Date.now());
const relayNow = zonedNoonMs(today, 12);

/** @type {import('playwright-core').Browser} */ let browser;
/** @type {import('./app-helpers.mjs').Backend} */ let backend;
/** @type {Set<import('playwright-core').BrowserContext>} */ const contexts = new Set();

before(async () => {
  requireWasm();
  [browser, backend] = await Promise.all([launchBrowser(), startBackend({ sandbox: true, env: { FIELDTEXT_CLOCK_OFFSET_MS: String(relayNow - Date.now()) } })]);
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (backend) await backend.stop();
});

/** A signed-in admin page on a laptop-sized screen. */
const app = () => openSignedIn(browser, backend, contexts, ADMIN, { viewport: { width: 1366, height: 768 } });

/**
 * Adds a visit through the page's form.
 * @param {import('playwright-core').Page} page
 * @param {{customer: string, type: string, date: string, time: string, end: string, tech: string, gate?: string, repeat?: string}} v
 *   repeat: the "Repeats" option's value ('' does not repeat, 'weekly', …)
 */
async function addVisit(page, v) {
  const form = page.locator('form[data-form="job"]');
  if (!(await form.isVisible())) await page.click('details.visit > summary');
  await form.locator('select[name="customer_id"]').selectOption({ label: v.customer });
  await form.locator('input[name="job_type"]').fill(v.type);
  await form.locator('input[name="date"]').fill(v.date);
  await form.locator('input[name="time"]').fill(v.time);
  await form.locator('input[name="end"]').fill(v.end);
  await form.locator('select[name="tz"]').selectOption(ZONE);
  await form.locator('input[name="technician"]').fill(v.tech);
  await form.locator('input[name="gate_code"]').fill(v.gate || '');
  await form.locator('select[name="repeat"]').selectOption(v.repeat || '');
  await form.locator('button[type="submit"]').click();
  await until(async () => (await form.locator('input[name="technician"]').inputValue()) === '', 5000);
}

test('templates: live preview with cost and warnings, then a saved template and visits give reminders with their status', async (t) => {
  if (backend.kind !== 'real') { t.skip('tests/e2e/fake-relay.mjs has no reminders'); return; }
  const { page, errors } = await app();
  await addOptedInCustomer(page, 'Maria Lopez', '(512) 555-0131');

  await page.click('[data-view=reminders]');
  await page.click('[data-action=new-type]');
  await page.fill('input[name="job_type"]', 'Quarterly pest control');
  await page.fill('input[name="days_before"]', '1');
  const ta = page.locator('textarea[name="text"]');
  await ta.fill('Hi {{customer.first_name}}, your {{job.type}} visit is {{job.date}} from {{job.window_start}}. Gate code: ');
  await ta.press('End');
  await page.click('button[data-action="insert-code"][data-code="job.gate_code"]'); // inserted at the caret
  assert.match(await ta.inputValue(), /Gate code: \{\{job\.gate_code\}\}$/);

  // The core renders it against the sample visit; the cost line prices it.
  const preview = page.locator('[data-testid=tpl-preview]');
  await page.waitForFunction(() => /Gate code: #4821 Reply STOP to unsubscribe\.$/.test(document.querySelector('[data-testid=tpl-preview]')?.textContent || ''));
  assert.match(await preview.textContent() || '', /^Hi Maria, your Quarterly pest control visit is Tuesday, March 4 from 8:00 AM\./);
  const cost = page.locator('[data-testid=tpl-cost]');
  await page.waitForFunction(() => (document.querySelector('[data-testid=tpl-cost] [data-field="cost"]')?.textContent || '') === '$0.015');
  assert.equal(await cost.locator('[data-field="encoding"]').textContent(), 'GSM-7');
  assert.equal(await page.locator('[data-testid=tpl-warnings] li').count(), 0);

  // A curly apostrophe: the core warns that every message goes as UCS-2.
  await ta.press('End');
  await ta.type(' See you there’');
  await page.waitForSelector('[data-testid=tpl-warnings] li[data-type="template_ucs2"]');
  assert.equal(await cost.locator('[data-field="encoding"]').textContent(), 'UCS-2');
  // A link: the campaign says it has none.
  await ta.type(' www.acmepest.com');
  await page.waitForSelector('[data-testid=tpl-warnings] li[data-type="embedded_link"]');
  // An unknown code: the position is named, the field is marked.
  await ta.type(' {{customer.shoe_size}}');
  await page.waitForSelector('[data-testid=tpl-error]:not([hidden])');
  assert.match(await page.textContent('[data-testid=tpl-error]') || '', /unknown field code "customer\.shoe_size" at line 1, column \d+/);
  assert.equal(await ta.getAttribute('aria-invalid'), 'true');

  const text = 'Hi {{customer.first_name}}, your {{job.type}} visit is {{job.date}} from {{job.window_start}}. Gate code: {{job.gate_code}}';
  await ta.fill(text);
  await page.waitForSelector('[data-testid=tpl-error][hidden]', { state: 'attached' });
  await page.click('[data-testid=tpl-save]');
  await page.waitForSelector('[data-testid=tpl-save-state]:has-text("Saved")');
  await page.waitForSelector('.tpl-types button[aria-pressed="true"]:has-text("Quarterly pest control")');

  // Visits: tomorrow (due now: the reminder goes out), in 5 days (scheduled), one without a template.
  const tomorrow = addDays(today, 1);
  await addVisit(page, { customer: 'Maria Lopez', type: 'Quarterly pest control', date: tomorrow, time: '11:00', end: '13:00', tech: 'Sam Carter', gate: '1234' });
  await addVisit(page, { customer: 'Maria Lopez', type: 'Quarterly pest control', date: addDays(today, 5), time: '09:30', end: '11:30', tech: 'Sam Carter', gate: '77' });
  await addVisit(page, { customer: 'Maria Lopez', type: 'Termite inspection', date: addDays(today, 6), time: '10:00', end: '11:00', tech: 'Lee Park' });

  const upcoming = page.locator(`[data-testid=rem-upcoming] tr[data-date="${addDays(today, 5)}"]`);
  await upcoming.waitFor({ timeout: 15000 });
  assert.equal(await upcoming.locator('[data-testid=rem-status]').textContent(), 'Scheduled');
  assert.match(await upcoming.textContent() || '', /Maria Lopez.*Hi Maria, your Quarterly pest control visit is .* Gate code: 77/);

  const skipped = page.locator('[data-testid=rem-excluded] li[data-reason="no_template"]');
  await skipped.waitFor({ timeout: 15000 });
  assert.match(await skipped.textContent() || '', /No template for this job type.*Maria Lopez.*Termite inspection/);

  const sent = page.locator(`[data-testid=rem-past] tr[data-date="${tomorrow}"][data-type="message.send"]`);
  await sent.waitFor({ timeout: 15000 });
  await until(async () => /^(Sent|Delivered)$/.test(await sent.locator('[data-testid=rem-status]').textContent() || ''), 15000);
  assert.match(await sent.textContent() || '', /Maria Lopez.*Gate code: 1234/);
  const msgs = (await backend.sandboxMessages()).filter((m) => m.to === '+15125550131' && /Gate code: 1234/.test(m.body));
  assert.equal(msgs.length, 1, 'the reminder reached the sandbox once');

  // Canceling the visit in 5 days (after a confirmation) drops its reminder: it leaves the upcoming
  // list for "will not be sent", saying why; nothing more reaches the sandbox.
  // (the page's dialogs are dismissed by helpers.mjs: the confirmation is answered in the page)
  await page.evaluate(() => { const w = /** @type {any} */ (window); w.__asked = []; w.confirm = (/** @type {string} */ m) => { w.__asked.push(m); return true; }; });
  await upcoming.locator('[data-testid=cancel-visit]').click();
  assert.match((await page.evaluate(() => /** @type {any} */ (window).__asked)).join('|'), /^Cancel the Quarterly pest control visit for Maria Lopez\? Its reminder will not be sent\.$/);
  await page.locator(`[data-testid=rem-upcoming] tr[data-date="${addDays(today, 5)}"]`).waitFor({ state: 'detached', timeout: 15000 });
  const pulled = page.locator('[data-testid=rem-excluded] li[data-reason="canceled"]');
  await pulled.waitFor({ timeout: 15000 });
  assert.match(await pulled.textContent() || '', /Visit canceled.*Maria Lopez.*Quarterly pest control/);
  assert.equal((await backend.sandboxMessages()).filter((m) => /Gate code: 77/.test(m.body)).length, 0);
  assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
});

test('reminders: one visit of a weekly job is skipped (its reminder moves to "will not be sent"), then the skip is undone', async (t) => {
  if (backend.kind !== 'real') { t.skip('tests/e2e/fake-relay.mjs has no reminders'); return; }
  const { page, errors } = await app();
  await addOptedInCustomer(page, 'Ken Adams', '(512) 555-0133');
  await page.click('[data-view=reminders]');
  await page.click('[data-action=new-type]');
  await page.fill('input[name="job_type"]', 'Weekly lawn care');
  await page.fill('input[name="days_before"]', '1');
  await page.locator('textarea[name="text"]').fill('Hi {{customer.first_name}}, lawn care {{job.date}} at {{job.window_start}}.');
  await page.click('[data-testid=tpl-save]');
  await page.waitForSelector('[data-testid=tpl-save-state]:has-text("Saved")');
  // Weekly from 3 days ahead: the reminders of the visits in 3 and 10 days are scheduled.
  const first = addDays(today, 3), second = addDays(today, 10), third = addDays(today, 17);
  await addVisit(page, { customer: 'Ken Adams', type: 'Weekly lawn care', date: first, time: '10:00', end: '11:00', tech: 'Lee Park', repeat: 'weekly' });
  const row = (/** @type {string} */ date) => page.locator(`[data-testid=rem-upcoming] tr[data-date="${date}"]`, { hasText: 'Ken Adams' });
  await row(second).waitFor({ timeout: 15000 });
  await row(first).waitFor();
  assert.equal(await row(second).locator('[data-testid=rem-status]').textContent(), 'Scheduled');
  // A repeating visit: skip this one, or cancel the series (which says so).
  assert.equal(await row(second).locator('[data-testid=cancel-visit]').textContent(), 'Cancel every visit of this series');

  await page.evaluate(() => { const w = /** @type {any} */ (window); w.__asked = []; w.confirm = (/** @type {string} */ m) => { w.__asked.push(m); return true; }; });
  await row(second).locator('[data-testid=skip-visit]').click();
  const day = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' }).format(Date.parse(`${second}T12:00:00Z`));
  assert.deepEqual(await page.evaluate(() => /** @type {any} */ (window).__asked),
    [`Skip the Weekly lawn care visit for Ken Adams on ${day}? Its reminder will not be sent; the other visits of the series keep theirs.`]);
  await row(second).waitFor({ state: 'detached', timeout: 15000 });
  const skipped = page.locator(`[data-testid=rem-excluded] li[data-reason="skipped"][data-date="${second}"]`);
  await skipped.waitFor({ timeout: 15000 });
  assert.match(await skipped.textContent() || '', new RegExp(`^Visit skipped Ken Adams · Weekly lawn care · ${day}This visit was skipped`));
  // The series' other visits keep their reminders; the saved job carries the date.
  assert.equal(await row(first).locator('[data-testid=rem-status]').textContent(), 'Scheduled');
  await row(third).waitFor();
  const skipsOf = () => page.evaluate(() => JSON.stringify([.../** @type {any} */ (window).fieldtext.store.getState().model.jobs.values()]
    .filter((j) => j.job_type === 'Weekly lawn care').map((j) => j.skip_dates || [])));
  await until(async () => (await skipsOf()) === JSON.stringify([[second]]), 5000);

  // Undo: the visit is back among the upcoming reminders, scheduled; nothing is left skipped.
  await skipped.locator('[data-testid=unskip-visit]').click();
  await row(second).waitFor({ timeout: 15000 });
  assert.equal(await row(second).locator('[data-testid=rem-status]').textContent(), 'Scheduled');
  await skipped.waitFor({ state: 'detached', timeout: 15000 });
  await until(async () => (await skipsOf()) === '[[]]', 5000);
  assert.equal((await page.evaluate(() => /** @type {any} */ (window).__asked)).length, 1, 'undo asks nothing');
  assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
});

/** @type {{page: import('playwright-core').Page} | null} */
let registered = null;

test('registration: field errors from the core as typed, then submitted; the status progresses to approved and the policy page works', async (t) => {
  if (backend.kind !== 'real') { t.skip('tests/e2e/fake-relay.mjs has no registration'); return; }
  await backend.raw.sb.setConfig({ a2pDelayMs: 1200 }); // slow enough to see each review step
  const { page, errors } = await app();
  await page.click('[data-view=registration]');
  await page.waitForSelector('[data-testid=reg-status][data-status="not_started"]');
  const f = (/** @type {string} */ n) => page.locator(`form[data-form="registration"] [name="${n}"]`);
  const err = (/** @type {string} */ n) => page.locator(`form[data-form="registration"] [data-error-for="${n}"]`);

  await f('legal_name').fill('Acme Pest Control LLC');
  await f('company_name').fill('Acme Pest');
  await f('business_type').selectOption('Limited Liability Corporation');
  await f('tax_id').fill('07-1234567');
  await f('website').fill('acmepest');
  // Both errors, each beside its field, while typing (no submit yet).
  await page.waitForSelector('[data-error-for="tax_id"]:not([hidden])');
  await page.waitForSelector('[data-error-for="website"]:not([hidden])');
  assert.match(await err('tax_id').textContent() || '', /EIN: the first two digits are not a prefix the IRS assigns/);
  assert.match(await err('website').textContent() || '', /Website must be a web address/);
  assert.equal(await f('tax_id').getAttribute('aria-invalid'), 'true');
  assert.equal(await f('website').getAttribute('aria-invalid'), 'true');
  assert.match(await f('tax_id').getAttribute('aria-describedby') || '', /reg-tax_id-err/);

  // Submitting now shows every error at once (untouched fields too) and sends nothing.
  let posted = 0;
  page.on('request', (r) => { if (r.url().endsWith('/api/registration')) posted++; });
  await page.click('[data-testid=reg-submit]');
  await page.waitForSelector('[data-field="reg-summary"]:not([hidden])');
  assert.ok(await err('street').isVisible(), 'untouched required fields are shown after a submit');
  assert.equal(posted, 0);

  await f('tax_id').fill(EIN);
  await f('website').fill('https://www.acmepest.com');
  await f('street').fill('120 Oak Street');
  await f('city').fill('Springfield');
  await f('region').selectOption('IL');
  await f('postal_code').fill('62701');
  await f('contact_first_name').fill('Dana');
  await f('contact_last_name').fill('Smith');
  await f('contact_title').fill('Owner');
  await f('contact_email').fill('dana@acmepest.com');
  await f('contact_phone').fill('(217) 555-2148');
  await f('business_phone').fill('(217) 555-2150');
  if (!(await f('sms_number').inputValue())) await f('sms_number').fill('(217) 555-2199');
  await f('policy_base_url').fill('https://texts.acmepest.com');
  await page.waitForSelector('[data-field="reg-summary"][hidden]', { state: 'attached' });
  assert.equal(await page.locator('form[data-form="registration"] [data-error-for]:not([hidden])').count(), 0);

  // Record each status the page shows.
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__statuses = [];
    const note = () => {
      const s = /** @type {HTMLElement | null} */ (document.querySelector('[data-testid=reg-status]'));
      const v = s && s.dataset.status;
      if (v && w.__statuses[w.__statuses.length - 1] !== v) w.__statuses.push(v);
    };
    note();
    new MutationObserver(note).observe(document.getElementById('registration') || document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.click('[data-testid=reg-submit]');
  assert.equal(await f('tax_id').inputValue(), '', 'the EIN field is emptied once sent');
  await page.waitForSelector('[data-testid=reg-status][data-status="approved"]', { timeout: 20000 });
  const seen = await page.evaluate(() => /** @type {any} */ (window).__statuses);
  assert.equal(posted, 1);
  assert.equal(seen[seen.length - 1], 'approved');
  assert.ok(seen.some((/** @type {string} */ s) => ['submitting', 'submitted', 'brand_approved', 'campaign_pending'].includes(s)), `progress shown: ${seen.join(' → ')}`);
  assert.equal(await page.locator('.reg-steps li.done').count(), 5);
  assert.equal(await page.textContent('[data-testid=reg-submit]'), 'Save changes', 'an approved registration is not submitted again: an edit is saved as pending');

  const href = await page.getAttribute('[data-testid=policy-link]', 'href');
  assert.match(href || '', /^\/policies\?id=[0-9a-f-]{36}$/);
  const policy = await page.request.get(new URL(/** @type {string} */ (href), backend.url).href);
  assert.equal(policy.status(), 200);
  const html = await policy.text();
  assert.match(html, /Acme Pest/);
  assert.doesNotMatch(html, /3456789/);
  // The business profile now carries the name and phone that reminders and the consent script use.
  const me = await page.request.get(new URL('/api/business', backend.url).href);
  assert.equal((await me.json()).business.name, 'Acme Pest');

  // An edit after approval: kept as a pending change, listed on the page; the status and the
  // registration in force stay (no second submission reaches the sandbox).
  await f('contact_email').fill('office@acmepest.com');
  await f('company_name').fill('Acme Pest & Lawn');
  await f('tax_id').fill(EIN);
  await page.click('[data-testid=reg-submit]');
  await page.waitForSelector('[data-testid=reg-pending]');
  assert.equal(posted, 2);
  assert.equal(await f('tax_id').inputValue(), '', 'the EIN field is emptied once sent');
  assert.match(await page.textContent('[data-testid=reg-pending]') || '', /Pending change[\s\S]*Contact e-mail/i);
  assert.equal(await page.getAttribute('[data-testid=reg-status]', 'data-status'), 'approved');
  // Texting goes on with the registered profile: the name in texts (consent script, replies,
  // reminders) stays the registered brand's until Twilio has the change.
  const still = await page.request.get(new URL('/api/business', backend.url).href);
  assert.equal((await still.json()).business.name, 'Acme Pest');
  assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
  registered = { page };
});

test('after submitting, the EIN is nowhere in the page: IndexedDB, localStorage, sessionStorage, caches, the log, the URL', async (t) => {
  if (backend.kind !== 'real') { t.skip('tests/e2e/fake-relay.mjs has no registration'); return; }
  assert.ok(registered, 'the registration test ran first');
  const { page } = registered;
  // Let storage.js finish its saves of the events that arrived (registration.* and the rest).
  await page.waitForTimeout(300);
  await page.evaluate(() => /** @type {any} */ (window).fieldtext.storage.save());
  const dump = await page.evaluate(async () => {
    /** @param {any} v */
    const text = (v) => JSON.stringify(v, (_k, x) => (x instanceof Uint8Array || x instanceof ArrayBuffer ? new TextDecoder().decode(x) : x));
    /** @type {string[]} */
    const out = [];
    for (const info of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => { const r = indexedDB.open(/** @type {string} */ (info.name)); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
      for (const name of /** @type {IDBDatabase} */ (db).objectStoreNames) {
        const all = await new Promise((resolve, reject) => { const r = /** @type {IDBDatabase} */ (db).transaction(name).objectStore(name).getAll(); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
        out.push(`${info.name}/${name}: ${text(all)}`);
      }
      /** @type {IDBDatabase} */ (db).close();
    }
    const stores = [`local: ${text({ ...localStorage })}`, `session: ${text({ ...sessionStorage })}`];
    /** @type {string[]} */
    const cached = [];
    for (const k of await caches.keys()) {
      const c = await caches.open(k);
      for (const req of await c.keys()) { if (/\/api\//.test(req.url)) cached.push(req.url + (await (await c.match(req))?.text())); }
    }
    const w = /** @type {any} */ (window);
    return { idb: out, stores, cached, url: location.href, log: text(w.fieldtext.storage.events), outbox: text(w.fieldtext.storage.outbox), state: text(w.fieldtext.store.getState().registration) };
  });
  assert.ok(dump.idb.some((s) => s.includes('registration.')), 'IndexedDB holds the replica (registration events included)');
  const digits = EIN.replace(/\D/g, '');
  for (const [where, v] of Object.entries(dump)) {
    const s = Array.isArray(v) ? v.join('\n') : String(v);
    assert.ok(!s.includes(EIN) && !s.includes(digits) && !s.includes('3456789'), `the EIN is in ${where}`);
  }
  const log = await page.request.get(new URL('/api/events?after=0&limit=500', backend.url).href);
  assert.doesNotMatch(await log.text(), /3456789/);
});
