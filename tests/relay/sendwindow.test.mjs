// The send window (core consent.h, wired in relay/rules.c): automated kinds (reminder, on_the_way)
// only 8 a.m.-9 p.m. in the customer's time zone (customer.saved "tz"); staff writing by hand at
// any hour. The zones are chosen from the current time so the test means the same at any hour.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, login, uuid, postEvents, consentCustomer, localMinutes } from './helpers.mjs';

const running = [];
after(async () => { for (const r of running) await r.stop(); });

const ZONES = ['Pacific/Guam', 'Pacific/Pago_Pago', 'Pacific/Honolulu', 'America/Anchorage', 'America/Los_Angeles',
  'America/Denver', 'America/Chicago', 'America/New_York', 'America/Halifax', 'America/St_Johns'];

test('reminders are refused outside 8 a.m.-9 p.m. in the customer\'s zone, manual texts are not', async (t) => {
  const relay = await startRelay();
  running.push(relay);
  const admin = await login(relay);
  await admin.post('/api/ledger/purchase', { segments: 2500 });
  // Margins of 30 minutes keep the test away from the window's edges while it runs.
  const closed = ZONES.find((z) => { const m = localMinutes(z); return m < 7 * 60 + 30 || m >= 21 * 60 + 30; });
  const open = ZONES.find((z) => { const m = localMinutes(z); return m >= 8 * 60 + 30 && m < 19 * 60 + 30; });
  assert.ok(open || closed, 'some zone is clearly inside or outside the window');
  let i = 0;
  const customerIn = async (/** @type {string} */ zone) => {
    const phone = `+1512555017${i++}`;
    const id = await consentCustomer(admin, phone);
    const [r] = await postEvents(admin, [{ id: uuid(), type: 'customer.saved', body: { customer_id: id, name: 'Pat', phone, type: 'residential', class: 'lawn', tz: zone } }]);
    assert.ok(r.seq > 0);
    return phone;
  };
  const send = async (/** @type {string} */ phone, /** @type {string} */ kind) =>
    (await postEvents(admin, [{ id: uuid(), type: 'message.send', body: { phone, body: 'Reminder: service tomorrow 8-12. Reply STOP to unsubscribe.', kind } }]))[0];
  if (closed) {
    const phone = await customerIn(closed);
    const r = await send(phone, 'reminder');
    assert.equal(r.error?.name, 'FT_E_CONSENT_QUIET_HOURS', JSON.stringify(r));
    assert.match(r.error.message, new RegExp(closed.replace('/', '\\/')));
    assert.equal((await send(phone, 'on_the_way')).error?.name, 'FT_E_CONSENT_QUIET_HOURS');
    const manual = await send(phone, 'manual');
    assert.ok(manual.seq > 0, JSON.stringify(manual));
  } else t.diagnostic('no listed zone is outside its window right now: the refusal half was not exercised');
  if (open) {
    const phone = await customerIn(open);
    const r = await send(phone, 'reminder');
    assert.ok(r.seq > 0, `${open}: ${JSON.stringify(r)}`);
  } else t.diagnostic('no listed zone is inside its window right now');
});
