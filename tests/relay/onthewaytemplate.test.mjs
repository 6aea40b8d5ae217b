// The business's "technician on the way" template (relay/reminders.c, relay/API.md "Reminders and
// templates"): template.saved with kind "on_the_way" is checked and logged, never stored as a job
// type's reminder, so the scheduler ignores it; {{job.eta}} (the arrival time, which only staff
// know when they send the notice) is refused in a scheduled reminder unless it has a fallback.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { uuid, postEvents, allEvents, waitFor } from './helpers.mjs';
import { phoenixAt, isoPhx, relayAt, phoenixCustomer as customer, outbound, ofType } from './phoenix.mjs';

const running = [];
after(async () => { for (const s of running.reverse()) await s.stop(); });

const OTW_TEXT = 'Hi {{customer.first_name|there}}, {{technician.first_name}} from {{company.name}} is on the way and should arrive around {{job.eta}}.';

test('template.saved kind on_the_way: accepted with {{job.eta}}; job_type, days_before, other kinds and bad text refused', async () => {
  const { admin } = await relayAt(running, phoenixAt(12, 0));
  const tpl = (body) => ({ id: uuid(), type: 'template.saved', body });
  const res = await postEvents(admin, [
    tpl({ template_id: 'otw', kind: 'on_the_way', name: 'On the way', text: OTW_TEXT }),
    tpl({ template_id: 'otw', kind: 'on_the_way', job_type: 'lawn', text: OTW_TEXT }),
    tpl({ template_id: 'otw', kind: 'on_the_way', days_before: 1, text: OTW_TEXT }),
    tpl({ template_id: 'otw', kind: 'arrival', text: OTW_TEXT }),
    tpl({ template_id: 'otw', kind: 42, job_type: 'lawn', text: 'Hi' }),
    tpl({ template_id: 'otw', kind: 'on_the_way', text: 'Arriving {{job.eta' }),
    tpl({ template_id: 'otw', kind: 'on_the_way', text: 'Arriving {{job.arrival}}' }),
    tpl({ kind: 'on_the_way', text: OTW_TEXT }),
    // A job type's reminder cannot use the arrival time bare (no visit has one when it is planned)...
    tpl({ template_id: 'lawn', job_type: 'lawn', text: 'Hi {{customer.first_name}}, we arrive at {{job.eta}}.' }),
    // ...but may with a fallback, and kind "reminder" is the default spelled out.
    tpl({ template_id: 'lawn', job_type: 'lawn', kind: 'reminder', text: 'Hi {{customer.first_name}}, we arrive {{job.eta|in the morning}}.' }),
  ]);
  assert.deepEqual(res.map((r) => r.error?.name ?? 'ok'), ['ok', 'FT_E_JSON_SHAPE', 'FT_E_JSON_SHAPE', 'FT_E_JSON_SHAPE', 'FT_E_JSON_SHAPE',
    'FT_E_TPL_UNCLOSED', 'FT_E_TPL_UNKNOWN_FIELD', 'FT_E_JSON_SHAPE', 'FT_E_TPL_MISSING_VALUE', 'ok'], JSON.stringify(res));
  for (const r of res.filter((x) => x.error)) {
    assert.ok(r.error.status === 400 || r.error.status === 422, JSON.stringify(r));
    assert.ok(r.error.message.length > 10, JSON.stringify(r));
  }
  assert.match(res[1].error.message, /on_the_way template has no job_type/);
  assert.match(res[8].error.message, /job\.eta/);
  assert.equal(res[8].error.status, 422);
  // The accepted one is in the log as sent (the page folds it from there).
  const ev = (await allEvents(admin)).find((e) => e.seq === res[0].seq);
  assert.equal(ev.type, 'template.saved');
  assert.equal(ev.body.kind, 'on_the_way');
  assert.equal(ev.body.text, OTW_TEXT);
});

test('the scheduler ignores the on-the-way template: a due visit of any job type has no reminder template', async () => {
  const { sb, admin, clock } = await relayAt(running, phoenixAt(12, 0), { templates: [{ template_id: 'otw', kind: 'on_the_way', text: 'Hi {{customer.first_name}}, on the way: {{job.eta}}.' }] });
  const phone = '+15125550161';
  const cid = await customer(admin, phone);
  // Due at once (1 day before a visit 2 hours from now: late, so as soon as possible), one of them
  // even typed "on_the_way".
  const start = isoPhx(clock() + 2 * 3600 * 1000);
  for (const [jobId, jobType] of [['j-lawn', 'lawn'], ['j-otw', 'on_the_way']]) {
    const [r] = await postEvents(admin, [{ id: uuid(), type: 'job.saved', body: { job_id: jobId, customer_id: cid, phone, start, job_type: jobType, technician: 'Sam Tech', days_before: 1 } }]);
    assert.ok(r.seq > 0, JSON.stringify(r));
  }
  const skipped = await waitFor(async () => { const s = await ofType(admin, 'reminder.skipped'); return s.length === 2 ? s : null; }, 15000, 'two reminder.skipped');
  assert.deepEqual(skipped.map((e) => [e.body.job_id, e.body.reason]).sort(), [['j-lawn', 'no_template'], ['j-otw', 'no_template']]);
  assert.equal((await allEvents(admin)).filter((e) => e.type === 'message.send').length, 0, 'nothing was sent');
  assert.equal((await outbound(sb, phone)).length, 0);
  const list = (await admin.json('/api/reminders')).body;
  assert.ok(!list.reminders.some((r) => r.job_id === 'j-lawn' || r.job_id === 'j-otw'), JSON.stringify(list));
});
