// Crash safety over real HTTP: a burst of sends and signed inbound webhooks, the relay killed with
// SIGKILL in the middle of it, restarted on the same data directory, then checked against the
// Twilio sandbox's own record of what it received (the witness, a separate process).
//
// What is proved, for this run:
//   1. every event the relay acknowledged (HTTP 200 and a seq; for a webhook, HTTP 200) is in the
//      log after the restart, at the seq it was given;
//   2. no message reached Twilio twice (witness record, matched by the body's marker and our
//      message id), and no inbound webhook was logged twice, even though all of them are delivered
//      again after the restart (as Twilio redelivers);
//   3. no accepted send is lost: each one is, in the log, either message.sent (then the witness has
//      it exactly once, with the same sid) or message.failed with a reason. A failure is either
//      "uncertain" — the relay died between claiming the row and recording Twilio's answer, so
//      Twilio may or may not have it; the relay does not send it again, because a duplicate text
//      to a customer is worse than asking staff to check (relay/twilio.c) — or a definite refusal,
//      and then the witness must not have it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startRelay, login, uuid, postEvents, consentCustomer, freePort, waitFor } from './helpers.mjs';
import { spawnSandbox } from '../../relay/sandbox/client.mjs';

const twilio = createRequire(import.meta.url)('twilio');

const SENDS = 240;
const INBOUND = 240;
const WORKERS = 12; // concurrent requests of each kind
const KILL_AFTER_ACKED_SENDS = 60;
const PHONES = Array.from({ length: 10 }, (_, i) => `+1512555016${i}`); // not the sandbox's magic 0150-0156

/** Every event of the log, paged. @param {any} c */
async function logAll(c) {
  const out = [];
  for (let after = 0; ;) {
    const r = await c.json(`/api/events?after=${after}&limit=500`);
    assert.equal(r.status, 200);
    out.push(...r.body.events);
    if (r.body.events.length < 500) return out;
    after = r.body.events[r.body.events.length - 1].seq;
  }
}

test('kill -9 mid-burst: acknowledged events survive, nothing reaches Twilio twice, no accepted send is lost', async (t) => {
  const relayDir = mkdtempSync(path.join(os.tmpdir(), 'ft-crash-relay-'));
  const sbDir = mkdtempSync(path.join(os.tmpdir(), 'ft-crash-sandbox-'));
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const sb = await spawnSandbox({
    dataDir: sbDir,
    env: { FIELDTEXT_PUBLIC_URL: publicUrl, FIELDTEXT_SANDBOX_CALLBACK_DELAY_MS: '5', FIELDTEXT_SANDBOX_FSYNC: '1' },
  });
  const env = { ...sb.env, FIELDTEXT_PUBLIC_URL: publicUrl, FIELDTEXT_SANDBOX: '1', FIELDTEXT_RETRY_BASE_MS: '100' };
  /** @type {Awaited<ReturnType<typeof startRelay>>|null} */
  let relay = null;
  t.after(async () => {
    if (relay) await relay.stop(true).catch(() => {});
    await sb.stop();
    rmSync(relayDir, { recursive: true, force: true });
    rmSync(sbDir, { recursive: true, force: true });
  });
  relay = await startRelay({ port, dataDir: relayDir, env });
  let admin = await login(relay);
  assert.equal((await admin.post('/api/ledger/purchase', { segments: 10000 })).status, 200);
  for (const p of PHONES) await consentCustomer(admin, p);

  // ---- the burst ----
  const token = sb.config.authToken;
  const sends = Array.from({ length: SENDS }, (_, i) => ({ i, id: uuid(), phone: PHONES[i % PHONES.length], marker: `crash-out-${i}` }));
  const inbound = Array.from({ length: INBOUND }, (_, i) => ({
    sid: 'SM' + (i.toString(16).padStart(8, '0') + uuid().replace(/-/g, '')).slice(0, 32),
    params: {},
  }));
  for (const [i, m] of inbound.entries()) {
    m.params = { MessageSid: m.sid, SmsSid: m.sid, AccountSid: sb.config.accountSid, From: PHONES[i % PHONES.length],
      To: sb.config.numbers[0], Body: `crash-in-${i} running late?`, NumSegments: '1', NumMedia: '0' };
  }
  /** @type {Map<string, number>} send id -> acknowledged seq */
  const ackedSends = new Map();
  /** @type {Set<string>} inbound sids acknowledged with 200 */
  const ackedInbound = new Set();
  let failedRequests = 0;
  let killed = false;
  const first = relay;
  const killNow = () => {
    if (killed) return;
    killed = true;
    first.child.kill('SIGKILL');
  };
  const postInbound = async (/** @type {any} */ m) => {
    const sig = twilio.getExpectedTwilioSignature(token, publicUrl + '/twilio/inbound', m.params);
    const r = await fetch(publicUrl + '/twilio/inbound', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': sig },
      body: new URLSearchParams(m.params).toString(),
    });
    await r.text();
    return r.status;
  };
  const sendWorker = async (/** @type {number} */ w) => {
    for (let k = w; k < sends.length; k += WORKERS) {
      const s = sends[k];
      try {
        const r = await admin.post('/api/events', { events: [{ id: s.id, type: 'message.send', body: { phone: s.phone, body: `${s.marker} ${s.id} Reply STOP to unsubscribe.`, kind: 'manual' } }] });
        const res = r.body?.results?.[0];
        if (r.status === 200 && res && res.seq > 0 && !res.error) ackedSends.set(s.id, res.seq);
        else assert.fail(`send refused before the crash: ${r.status} ${JSON.stringify(r.body)}`);
        if (ackedSends.size >= KILL_AFTER_ACKED_SENDS) killNow();
      } catch (e) {
        if (!killed) throw e;
        failedRequests++;
      }
    }
  };
  const inboundWorker = async (/** @type {number} */ w) => {
    for (let k = w; k < inbound.length; k += WORKERS) {
      try {
        const status = await postInbound(inbound[k]);
        if (status === 200) ackedInbound.add(inbound[k].sid);
        else if (!killed) assert.fail(`inbound refused: ${status}`);
      } catch (e) {
        if (!killed) throw e;
        failedRequests++;
      }
    }
  };
  await Promise.all([...Array.from({ length: WORKERS }, (_, w) => sendWorker(w)), ...Array.from({ length: WORKERS }, (_, w) => inboundWorker(w))]);
  assert.ok(killed, 'the relay was killed during the burst');
  const code = await new Promise((r) => (first.child.exitCode !== null || first.child.signalCode !== null ? r(first.child.signalCode) : first.child.once('exit', (_c, s) => r(s))));
  assert.equal(code, 'SIGKILL');
  assert.doesNotMatch(first.stderr, /Sanitizer|runtime error:/);
  assert.ok(ackedSends.size >= KILL_AFTER_ACKED_SENDS && ackedSends.size < SENDS, `the kill came mid-burst (${ackedSends.size} of ${SENDS} sends acknowledged)`);
  assert.ok(failedRequests > 0, 'some requests were cut off by the kill');

  // ---- restart on the same data, redeliver every inbound webhook (Twilio may), drain ----
  relay = await startRelay({ port, dataDir: relayDir, env });
  admin = await login(relay);
  for (const m of inbound) assert.equal(await postInbound(m), 200, `redelivery of ${m.sid}`);
  const settled = (/** @type {any[]} */ log) => {
    const done = new Set(log.filter((e) => e.type === 'message.sent' || e.type === 'message.failed').map((e) => e.body.message_id));
    return log.filter((e) => e.type === 'message.send').every((e) => done.has(e.body.message_id));
  };
  await waitFor(async () => settled(await logAll(admin)), 30000, 'every logged send to be sent or failed');
  await sb.drain();
  const log = await logAll(admin);

  // 1. Acknowledged events are in the log at their seq.
  const bySeq = new Map(log.map((e) => [e.seq, e]));
  for (const [id, seq] of ackedSends) {
    const e = bySeq.get(seq);
    assert.ok(e && e.id === id && e.type === 'message.send', `acknowledged send ${id} (seq ${seq}) is in the log`);
  }
  const received = log.filter((e) => e.type === 'message.received');
  const receivedCount = new Map();
  for (const e of received) receivedCount.set(e.body.sid, (receivedCount.get(e.body.sid) || 0) + 1);
  for (const sid of ackedInbound) assert.ok(receivedCount.has(sid), `acknowledged inbound ${sid} is in the log`);
  // 2. Nothing twice: each inbound once (all were redelivered), each outbound at most once at Twilio.
  for (const m of inbound) assert.equal(receivedCount.get(m.sid), 1, `inbound ${m.sid} logged once`);
  const witness = await sb.messages({ direction: 'outbound-api' });
  const atTwilio = new Map();
  for (const m of witness) {
    const mk = /^(crash-out-\d+) (\S+)/.exec(m.body || '');
    if (!mk) continue;
    const list = atTwilio.get(mk[2]) || [];
    list.push(m);
    atTwilio.set(mk[2], list);
  }
  for (const [id, list] of atTwilio) assert.equal(list.length, 1, `message ${id} reached Twilio once, not ${list.length} times`);
  // 3. No accepted send lost: every send in the log (acknowledged or not) has its outcome.
  const sent = new Map(log.filter((e) => e.type === 'message.sent').map((e) => [e.body.message_id, e]));
  const failed = new Map(log.filter((e) => e.type === 'message.failed').map((e) => [e.body.message_id, e]));
  const counts = { accepted: 0, delivered_once: 0, uncertain_reached: 0, uncertain_not_reached: 0, refused: 0, logged_unacked: 0 };
  for (const e of log.filter((x) => x.type === 'message.send')) {
    const mid = e.body.message_id;
    counts.accepted++;
    if (!ackedSends.has(e.id)) counts.logged_unacked++; // committed, but the reply was cut off by the kill
    const w = atTwilio.get(mid) || [];
    if (sent.has(mid)) {
      assert.ok(!failed.has(mid), `${mid}: sent and failed`);
      assert.equal(w.length, 1, `${mid}: logged as sent, so Twilio has it once`);
      assert.equal(w[0].sid, sent.get(mid).body.sid, `${mid}: the sid in the log is Twilio's`);
      counts.delivered_once++;
    } else {
      const f = failed.get(mid);
      assert.ok(f, `${mid}: accepted, so sent or failed`);
      assert.ok(f.body.error && f.body.error.message, `${mid}: failed with a reason`);
      if (f.body.error.uncertain) {
        if (w.length) counts.uncertain_reached++;
        else counts.uncertain_not_reached++;
      } else {
        assert.equal(w.length, 0, `${mid}: a definite failure never reached Twilio`);
        counts.refused++;
      }
    }
  }
  for (const id of atTwilio.keys()) assert.ok(log.some((e) => e.type === 'message.send' && e.body.message_id === id), `Twilio got ${id}, which the log accepted`);
  assert.ok(counts.accepted >= ackedSends.size);
  assert.ok(counts.delivered_once > 0);
  assert.deepEqual(await sb.rejections(), []);
  t.diagnostic(`acknowledged: ${ackedSends.size} sends, ${ackedInbound.size} inbound before the kill; cut off: ${failedRequests} requests; outcome: ${JSON.stringify(counts)}`);
});
