// POST /api/registration (relay/registration.c, core registration.h): the form is checked as a
// whole (every field error at once, 422); a valid profile is stored WITHOUT the EIN, which never
// reaches the database file, the log or the relay's output.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startRelay, login, client, allEvents } from './helpers.mjs';

const running = [];
after(async () => { for (const r of running) await r.stop(); });

const EIN = '12-3456789';
const FORM = {
  country: 'US', legal_name: 'Acme Pest Control LLC', company_name: 'Acme Pest', business_type: 'limited liability corporation',
  industry: 'PROFESSIONAL_SERVICES', ein: EIN, street: '120 Oak Street', city: 'Springfield', region: 'IL', postal_code: '62701',
  website: 'https://www.acmepest.com', contact_first_name: 'Dana', contact_last_name: 'Smith', contact_title: 'Owner',
  contact_email: 'dana@acmepest.com', contact_phone: '(217) 555-2148', sms_number: '+1 217 555 2199',
  policy_base_url: 'https://texts.acmepest.com/',
};

test('registration: all field errors at once, the profile stored without the EIN, /api/me reports the status', async () => {
  const relay = await startRelay();
  running.push(relay);
  const admin = await login(relay);
  assert.equal((await admin.json('/api/me')).body.registration.status, 'not_started');

  const bad = await admin.post('/api/registration', { ...FORM, ein: '07-1234567', postal_code: '1234', contact_email: 'nope' });
  assert.equal(bad.status, 422, JSON.stringify(bad.body));
  const fields = bad.body.errors.map((/** @type {any} */ e) => e.field).sort();
  for (const f of ['contact_email', 'ein', 'postal_code']) assert.ok(fields.includes(f), `${f} in ${fields}`);
  assert.ok(!JSON.stringify(bad.body).includes('07-1234567') && !JSON.stringify(bad.body).includes('071234567'));
  assert.equal((await admin.json('/api/me')).body.registration.status, 'not_started', 'nothing stored on refusal');

  const anon = await client(relay.url).post('/api/registration', FORM);
  assert.ok(anon.status === 401 || anon.status === 403);

  const ok = await admin.post('/api/registration', FORM);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.registration.status, 'profile_saved');
  assert.match(ok.body.campaign.Description, /appointment/i);
  assert.equal((await admin.json('/api/me')).body.registration.status, 'profile_saved');
  const evs = await allEvents(admin);
  assert.ok(evs.some((e) => e.type === 'registration.saved'));

  await relay.stop(true);
  running.pop();
  const digits = EIN.replace('-', '');
  for (const f of readdirSync(relay.dataDir)) {
    const bytes = readFileSync(path.join(relay.dataDir, f)).toString('latin1');
    assert.ok(!bytes.includes(EIN) && !bytes.includes(digits), `EIN found in ${f}`);
  }
  assert.ok(!relay.stdout.includes(digits) && !relay.stderr.includes(digits) && !relay.stdout.includes(EIN) && !relay.stderr.includes(EIN), 'EIN in the logs');
  assert.ok(!JSON.stringify(evs).includes(digits) && !JSON.stringify(evs).includes(EIN));
});
