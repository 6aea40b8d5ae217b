// The relay's accounts over real HTTP: setup link, login, sessions, CSRF, origin, throttling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import crypto from 'node:crypto';
import { startRelay, login, client, uuid, ADMIN_PASSWORD } from './helpers.mjs';

let relay;
before(async () => { relay = await startRelay(); });
after(async () => { await relay.stop(); });

test('first start without FIELDTEXT_ADMIN_PASSWORD prints a one-time setup link that creates the admin', async () => {
  const r = await startRelay({ adminPassword: null });
  try {
    const m = /\/setup\?token=([0-9a-f]{64})/.exec(r.stdout);
    assert.ok(m, `no setup link in: ${r.stdout}`);
    const c = client(r.url);
    const bad = await c.post('/api/setup', { token: 'f'.repeat(64), username: 'boss', name: 'Boss', password: 'long-enough-pw' });
    assert.equal(bad.status, 403);
    const weak = await c.post('/api/setup', { token: m[1], username: 'boss', name: 'Boss', password: 'short' });
    assert.equal(weak.status, 400);
    const ok = await c.post('/api/setup', { token: m[1], username: 'boss', name: 'Boss', password: 'long-enough-pw' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.user.role, 'admin');
    const again = await client(r.url).post('/api/setup', { token: m[1], username: 'boss2', name: 'B', password: 'long-enough-pw' });
    assert.equal(again.status, 409, 'the link works once');
    const me = await c.json('/api/me');
    assert.equal(me.body.user.username, 'boss');
    // The password is stored as an scrypt hash, never as given.
    const db = Buffer.concat(readdirSync(r.dataDir).map((f) => readFileSync(path.join(r.dataDir, f))));
    assert.ok(!db.includes(Buffer.from('long-enough-pw')));
    // scrypt with OWASP's N=2^13, r=8, p=10 (8 MiB a hash): Node's own scrypt finds the same key.
    const h = /scrypt\$8192\$8\$10\$([0-9a-f]{32})\$([0-9a-f]{64})/.exec(db.toString('latin1'));
    assert.ok(h, 'an scrypt hash with its parameters is stored');
    const key = crypto.scryptSync('long-enough-pw', Buffer.from(h[1], 'hex'), 32, { N: 8192, r: 8, p: 10, maxmem: 64 * 1024 * 1024 });
    assert.equal(key.toString('hex'), h[2]);
  } finally {
    await r.stop();
  }
});

test('login sets an HttpOnly SameSite=Strict cookie and /api/me answers with the CSRF token', async () => {
  const c = client(relay.url);
  const r = await c.fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  assert.equal(r.status, 200);
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /ft_session=[0-9a-f]{64}/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const body = await r.json();
  const me = await c.json('/api/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.csrf, body.csrf);
  assert.equal(me.body.user.role, 'admin');
  assert.equal(me.body.sandbox, false);
  assert.equal(typeof me.body.balance.segments, 'number');
  assert.ok(!JSON.stringify(me.body).includes('AUTH_TOKEN'));
});

test('unauthenticated requests are refused with 401', async () => {
  const c = client(relay.url);
  for (const p of ['/api/me', '/api/state', '/api/events?after=0', '/api/users']) {
    const r = await c.fetch(p);
    assert.equal(r.status, 401, p);
    const j = await r.json();
    assert.equal(j.ok, false);
    assert.equal(j.error.name, 'FT_E_AUTH_REQUIRED');
  }
  const r = await c.post('/api/events', { events: [] });
  assert.equal(r.status, 401);
});

test('a state change without the CSRF token, with a wrong one, or from another origin is refused', async () => {
  const c = await login(relay);
  const ev = () => ({ events: [{ id: uuid(), type: 'note.added', body: { phone: '+15125550123', text: 'hi' } }] });
  const noCsrf = await c.post('/api/events', ev(), { 'X-CSRF-Token': '' });
  assert.equal(noCsrf.status, 403);
  const wrong = await c.post('/api/events', ev(), { 'X-CSRF-Token': 'a'.repeat(64) });
  assert.equal(wrong.status, 403);
  const evil = await c.post('/api/events', ev(), { Origin: 'https://evil.example' });
  assert.equal(evil.status, 403);
  const site = await c.post('/api/events', ev(), { 'Sec-Fetch-Site': 'cross-site' });
  assert.equal(site.status, 403);
  const loginEvil = await client(relay.url).post('/api/login', { username: 'admin', password: ADMIN_PASSWORD }, { Origin: 'https://evil.example' });
  assert.equal(loginEvil.status, 403);
  const events = await c.json('/api/events?after=0');
  assert.equal(events.body.events.length, 0, 'nothing was written');
  const ok = await c.post('/api/events', ev());
  assert.equal(ok.status, 200);
  assert.ok(ok.body.results[0].seq > 0);
});

test('a foreign Host header is refused (DNS rebinding)', async () => {
  const status = (host) => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: relay.port, path: '/api/health', headers: { Host: host } }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
  });
  assert.equal(await status('evil.example:80'), 403);
  assert.equal(await status(`127.0.0.1:${relay.port}`), 200);
  assert.equal(await status(`localhost:${relay.port}`), 200);
});

test('wrong passwords are throttled per username with 429 and Retry-After, even with the right one after', async () => {
  const c = client(relay.url);
  await c.post('/api/users', {}); // unauthenticated: ignored
  const admin = await login(relay);
  const made = await admin.post('/api/users', { username: 'victim', name: 'Victim', password: 'victim-password', role: 'staff' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  for (let i = 0; i < 5; i++) {
    const r = await c.post('/api/login', { username: 'victim', password: 'wrong-password' });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.name, 'FT_E_AUTH_FAILED');
  }
  const r = await c.post('/api/login', { username: 'victim', password: 'victim-password' });
  assert.equal(r.status, 429);
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  // Another account is not locked by it.
  await login(relay);
});

test('SQL-looking input is data: refused with a clear error, nothing written', async () => {
  const c = client(relay.url);
  const r = await c.post('/api/login', { username: "admin' OR '1'='1' --", password: "' OR 1=1 --" });
  assert.equal(r.status, 401);
  const admin = await login(relay);
  const before = (await admin.json('/api/events?after=0')).body.events.length;
  const res = await admin.post('/api/events', { events: [{ id: uuid(), type: 'note.added', body: { phone: "'; DROP TABLE events; --", text: 'x' } }] });
  assert.equal(res.status, 200);
  assert.equal(res.body.results[0].error.name, 'FT_E_LOG_PHONE');
  const u = await admin.post('/api/users', { username: "x'); DROP TABLE users; --", name: 'x', password: 'long-enough-pw' });
  assert.equal(u.status, 400);
  const after = (await admin.json('/api/events?after=0')).body.events.length;
  assert.equal(after, before);
  const users = await admin.json('/api/users');
  assert.ok(users.body.users.some((x) => x.username === 'admin'));
});

test('staff cannot create users or buy bundles; logout ends the session', async () => {
  const admin = await login(relay);
  await admin.post('/api/users', { username: 'staffer', name: 'Staff', password: 'staff-password', role: 'staff' });
  const s = await login(relay, 'staffer', 'staff-password');
  assert.equal(s.user.role, 'staff');
  const u = await s.post('/api/users', { username: 'other', name: 'o', password: 'other-password' });
  assert.equal(u.status, 403);
  const b = await s.post('/api/ledger/purchase', { segments: 2500 });
  assert.equal(b.status, 403);
  const ev = await s.post('/api/events', { events: [{ id: uuid(), type: 'bundle.purchased', body: { segments: 2500 } }] });
  assert.equal(ev.body.results[0].error.name, 'FT_E_EVENT_FORBIDDEN');
  const out = await s.post('/api/logout', {});
  assert.equal(out.status, 200);
  const me = await s.fetch('/api/me');
  assert.equal(me.status, 401);
});
