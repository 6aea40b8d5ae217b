// Shared by the reminder tests (reminders*.test.mjs): a relay wired to its own in-process Twilio
// sandbox with its scheduling clock shifted (FIELDTEXT_CLOCK_OFFSET_MS) to a chosen instant, and
// customers in America/Phoenix (UTC-7, no DST), so the send window means the same at any hour.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, login, uuid, postEvents, consentCustomer, allEvents, freePort } from './helpers.mjs';
import { startSandbox } from '../../relay/sandbox/client.mjs';

export const ZONE = 'America/Phoenix';
export const PHX = -7 * 3600 * 1000;
export const DAY = 86400 * 1000;
export const MIN = 60 * 1000;

/** The next instant (after tomorrow's start) when Phoenix's wall clock reads hh:mm:ss. */
export function phoenixAt(hh, mm, ss = 0) {
  const day = Math.floor((Date.now() + PHX) / DAY) + 1;
  return day * DAY + ((hh * 60 + mm) * 60 + ss) * 1000 - PHX;
}
/** ISO 8601 with Phoenix's offset. @param {number} ms */
export const isoPhx = (ms) => new Date(ms + PHX).toISOString().slice(0, 19) + '-07:00';
/** The local date in Phoenix, YYYY-MM-DD. @param {number} ms */
export const localDate = (ms) => new Date(ms + PHX).toISOString().slice(0, 10);
export const fmtDate = (/** @type {number} */ ms) =>
  new Intl.DateTimeFormat('en-US', { timeZone: ZONE, weekday: 'long', month: 'long', day: 'numeric' }).format(new Date(ms));
export const fmtTime = (/** @type {number} */ ms) =>
  new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hour: 'numeric', minute: '2-digit', hour12: true }).format(new Date(ms)).replace(/\s/g, ' ');
export const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A relay whose scheduling clock reads schedNow, with its sandbox. Unless it reuses a data folder:
 * the business "Acme Lawn", a 2,500 bundle (unless buy is false) and the given templates
 * (template.saved bodies). Everything started is pushed on running (stopped by the test file).
 * @param {any[]} running @param {number} schedNow
 * @param {{dataDir?: string, port?: number, sb?: any, buy?: boolean, templates?: any[]}} [o]
 */
export async function relayAt(running, schedNow, o = {}) {
  const port = o.port || await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  let sb = o.sb;
  if (!sb) {
    sb = await startSandbox({ publicUrl, callbackDelayMs: 10, dataDir: mkdtempSync(path.join(os.tmpdir(), 'ft-sandbox-')) });
    running.push({ stop: async () => { await sb.stop(); rmSync(sb.config.dataDir, { recursive: true, force: true }); } });
  }
  const offset = schedNow - Date.now();
  const relay = await startRelay({
    port, dataDir: o.dataDir,
    env: { ...sb.env, FIELDTEXT_PUBLIC_URL: publicUrl, FIELDTEXT_SANDBOX: '1', FIELDTEXT_RETRY_BASE_MS: '200', FIELDTEXT_CLOCK_OFFSET_MS: String(offset) },
  });
  running.push(relay);
  const admin = await login(relay);
  if (!o.dataDir) {
    await admin.post('/api/business', { name: 'Acme Lawn', phone: '(512) 555-0100' });
    if (o.buy !== false) assert.equal((await admin.post('/api/ledger/purchase', { segments: 2500 })).status, 200);
    const res = await postEvents(admin, (o.templates || []).map((body) => ({ id: uuid(), type: 'template.saved', body })));
    for (const r of res) assert.ok(r.seq > 0, JSON.stringify(r));
  }
  return { sb, relay, admin, clock: () => Date.now() + offset, port, offset };
}

/** A customer in Phoenix who gave consent; returns the customer id. */
export async function phoenixCustomer(admin, phone, name = 'Pat Customer') {
  const id = await consentCustomer(admin, phone, uuid(), name);
  const [r] = await postEvents(admin, [{ id: uuid(), type: 'customer.saved', body: { customer_id: id, name, phone, type: 'residential', class: 'lawn', tz: ZONE } }]);
  assert.ok(r.seq > 0);
  return id;
}

/** What reached the sandbox for a phone. */
export const outbound = async (sb, phone) => (await sb.messages({ direction: 'outbound-api' })).filter((m) => m.to === phone);
/** The log's events of one type. */
export const ofType = async (admin, type) => (await allEvents(admin)).filter((e) => e.type === type);
/** The balance in segments. */
export const balance = async (admin) => (await admin.json('/api/state')).body.balance.segments;
