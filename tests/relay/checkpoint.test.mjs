// The state checkpoint (relay/events.c): the resident reducer saved in SQLite every
// FIELDTEXT_CHECKPOINT_EVERY events and at a clean stop; a start restores it and folds only the
// later events. Checked over real HTTP and with `fieldtext-relay --check-state`, which folds the
// log both ways (from the checkpoint, and from the start) and compares the two states exactly.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startRelay, login, uuid, consentCustomer, allEvents, waitFor, freePort, RELAY_BIN } from './helpers.mjs';

const twilio = createRequire(import.meta.url)('twilio');
const cleanup = [];
after(async () => { for (const f of cleanup.reverse()) await f(); });

const A = '+15125550171', B = '+15125550172', C = '+15125550173';

/** @param {string} db @param {string} sql */
const sql = (db, q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();

/** `fieldtext-relay --check-state` on a data directory: its JSON line and exit code. @param {string} dir */
function checkState(dir) {
  try {
    const out = execFileSync(RELAY_BIN, ['--check-state'], { env: { ...process.env, FIELDTEXT_DATA: dir }, encoding: 'utf8' });
    return { code: 0, ...JSON.parse(out.trim().split('\n').pop()) };
  } catch (e) {
    return { code: e.status, ...JSON.parse(String(e.stdout).trim().split('\n').pop() || '{}') };
  }
}

/** The hash the relay keeps beside a checkpoint (events.c ckpt_hash). */
const ckptHash = (version, seq, state) => createHash('sha256').update(`${version}\n${seq}\n${state}`).digest('hex');

/** A send's outcome: 'ok', or the refusal's error name. @param {any} admin @param {string} phone */
async function trySend(admin, phone) {
  const r = await admin.post('/api/events', { events: [{ id: uuid(), type: 'message.send', body: { phone, body: 'Your technician is on the way. Reply STOP to unsubscribe.' } }] });
  assert.equal(r.status, 200);
  const res = r.body.results[0];
  return res.error ? res.error.name : 'ok';
}

test('kill -9 after a checkpoint and more events: the restart folds only the later events, into exactly the full fold', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ft-ckpt-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const db = path.join(dataDir, 'fieldtext.db');
  const token = 'tok-' + uuid();
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const env = { TWILIO_AUTH_TOKEN: token, FIELDTEXT_PUBLIC_URL: publicUrl, FIELDTEXT_CHECKPOINT_EVERY: '8' };
  /** @type {Awaited<ReturnType<typeof startRelay>>|null} */
  let relay = null;
  cleanup.push(async () => { if (relay) await relay.stop(true).catch(() => {}); });
  const start = async () => { relay = await startRelay({ port, dataDir, env }); return relay; };
  const inbound = async (from, body) => {
    const params = { MessageSid: 'SM' + uuid().replace(/-/g, ''), From: from, To: '+15005550006', Body: body, NumSegments: '1', NumMedia: '0' };
    const sig = twilio.getExpectedTwilioSignature(token, publicUrl + '/twilio/inbound', params);
    const r = await fetch(publicUrl + '/twilio/inbound', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': sig }, body: new URLSearchParams(params).toString() });
    assert.equal(r.status, 200, await r.text());
  };

  await start();
  assert.match(relay.stdout, /state: 0 events folded \(checkpoint: none yet\)/);
  let admin = await login(relay);
  assert.equal((await admin.post('/api/ledger/purchase', { segments: 2500 })).status, 200);
  for (const p of [A, B, C]) await consentCustomer(admin, p);
  await inbound(B, 'STOP');
  // A send: Twilio is not configured, so the sender records message.failed and refunds it.
  assert.equal(await trySend(admin, A), 'ok');
  await waitFor(async () => (await allEvents(admin)).some((e) => e.type === 'balance.refunded'), 10000, 'the refund');
  const ckptSeq = Number(sql(db, 'SELECT seq FROM checkpoint'));
  assert.ok(ckptSeq >= 8, `a checkpoint was written (seq ${ckptSeq})`);
  // More events after it: A opts out, C writes, a purchase.
  await inbound(A, 'STOP');
  await inbound(C, 'Running late?');
  assert.equal((await admin.post('/api/ledger/purchase', { segments: 2500 })).status, 200);
  const me = (await admin.json('/api/me')).body;
  relay.child.kill('SIGKILL');
  await new Promise((r) => relay.child.once('exit', r));
  relay = null;

  // The checkpoint left behind covers less than the log; folded from it, the state is the full fold's.
  const chk = checkState(dataDir);
  assert.equal(chk.code, 0, JSON.stringify(chk));
  assert.equal(chk.same, true);
  assert.equal(chk.last_seq, me.last_seq);
  assert.ok(chk.checkpoint_seq >= ckptSeq && chk.checkpoint_seq < chk.last_seq, JSON.stringify(chk));
  assert.ok(chk.folded_after_checkpoint > 0 && chk.folded_after_checkpoint < chk.folded_in_full, JSON.stringify(chk));

  await start();
  const m = /state: checkpoint at seq (\d+), (\d+) later events folded/.exec(relay.stdout);
  assert.ok(m, relay.stdout);
  assert.equal(Number(m[1]), chk.checkpoint_seq);
  assert.equal(Number(m[2]), chk.folded_after_checkpoint);
  admin = await login(relay);
  const me2 = (await admin.json('/api/me')).body;
  assert.equal(me2.balance.segments, me.balance.segments);
  assert.equal(me2.last_seq, me.last_seq);
  // The full fold from SQLite (GET /api/state) agrees with the resident reducer restored from the checkpoint.
  const state = (await admin.json('/api/state')).body;
  assert.equal(state.balance.segments, me2.balance.segments);
  assert.equal(state.consent[A].state, 'opted_out');
  assert.equal(await trySend(admin, A), 'FT_E_LOG_OPTED_OUT');
  assert.equal(await trySend(admin, B), 'FT_E_LOG_OPTED_OUT');
  assert.equal(await trySend(admin, C), 'ok');

  // A clean stop writes a checkpoint of everything: the next start folds nothing.
  assert.equal(await relay.stop(true), 0);
  relay = null;
  const last = Number(sql(db, 'SELECT MAX(seq) FROM events'));
  assert.equal(Number(sql(db, 'SELECT seq FROM checkpoint')), last);
  const chk2 = checkState(dataDir);
  assert.equal(chk2.same, true);
  assert.equal(chk2.checkpoint_seq, last);
  assert.equal(chk2.folded_after_checkpoint, 0);
  await start();
  assert.match(relay.stdout, new RegExp(`state: checkpoint at seq ${last}, 0 later events folded`));
  await relay.stop(true);
  relay = null;
});

test('a damaged, other-version, unreadable or too-new checkpoint is ignored: the whole log is folded', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ft-ckpt-bad-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const db = path.join(dataDir, 'fieldtext.db');
  const env = { FIELDTEXT_CHECKPOINT_EVERY: '1000' };
  let relay = await startRelay({ dataDir, env });
  cleanup.push(async () => { await relay.stop(true).catch(() => {}); });
  let admin = await login(relay);
  assert.equal((await admin.post('/api/ledger/purchase', { segments: 2500 })).status, 200);
  await consentCustomer(admin, A);
  // Staff records A's opt-out: a checkpoint that said otherwise would let a send through.
  const r = await admin.post('/api/events', { events: [{ id: uuid(), type: 'consent.opted_out', body: { phone: A, method: 'staff' } }] });
  assert.ok(!r.body.results[0].error, JSON.stringify(r.body));
  assert.equal(await trySend(admin, A), 'FT_E_LOG_OPTED_OUT');
  await relay.stop(true); // clean stop: a checkpoint of everything
  const [seq, version] = sql(db, 'SELECT seq, version FROM checkpoint').split('|').map(Number);
  const good = sql(db, 'SELECT state FROM checkpoint');
  const count = Number(sql(db, 'SELECT COUNT(*) FROM events'));
  assert.equal(seq, Number(sql(db, 'SELECT MAX(seq) FROM events')));
  assert.match(good, /"opted_out"/);

  const cases = [
    // edited without its hash: "damaged"
    [`UPDATE checkpoint SET state=replace(state,'"opted_out"','"opted_in"')`, /checkpoint: damaged/],
    [`UPDATE checkpoint SET version=version+1`, /checkpoint: made by another version/],
    // a consistent hash over what is not a snapshot
    [`UPDATE checkpoint SET state='{"v":${version}}', sha256='${ckptHash(version, seq, `{"v":${version}}`)}'`, /checkpoint: not a snapshot this relay can read/],
    // a consistent hash, past the log's end
    [`UPDATE checkpoint SET seq=${seq + 100}, sha256='${ckptHash(version, seq + 100, good)}'`, /checkpoint: ahead of the log/],
  ];
  for (const [edit, why] of cases) {
    // the good checkpoint back, then this case's edit
    sql(db, `UPDATE checkpoint SET seq=${seq}, version=${version}, state='${good.replace(/'/g, "''")}', sha256='${ckptHash(version, seq, good)}'`);
    sql(db, edit);
    const chk = checkState(dataDir);
    assert.equal(chk.same, true, JSON.stringify(chk));
    assert.equal(chk.checkpoint_seq, null);
    assert.equal(chk.folded_after_checkpoint, chk.folded_in_full);
    relay = await startRelay({ dataDir, env });
    assert.match(relay.stdout, why);
    assert.match(relay.stdout, new RegExp(`state: ${count} events folded`));
    admin = await login(relay);
    assert.equal(await trySend(admin, A), 'FT_E_LOG_OPTED_OUT', String(edit));
    await relay.stop(true); // a clean stop: writes a good checkpoint again
  }
});
