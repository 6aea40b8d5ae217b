// A2P 10DLC, the TrustHub half (relay/a2p.c): the business address (v2010 Address +
// customer_profile_address SupportingDocument assigned to the Secondary Customer Profile before its
// Evaluation), Evaluation results read (noncompliant → failed, the failing fields named, nothing
// submitted for review), and a restart mid-way resuming without duplicates. The sandbox's request
// log is the witness (every request also passes its twilio-oai checks: rejections stay empty).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../../relay/sandbox/client.mjs';
import { startRelay, login, freePort, waitFor, allEvents } from './helpers.mjs';

const running = [];
after(async () => { for (const r of running.reverse()) await r.stop(); });

const EIN = '12-3456789';
const FORM = {
  country: 'US', legal_name: 'Acme Pest Control LLC', company_name: 'Acme Pest', business_type: 'limited liability corporation',
  industry: 'PROFESSIONAL_SERVICES', ein: EIN, street: '120 Oak Street', city: 'Springfield', region: 'IL', postal_code: '62701',
  website: 'https://www.acmepest.com', contact_first_name: 'Dana', contact_last_name: 'Smith', contact_title: 'Owner',
  contact_email: 'dana@acmepest.com', contact_phone: '(217) 555-2148', sms_number: '+1 217 555 2199',
  policy_base_url: 'https://texts.acmepest.com/',
};

/** @param {Record<string, any>} [sbOpts] */
async function setup(sbOpts = {}) {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const sb = await startSandbox({ publicUrl, callbackDelayMs: 10, a2pDelayMs: -1, dataDir: mkdtempSync(path.join(os.tmpdir(), 'ft-sandbox-')), ...sbOpts });
  running.push({ stop: async () => { await sb.stop(); rmSync(sb.config.dataDir, { recursive: true, force: true }); } });
  const env = { ...sb.env, FIELDTEXT_PUBLIC_URL: publicUrl, FIELDTEXT_SANDBOX: '1', FIELDTEXT_RETRY_BASE_MS: '100',
    FIELDTEXT_REQUIRE_REGISTRATION: '1', FIELDTEXT_A2P_POLL_MS: '100' };
  const relay = await startRelay({ port, env });
  running.push(relay);
  return { sb, relay, admin: await login(relay), port, env };
}

const status = async (/** @type {any} */ admin) => (await admin.json('/api/me')).body.registration;

/** A GET on the sandbox's Twilio API with the account's credentials. @param {any} sb @param {string} p */
async function twilioGet(sb, p) {
  const auth = Buffer.from(`${sb.config.accountSid}:${sb.config.authToken}`).toString('base64');
  const r = await fetch(sb.url + p, { headers: { Authorization: `Basic ${auth}`, Connection: 'close' } });
  assert.equal(r.status, 200, `GET ${p}`);
  return r.json();
}

/** The relay's POSTs, in order: {i, path, status, sid}. @param {any} sb */
async function posts(sb) {
  return (await sb.requests()).filter((/** @type {any} */ r) => r.method === 'POST').map((/** @type {any} */ r, /** @type {number} */ i) => ({ ...r, i }));
}

test('A2P TrustHub: address, address document and the three assignments come before the evaluation, in order; evaluations compliant', async () => {
  const { sb, admin } = await setup();
  assert.equal((await admin.post('/api/registration', FORM)).status, 200);
  await waitFor(async () => (await status(admin)).status === 'submitted', 20000, 'submitted');
  const log = await posts(sb);
  const acct = sb.config.accountSid;
  const one = (/** @type {string|RegExp} */ p, /** @type {number} */ st = 201) => {
    const hits = log.filter((r) => (typeof p === 'string' ? r.path === p : p.test(r.path)) && r.status === st);
    assert.equal(hits.length, 1, `one ${st} POST ${p} in ${log.map((r) => `${r.path} ${r.status}`).join(', ')}`);
    return hits[0];
  };
  assert.ok(log.every((r) => r.status >= 200 && r.status < 300), JSON.stringify(log.filter((r) => r.status >= 300)));
  const address = one(`/2010-04-01/Accounts/${acct}/Addresses.json`);
  assert.match(address.sid, /^AD[0-9a-f]{32}$/);
  const doc = one('/v1/SupportingDocuments');
  assert.match(doc.sid, /^RD[0-9a-f]{32}$/);
  const cp = one('/v1/CustomerProfiles');
  assert.match(cp.sid, /^BU[0-9a-f]{32}$/);
  const endUsers = log.filter((r) => r.path === '/v1/EndUsers');
  assert.equal(endUsers.length, 3, 'business information, representative, A2P messaging information');
  const cpAssign = log.filter((r) => r.path === `/v1/CustomerProfiles/${cp.sid}/EntityAssignments`);
  assert.equal(cpAssign.length, 3);
  const objects = [];
  for (const a of cpAssign) {
    assert.match(a.sid, /^BV[0-9a-f]{32}$/);
    objects.push((await twilioGet(sb, `/v1/CustomerProfiles/${cp.sid}/EntityAssignments/${a.sid}`)).object_sid);
  }
  assert.deepEqual(objects, [endUsers[0].sid, endUsers[1].sid, doc.sid], 'business information, representative, address document');
  const cpEval = one(`/v1/CustomerProfiles/${cp.sid}/Evaluations`);
  const cpSubmit = one(`/v1/CustomerProfiles/${cp.sid}`, 200);
  // The order: address → document → its assignment → evaluation → submission for review.
  assert.ok(address.i < doc.i && doc.i < cpAssign[2].i && cpAssign[2].i < cpEval.i && cpEval.i < cpSubmit.i,
    log.map((r) => r.path).join('\n'));
  const tp = one('/v1/TrustProducts');
  const tpAssign = log.filter((r) => r.path === `/v1/TrustProducts/${tp.sid}/EntityAssignments`);
  const tpEval = one(`/v1/TrustProducts/${tp.sid}/Evaluations`);
  const tpSubmit = one(`/v1/TrustProducts/${tp.sid}`, 200);
  const brand = one('/v1/a2p/BrandRegistrations');
  assert.equal(tpAssign.length, 2);
  assert.ok(cpSubmit.i < tp.i && tpAssign[1].i < tpEval.i && tpEval.i < tpSubmit.i && tpSubmit.i < brand.i);

  // What Twilio holds: the address from the profile, the document pointing at it, evaluations compliant.
  const ad = await twilioGet(sb, `/2010-04-01/Accounts/${acct}/Addresses/${address.sid}.json`);
  assert.deepEqual([ad.customer_name, ad.street, ad.city, ad.region, ad.postal_code, ad.iso_country],
    ['Acme Pest Control LLC', '120 Oak Street', 'Springfield', 'IL', '62701', 'US']);
  const rd = await twilioGet(sb, `/v1/SupportingDocuments/${doc.sid}`);
  assert.equal(rd.type, 'customer_profile_address');
  assert.deepEqual([].concat(rd.attributes.address_sids), [address.sid]);
  const ev = await twilioGet(sb, `/v1/CustomerProfiles/${cp.sid}/Evaluations/${cpEval.sid}`);
  assert.equal(ev.status, 'compliant', JSON.stringify(ev.results));
  assert.ok(ev.results.some((/** @type {any} */ x) => x.requirement_name === 'customer_profile_address' && x.passed));
  assert.equal((await twilioGet(sb, `/v1/TrustProducts/${tp.sid}/Evaluations/${tpEval.sid}`)).status, 'compliant');
  assert.deepEqual(await sb.rejections(), []);
});

test('A2P TrustHub: a noncompliant customer profile evaluation fails the registration, names the fields, submits nothing for review', async () => {
  const { sb, admin } = await setup();
  const ok = await admin.post('/api/registration', { ...FORM, legal_name: 'Noncompliant Pest Control LLC' });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const failed = await waitFor(async () => { const s = await status(admin); return s.status === 'failed' && s; }, 20000, 'failed');
  assert.match(failed.failed_step, /customer profile evaluation/);
  assert.match(failed.reason, /evaluation of the business profile/i);
  assert.match(failed.reason, /Legal business name \(The Business Name does not match/);
  assert.match(failed.reason, /submit it again/);
  assert.ok(!/[{}"\[]/.test(failed.reason), 'plain words, no JSON');
  assert.deepEqual(failed.failed_fields, ['legal_name']);
  const log = await posts(sb);
  const cp = log.find((r) => r.path === '/v1/CustomerProfiles');
  assert.ok(cp && log.some((r) => r.path === `/v1/CustomerProfiles/${cp.sid}/Evaluations`), 'evaluated');
  assert.ok(!log.some((r) => r.path === `/v1/CustomerProfiles/${cp.sid}`), 'not submitted for review');
  assert.ok(!log.some((r) => r.path.startsWith('/v1/TrustProducts') || r.path.startsWith('/v1/a2p/')), 'stopped there');
  const ev = (await allEvents(admin)).find((e) => e.type === 'registration.failed');
  assert.ok(ev && ev.body.reason === failed.reason && ev.body.failed_fields.includes('legal_name'), JSON.stringify(ev));
  // Nothing more happens afterwards.
  const n = (await sb.requests()).length;
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await sb.requests()).length, n);
  assert.deepEqual(await sb.rejections(), []);
});

test('A2P TrustHub: a noncompliant trust product evaluation fails before its review and before the brand', async () => {
  const { sb, admin } = await setup({ noncompliant: ['trust_product'] });
  assert.equal((await admin.post('/api/registration', FORM)).status, 200);
  const failed = await waitFor(async () => { const s = await status(admin); return s.status === 'failed' && s; }, 20000, 'failed');
  assert.match(failed.failed_step, /A2P profile evaluation/);
  assert.match(failed.reason, /A2P messaging profile/);
  assert.match(failed.reason, /Company Type/);
  const log = await posts(sb);
  const tp = log.find((r) => r.path === '/v1/TrustProducts');
  assert.ok(tp && log.some((r) => r.path === `/v1/TrustProducts/${tp.sid}/Evaluations`));
  assert.ok(!log.some((r) => r.path === `/v1/TrustProducts/${tp.sid}`), 'trust product not submitted for review');
  assert.ok(!log.some((r) => r.path.startsWith('/v1/a2p/')), 'no brand');
  assert.deepEqual(await sb.rejections(), []);
});

test('A2P TrustHub: killed mid-way (address made, document refused for now), the restarted relay resumes without duplicates', async () => {
  const { sb, relay, admin, port, env } = await setup();
  await sb.fault({ kind: 'error', status: 503, count: 1000, match: 'any', path: '/v1/SupportingDocuments' });
  assert.equal((await admin.post('/api/registration', FORM)).status, 200);
  await waitFor(async () => (await posts(sb)).some((r) => r.path === '/v1/SupportingDocuments' && r.status === 503), 20000, 'document attempted');
  const mid = await status(admin);
  assert.equal(mid.status, 'submitting');
  relay.child.kill('SIGKILL');
  await relay.stop(true);
  running.splice(running.indexOf(relay), 1);
  await sb.call('DELETE', '/sandbox/faults');

  // The EIN died with the process; the business information already reached Twilio, so nothing needs it.
  const relay2 = await startRelay({ port, dataDir: relay.dataDir, env });
  running.push({ stop: async () => { await relay2.stop(); rmSync(relay.dataDir, { recursive: true, force: true }); } });
  const admin2 = await login(relay2);
  await waitFor(async () => (await status(admin2)).status === 'submitted', 20000, 'submitted after the restart');
  const log = await posts(sb);
  const count = (/** @type {string} */ p, /** @type {number} */ st) => log.filter((r) => r.path === p && r.status === st).length;
  assert.equal(count(`/2010-04-01/Accounts/${sb.config.accountSid}/Addresses.json`, 201), 1, 'one address');
  assert.equal(count('/v1/SupportingDocuments', 201), 1, 'one document');
  assert.equal(count('/v1/EndUsers', 201), 3, 'no EndUser made twice');
  assert.equal(count('/v1/CustomerProfiles', 201), 1);
  assert.equal(count('/v1/a2p/BrandRegistrations', 201), 1);
  const cp = log.find((r) => r.path === '/v1/CustomerProfiles');
  const ev = log.find((r) => r.path === `/v1/CustomerProfiles/${cp.sid}/Evaluations`);
  assert.equal((await twilioGet(sb, `/v1/CustomerProfiles/${cp.sid}/Evaluations/${ev.sid}`)).status, 'compliant');
  assert.deepEqual(await sb.rejections(), []);
});
