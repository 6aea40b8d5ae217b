// @ts-check
/**
 * "Technician on the way" in headless Chromium against the real relay and the Twilio sandbox
 * (app-helpers.mjs startBackend): the on-the-way template edited on Templates & reminders (core
 * preview, cost line, field codes), then sent from a conversation with the technician taken from
 * the customer's visit today and the arrival time entered; and the relay's send-window refusal
 * shown in the form. The fake relay has no send window or templates: these tests skip there.
 *
 * The relay's rule clock is put at noon in New York (FIELDTEXT_CLOCK_OFFSET_MS, as
 * tests/relay/helpers.mjs middayOffsetMs), so the send window (8 AM-9 PM in the customer's zone)
 * is open for a New York customer and still shut in Honolulu (6 or 7 AM there), at any hour.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, requireWasm, ROOT } from './helpers.mjs';
import { startBackend, openSignedIn, addOptedInCustomer, until, ADMIN } from './app-helpers.mjs';

const relayHelpers = path.join(ROOT, 'tests/relay/helpers.mjs');
const COMPANY = 'Acme Pest Control';

/** @type {import('playwright-core').Browser} */ let browser;
/** @type {import('./app-helpers.mjs').Backend} */ let backend;
/** @type {any} */ let h;
/** @type {any} */ let admin;
/** @type {Set<import('playwright-core').BrowserContext>} */ const contexts = new Set();

before(async () => {
  requireWasm();
  h = await import(relayHelpers);
  [browser, backend] = await Promise.all([launchBrowser(), startBackend({ sandbox: true, env: { FIELDTEXT_CLOCK_OFFSET_MS: String(h.middayOffsetMs('America/New_York')) } })]);
  if (backend.kind === 'real') {
    admin = await h.login(backend.raw.relay);
    // The default template names the company; the consent script does too.
    assert.equal((await admin.post('/api/business', { name: COMPANY, phone: '(512) 555-0100' })).status, 200);
  }
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (backend) await backend.stop();
});

const app = () => openSignedIn(browser, backend, contexts, ADMIN, { viewport: { width: 1366, height: 768 } });

/** Opens a customer's conversation by number (the list's search box). @param {import('playwright-core').Page} page @param {string} typed */
async function openByNumber(page, typed) {
  await page.click('[data-view=messages]');
  await page.fill('[data-field=thread-search]', typed);
  await page.press('[data-field=thread-search]', 'Enter');
  await page.waitForSelector('[data-testid=otw-open]');
}

/** @param {string} phone @param {string} body */
async function sentTo(phone, body) {
  return (await backend.sandboxMessages()).filter((m) => m.to === phone && m.body === body && String(m.direction || '').startsWith('outbound'));
}

test('on the way: the template is edited with a live preview, then sent from the conversation for today\'s visit', async (t) => {
  if (backend.kind !== 'real') { t.skip('tests/e2e/fake-relay.mjs has no on-the-way template or send window'); return; }
  const { page, errors } = await app();
  const phone = '+15125550142';
  await addOptedInCustomer(page, 'Dana Whitfield', '(512) 555-0142');

  // The template: the default is shown until one is saved; the core renders it against a sample visit.
  await page.click('[data-view=reminders]');
  const preview = page.locator('[data-testid=otw-preview]');
  await page.waitForFunction(() => /should arrive around 10:45 AM\. Reply STOP to unsubscribe\.$/.test(document.querySelector('[data-testid=otw-preview]')?.textContent || ''));
  assert.equal(await preview.textContent(), `Hi Maria, Sam from ${COMPANY} is on the way and should arrive around 10:45 AM. Reply STOP to unsubscribe.`);
  const form = page.locator('form[data-form="otw-template"]');
  const ta = form.locator('textarea[name="otw_text"]');
  await ta.fill('Hi {{customer.first_name|there}}, {{technician.first_name}} from {{company.name}} is on the way, arriving about ');
  await ta.press('End');
  await form.locator('button[data-action="insert-code"][data-code="job.eta"]').click(); // at the caret
  await ta.press('End');
  await ta.type('.');
  assert.match(await ta.inputValue(), /arriving about \{\{job\.eta\}\}\.$/);
  await page.waitForFunction(() => /arriving about 10:45 AM\. Reply STOP to unsubscribe\.$/.test(document.querySelector('[data-testid=otw-preview]')?.textContent || ''));
  await page.waitForFunction(() => (document.querySelector('[data-testid=otw-cost] [data-field="cost"]')?.textContent || '') === '$0.015');
  // The reminder editor does not offer the arrival time (no visit has one when its reminder is planned).
  assert.equal(await page.locator('form[data-form="template"] button[data-code="job.eta"]').count(), 0);
  await page.click('[data-testid=otw-save]');
  await page.waitForSelector('[data-testid=otw-save-state]:has-text("Saved")');
  // "Saved" is this browser's outbox (IndexedDB); the relay has it once the sync went through.
  /** @type {any[]} */ let tplEvents = [];
  await until(async () => (tplEvents = (await h.allEvents(admin)).filter((/** @type {any} */ e) => e.type === 'template.saved')).length > 0);
  assert.equal(tplEvents.length, 1);
  assert.equal(tplEvents[0].body.kind, 'on_the_way');
  assert.equal(tplEvents[0].body.job_type, undefined);

  // A visit today (now, in New York) with its technician: the form takes it.
  const state = (await admin.json('/api/state')).body;
  const cust = state.customers.find((/** @type {any} */ c) => c.phone === phone);
  assert.ok(cust, JSON.stringify(state.customers));
  const jobId = 'visit-dana-today';
  const [saved] = await h.postEvents(admin, [{ id: h.uuid(), type: 'job.saved', body: { job_id: jobId, customer_id: cust.customer_id, phone, start: Date.now(), tz: 'America/New_York', job_type: 'Termite inspection', technician: 'Sam Carter' } }]);
  assert.ok(saved.seq > 0, JSON.stringify(saved));

  await openByNumber(page, '(512) 555-0142');
  await page.click('[data-testid=otw-open]');
  const otw = page.locator('form[data-form="otw"]');
  await otw.locator(`select[name="job_id"] option[value="${jobId}"]`).waitFor({ state: 'attached' });
  assert.equal(await otw.locator('select[name="job_id"]').inputValue(), jobId);
  assert.equal(await otw.locator('input[name="technician"]').inputValue(), 'Sam Carter');
  assert.match(await otw.locator('input[name="eta"]').inputValue(), /^\d{2}:\d[05]$/, 'now + 30 minutes, rounded to 5');
  await otw.locator('input[name="eta"]').fill('10:45');
  const expected = `Hi Dana, Sam from ${COMPANY} is on the way, arriving about 10:45 AM. Reply STOP to unsubscribe.`;
  await until(async () => (await page.textContent('[data-testid=otw-text]')) === expected, 5000);
  await page.waitForFunction(() => (document.querySelector('[data-testid=otw-cost] [data-field="cost"]')?.textContent || '') === '$0.015');
  assert.equal(await otw.locator('[data-testid=otw-cost] [data-field="segments"]').textContent(), '1');

  await otw.locator('[data-testid=otw-send]').click();
  await until(async () => (await sentTo(phone, expected)).length === 1, 15000);
  const bubble = page.locator('.msgs .msg.out[data-kind="on_the_way"]');
  await bubble.waitFor();
  assert.equal(await bubble.locator('[data-testid=msg-body]').textContent(), expected);
  assert.equal(await bubble.locator('[data-testid=msg-kind]').textContent(), 'On the way');
  await page.waitForSelector('form[data-form="otw"]', { state: 'detached' }); // closes once the relay took it
  const send = (await h.allEvents(admin)).find((/** @type {any} */ e) => e.type === 'message.send' && e.body.phone === phone);
  assert.equal(send.body.kind, 'on_the_way');
  assert.equal(send.body.job_id, jobId);
  assert.equal(send.body.body, expected);
  const thread = (await admin.json('/api/state')).body.threads.find((/** @type {any} */ x) => x.phone === phone);
  assert.equal(thread.messages.find((/** @type {any} */ m) => m.kind === 'out').send_kind, 'on_the_way');
  assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
});

test('on the way: outside the send window the relay refuses it and the form says why', async (t) => {
  if (backend.kind !== 'real') { t.skip('tests/e2e/fake-relay.mjs has no send window'); return; }
  // A consented customer in Honolulu, where the relay's noon in New York is before 8 AM.
  const phone = '+18085550177';
  const id = await h.consentCustomer(admin, phone, h.uuid(), 'Kai Kahale');
  const [r] = await h.postEvents(admin, [{ id: h.uuid(), type: 'customer.saved', body: { customer_id: id, name: 'Kai Kahale', phone, type: 'residential', class: 'pest', tz: 'Pacific/Honolulu' } }]);
  assert.ok(r.seq > 0, JSON.stringify(r));
  const { page } = await app();
  await openByNumber(page, '(808) 555-0177');
  await page.click('[data-testid=otw-open]');
  const otw = page.locator('form[data-form="otw"]');
  assert.equal(await otw.locator('select[name="job_id"]').count(), 0, 'no visit today: a text field');
  await otw.locator('input[name="technician"]').fill('Lee Park');
  await otw.locator('input[name="eta"]').fill('14:05');
  await until(async () => /^Hi Kai, Lee from Acme Pest Control is on the way, arriving about 2:05 PM\./.test(await page.textContent('[data-testid=otw-text]') || ''), 5000);
  await otw.locator('[data-testid=otw-send]').click();
  const err = page.locator('form[data-form="otw"] [data-testid=otw-error]');
  await err.waitFor({ state: 'visible', timeout: 15000 });
  assert.match(await err.textContent() || '', /^Not sent: Outside the customer's send window .*Pacific\/Honolulu/);
  // As for any refused text: the thread and the banner say so too; nothing reached Twilio.
  await page.waitForSelector('.msgs .msg.out.status-rejected[data-kind="on_the_way"]');
  assert.equal((await backend.sandboxMessages()).filter((m) => m.to === phone).length, 0);
});
