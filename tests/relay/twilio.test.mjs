// Twilio's side of the relay over real HTTP: webhook signatures (the shared vectors and the official
// `twilio` package), redeliveries, keywords, and sends through the Twilio sandbox (relay/sandbox).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startRelay, login, uuid, postEvents, consentCustomer, allEvents, waitFor, freePort, middayOffsetMs, ROOT } from './helpers.mjs';
import { startSandbox } from '../../relay/sandbox/client.mjs';

const twilio = createRequire(import.meta.url)('twilio');
const vectors = JSON.parse(readFileSync(path.join(ROOT, 'tests/vectors/twilio-signature-vectors.json'), 'utf8'));
const running = [];
after(async () => { for (const s of running) await s.stop(); });

/** @param {Record<string, string|string[]>} params */
function form(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of [].concat(v)) u.append(k, x);
  return u.toString();
}

async function post(relay, pathAndQuery, params, signature) {
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (signature !== undefined) headers['X-Twilio-Signature'] = signature;
  const r = await fetch(relay.url + pathAndQuery, { method: 'POST', headers, body: form(params) });
  return { status: r.status, text: await r.text() };
}

async function relayFor(token, publicUrl, extra = {}) {
  const r = await startRelay({ env: { TWILIO_AUTH_TOKEN: token, FIELDTEXT_PUBLIC_URL: publicUrl, ...extra } });
  running.push(r);
  return r;
}

// V1, V4 and V5 sign URLs that are not relay routes (/myapp.php, /d, a JSON body): the C unit test
// tests/relay/unit/test_twilio_signature.c checks them against the same signature function.
for (const v of vectors.filter((x) => /\/twilio\/(inbound|status)/.test(x.url) && x.params)) {
  test(`vector "${v.name}" is accepted over HTTP and its tampered copies refused, nothing written`, async () => {
    const u = new URL(v.url);
    const relay = await relayFor(v.token, u.origin);
    const admin = await login(relay);
    const pq = u.pathname + u.search;
    const tampered = { ...v.params, [Object.keys(v.params)[0]]: 'tampered' };
    assert.equal((await post(relay, pq, v.params)).status, 403, 'missing signature');
    assert.equal((await post(relay, pq, tampered, v.signature)).status, 403, 'tampered param');
    assert.equal((await post(relay, pq, { ...v.params, Extra: '1' }, v.signature)).status, 403, 'added param');
    assert.equal((await post(relay, pq + (u.search ? '&z=1' : '?z=1'), v.params, v.signature)).status, 403, 'other query');
    assert.equal((await post(relay, pq, v.params, 'AAAA' + v.signature.slice(4))).status, 403, 'forged');
    assert.equal((await allEvents(admin)).length, 0, 'nothing written by refused webhooks');
    const ok = await post(relay, pq, v.params, v.signature);
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.text, /<Response/);
    const evs = await allEvents(admin);
    assert.ok(evs.length >= 1);
    // A redelivery (same MessageSid and status) is acknowledged and not logged again.
    const again = await post(relay, pq, v.params, v.signature);
    assert.equal(again.status, 200);
    assert.equal((await allEvents(admin)).length, evs.length);
  });
}

test('webhooks signed by the official twilio package are accepted; its validateRequest agrees', async () => {
  const token = 'tok-' + uuid();
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const relay = await startRelay({ port, env: { TWILIO_AUTH_TOKEN: token, FIELDTEXT_PUBLIC_URL: publicUrl } });
  running.push(relay);
  const admin = await login(relay);
  const params = { MessageSid: 'SM' + 'b'.repeat(32), From: '+15125550130', To: '+15005550006', Body: 'Is 3pm ok? “yes” & ünïcode 👍', NumSegments: '1', NumMedia: '0' };
  const url = publicUrl + '/twilio/inbound';
  const sig = twilio.getExpectedTwilioSignature(token, url, params);
  assert.ok(twilio.validateRequest(token, sig, url, params));
  const r = await post(relay, '/twilio/inbound', params, sig);
  assert.equal(r.status, 200, r.text);
  const evs = await allEvents(admin);
  const got = evs.find((e) => e.type === 'message.received');
  assert.equal(got.body.body, params.Body);
  assert.equal(got.body.phone, params.From);
  assert.equal(got.actor, 'customer');
  const debit = evs.find((e) => e.type === 'balance.debited');
  assert.equal(debit.body.segments, 1, 'received messages draw on the balance');
  const wrong = twilio.getExpectedTwilioSignature('other-token', url, params);
  assert.equal((await post(relay, '/twilio/inbound', { ...params, MessageSid: 'SM' + 'c'.repeat(32) }, wrong)).status, 403);
  // Status callbacks: deduplicated on (MessageSid, status).
  const st = { MessageSid: 'SM' + 'd'.repeat(32), MessageStatus: 'delivered', AccountSid: 'AC' + '0'.repeat(32) };
  const sig2 = twilio.getExpectedTwilioSignature(token, publicUrl + '/twilio/status', st);
  assert.equal((await post(relay, '/twilio/status', st, sig2)).status, 200);
  assert.equal((await post(relay, '/twilio/status', st, sig2)).status, 200);
  const statuses = (await allEvents(admin)).filter((e) => e.type === 'message.status');
  assert.equal(statuses.length, 1);
});

/** A relay wired to an in-process sandbox, each knowing the other's URL. */
async function relayWithSandbox(extraEnv = {}) {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const sb = await startSandbox({ publicUrl, callbackDelayMs: 10, dataDir: mkdtempSync(path.join(os.tmpdir(), 'ft-sandbox-')) });
  running.push({ stop: async () => { await sb.stop(); rmSync(sb.config.dataDir, { recursive: true, force: true }); } });
  const relay = await startRelay({ port, env: { ...sb.env, FIELDTEXT_PUBLIC_URL: publicUrl, FIELDTEXT_SANDBOX: '1', FIELDTEXT_RETRY_BASE_MS: '200', ...extraEnv } });
  running.push(relay);
  const admin = await login(relay);
  return { sb, relay, admin };
}

test('a send goes to Twilio once, with its status callbacks; STOP then send is refused and nothing reaches Twilio', async () => {
  // An on_the_way text keeps the send window: the relay's rule clock is put at noon in New York
  // (the customer's default zone) so the test means the same at any hour.
  const { sb, relay, admin } = await relayWithSandbox({ FIELDTEXT_CLOCK_OFFSET_MS: String(middayOffsetMs()) });
  const me = (await admin.json('/api/me')).body;
  assert.equal(me.sandbox, true);
  assert.ok(!JSON.stringify(me).includes(sb.config.authToken), 'the auth token never reaches a browser');
  const phone = '+15125550140';
  await consentCustomer(admin, phone);
  await admin.post('/api/ledger/purchase', { segments: 2500 });
  const id = uuid();
  const [res] = await postEvents(admin, [{ id, type: 'message.send', body: { phone, body: 'Your technician is on the way. Reply STOP to unsubscribe.', kind: 'on_the_way' } }]);
  assert.ok(res.seq > 0, JSON.stringify(res));
  await postEvents(admin, [{ id, type: 'message.send', body: { phone, body: 'Your technician is on the way. Reply STOP to unsubscribe.', kind: 'on_the_way' } }]);
  const sent = await waitFor(async () => (await allEvents(admin)).find((e) => e.type === 'message.sent' && e.body.message_id === id), 10000, 'message.sent');
  assert.match(sent.body.sid, /^SM[0-9a-f]{32}$/);
  await waitFor(async () => (await allEvents(admin)).some((e) => e.type === 'message.status' && e.body.message_id === id && e.body.status === 'delivered'), 10000, 'delivered');
  const out = (await sb.messages({ direction: 'outbound-api' })).filter((m) => m.to === phone);
  assert.equal(out.length, 1, 'sent exactly once');
  const state = (await admin.json('/api/state')).body;
  const msg = state.threads.find((t) => t.phone === phone).messages.find((m) => m.message_id === id);
  assert.equal(msg.status, 'delivered');
  // The entry is an outgoing one ("out"), and keeps the kind it was sent with through message.sent
  // and every callback (core reducer.c once showed the send's kind in place of "out").
  assert.equal(msg.kind, 'out');
  assert.equal(msg.send_kind, 'on_the_way');
  assert.equal(state.balance.segments, 2500 - 1);
  // A callback that was overtaken (Twilio does not promise their order) is logged but does not
  // move the delivered message back.
  const late = { AccountSid: sb.env.TWILIO_ACCOUNT_SID, MessageSid: sent.body.sid, MessageStatus: 'sending', To: phone };
  const lateSig = twilio.getExpectedTwilioSignature(sb.env.TWILIO_AUTH_TOKEN, relay.url + '/twilio/status', late);
  assert.equal((await post(relay, '/twilio/status', late, lateSig)).status, 200);
  await waitFor(async () => (await allEvents(admin)).some((e) => e.type === 'message.status' && e.body.sid === sent.body.sid && e.body.status === 'sending'), 10000, 'late callback logged');
  const after = (await admin.json('/api/state')).body.threads.find((t) => t.phone === phone).messages.find((m) => m.message_id === id);
  assert.equal(after.status, 'delivered');
  assert.equal(after.send_kind, 'on_the_way');

  // The customer replies STOP: consent is withdrawn at once, and the next send is refused.
  const inb = await admin.post('/api/sandbox/inbound', { from: phone, body: 'STOP' });
  assert.equal(inb.status, 200, JSON.stringify(inb.body));
  const st2 = (await admin.json('/api/state')).body;
  assert.equal(st2.consent[phone].state, 'opted_out');
  const [refused] = await postEvents(admin, [{ id: uuid(), type: 'message.send', body: { phone, body: 'One more thing' } }]);
  assert.equal(refused.error.name, 'FT_E_LOG_OPTED_OUT');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await sb.messages({ direction: 'outbound-api' })).filter((m) => m.to === phone).length, 1);
});

test('a plain-words opt-out ("please stop texting me") stops sends too, with one confirmation', async () => {
  const { sb, admin } = await relayWithSandbox();
  const phone = '+15125550141';
  await consentCustomer(admin, phone);
  await admin.post('/api/ledger/purchase', { segments: 2500 });
  const r = await admin.post('/api/sandbox/inbound', { from: phone, body: 'Please stop texting me' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const st = (await admin.json('/api/state')).body;
  assert.equal(st.consent[phone].state, 'opted_out');
  const [refused] = await postEvents(admin, [{ id: uuid(), type: 'message.send', body: { phone, body: 'Hi' } }]);
  assert.equal(refused.error.name, 'FT_E_LOG_OPTED_OUT');
  const replies = (await sb.messages()).filter((m) => m.to === phone && m.direction !== 'inbound');
  assert.equal(replies.length, 1, 'one confirmation text');
});

test('429 from Twilio is retried honouring Retry-After, and the message is sent once', async () => {
  const { sb, admin } = await relayWithSandbox();
  const phone = '+15125550142';
  await consentCustomer(admin, phone);
  await admin.post('/api/ledger/purchase', { segments: 2500 });
  await sb.fault({ kind: 'rate', count: 2, retryAfter: 1 });
  const id = uuid();
  await postEvents(admin, [{ id, type: 'message.send', body: { phone, body: 'Reminder: tomorrow 8-5. Reply STOP to unsubscribe.' } }]);
  const t0 = Date.now();
  await waitFor(async () => (await allEvents(admin)).find((e) => e.type === 'message.sent' && e.body.message_id === id), 15000, 'sent after retries');
  assert.ok(Date.now() - t0 >= 1500, 'waited for Retry-After');
  assert.equal((await sb.messages({ direction: 'outbound-api' })).filter((m) => m.to === phone).length, 1);
});

test('when Twilio cannot be reached the message stays queued, not failed', async () => {
  const dead = await freePort();
  const relay = await startRelay({ env: { TWILIO_API_BASE: `http://127.0.0.1:${dead}`, TWILIO_ACCOUNT_SID: 'AC' + '1'.repeat(32), TWILIO_AUTH_TOKEN: 'x', TWILIO_FROM: '+15005550006', FIELDTEXT_RETRY_BASE_MS: '100' } });
  running.push(relay);
  const admin = await login(relay);
  const phone = '+15125550143';
  await consentCustomer(admin, phone);
  await admin.post('/api/ledger/purchase', { segments: 2500 });
  const id = uuid();
  await postEvents(admin, [{ id, type: 'message.send', body: { phone, body: 'Hello' } }]);
  await new Promise((r) => setTimeout(r, 1500));
  const evs = await allEvents(admin);
  assert.ok(!evs.some((e) => (e.type === 'message.failed' || e.type === 'message.sent') && e.body.message_id === id));
  const msg = (await admin.json('/api/state')).body.threads.find((t) => t.phone === phone).messages.find((m) => m.message_id === id);
  assert.equal(msg.status, 'queued');
});

test('a status callback that overtakes the reply giving its sid still reaches its message', async () => {
  // A stand-in Twilio that delivers the message, and posts the signed "delivered" callback, before
  // it answers the create request: the relay has not yet recorded the sid when the callback comes.
  const http = await import('node:http');
  const token = 'overtaking-callback-token';
  const accountSid = 'AC' + 'b'.repeat(32);
  const sid = 'SM' + 'c'.repeat(32);
  const callbacks = [];
  const fake = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', async () => {
      const p = Object.fromEntries(new URLSearchParams(raw));
      const cb = { AccountSid: accountSid, MessageSid: sid, SmsSid: sid, MessageStatus: 'delivered', To: p.To, From: p.From };
      const sig = twilio.getExpectedTwilioSignature(token, p.StatusCallback, cb);
      const r = await fetch(p.StatusCallback, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': sig }, body: form(cb) });
      callbacks.push({ url: p.StatusCallback, status: r.status });
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ sid, account_sid: accountSid, to: p.To, from: p.From, body: p.Body, status: 'queued', num_segments: '1', direction: 'outbound-api', error_code: null, error_message: null }));
    });
  });
  await new Promise((r) => fake.listen(0, '127.0.0.1', r));
  running.push({ stop: () => new Promise((r) => fake.close(r)) });
  const port = await freePort();
  const relay = await startRelay({ port, env: {
    TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: token, TWILIO_FROM: '+15125550100',
    TWILIO_API_BASE: `http://127.0.0.1:${fake.address().port}`, FIELDTEXT_PUBLIC_URL: `http://127.0.0.1:${port}`,
    FIELDTEXT_REQUIRE_REGISTRATION: '0',
  } });
  running.push(relay);
  const admin = await login(relay);
  const phone = '+15125550177';
  await consentCustomer(admin, phone);
  await admin.post('/api/ledger/purchase', { segments: 2500 });
  const id = uuid();
  const [res] = await postEvents(admin, [{ id, type: 'message.send', body: { phone, body: 'See you Tuesday at 9.' } }]);
  assert.ok(res.seq > 0, JSON.stringify(res));
  await waitFor(async () => (await allEvents(admin)).some((e) => e.type === 'message.sent' && e.body.message_id === id), 10000, 'message.sent');
  assert.equal(callbacks.length, 1);
  assert.equal(callbacks[0].status, 200);
  assert.equal(new URL(callbacks[0].url).searchParams.get('m'), id, 'the callback URL names the message');
  const st = (await allEvents(admin)).find((e) => e.type === 'message.status');
  assert.equal(st.body.message_id, id, 'the early callback is tied to its message');
  assert.equal(st.body.sid, sid);
  // message.sent is logged after the callback and does not move the message back from delivered.
  const msg = (await admin.json('/api/state')).body.threads.find((t) => t.phone === phone).messages.find((m) => m.message_id === id);
  assert.equal(msg.status, 'delivered');
  assert.equal(msg.sid, sid);
});
