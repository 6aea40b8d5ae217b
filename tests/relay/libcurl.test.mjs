// libcurl is loaded at its first use (relay/curl_lazy.c), not at start: a relay that only receives
// webhooks does not carry it and its dependencies; the first send loads it and goes through.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, login, uuid, postEvents, consentCustomer, allEvents, waitFor, freePort } from './helpers.mjs';
import { startSandbox } from '../../relay/sandbox/client.mjs';

const running = [];
after(async () => { for (const s of running.reverse()) await s.stop(); });

/** Whether the process maps libcurl. @param {number} pid */
const mapsLibcurl = (pid) => /\/libcurl[^/\s]*\.so/.test(readFileSync(`/proc/${pid}/maps`, 'utf8'));

test('libcurl is not mapped at start; the first send loads it and reaches Twilio', { skip: process.platform !== 'linux' }, async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const sbDir = mkdtempSync(path.join(os.tmpdir(), 'ft-sandbox-'));
  const sb = await startSandbox({ publicUrl, callbackDelayMs: 10, dataDir: sbDir });
  running.push({ stop: async () => { await sb.stop(); rmSync(sbDir, { recursive: true, force: true }); } });
  const relay = await startRelay({ port, env: { ...sb.env, FIELDTEXT_PUBLIC_URL: publicUrl, FIELDTEXT_SANDBOX: '1' } });
  running.push(relay);
  const admin = await login(relay);
  const phone = '+15125550181';
  await consentCustomer(admin, phone);
  await admin.post('/api/ledger/purchase', { segments: 2500 });
  assert.equal(mapsLibcurl(relay.child.pid), false, 'libcurl mapped before any send');

  const id = uuid();
  const [res] = await postEvents(admin, [{ id, type: 'message.send', body: { phone, body: 'Your technician is on the way. Reply STOP to unsubscribe.' } }]);
  assert.ok(res.seq > 0, JSON.stringify(res));
  const sent = await waitFor(async () => (await allEvents(admin)).find((e) => e.type === 'message.sent' && e.body.message_id === id), 10000, 'message.sent');
  assert.match(sent.body.sid, /^SM[0-9a-f]{32}$/);
  assert.equal(mapsLibcurl(relay.child.pid), true, 'libcurl loaded by the send');
  assert.equal((await sb.messages({ direction: 'outbound-api' })).filter((m) => m.to === phone).length, 1);
});
