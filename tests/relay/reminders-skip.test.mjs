// Skipping one visit of a repeating job (job.saved skip_dates, relay/reminders.c) over real HTTP
// against the Twilio sandbox, whose record is the witness of what reached "Twilio":
//   - a skipped visit's reminder still waiting in the outbox is pulled back (reminder.canceled,
//     reason "skipped", refunded) and never sent; the series' other visits keep theirs; taking the
//     date out of skip_dates sends it after all, once, under the next revision;
//   - one already handed to Twilio is recorded as reminder.cancel_too_late, once;
//   - skip_dates that are not dates, too many of them, or not an array are refused.
//
// As in reminders-lifecycle.test.mjs, the scheduling clock is shifted (FIELDTEXT_CLOCK_OFFSET_MS) to
// midday in America/Phoenix (UTC-7, no DST), so the send window means the same at any hour.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { uuid, postEvents, consentCustomer, waitFor } from './helpers.mjs';
import { ZONE, DAY, phoenixAt, isoPhx, localDate, sleep, relayAt, outbound, ofType, balance } from './phoenix.mjs';

const running = [];
after(async () => { for (const s of running.reverse()) await s.stop(); });

/** A relay at noon tomorrow in Phoenix (scheduling clock), with its sandbox, a bundle, the "lawn" template and one consenting customer. */
async function setup(phone) {
  const { sb, admin, clock } = await relayAt(running, phoenixAt(12, 0), {
    templates: [{ template_id: 'tpl-lawn', job_type: 'lawn', text: 'Hi {{customer.first_name}}, we see you {{job.date}} at {{job.window_start}}.' }],
  });
  const customerId = await consentCustomer(admin, phone, uuid(), 'Pat Customer');
  const [r] = await postEvents(admin, [{ id: uuid(), type: 'customer.saved', body: { customer_id: customerId, name: 'Pat Customer', phone, type: 'residential', class: 'lawn', tz: ZONE } }]);
  assert.ok(r.seq > 0, JSON.stringify(r));
  return { sb, admin, customerId, clock };
}

/** job.saved of a weekly lawn visit; returns the result (accepted or refused). */
async function saveWeekly(admin, job, extra = {}) {
  const [r] = await postEvents(admin, [{ id: uuid(), type: 'job.saved', body: { job_type: 'lawn', technician: 'Sam Tech', days_before: 1, recurrence: { freq: 'weekly' }, ...job, ...extra } }]);
  return r;
}

/** The entries of GET /api/reminders for one visit. */
async function visit(admin, jobId, date) {
  const list = (await admin.json('/api/reminders')).body;
  return {
    reminders: list.reminders.filter((x) => x.job_id === jobId && x.date === date),
    excluded: list.excluded.filter((x) => x.job_id === jobId && x.date === date),
  };
}

test('skipping one visit pulls back its waiting reminder, the other visits keep theirs, and taking the skip back sends it once', async () => {
  const phone = '+15125550161';
  const { sb, admin, customerId, clock } = await setup(phone);
  // Twilio answers the first create with 429, Retry-After 4 s: the reminder waits in the outbox.
  await sb.fault({ kind: 'rate', retryAfter: 4, count: 1 });
  const start = clock() + DAY; // the first visit's reminder is due at once
  const day1 = localDate(start), day2 = localDate(start + 7 * DAY);
  const job = { job_id: 'job-weekly', customer_id: customerId, phone, start: isoPhx(start) };
  assert.ok((await saveWeekly(admin, job)).seq > 0);
  const [send] = await waitFor(async () => { const s = await ofType(admin, 'message.send'); return s.length ? s : null; }, 15000, 'the first reminder enqueued');
  await waitFor(async () => (await sb.requests()).some((r) => r.method === 'POST' && /Messages\.json$/.test(r.path) && r.status === 429), 15000, 'the refused create');
  const refusedAt = Date.now();
  assert.equal(send.body.occurrence, day1);
  assert.equal(await balance(admin), 2499);

  // The customer is away that week: the office skips that visit only.
  assert.ok((await saveWeekly(admin, job, { skip_dates: [day1] })).seq > 0);
  const canceled = await ofType(admin, 'reminder.canceled');
  assert.equal(canceled.length, 1, JSON.stringify(canceled));
  assert.equal(canceled[0].body.reason, 'skipped');
  assert.equal(canceled[0].body.occurrence, day1);
  assert.equal(canceled[0].body.message_id, send.body.message_id);
  assert.match(canceled[0].body.message, /^the visit was skipped: the reminder was pulled back before it reached Twilio/);
  assert.equal((await ofType(admin, 'message.status')).filter((e) => e.body.status === 'canceled' && e.body.reason === 'skipped').length, 1);
  assert.equal(await balance(admin), 2500, 'refunded');

  let v1 = await visit(admin, 'job-weekly', day1);
  assert.equal(v1.reminders.length, 0);
  assert.equal(v1.excluded.length, 1, 'listed once: ' + JSON.stringify(v1.excluded));
  assert.equal(v1.excluded[0].reason, 'skipped');
  assert.equal(v1.excluded[0].pulled_back, true);
  assert.equal(v1.excluded[0].message_id, send.body.message_id);
  const v2 = await visit(admin, 'job-weekly', day2);
  assert.equal(v2.reminders[0]?.state, 'pending', 'the next visit keeps its reminder');
  assert.equal(v2.excluded.length, 0);

  // Saved again with the same skip: nothing new. Past the retry time: Twilio never got it.
  assert.ok((await saveWeekly(admin, job, { skip_dates: [day1] })).seq > 0);
  await sleep(Math.max(0, refusedAt + 4500 - Date.now()));
  assert.equal((await outbound(sb, phone)).length, 0);
  assert.equal((await ofType(admin, 'reminder.canceled')).length, 1);
  assert.equal((await ofType(admin, 'message.send')).length, 1);

  // The skip is taken back: the visit's reminder goes after all, once, under a new message id.
  assert.ok((await saveWeekly(admin, job, { skip_dates: [] })).seq > 0);
  await waitFor(async () => (await outbound(sb, phone)).length === 1, 15000, 'the reminder after the skip was taken back');
  const sends = await ofType(admin, 'message.send');
  assert.equal(sends.length, 2);
  assert.equal(sends[1].body.occurrence, day1);
  assert.equal(sends[1].body.revision, 1);
  assert.notEqual(sends[1].body.message_id, send.body.message_id);
  await waitFor(async () => (await visit(admin, 'job-weekly', day1)).reminders[0]?.state === 'sent', 15000, 'listed as sent');
  v1 = await visit(admin, 'job-weekly', day1);
  assert.equal(v1.excluded.length, 0);
  await sleep(1000);
  assert.equal((await outbound(sb, phone)).length, 1, 'exactly once');
});

test('skipping a visit whose reminder already went to Twilio is recorded once as too late; bad skip_dates are refused', async () => {
  const phone = '+15125550162';
  const { sb, admin, customerId, clock } = await setup(phone);
  const start = clock() + DAY; // due at once
  const day1 = localDate(start);
  const job = { job_id: 'job-gone', customer_id: customerId, phone, start: isoPhx(start) };
  assert.ok((await saveWeekly(admin, job)).seq > 0);
  const [sent] = await waitFor(async () => { const s = await ofType(admin, 'message.sent'); return s.length ? s : null; }, 15000, 'the reminder sent');

  assert.ok((await saveWeekly(admin, job, { skip_dates: [day1] })).seq > 0);
  const late = await ofType(admin, 'reminder.cancel_too_late');
  assert.equal(late.length, 1, JSON.stringify(late));
  assert.equal(late[0].body.reason, 'skipped');
  assert.equal(late[0].body.occurrence, day1);
  assert.equal(late[0].body.message_id, sent.body.message_id);
  assert.match(late[0].body.message, /^the visit was skipped after its reminder had gone to Twilio/);
  assert.equal((await ofType(admin, 'reminder.canceled')).length, 0, 'nothing pretends to be pulled back');
  assert.equal((await ofType(admin, 'balance.refunded')).length, 0);
  const v1 = await visit(admin, 'job-gone', day1);
  assert.equal(v1.excluded.length, 1, JSON.stringify(v1.excluded));
  assert.equal(v1.excluded[0].reason, 'skipped');
  assert.equal(v1.excluded[0].pulled_back, false);
  assert.equal(v1.excluded[0].state, 'sent');
  // Saved again, and the skip taken back: nothing more is recorded or sent.
  assert.ok((await saveWeekly(admin, job, { skip_dates: [day1] })).seq > 0);
  assert.ok((await saveWeekly(admin, job)).seq > 0);
  await sleep(1500);
  assert.equal((await ofType(admin, 'reminder.cancel_too_late')).length, 1);
  assert.equal((await outbound(sb, phone)).length, 1);
  assert.equal((await ofType(admin, 'message.send')).length, 1);
  assert.equal((await visit(admin, 'job-gone', day1)).reminders[0]?.state, 'sent');

  // Refusals name the wrong entry; the job stays as it was.
  const year = Array.from({ length: 367 }, (_, i) => new Date(Date.UTC(2030, 0, 1) + i * DAY).toISOString().slice(0, 10));
  const cases = [
    [[day1, '2025-02-30'], 'FT_E_SCHED_DATE', 422, /entry 2 \("2025-02-30"\) is not a valid date/],
    [[20250317], 'FT_E_SCHED_DATE', 422, /entry 1 is not a date string/],
    [day1, 'FT_E_JSON_SHAPE', 400, /skip_dates must be an array/],
    [year, 'FT_E_TOO_LARGE', 413, /at most 366/],
  ];
  for (const [skip, name, status, message] of cases) {
    const r = await saveWeekly(admin, job, { skip_dates: skip });
    assert.equal(r.error?.name, name, JSON.stringify(r));
    assert.equal(r.error.status, status);
    assert.match(r.error.message, message);
  }
  assert.ok((await saveWeekly(admin, job, { skip_dates: year.slice(0, 366) })).seq > 0, '366 dates are allowed');
});
