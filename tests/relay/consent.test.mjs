// The consent audit chain (core consent.h, wired in relay/consent.c): staff steps and the
// customer's keywords go through the core's state machine when accepted, each event body carries
// its chained record, GET /api/customers/consent exports the history with the core's verdict, and
// an edit of a stored row (relay stopped) is named as the first broken record.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startRelay, login, uuid, postEvents, consentScript, allEvents, freePort } from './helpers.mjs';
import { signature } from '../../relay/sandbox/sign.mjs';

const running = [];
after(async () => { for (const r of running) await r.stop(); });

const TOKEN = 'f'.repeat(32);

async function inbound(relay, publicUrl, from, body) {
  const params = { MessageSid: 'SM' + uuid().replace(/-/g, ''), From: from, To: '+15005550006', Body: body, NumSegments: '1' };
  const r = await fetch(`${relay.url}/twilio/inbound`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature(TOKEN, `${publicUrl}/twilio/inbound`, params) },
    body: new URLSearchParams(params).toString(),
  });
  assert.equal(r.status, 200, await r.text());
}

test('consent steps go through the core in order, STOP lands in the chain, the export verifies, an edited row is named', async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const relay = await startRelay({ port, env: { TWILIO_AUTH_TOKEN: TOKEN, FIELDTEXT_PUBLIC_URL: publicUrl } });
  running.push(relay);
  const admin = await login(relay);
  await admin.post('/api/business', { name: 'Acme Lawn' });
  const phone = '+15125550188';
  const cid = uuid();
  const step = (type, body = {}) => postEvents(admin, [{ id: uuid(), type, body: { customer_id: cid, phone, ...body } }]).then((r) => r[0]);

  await step('customer.saved', { name: 'Pat', type: 'residential', class: 'lawn' });
  // Out of order: the box before the script, the screen before the script. Refused with the core's reason.
  let r = await step('consent.box_checked');
  assert.equal(r.error?.name, 'FT_E_CONSENT_ORDER', JSON.stringify(r));
  assert.match(r.error.message, /after the script/);
  assert.equal(r.error.status, 422);
  r = await step('consent.screen_acknowledged');
  assert.equal(r.error?.name, 'FT_E_CONSENT_ORDER');
  // A script that is not the consent script for this company.
  r = await step('consent.script_read', { method: 'phone call', script_text: consentScript('Other Co') });
  assert.equal(r.error?.name, 'FT_E_CONSENT_TEXT', JSON.stringify(r));
  assert.equal((await allEvents(admin)).filter((e) => e.type.startsWith('consent.')).length, 0, 'nothing written on refusal');

  // The flow in order.
  for (const [type, body] of [['consent.script_read', { method: 'phone call', script_text: consentScript('Acme Lawn') }],
    ['consent.screen_acknowledged', {}], ['consent.box_checked', {}]]) {
    r = await step(type, body);
    assert.ok(r.seq > 0, `${type}: ${JSON.stringify(r)}`);
  }
  r = await step('consent.box_checked');
  assert.equal(r.error?.name, 'FT_E_CONSENT_ORDER', 'a second box check is out of order');

  // The reducer agrees: opted in.
  let state = (await admin.json('/api/state')).body;
  assert.equal(state.consent[phone].state, 'opted_in');

  // STOP from the customer via the webhook: in the chain, and the reducer opts out.
  await inbound(relay, publicUrl, phone, 'STOP');
  state = (await admin.json('/api/state')).body;
  assert.equal(state.consent[phone].state, 'opted_out');
  const evs = (await allEvents(admin)).filter((e) => e.type.startsWith('consent.'));
  assert.deepEqual(evs.map((e) => e.type), ['consent.script_read', 'consent.screen_acknowledged', 'consent.box_checked', 'consent.opted_out']);
  evs.forEach((e, i) => {
    assert.equal(e.body.chain.index, i);
    assert.match(e.body.chain.hash, /^[0-9a-f]{64}$/);
    if (i > 0) assert.equal(e.body.chain.prev, evs[i - 1].body.chain.hash);
  });
  assert.equal(evs[0].body.staff_name, admin.user.name);
  assert.equal(evs[0].body.method, 'verbal');
  assert.equal(evs[3].actor, 'customer');
  assert.equal(evs[3].body.keyword, 'STOP');
  // START comes back (the staff flow was completed once).
  await inbound(relay, publicUrl, phone, 'START');
  state = (await admin.json('/api/state')).body;
  assert.equal(state.consent[phone].state, 'opted_in');

  // Export: JSON and CSV, verified.
  const ex = await admin.json(`/api/customers/consent?phone=${encodeURIComponent(phone)}&format=json`);
  assert.equal(ex.status, 200, JSON.stringify(ex.body));
  assert.equal(ex.body.verification.valid, true, JSON.stringify(ex.body.verification));
  assert.equal(ex.body.document.records.length, 5);
  assert.equal(ex.body.document.status, 'opted_in');
  const csv = await admin.fetch(`/api/customers/consent?phone=${encodeURIComponent(phone)}&format=csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') || '', /text\/csv/);
  assert.equal(csv.headers.get('x-consent-valid'), 'true');
  assert.match(await csv.text(), /consent\.script_read/);
  assert.equal((await admin.json('/api/customers/consent?phone=nope')).status, 400);

  // Tamper with the stored record of the screen step (index 1), relay stopped.
  await relay.stop(true);
  running.pop();
  const db = execFileSync('sh', ['-c', `ls ${relay.dataDir}/fieldtext.db`]).toString().trim();
  assert.ok(db, 'the relay database file');
  execFileSync('sqlite3', [db, `UPDATE events SET body=json_set(body,'$.staff_name','Somebody Else') WHERE id='${evs[1].id}'`]);
  const again = await startRelay({ port, dataDir: relay.dataDir, env: { TWILIO_AUTH_TOKEN: TOKEN, FIELDTEXT_PUBLIC_URL: publicUrl } });
  running.push(again);
  const admin2 = await login(again);
  const broken = await admin2.json(`/api/customers/consent?phone=${encodeURIComponent(phone)}`);
  assert.equal(broken.status, 200);
  assert.equal(broken.body.verification.valid, false);
  assert.equal(broken.body.verification.first_broken, 1, JSON.stringify(broken.body.verification));
  assert.equal(broken.body.verification.error_name, 'FT_E_CONSENT_CHAIN');
  // A staff step on a broken chain is refused, naming the record; a STOP still stops sends.
  r = (await postEvents(admin2, [{ id: uuid(), type: 'consent.opted_out', body: { customer_id: cid, phone, method: 'verbal' } }]))[0];
  assert.equal(r.error?.name, 'FT_E_CONSENT_CHAIN', JSON.stringify(r));
  assert.match(r.error.message, /record 1/);
  await inbound(again, publicUrl, phone, 'STOP');
  assert.equal((await admin2.json('/api/state')).body.consent[phone].state, 'opted_out');
});

test('a plain-words opt-out request stops sends at once and is recorded as the core defines (review pending)', async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const relay = await startRelay({ port, env: { TWILIO_AUTH_TOKEN: TOKEN, FIELDTEXT_PUBLIC_URL: publicUrl } });
  running.push(relay);
  const admin = await login(relay);
  const phone = '+15125550189';
  const cid = uuid();
  const step = (type, body = {}) => postEvents(admin, [{ id: uuid(), type, body: { customer_id: cid, phone, ...body } }]).then((r) => r[0]);
  await step('consent.script_read', { method: 'written', script_text: consentScript('Test Co') });
  await step('consent.screen_acknowledged');
  assert.ok((await step('consent.box_checked')).seq > 0);
  await inbound(relay, publicUrl, phone, 'please stop texting me');
  const evs = (await allEvents(admin)).filter((e) => e.type.startsWith('consent.'));
  const req = evs.at(-1);
  assert.equal(req.type, 'consent.optout_request');
  assert.equal(req.actor, 'customer');
  assert.equal(req.body.method, 'written');
  assert.equal(req.body.phrase, 'please stop texting me');
  assert.equal(req.body.chain.index, 3);
  // Sends stop at once (the relay's safer reading).
  assert.equal((await admin.json('/api/state')).body.consent[phone].state, 'opted_out');
  // Consent again needs the request confirmed first.
  assert.equal((await step('consent.script_read', { method: 'written', script_text: consentScript('Test Co') })).error?.name, 'FT_E_CONSENT_REVIEW');
  assert.equal((await step('consent.optout_dismissed')).error?.name, 'FT_E_EVENT_FORBIDDEN');
  const conf = await step('consent.optout_confirmed');
  assert.ok(conf.seq > 0, JSON.stringify(conf));
  const ex = (await admin.json(`/api/customers/consent?phone=${encodeURIComponent(phone)}`)).body;
  assert.equal(ex.verification.valid, true);
  assert.equal(ex.document.status, 'opted_out');
  assert.ok((await step('consent.script_read', { method: 'written', script_text: consentScript('Test Co') })).seq > 0);
});
