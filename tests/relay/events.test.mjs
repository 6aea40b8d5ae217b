// The event log over real HTTP: limits, idempotency, rules, "events after N", the live stream,
// the reducer's state, static files and the policy pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startRelay, login, uuid, postEvents, consentCustomer, allEvents } from './helpers.mjs';

let relay, admin;
before(async () => {
  relay = await startRelay();
  admin = await login(relay);
});
after(async () => { await relay.stop(); });

/**
 * POSTs a large body with node:http and resolves with the response's status (fetch is not used:
 * see below). The body goes out in 64 KiB pieces, each after the previous one drained; writing
 * stops once a response has arrived, and EPIPE / ECONNRESET after it are expected (the relay closes
 * the connection after a 413). An error before any response fails.
 *
 * The relay refuses a body over 1 MiB by its Content-Length, answering 413 (Connection: close) as
 * soon as the headers are in and closing without reading the body. A client that is still sending
 * then gets the connection reset (unread data at close), and the reset can destroy the 413 before
 * the client reads it: Node 18's fetch reports "fetch failed" (EPIPE) about a third of the time,
 * Node 20's about 6%, and even a raw socket that writes the body at once loses the answer about one
 * time in ten (measured on this machine and in Debian 12). So with `expectContinue` the request
 * says "Expect: 100-continue" and sends the body only when the relay asks for it (100 Continue) or
 * has said nothing for a second; the relay's early 413 then arrives before any body byte is sent.
 * @param {string} p @param {Buffer} body @param {Record<string, string|number>} headers
 * @param {{expectContinue?: boolean}} [opts]
 * @returns {Promise<number>}
 */
function postLarge(p, body, headers, opts = {}) {
  return new Promise((resolve, reject) => {
    let status = 0, settled = false;
    /** @param {() => void} fn */
    const settle = (fn) => { if (!settled) { settled = true; fn(); } };
    const req = http.request({ host: '127.0.0.1', port: relay.port, path: p, method: 'POST',
      headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf, Origin: relay.url, ...headers,
        ...(opts.expectContinue ? { Expect: '100-continue' } : {}) } });
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      res.resume();
      const done = () => { settle(() => resolve(status)); req.destroy(); };
      res.on('end', done);
      res.on('close', done); // a reset may cut the body short: the status is what counts
      res.on('error', () => {});
    });
    req.on('error', (/** @type {any} */ e) => {
      if (status && (e.code === 'EPIPE' || e.code === 'ECONNRESET')) settle(() => resolve(status));
      else settle(() => reject(new Error(`POST ${p}: ${e.code || e.message} before any response`)));
    });
    /** Resolves on the first of the events (or after ms, if given). @param {string[]} events @param {number} [ms] */
    const first = (events, ms) => new Promise((go) => {
      const timer = ms === undefined ? null : setTimeout(on, ms);
      function on() { if (timer) clearTimeout(timer); for (const ev of events) req.off(ev, on); go(undefined); }
      for (const ev of events) req.on(ev, on);
    });
    (async () => {
      if (opts.expectContinue) {
        req.flushHeaders();
        await first(['continue', 'response', 'close'], 1000);
      }
      const piece = 64 * 1024;
      for (let off = 0; off < body.length && !status && !req.destroyed; off += piece)
        if (!req.write(body.subarray(off, off + piece))) await first(['drain', 'response', 'close']);
      if (!status && !req.destroyed) req.end();
    })();
  });
}

test('a body over 1 MiB gets 413 and writes nothing', async () => {
  const before = (await allEvents(admin)).length;
  const big = Buffer.from(JSON.stringify({ events: [{ id: uuid(), type: 'note.added', body: { phone: '+15125550123', text: 'x'.repeat(1024 * 1024 + 10) } }] }));
  // With Content-Length: refused from the headers, before the body is read (or sent).
  assert.equal(await postLarge('/api/events', big, { 'Content-Type': 'application/json', 'Content-Length': big.length }, { expectContinue: true }), 413);
  // Chunked (no Content-Length): the relay reads the body, drops it past 1 MiB, and answers 413 at its end.
  const chunked = Buffer.alloc(17 * 64 * 1024, 'x');
  assert.equal(await postLarge('/api/events', chunked, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }), 413);
  assert.equal((await allEvents(admin)).length, before);
});

test('50 plain fetch() POSTs of 2 MiB with Content-Length all receive the 413 (no reset)', async () => {
  // Without "Expect: 100-continue" the relay reads and drops the refused body (up to 8 MiB) before
  // answering, so the client is never reset while still sending (relay/http.c).
  const big = Buffer.alloc(2 * 1024 * 1024, 'x');
  const before = (await allEvents(admin)).length;
  for (let i = 0; i < 50; i++) {
    const r = await fetch(relay.url + '/api/events', { method: 'POST', body: big,
      headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf, Origin: relay.url, 'Content-Type': 'application/json' } });
    assert.equal(r.status, 413, `request ${i}`);
    const j = await r.json();
    assert.equal(j.error.name, 'FT_E_TOO_LARGE');
  }
  assert.equal((await allEvents(admin)).length, before);
});

test('malformed JSON and wrong shapes get 400 with the core error shape', async () => {
  const r = await admin.fetch('/api/events', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"events": [' });
  assert.equal(r.status, 400);
  const j = await r.json();
  assert.deepEqual(Object.keys(j.error).sort(), ['code', 'message', 'name']);
  assert.equal(j.error.name, 'FT_E_JSON');
  const arr = await admin.post('/api/events', [1, 2]);
  assert.equal(arr.status, 400);
  const noEvents = await admin.post('/api/events', { nope: true });
  assert.equal(noEvents.status, 400);
  const res = await postEvents(admin, [
    { id: 'not-a-uuid', type: 'note.added', body: { phone: '+15125550123', text: 'x' } },
    { id: uuid(), type: 'no.such.type', body: {} },
    { id: uuid(), type: 'note.added', body: 'string' },
    { id: uuid(), type: 'message.received', body: { phone: '+15125550123', body: 'forged' } },
    { id: uuid(), type: 'note.added', body: { phone: '+15125550123', text: '' } },
  ]);
  assert.deepEqual(res.map((x) => x.error && x.error.name),
    ['FT_E_EVENT_ID', 'FT_E_EVENT_TYPE', 'FT_E_JSON_SHAPE', 'FT_E_EVENT_FORBIDDEN', 'FT_E_MSG_EMPTY']);
});

test('events are idempotent by id: a resent id returns its original seq and is stored once', async () => {
  const id = uuid();
  const ev = { id, type: 'note.added', body: { phone: '+15125550124', text: 'gate code 1234' }, at: 1700000000000 };
  const [a] = await postEvents(admin, [ev]);
  const [b] = await postEvents(admin, [ev]);
  assert.ok(a.seq > 0);
  assert.equal(b.seq, a.seq);
  assert.equal(b.duplicate, true);
  const all = await allEvents(admin);
  const mine = all.filter((e) => e.id === id);
  assert.equal(mine.length, 1);
  assert.equal(mine[0].actor, admin.user.id);
  assert.equal(mine[0].client_at, 1700000000000);
  assert.ok(mine[0].at > 1700000000000);
  const after = await admin.json(`/api/events?after=${a.seq - 1}&limit=1`);
  assert.equal(after.body.events.length, 1);
  assert.equal(after.body.events[0].seq, a.seq);
  assert.ok(after.body.last_seq >= a.seq);
  const bad = await admin.json('/api/events?after=-1');
  assert.equal(bad.status, 400);
});

test('rules: no consent, too long, media and empty sends are refused and write nothing', async () => {
  const phone = '+15125550125';
  const before = (await allEvents(admin)).length;
  const res = await postEvents(admin, [
    { id: uuid(), type: 'message.send', body: { phone, body: 'Hello', kind: 'manual' } },
  ]);
  assert.equal(res[0].error.name, 'FT_E_LOG_NO_CONSENT');
  assert.equal((await allEvents(admin)).length, before);
  await consentCustomer(admin, phone);
  await admin.post('/api/ledger/purchase', { segments: 2500 });
  const res2 = await postEvents(admin, [
    { id: uuid(), type: 'message.send', body: { phone, body: 'x'.repeat(1601) } },
    { id: uuid(), type: 'message.send', body: { phone, body: '' } },
    { id: uuid(), type: 'message.send', body: { phone, body: 'pic', media_url: 'https://x/y.png' } },
    { id: uuid(), type: 'message.send', body: { phone: '5125550125', body: 'not E.164' } },
  ]);
  assert.deepEqual(res2.map((x) => x.error && x.error.name), ['FT_E_MSG_TOO_LONG', 'FT_E_MSG_EMPTY', 'FT_E_MSG_MEDIA', 'FT_E_LOG_PHONE']);
  assert.ok(res2[0].error.message.length > 0);
});

test('a send the balance cannot cover is refused before Twilio is called', async () => {
  const r = await startRelay();
  try {
    const c = await login(r);
    const phone = '+15125550126';
    await consentCustomer(c, phone);
    const [res] = await postEvents(c, [{ id: uuid(), type: 'message.send', body: { phone, body: 'Hi' } }]);
    assert.equal(res.error.name, 'FT_E_BALANCE');
    const state = (await c.json('/api/state')).body;
    assert.equal(state.balance.segments, 0);
    assert.equal(state.threads.length, 0);
  } finally {
    await r.stop();
  }
});

test('bundle purchases credit the balance, idempotent by payment ref; unknown bundles refused', async () => {
  const r = await startRelay();
  try {
    const c = await login(r);
    const a = await c.post('/api/ledger/purchase', { segments: 2500, ref: 'pay_1' });
    assert.equal(a.status, 200);
    assert.equal(a.body.balance.segments, 2500);
    const b = await c.post('/api/ledger/purchase', { segments: 2500, ref: 'pay_1' });
    assert.equal(b.body.duplicate, true);
    assert.equal(b.body.balance.segments, 2500);
    const bad = await c.post('/api/ledger/purchase', { segments: 7 });
    assert.equal(bad.status, 422);
    const [ev] = await postEvents(c, [{ id: uuid(), type: 'bundle.purchased', body: { segments: 10000 } }]);
    assert.ok(ev.seq > 0);
    const me = (await c.json('/api/me')).body;
    assert.equal(me.balance.segments, 12500);
    const evs = await allEvents(c);
    assert.equal(evs.find((e) => e.seq === ev.seq).body.price_micros, 140000000);
  } finally {
    await r.stop();
  }
});

test('GET /api/state folds threads, notes, claims and consent', async () => {
  const phone = '+15125550127';
  const cid = await consentCustomer(admin, phone, uuid(), 'Robin <b>Lawn</b>');
  await postEvents(admin, [
    { id: uuid(), type: 'note.added', body: { phone, text: 'dog in yard' } },
    { id: uuid(), type: 'thread.claimed', body: { phone } },
  ]);
  const s = (await admin.json('/api/state')).body;
  assert.equal(s.ok, true);
  const cust = s.customers.find((c) => c.customer_id === cid);
  assert.equal(cust.consent, 'opted_in');
  assert.equal(cust.name, 'Robin <b>Lawn</b>');
  assert.equal(s.consent[phone].script_read.actor, admin.user.id);
  const t = s.threads.find((x) => x.phone === phone);
  assert.equal(t.claimed_by, admin.user.id);
  assert.equal(t.customer_id, cid);
  assert.equal(t.messages[0].kind, 'note');
});

test('GET /api/stream sends each new event as SSE with its seq as id', async () => {
  const last = (await admin.json('/api/events?after=0&limit=1')).body.last_seq;
  const ac = new AbortController();
  const r = await admin.fetch(`/api/stream?after=${last}`, { signal: ac.signal });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/event-stream/);
  const reader = r.body.getReader();
  const id = uuid();
  setTimeout(() => postEvents(admin, [{ id, type: 'note.added', body: { phone: '+15125550128', text: 'live' } }]), 200);
  let text = '';
  const dec = new TextDecoder();
  const deadline = Date.now() + 10000;
  while (!text.includes(id) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value);
  }
  ac.abort();
  assert.ok(text.includes(id), text);
  const block = text.split('\n\n').find((b) => b.includes(id));
  assert.match(block, /^id: \d+\nevent: ft\ndata: \{/m);
  const ev = JSON.parse(block.split('data: ')[1]);
  assert.equal(ev.type, 'note.added');
  assert.equal(String(ev.seq), /id: (\d+)/.exec(block)[1]);
});

test('static files: MIME types (application/wasm), no directory traversal', async () => {
  const w = await fetch(relay.url + '/wasm/fieldtext_core.wasm');
  assert.equal(w.status, 200);
  assert.equal(w.headers.get('content-type'), 'application/wasm');
  const j = await fetch(relay.url + '/js/core.js');
  assert.equal(j.status, 200);
  assert.match(j.headers.get('content-type'), /^text\/javascript/);
  assert.equal(j.headers.get('x-content-type-options'), 'nosniff');
  const raw = (p) => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: relay.port, path: p }, (res) => { let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => resolve({ status: res.statusCode, body: b })); }).on('error', reject);
  });
  for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/js/../../CMakeLists.txt', '/.git/config', '/js/%2e%2e/%2e%2e/relay/main.c', '/..%2f..%2fetc/passwd']) {
    const r = await raw(p);
    assert.equal(r.status, 404, p);
    assert.ok(!r.body.includes('root:'), p);
  }
});

test('the policy page is built from the business profile, escaped; EIN is never stored', async () => {
  const r = await admin.post('/api/business', { name: 'Acme <script>alert(1)</script> Lawn & Pest', phone: '(512) 555-0100', email: 'office@acme.example', ein: '12-3456789' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.ignored, ['ein']);
  const pid = r.body.business.policy_id;
  const page = await fetch(`${relay.url}/policies?id=${pid}`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.ok(html.includes('Acme &lt;script&gt;alert(1)&lt;/script&gt; Lawn &amp; Pest'));
  assert.ok(!html.includes('<script>'));
  assert.ok(html.includes('STOP'));
  const optin = await fetch(`${relay.url}/policies?id=appoptin`);
  assert.equal(optin.status, 200);
  assert.match(await optin.text(), /consent/i);
  assert.equal((await fetch(`${relay.url}/policies?id=${uuid()}`)).status, 404);
  assert.equal((await fetch(`${relay.url}/policies?id=%3Cscript%3E`)).status, 404);
  const me = await admin.json('/api/me');
  assert.ok(!JSON.stringify(me.body).includes('3456789'));
});
