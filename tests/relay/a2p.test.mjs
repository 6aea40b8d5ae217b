// A2P 10DLC submission (relay/a2p.c): after POST /api/registration the relay submits the TrustHub
// profiles, the brand and (once the brand is APPROVED) the campaign to the sandbox, with
// registration.* events; the requests pass the sandbox's OpenAPI checks; the EIN goes only into
// the EndUser request. With FIELDTEXT_REQUIRE_REGISTRATION=1 sends are refused until approval.
// Also: the public policy pages built from the stored profile (relay/policy.c).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../../relay/sandbox/client.mjs';
import { startRelay, login, freePort, uuid, postEvents, consentCustomer, waitFor, allEvents, client } from './helpers.mjs';

const running = [];
after(async () => { for (const r of running.reverse()) await r.stop(); });

const EIN = '12-3456789';
const FORM = {
  country: 'US', legal_name: 'Acme <Pest> Control LLC', company_name: 'Acme & Pest', business_type: 'limited liability corporation',
  industry: 'PROFESSIONAL_SERVICES', ein: EIN, street: '120 Oak Street', city: 'Springfield', region: 'IL', postal_code: '62701',
  website: 'https://www.acmepest.com', contact_first_name: 'Dana', contact_last_name: 'Smith', contact_title: 'Owner',
  contact_email: 'dana@acmepest.com', contact_phone: '(217) 555-2148', sms_number: '+1 217 555 2199',
  policy_base_url: 'https://texts.acmepest.com/',
};

async function setup(sbOpts = {}, env = {}) {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const sb = await startSandbox({ publicUrl, callbackDelayMs: 10, a2pDelayMs: -1, dataDir: mkdtempSync(path.join(os.tmpdir(), 'ft-sandbox-')), ...sbOpts });
  running.push({ stop: async () => { await sb.stop(); rmSync(sb.config.dataDir, { recursive: true, force: true }); } });
  const relay = await startRelay({ port, env: { ...sb.env, FIELDTEXT_PUBLIC_URL: publicUrl, FIELDTEXT_SANDBOX: '1', FIELDTEXT_RETRY_BASE_MS: '100',
    FIELDTEXT_REQUIRE_REGISTRATION: '1', FIELDTEXT_A2P_POLL_MS: '100', ...env } });
  running.push(relay);
  return { sb, relay, admin: await login(relay), port };
}

const status = async (/** @type {any} */ admin) => (await admin.json('/api/me')).body.registration;

test('registration: submitted to Twilio, brand then campaign approved; sends refused before, allowed after; no EIN kept', async () => {
  const { sb, relay, admin } = await setup();
  const phone = '+15125550177';
  await consentCustomer(admin, phone);
  await admin.post('/api/ledger/purchase', { segments: 2500 });
  const [early] = await postEvents(admin, [{ id: uuid(), type: 'message.send', body: { phone, body: 'Your technician is on the way.' } }]);
  assert.equal(early.error && early.error.name, 'FT_E_REG_NOT_APPROVED', JSON.stringify(early));
  assert.equal(early.error.status, 422);
  assert.match(early.error.message, /not_started/);

  const ok = await admin.post('/api/registration', FORM);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  // The brand is created and waits (the sandbox approves only when told).
  const sub = await waitFor(async () => { const s = await status(admin); return s.status === 'submitted' && s; }, 15000, 'submitted');
  assert.match(sub.brand_sid, /^BN[0-9a-f]{32}$/i);
  const [pending] = await postEvents(admin, [{ id: uuid(), type: 'message.send', body: { phone, body: 'Still waiting for approval.' } }]);
  assert.equal(pending.error && pending.error.name, 'FT_E_REG_NOT_APPROVED');
  assert.match(pending.error.message, /submitted/);

  // What reached the sandbox: the EIN only in the business-information EndUser.
  const reqs = await sb.requests();
  const paths = reqs.map((/** @type {any} */ r) => `${r.method} ${r.path}`);
  for (const p of ['/v1/EndUsers', '/v1/CustomerProfiles', '/v1/TrustProducts', '/v1/a2p/BrandRegistrations'])
    assert.ok(paths.some((x) => x === `POST ${p}`), `${p} in ${paths.join(', ')}`);

  await sb.a2p(sub.brand_sid, 'APPROVED');
  const camp = await waitFor(async () => { const s = await status(admin); return s.status === 'campaign_pending' && s; }, 15000, 'campaign_pending');
  assert.match(camp.campaign_sid, /^QE[0-9a-f]{32}$/i);
  const [stillPending] = await postEvents(admin, [{ id: uuid(), type: 'message.send', body: { phone, body: 'Campaign pending.' } }]);
  assert.equal(stillPending.error && stillPending.error.name, 'FT_E_REG_NOT_APPROVED');

  await sb.a2p(camp.campaign_sid, 'VERIFIED');
  const done = await waitFor(async () => { const s = await status(admin); return s.status === 'approved' && s; }, 15000, 'approved');
  assert.equal(done.required, true);
  const id = uuid();
  const [sent] = await postEvents(admin, [{ id, type: 'message.send', body: { phone, body: 'Your technician is on the way.' } }]);
  assert.ok(sent.seq > 0, JSON.stringify(sent));
  await waitFor(async () => (await allEvents(admin)).some((e) => e.type === 'message.sent' && e.body.message_id === id), 10000, 'message.sent');

  const types = (await allEvents(admin)).map((e) => e.type).filter((t) => t.startsWith('registration.'));
  assert.deepEqual(types, ['registration.saved', 'registration.submitted', 'registration.brand_approved', 'registration.campaign_pending', 'registration.approved']);
  // Clients cannot write registration.* events.
  const [forged] = await postEvents(admin, [{ id: uuid(), type: 'registration.approved', body: {} }]);
  assert.equal(forged.error.name, 'FT_E_EVENT_FORBIDDEN');

  await sb.drain();
  assert.deepEqual(await sb.rejections(), []);
  const evs = JSON.stringify(await allEvents(admin));
  await relay.stop(true);
  running.splice(running.indexOf(relay), 1);
  const digits = EIN.replace('-', '');
  for (const f of readdirSync(relay.dataDir)) {
    const bytes = readFileSync(path.join(relay.dataDir, f)).toString('latin1');
    assert.ok(!bytes.includes(EIN) && !bytes.includes(digits), `EIN found in ${f}`);
  }
  assert.ok(!evs.includes(digits) && !evs.includes(EIN));
  assert.ok(!relay.stderr.includes(digits) && !relay.stdout.includes(digits));
  rmSync(relay.dataDir, { recursive: true, force: true });
});

test('registration: a rejected brand is reported as failed with its reason; a restart resumes polling', async () => {
  const { sb, relay, admin, port } = await setup();
  assert.equal((await admin.post('/api/registration', FORM)).status, 200);
  const sub = await waitFor(async () => { const s = await status(admin); return s.status === 'submitted' && s; }, 15000, 'submitted');
  // Restart: the state is persisted, the brand is polled again (no second brand).
  await relay.stop(true);
  running.splice(running.indexOf(relay), 1);
  const relay2 = await startRelay({ port, dataDir: relay.dataDir, env: { ...sb.env, FIELDTEXT_PUBLIC_URL: `http://127.0.0.1:${port}`, FIELDTEXT_SANDBOX: '1',
    FIELDTEXT_REQUIRE_REGISTRATION: '1', FIELDTEXT_A2P_POLL_MS: '100' } });
  running.push({ stop: async () => { await relay2.stop(); rmSync(relay.dataDir, { recursive: true, force: true }); } });
  const admin2 = await login(relay2);
  assert.equal((await status(admin2)).status, 'submitted');
  await sb.a2p(sub.brand_sid, 'FAILED');
  const failed = await waitFor(async () => { const s = await status(admin2); return s.status === 'failed' && s; }, 15000, 'failed');
  assert.match(failed.reason, /rejected/);
  const ev = (await allEvents(admin2)).find((e) => e.type === 'registration.failed');
  assert.ok(ev && /rejected/.test(ev.body.reason), JSON.stringify(ev));
  const brands = (await sb.requests()).filter((/** @type {any} */ r) => r.method === 'POST' && r.path === '/v1/a2p/BrandRegistrations');
  assert.equal(brands.length, 1, 'one brand only');
  // After a failure the form is submitted again for real (no pending change): a new brand.
  const again = await admin2.post('/api/registration', { ...FORM, legal_name: 'Acme Pest Control Inc', business_type: 'corporation' });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.pending_change, undefined);
  await waitFor(async () => { const s = await status(admin2); return s.status === 'submitted' && !s.pending_change && s; }, 15000, 'submitted again');
  const brands2 = (await sb.requests()).filter((/** @type {any} */ r) => r.method === 'POST' && r.path === '/v1/a2p/BrandRegistrations');
  assert.equal(brands2.length, 2, 'a second brand after the failure');
  assert.deepEqual(await sb.rejections(), []);
});

test('registration: re-saving the profile while it is under review or after approval keeps the registration in force; the edit is a pending change', async () => {
  const { sb, relay, admin } = await setup();
  const phone = '+15125550178';
  await consentCustomer(admin, phone);
  await admin.post('/api/ledger/purchase', { segments: 2500 });
  assert.equal((await admin.post('/api/registration', FORM)).status, 200);
  const sub = await waitFor(async () => { const s = await status(admin); return s.status === 'submitted' && s; }, 15000, 'submitted');
  const brandPosts = async () => (await sb.requests()).filter((/** @type {any} */ r) => r.method === 'POST' && /^\/v1\/a2p\/BrandRegistrations\/?$/.test(r.path)).length;
  const campaignPosts = async () => (await sb.requests()).filter((/** @type {any} */ r) => r.method === 'POST' && /\/Compliance\/Usa2p\/?$/.test(r.path)).length;

  // Under review: an edited profile does not put the status back to profile_saved.
  const EDIT = { ...FORM, contact_email: 'office@acmepest.com', street: '200 Elm Street' };
  const during = await admin.post('/api/registration', EDIT);
  assert.equal(during.status, 200, JSON.stringify(during.body));
  assert.equal(during.body.registration.status, 'submitted');
  // (the contact email is in the campaign's HELP reply too, which Twilio reviewed)
  assert.deepEqual([...during.body.pending_change.changed].sort(), ['campaign.HelpMessage', 'contact_email', 'street']);
  assert.match(during.body.pending_change.message, /under way|under review/i);
  assert.equal((await status(admin)).status, 'submitted');

  await sb.a2p(sub.brand_sid, 'APPROVED');
  const camp = await waitFor(async () => { const s = await status(admin); return s.status === 'campaign_pending' && s; }, 15000, 'campaign_pending');
  await sb.a2p(camp.campaign_sid, 'VERIFIED');
  const done = await waitFor(async () => { const s = await status(admin); return s.status === 'approved' && s; }, 15000, 'approved');
  assert.deepEqual([...done.pending_change.changed].sort(), ['campaign.HelpMessage', 'contact_email', 'street'], 'the pending change outlives the review');
  const [first] = await postEvents(admin, [{ id: uuid(), type: 'message.send', body: { phone, body: 'Your technician is on the way.' } }]);
  assert.ok(first.seq > 0, JSON.stringify(first));

  // Approved: a re-save (here a new company name, which is in the campaign's samples too) keeps
  // texting on; it is recorded, not submitted (one brand and one campaign per service).
  const brands = await brandPosts(), campaigns = await campaignPosts();
  const after1 = await admin.post('/api/registration', { ...FORM, company_name: 'Acme Pest Pros' });
  assert.equal(after1.status, 200, JSON.stringify(after1.body));
  assert.equal(after1.body.registration.status, 'approved');
  assert.ok(after1.body.pending_change.changed.includes('company_name'), JSON.stringify(after1.body.pending_change));
  assert.ok(after1.body.pending_change.changed.includes('campaign.MessageSamples'), JSON.stringify(after1.body.pending_change));
  assert.ok(!after1.body.pending_change.changed.includes('street'), 'the earlier edit is replaced by this one');
  assert.match(after1.body.pending_change.message, /stays in force|texting continues/i);
  assert.match(after1.body.pending_change.message, /Twilio support/);
  const me = await status(admin);
  assert.equal(me.status, 'approved');
  assert.ok(me.pending_change && me.pending_change.changed.includes('company_name'));
  const [second] = await postEvents(admin, [{ id: uuid(), type: 'message.send', body: { phone, body: 'See you tomorrow at 9.' } }]);
  assert.ok(second.seq > 0, `texting continues after the re-save: ${JSON.stringify(second)}`);
  await new Promise((r) => setTimeout(r, 400)); // a resubmission, if any, would have started by now
  assert.equal(await brandPosts(), brands, 'no second brand');
  assert.equal(await campaignPosts(), campaigns, 'no second campaign');

  // The same profile as the registered one: nothing pending any more.
  const same = await admin.post('/api/registration', FORM);
  assert.equal(same.status, 200, JSON.stringify(same.body));
  assert.equal(same.body.registration.status, 'approved');
  assert.equal(same.body.pending_change, null);
  assert.equal((await status(admin)).pending_change, undefined);
  // An invalid form is still refused as a whole, and changes nothing.
  const bad = await admin.post('/api/registration', { ...FORM, postal_code: '1' });
  assert.equal(bad.status, 422);
  assert.equal((await status(admin)).status, 'approved');

  const evs = await allEvents(admin);
  const reg = evs.filter((e) => e.type.startsWith('registration.'));
  assert.equal(reg.filter((e) => e.type === 'registration.saved').length, 1, 'one registration.saved (the first submission)');
  assert.ok(!reg.some((e) => e.body.status === 'profile_saved' && e.seq > reg[0].seq), 'no later profile_saved');
  const pend = reg.filter((e) => e.type === 'registration.change_pending');
  assert.deepEqual(pend.map((e) => e.body.status), ['submitted', 'approved', 'approved']);
  assert.deepEqual(pend[2].body.changed, []);
  const [forged] = await postEvents(admin, [{ id: uuid(), type: 'registration.change_pending', body: {} }]);
  assert.equal(forged.error.name, 'FT_E_EVENT_FORBIDDEN');
  assert.ok(!JSON.stringify(evs).includes(EIN.replace('-', '')));
  assert.deepEqual(await sb.rejections(), []);
  void relay;
});

test('policy pages: built from the stored profile, HTML-escaped; the opt-in page; 404 for unknown ids', async () => {
  const relay = await startRelay();
  running.push(relay);
  const admin = await login(relay);
  const ok = await admin.post('/api/registration', FORM);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const id = new URL(ok.body.policy_page.url).searchParams.get('id');
  const anon = client(relay.url);
  const r = await anon.fetch(`/policies?id=${id}`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /text\/html/);
  const html = await r.text();
  assert.ok(html.includes('Acme &amp; Pest'), 'company name escaped');
  assert.ok(html.includes('Acme &lt;Pest&gt; Control LLC') && !html.includes('<Pest>'), 'legal name escaped');
  assert.ok(html.includes('(217) 555-2199'), 'SMS number');
  assert.ok(html.includes('dana@acmepest.com'), 'contact');
  assert.match(html, /Reply STOP/);
  assert.match(html, /third part/i, 'data sharing');
  assert.match(html, /Message and data rates may apply/);
  assert.ok(!html.includes(EIN.replace('-', '')));
  const optin = await anon.fetch('/policies?id=appoptin');
  assert.equal(optin.status, 200);
  const oh = await optin.text();
  assert.match(oh, /opt in/i);
  assert.ok(oh.includes('Acme &amp; Pest'), 'the opt-in page names the business');
  assert.equal((await anon.fetch(`/policies?id=${uuid()}`)).status, 404);
  assert.equal((await anon.fetch('/policies?id=nope')).status, 404);
  assert.equal((await anon.fetch('/policies')).status, 404);
});
