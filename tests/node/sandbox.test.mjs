// The Twilio sandbox (relay/sandbox/), driven with the official `twilio` npm client.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startSandbox, spawnSandbox, twilioClient } from '../../relay/sandbox/client.mjs';
import { signature, signedString, signJsonBody, bodySha256 } from '../../relay/sandbox/sign.mjs';
import { Oai } from '../../relay/sandbox/oai.mjs';
import { loadSegmentCounter } from '../../relay/sandbox/segments.mjs';
import { twimlMessages } from '../../relay/sandbox/server.mjs';

const require = createRequire(import.meta.url);
const twilio = require('twilio');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const VECTORS = JSON.parse(fs.readFileSync(path.resolve(ROOT, '..', 'shared', 'twilio-signature-vectors.json'), 'utf8'));
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ft-sandbox-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CUSTOMER = '+15125550123';
const ACCT_SID = 'AC' + 'a'.repeat(32);
const TOKEN = 'sandbox-test-token-0123456789abc';

/** A stand-in relay: records every webhook, answers TwiML. */
async function receiver() {
  const hits = [];
  let reply = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      hits.push({ path: req.url, headers: req.headers, body, params: Object.fromEntries(new URLSearchParams(body)) });
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(req.url.startsWith('/twilio/inbound') ? reply : '<Response/>');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, hits, setReply: (x) => { reply = x; }, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) };
}

/** Calls the API without the twilio client (for what it refuses to send). */
async function raw(sb, method, p, form, auth = `${ACCT_SID}:${TOKEN}`) {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const r = await fetch(sb.url + p, {
    method,
    headers: { Connection: 'close', Authorization: 'Basic ' + Buffer.from(auth).toString('base64'), ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    body,
  });
  return { status: r.status, headers: r.headers, json: r.status === 204 ? null : await r.json() };
}

async function rejects(promise, code, status) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.code, code, `expected Twilio code ${code}, got ${e.code}: ${e.message}`);
    if (status) assert.equal(e.status, status);
    assert.match(e.moreInfo, new RegExp(`/errors/${code}$`));
    return true;
  });
}

describe('webhook signatures', () => {
  test('signer reproduces every shared vector, as does the twilio package', () => {
    assert.ok(VECTORS.length >= 5);
    for (const v of VECTORS) {
      if (v.params) {
        assert.equal(signature(v.token, v.url, v.params), v.signature, v.name);
        assert.equal(twilio.getExpectedTwilioSignature(v.token, v.url, v.params), v.signature, v.name);
        if (v.signed_string) assert.equal(signedString(v.url, v.params), v.signed_string, v.name);
        if (v.signed_string_dedup) assert.equal(signedString(v.url, v.params), v.signed_string_dedup, v.name);
        if (v.validateRequest !== undefined) assert.equal(twilio.validateRequest(v.token, signature(v.token, v.url, v.params), v.url, v.params), v.validateRequest);
        if (v.validateRequest_wrong !== undefined) assert.equal(twilio.validateRequest(v.token, v.signature, v.url + 'x', v.params), v.validateRequest_wrong);
      } else {
        assert.equal(bodySha256(v.body), v.bodySHA256, v.name);
        const s = signJsonBody(v.token, v.url.split('?')[0], v.body);
        assert.equal(s.url, v.url);
        assert.equal(s.signature, v.signature);
        assert.equal(twilio.validateRequestWithBody(v.token, s.signature, s.url, v.body), v.validateRequestWithBody);
      }
    }
  });

  test('repeated values are deduplicated before signing (V4), so the undeduplicated signature differs', () => {
    const v = VECTORS.find((x) => x.manual_no_dedupe);
    assert.notEqual(signature(v.token, v.url, v.params), v.manual_no_dedupe);
    assert.equal(signature(v.token, v.url, [['Tag', 'y'], ['Tag', 'x'], ['Tag', 'x']]), v.signature);
  });

  test('a port in the signed URL matters (V3)', () => {
    const v = VECTORS.find((x) => x.sig_without_port);
    assert.equal(signature(v.token, v.url.replace(':8443', ''), v.params), v.sig_without_port);
  });
});

describe('OpenAPI checking (oai.mjs)', () => {
  const oai = new Oai();
  const create = oai.match('POST', `/2010-04-01/Accounts/${ACCT_SID}/Messages.json`).match;

  test('accepts a well-formed send and repeated-key arrays', () => {
    assert.deepEqual(oai.check(create, [], [['To', CUSTOMER], ['Body', 'hi'], ['MediaUrl', 'https://a/x.png'], ['MediaUrl', 'https://a/y.png']]), []);
    const campaign = oai.match('POST', `/v1/Services/MG${'b'.repeat(32)}/Compliance/Usa2p`).match;
    const v = oai.check(campaign, [], [['BrandRegistrationSid', 'BN' + 'c'.repeat(32)], ['Description', 'd'], ['MessageFlow', 'f'],
      ['MessageSamples', 'one'], ['MessageSamples', 'two'], ['UsAppToPersonUsecase', 'MIXED'], ['HasEmbeddedLinks', 'false'], ['HasEmbeddedPhone', 'False']]);
    assert.deepEqual(v, []);
  });

  test('rejects unknown, repeated scalar, mistyped and missing parameters', () => {
    const kinds = (form) => oai.check(create, [], form).map((x) => `${x.kind}:${x.param}`);
    assert.deepEqual(kinds([['To', CUSTOMER], ['Body', 'x'], ['Bogus', '1']]), ['unknown:Bogus']);
    assert.deepEqual(kinds([['To', CUSTOMER], ['Body', 'a'], ['Body', 'b']]), ['repeated:Body']);
    assert.deepEqual(kinds([['To', CUSTOMER], ['SmartEncoded', 'yes']]), ['type:SmartEncoded']);
    assert.deepEqual(kinds([['To', CUSTOMER], ['ScheduleType', 'later']]), ['type:ScheduleType']);
    assert.deepEqual(kinds([['To', CUSTOMER], ['ValidityPeriod', '1.5']]), ['type:ValidityPeriod']);
    assert.deepEqual(kinds([['To', CUSTOMER], ['MessagingServiceSid', 'MG123']]), ['type:MessagingServiceSid']);
    assert.deepEqual(kinds([['To', CUSTOMER], ['SendAt', 'tomorrow']]), ['type:SendAt']);
    assert.deepEqual(kinds([['Body', 'x']]), ['missing:To']);
    const list = oai.match('GET', `/2010-04-01/Accounts/${ACCT_SID}/Messages.json`).match;
    assert.deepEqual(oai.check(list, [['PageSize', '0']], []).map((x) => x.kind), ['type']);
    assert.deepEqual(oai.check(list, [['Limit', '5']], []).map((x) => x.kind), ['unknown']);
  });

  test('matches path templates, preferring literal segments, and knows methods', () => {
    assert.equal(oai.match('GET', '/v1/Services/Usecases').match.template, '/v1/Services/Usecases');
    assert.equal(oai.match('GET', `/v1/Services/MG${'1'.repeat(32)}`).match.template, '/v1/Services/{Sid}');
    assert.equal(oai.match('GET', '/2010-04-01/Nope.json').error, 'path');
    assert.equal(oai.match('PUT', `/2010-04-01/Accounts/${ACCT_SID}/Messages.json`).error, 'method');
  });
});

describe('sandbox over HTTP', () => {
  let sb, rx, client, dataDir, counter;
  const FROM = '+15005550006';

  before(async () => {
    rx = await receiver();
    dataDir = tmp();
    counter = await loadSegmentCounter();
    sb = await startSandbox({ dataDir, accountSid: ACCT_SID, authToken: TOKEN, publicUrl: rx.url, callbackDelayMs: 5,
      a2pDelayMs: -1, apiKeys: { ['SK' + 'd'.repeat(32)]: 'key-secret' } });
    client = twilioClient(sb.url, { accountSid: ACCT_SID, authToken: TOKEN });
  });
  after(async () => {
    await sb.stop();
    await rx.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await sb.reset();
    rx.hits.length = 0;
  });

  test('creates, fetches and lists messages in Twilio\'s shape', async () => {
    const body = 'Your technician is on the way. Reply STOP to unsubscribe. 👍';
    const m = await client.messages.create({ to: CUSTOMER, from: FROM, body });
    assert.match(m.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(m.accountSid, ACCT_SID);
    assert.equal(m.status, 'queued');
    assert.equal(m.direction, 'outbound-api');
    assert.equal(m.numSegments, String(counter.count(body)));
    assert.equal(m.numSegments, '1');
    assert.equal(m.numMedia, '0');
    assert.equal(m.apiVersion, '2010-04-01');
    assert.equal(m.errorCode, null);
    assert.equal(m.price, null);
    assert.equal(m.uri, `/2010-04-01/Accounts/${ACCT_SID}/Messages/${m.sid}.json`);
    const raw1 = await raw(sb, 'GET', m.uri);
    assert.match(raw1.json.date_created, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(typeof raw1.json.num_segments, 'string');

    const long = 'x'.repeat(161);
    const m2 = await client.messages.create({ to: '+15125550124', from: FROM, body: long });
    assert.equal(m2.numSegments, '2');
    const fetched = await client.messages(m.sid).fetch();
    assert.equal(fetched.body, body);
    await sb.drain();
    assert.equal((await client.messages(m.sid).fetch()).status, 'delivered');

    for (let i = 0; i < 3; i++) await client.messages.create({ to: CUSTOMER, from: FROM, body: `n${i}` });
    const all = await client.messages.list({ pageSize: 2 });
    assert.equal(all.length, 5, 'the client follows next_page_uri');
    assert.equal(all[0].body, 'n2', 'newest first');
    const toCustomer = await client.messages.list({ to: '+15125550124' });
    assert.deepEqual(toCustomer.map((x) => x.sid), [m2.sid]);
    await rejects(client.messages('SM' + '0'.repeat(32)).fetch(), 20404, 404);
  });

  test('a Messaging Service send is accepted, and API keys authenticate too', async () => {
    const keyed = twilioClient(sb.url, { accountSid: ACCT_SID, apiKey: 'SK' + 'd'.repeat(32), apiSecret: 'key-secret' });
    const m = await keyed.messages.create({ to: CUSTOMER, messagingServiceSid: sb.config.messagingServiceSid, body: 'hi' });
    assert.equal(m.status, 'accepted');
    assert.equal(m.from, null);
    assert.equal(m.messagingServiceSid, sb.config.messagingServiceSid);
    await sb.drain();
    const done = await client.messages(m.sid).fetch();
    assert.equal(done.status, 'delivered');
    assert.equal(done.from, FROM);
  });

  test('refuses like Twilio: 20003 21604 21602 21211 21617 21606 21620 21603 21701', async () => {
    const bad = twilioClient(sb.url, { accountSid: ACCT_SID, authToken: 'wrong' });
    await rejects(bad.messages.create({ to: CUSTOMER, from: FROM, body: 'x' }), 20003, 401);
    const other = await raw(sb, 'POST', `/2010-04-01/Accounts/AC${'e'.repeat(32)}/Messages.json`, { To: CUSTOMER, From: FROM, Body: 'x' });
    assert.equal(other.json.code, 20003);
    const noAuth = await fetch(`${sb.url}/2010-04-01/Accounts/${ACCT_SID}/Messages.json`);
    assert.equal(noAuth.status, 401);
    assert.equal((await noAuth.json()).code, 20003);

    const missingTo = await raw(sb, 'POST', `/2010-04-01/Accounts/${ACCT_SID}/Messages.json`, { From: FROM, Body: 'x' });
    assert.deepEqual([missingTo.status, missingTo.json.code], [400, 21604]);
    assert.deepEqual(Object.keys(missingTo.json).slice(0, 4), ['code', 'message', 'more_info', 'status']);
    await rejects(client.messages.create({ to: CUSTOMER, from: FROM }), 21602, 400);
    await rejects(client.messages.create({ to: CUSTOMER, from: FROM, body: '' }), 21602);
    for (const to of ['5125550123', '+1512555012', '+11125550123', '+15121110123', '+19115550123', '+1512555012a', '+15005550001']) {
      await rejects(client.messages.create({ to, from: FROM, body: 'x' }), 21211);
    }
    await rejects(client.messages.create({ to: CUSTOMER, from: FROM, body: 'x'.repeat(1601) }), 21617);
    const ok1600 = await client.messages.create({ to: CUSTOMER, from: FROM, body: 'x'.repeat(1600) });
    assert.equal(ok1600.numSegments, '11');
    await rejects(client.messages.create({ to: CUSTOMER, from: '+15125550199', body: 'x' }), 21606);
    await rejects(client.messages.create({ to: CUSTOMER, from: FROM, body: 'x', mediaUrl: ['https://example.com/a.png'] }), 21620);
    await rejects(client.messages.create({ to: CUSTOMER, body: 'x' }), 21603);
    await rejects(client.messages.create({ to: CUSTOMER, messagingServiceSid: 'MG' + '9'.repeat(32), body: 'x' }), 21701);
    await rejects(client.messages.create({ to: '+15005550004', from: FROM, body: 'x' }), 21610);
    const created = (await sb.messages()).filter((m) => m.direction === 'outbound-api');
    assert.equal(created.length, 1, 'only the 1600-character message was created');
  });

  test('STOP makes later sends fail 21610; START clears it (Advanced Opt-Out)', async () => {
    await client.messages.create({ to: CUSTOMER, from: FROM, body: 'before' });
    const r = await sb.inbound({ from: CUSTOMER, body: ' stop ' });
    assert.equal(r.optOutType, 'STOP');
    assert.equal(r.optedOut, true);
    await rejects(client.messages.create({ to: CUSTOMER, from: FROM, body: 'after' }), 21610, 400);
    assert.deepEqual(await sb.optouts(), [CUSTOMER]);
    const hit = rx.hits.find((h) => h.path === '/twilio/inbound');
    assert.equal(hit.params.Body, ' stop ', 'Twilio still forwards the STOP');
    assert.equal(hit.params.OptOutType, 'STOP');
    const notKeyword = await sb.inbound({ from: CUSTOMER, body: 'Stop please' });
    assert.equal(notKeyword.optOutType, null);
    const back = await sb.inbound({ from: CUSTOMER, body: 'START' });
    assert.equal(back.optedOut, false);
    await client.messages.create({ to: CUSTOMER, from: FROM, body: 'welcome back' });
    const replies = await sb.messages({ direction: 'outbound-reply' });
    assert.equal(replies.length, 2, 'Twilio auto-replies to STOP and START');
  });

  test('rate limiting (20429 + Retry-After) and injected 5xx, then success on retry', async () => {
    await sb.fault({ kind: 'rate', count: 1, retryAfter: 3 });
    const limited = await raw(sb, 'POST', `/2010-04-01/Accounts/${ACCT_SID}/Messages.json`, { To: CUSTOMER, From: FROM, Body: 'x' });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.code, 20429);
    assert.equal(limited.headers.get('retry-after'), '3');
    await sb.fault({ kind: 'error', status: 503, count: 2 });
    await rejects(client.messages.create({ to: CUSTOMER, from: FROM, body: 'x' }), 20500, 503);
    await rejects(client.messages.create({ to: CUSTOMER, from: FROM, body: 'x' }), 20500, 503);
    const m = await client.messages.create({ to: CUSTOMER, from: FROM, body: 'x' });
    assert.equal(m.status, 'queued');
    assert.equal((await sb.messages({ direction: 'outbound-api' })).length, 1, 'refused attempts create nothing');

    await sb.setConfig({ ratePerSecond: 2 });
    const codes = [];
    for (let i = 0; i < 4; i++) {
      codes.push((await raw(sb, 'POST', `/2010-04-01/Accounts/${ACCT_SID}/Messages.json`, { To: CUSTOMER, From: FROM, Body: 'r' })).status);
    }
    await sb.setConfig({ ratePerSecond: 0 });
    assert.deepEqual(codes.slice(0, 2), [201, 201]);
    assert.ok(codes.slice(2).includes(429), `a burst over the rate is limited: ${codes}`);
  });

  test('status callbacks: queued → sent → delivered, signed as Twilio signs', async () => {
    const cb = `${rx.url}/twilio/status?k=1`;
    const m = await client.messages.create({ to: CUSTOMER, from: FROM, body: 'hello', statusCallback: cb });
    await sb.drain();
    const hits = rx.hits.filter((h) => h.params.MessageSid === m.sid);
    assert.deepEqual(hits.map((h) => h.params.MessageStatus), ['queued', 'sent', 'delivered']);
    for (const h of hits) {
      assert.equal(h.path, '/twilio/status?k=1');
      assert.equal(h.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8');
      assert.ok(twilio.validateRequest(TOKEN, h.headers['x-twilio-signature'], cb, h.params), 'validateRequest accepts it');
      assert.ok(!twilio.validateRequest('other-token', h.headers['x-twilio-signature'], cb, h.params));
      assert.equal(h.headers['x-twilio-signature'], signature(TOKEN, cb, h.params));
      for (const k of ['MessageSid', 'SmsSid', 'MessageStatus', 'SmsStatus', 'AccountSid', 'From', 'To', 'ApiVersion']) assert.ok(k in h.params, k);
      assert.equal(h.params.SmsStatus, h.params.MessageStatus);
      assert.equal(h.params.AccountSid, ACCT_SID);
    }
    const recorded = await sb.callbacks({ sid: m.sid });
    assert.deepEqual(recorded.map((c) => c.http_status), [200, 200, 200]);
  });

  test('magic numbers: failed, undelivered with ErrorCode, and duplicate callbacks', async () => {
    const cb = `${rx.url}/twilio/status`;
    const failed = await client.messages.create({ to: '+15125550152', from: FROM, body: 'x', statusCallback: cb });
    const undelivered = await client.messages.create({ to: '+15125550150', from: FROM, body: 'x', statusCallback: cb });
    const dup = await client.messages.create({ to: '+15125550156', from: FROM, body: 'x', statusCallback: cb });
    await sb.drain();
    const seq = (sid) => rx.hits.filter((h) => h.params.MessageSid === sid).map((h) => h.params.MessageStatus + (h.params.ErrorCode ? `:${h.params.ErrorCode}` : ''));
    assert.deepEqual(seq(failed.sid), ['queued', 'failed:30006']);
    assert.deepEqual(seq(undelivered.sid), ['queued', 'sent', 'undelivered:30003']);
    assert.deepEqual(seq(dup.sid), ['queued', 'queued', 'sent', 'sent', 'delivered', 'delivered']);
    const dupHits = rx.hits.filter((h) => h.params.MessageSid === dup.sid);
    assert.equal(dupHits[0].headers['i-twilio-idempotency-token'], dupHits[1].headers['i-twilio-idempotency-token']);
    assert.notEqual(dupHits[0].headers['i-twilio-idempotency-token'], dupHits[2].headers['i-twilio-idempotency-token']);
    const f = await client.messages(failed.sid).fetch();
    assert.deepEqual([f.status, f.errorCode], ['failed', 30006]);
  });

  test('inbound webhook carries Twilio\'s parameters, is signed, and TwiML replies are sent', async () => {
    rx.setReply('<?xml version="1.0"?><Response><Message>Thanks &amp; see you soon</Message></Response>');
    const r = await sb.inbound({ from: CUSTOMER, body: 'Running late? 👍', fromCity: 'AUSTIN', fromState: 'TX' });
    rx.setReply('<Response></Response>');
    assert.match(r.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(r.deliveries[0].http_status, 200);
    const h = rx.hits.find((x) => x.path === '/twilio/inbound');
    const url = `${rx.url}/twilio/inbound`;
    assert.ok(twilio.validateRequest(TOKEN, h.headers['x-twilio-signature'], url, h.params));
    for (const k of ['From', 'To', 'Body', 'MessageSid', 'AccountSid', 'NumMedia', 'NumSegments', 'SmsMessageSid', 'SmsSid',
      'SmsStatus', 'MessagingServiceSid', 'ApiVersion', 'FromCity', 'FromState', 'FromZip', 'FromCountry', 'ToCountry']) assert.ok(k in h.params, k);
    assert.equal(h.params.From, CUSTOMER);
    assert.equal(h.params.To, FROM);
    assert.equal(h.params.Body, 'Running late? 👍');
    assert.equal(h.params.NumMedia, '0');
    assert.equal(h.params.MessageSid, r.sid);
    assert.equal(h.params.SmsStatus, 'received');
    assert.equal(h.params.MessagingServiceSid, sb.config.messagingServiceSid);
    const replies = await sb.messages({ direction: 'outbound-reply' });
    assert.deepEqual(replies.map((m) => [m.to, m.body]), [[CUSTOMER, 'Thanks & see you soon']]);
    const twice = await sb.inbound({ from: CUSTOMER, body: 'again', times: 2 });
    assert.equal(twice.deliveries.length, 2);
    assert.equal(rx.hits.filter((x) => x.params.MessageSid === twice.sid).length, 2);
    assert.deepEqual(twimlMessages('<Response><Message to="+1"><Body>a &lt; b</Body></Message><Message/></Response>'), ['a < b']);
  });

  test('scheduling needs a Messaging Service, ScheduleType=fixed and SendAt within 35 days', async () => {
    const mg = sb.config.messagingServiceSid;
    const inAnHour = new Date(Date.now() + 3600e3);
    const m = await client.messages.create({ to: CUSTOMER, messagingServiceSid: mg, body: 'reminder', scheduleType: 'fixed', sendAt: inAnHour });
    assert.equal(m.status, 'scheduled');
    await rejects(client.messages.create({ to: CUSTOMER, from: FROM, body: 'r', scheduleType: 'fixed', sendAt: inAnHour }), 35118);
    await rejects(client.messages.create({ to: CUSTOMER, messagingServiceSid: mg, body: 'r', scheduleType: 'fixed', sendAt: new Date(Date.now() + 36 * 86400e3) }), 35115);
    await rejects(client.messages.create({ to: CUSTOMER, messagingServiceSid: mg, body: 'r', scheduleType: 'fixed', sendAt: new Date(Date.now() + 60e3) }), 35115);
    const other = await client.messages.create({ to: CUSTOMER, messagingServiceSid: mg, body: 'cancel me', scheduleType: 'fixed', sendAt: inAnHour });
    assert.equal((await client.messages(other.sid).update({ status: 'canceled' })).status, 'canceled');
    assert.deepEqual((await sb.releaseScheduled()).released, [m.sid]);
    await sb.drain();
    assert.equal((await client.messages(m.sid).fetch()).status, 'delivered');
  });

  test('requests the spec does not allow are refused with 400 and recorded', async () => {
    const r = await raw(sb, 'POST', `/2010-04-01/Accounts/${ACCT_SID}/Messages.json`, { To: CUSTOMER, From: FROM, Body: 'x', Bodyy: 'typo' });
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 20422);
    assert.match(r.json.message, /Bodyy/);
    const nope = await raw(sb, 'GET', `/2010-04-01/Accounts/${ACCT_SID}/Mesages.json`);
    assert.equal(nope.status, 404);
    const json = await fetch(`${sb.url}/2010-04-01/Accounts/${ACCT_SID}/Messages.json`, {
      method: 'POST', body: JSON.stringify({ To: CUSTOMER }),
      headers: { 'Content-Type': 'application/json', Authorization: 'Basic ' + Buffer.from(`${ACCT_SID}:${TOKEN}`).toString('base64') },
    });
    assert.equal(json.status, 400);
    const rej = await sb.rejections();
    assert.deepEqual(rej.map((x) => x.reason), ['oai', 'path', 'oai']);
    assert.deepEqual(rej[0].violations.map((v) => v.param), ['Bodyy']);
    assert.equal((await sb.messages()).length, 0);
  });

  test('A2P: brand PENDING → APPROVED, campaign under a Messaging Service PENDING → VERIFIED', async () => {
    const profile = await client.trusthub.v1.customerProfiles.create({ friendlyName: 'Acme Pest', email: 'ops@acme.example', policySid: 'RN' + '1'.repeat(32) });
    assert.match(profile.sid, /^BU[0-9a-f]{32}$/);
    assert.equal(profile.status, 'draft');
    const brand = await client.messaging.v1.brandRegistrations.create({ customerProfileBundleSid: profile.sid, a2PProfileBundleSid: 'BU' + '2'.repeat(32) });
    assert.match(brand.sid, /^BN[0-9a-f]{32}$/);
    assert.equal(brand.status, 'PENDING');
    assert.equal(brand.customerProfileBundleSid, profile.sid);
    const mg = sb.config.messagingServiceSid;
    const campaign = {
      brandRegistrationSid: brand.sid,
      description: 'Confirm service appointment details including date and time. Notify when the service technician is en route.',
      messageFlow: 'Staff read the consent script to the customer, acknowledge the opt-in screen and check the consent box.',
      messageSamples: [
        'A technician from Acme will be arriving tomorrow between the hours of 8 AM and 5 PM. Reply STOP to unsubscribe from these messages.',
        'Hello. Your technician from Acme is on their way. Reply STOP to unsubscribe from these messages.',
      ],
      usAppToPersonUsecase: 'ACCOUNT_NOTIFICATION', hasEmbeddedLinks: false, hasEmbeddedPhone: false,
    };
    await rejects(client.messaging.v1.services(mg).usAppToPerson.create(campaign), 20422, 400);
    await sb.a2p(brand.sid);
    assert.equal((await client.messaging.v1.brandRegistrations(brand.sid).fetch()).status, 'APPROVED');
    await rejects(client.messaging.v1.services(mg).usAppToPerson.create({ ...campaign, messageSamples: campaign.messageSamples.slice(0, 1) }), 20422);
    const c = await client.messaging.v1.services(mg).usAppToPerson.create(campaign);
    assert.match(c.sid, /^QE[0-9a-f]{32}$/);
    assert.equal(c.campaignStatus, 'PENDING');
    assert.deepEqual(c.messageSamples, campaign.messageSamples, 'repeated-key array arrives whole');
    assert.equal(c.hasEmbeddedLinks, false);
    await sb.a2p(c.sid);
    const fetched = await client.messaging.v1.services(mg).usAppToPerson(c.sid).fetch();
    assert.equal(fetched.campaignStatus, 'VERIFIED');
    assert.equal((await client.messaging.v1.services(mg).fetch()).usAppToPersonRegistered, true);
    const list = await client.messaging.v1.brandRegistrations.list();
    assert.deepEqual(list.map((b) => b.sid), [brand.sid]);
    assert.deepEqual(await sb.rejections(), []);
  });

  test('A2P approval after a delay, and sending blocked (30034) until the campaign is verified when required', async () => {
    await sb.setConfig({ a2pDelayMs: 20, requireA2p: true });
    try {
      const cb = `${rx.url}/twilio/status`;
      const early = await client.messages.create({ to: CUSTOMER, from: FROM, body: 'x', statusCallback: cb });
      await sb.drain();
      assert.deepEqual([(await client.messages(early.sid).fetch()).status, (await client.messages(early.sid).fetch()).errorCode], ['failed', 30034]);
      const brand = await client.messaging.v1.brandRegistrations.create({ customerProfileBundleSid: 'BU' + '3'.repeat(32), a2PProfileBundleSid: 'BU' + '4'.repeat(32) });
      await sleep(80);
      assert.equal((await client.messaging.v1.brandRegistrations(brand.sid).fetch()).status, 'APPROVED');
      const svc = await client.messaging.v1.services.create({ friendlyName: 'fieldtext', statusCallback: cb });
      assert.match(svc.sid, /^MG[0-9a-f]{32}$/);
      const numbers = await client.incomingPhoneNumbers.list();
      await client.messaging.v1.services(svc.sid).phoneNumbers.create({ phoneNumberSid: numbers[0].sid });
      await client.messaging.v1.services(svc.sid).usAppToPerson.create({
        brandRegistrationSid: brand.sid, description: 'd'.repeat(40), messageFlow: 'f'.repeat(40),
        messageSamples: ['s'.repeat(20), 't'.repeat(20)], usAppToPersonUsecase: 'MIXED', hasEmbeddedLinks: false, hasEmbeddedPhone: false,
      });
      await sleep(80);
      const m = await client.messages.create({ to: CUSTOMER, messagingServiceSid: svc.sid, body: 'registered' });
      await sb.drain();
      assert.equal((await client.messages(m.sid).fetch()).status, 'delivered');
      assert.ok(rx.hits.some((h) => h.params.MessageSid === m.sid && h.params.MessageStatus === 'delivered'), 'the service\'s StatusCallback is used');
    } finally {
      await sb.setConfig({ a2pDelayMs: -1, requireA2p: false });
    }
  });
});

describe('witness record', () => {
  test('messages and opt-outs survive a kill -9 and restart of the sandbox', async () => {
    const dataDir = tmp();
    const env = { TWILIO_ACCOUNT_SID: ACCT_SID, TWILIO_AUTH_TOKEN: TOKEN, FIELDTEXT_SANDBOX_CALLBACK_DELAY_MS: '1' };
    let sb = await spawnSandbox({ dataDir, env });
    try {
      const client = twilioClient(sb.url, { accountSid: ACCT_SID, authToken: TOKEN });
      const m = await client.messages.create({ to: CUSTOMER, from: '+15005550006', body: 'survive' });
      await sb.inbound({ from: '+15125550125', body: 'STOP' });
      await sb.stop('SIGKILL');
      sb = await spawnSandbox({ dataDir, env });
      const client2 = twilioClient(sb.url, { accountSid: ACCT_SID, authToken: TOKEN });
      const witness = await sb.messages({ direction: 'outbound-api' });
      assert.deepEqual(witness.map((x) => x.sid), [m.sid]);
      assert.equal((await client2.messages(m.sid).fetch()).body, 'survive');
      await rejects(client2.messages.create({ to: '+15125550125', from: '+15005550006', body: 'x' }), 21610);
      fs.appendFileSync(path.join(dataDir, 'sandbox.jsonl'), '{"t":"message","m":{"sid":"SMtorn');
      await sb.stop('SIGKILL');
      sb = await spawnSandbox({ dataDir, env });
      assert.equal((await sb.messages({ direction: 'outbound-api' })).length, 1, 'a torn last line is skipped');
      await sb.reset();
      assert.deepEqual(await sb.messages(), []);
    } finally {
      await sb.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('the CLI prints TWILIO_API_BASE first; without the core it counts with sms-segments-calculator', async () => {
    const dataDir = tmp();
    const sb = await spawnSandbox({ dataDir, env: { FIELDTEXT_SANDBOX_NO_CORE: '1', TWILIO_ACCOUNT_SID: ACCT_SID, TWILIO_AUTH_TOKEN: TOKEN } });
    try {
      assert.match(sb.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(sb.env.TWILIO_API_BASE, sb.url);
      const h = await sb.health();
      assert.equal(h.url, sb.url);
      assert.equal(h.segments, 'sms-segments-calculator');
      const client = twilioClient(sb.url, { accountSid: ACCT_SID, authToken: TOKEN });
      assert.equal((await client.messages.create({ to: CUSTOMER, from: '+15005550006', body: 'x'.repeat(307) })).numSegments, '3');
    } finally {
      await sb.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

test('the segment counter agrees with Twilio\'s calculator on plain texts', async () => {
  const core = await loadSegmentCounter();
  const { SegmentedMessage } = require('sms-segments-calculator');
  for (const t of ['hello', 'x'.repeat(160), 'x'.repeat(161), '€'.repeat(80), '👍'.repeat(40), 'Café ç']) {
    assert.equal(core.count(t), new SegmentedMessage(t).segmentsCount, t);
  }
});
