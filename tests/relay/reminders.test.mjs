// Automatic reminders (relay/reminders.c) over real HTTP against the Twilio sandbox: template.saved
// and job.saved through POST /api/events, the scheduler sending each occurrence's reminder exactly
// once at its time (restarts included), refusals recorded as reminder.skipped, and GET /api/reminders.
//
// The relay's scheduling clock is shifted with FIELDTEXT_CLOCK_OFFSET_MS so that, whatever the real
// time, it is midday (or a chosen minute) in America/Phoenix (UTC-7, no DST) when a test runs: the
// send window then means the same at any hour.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { uuid, postEvents, allEvents, waitFor } from './helpers.mjs';
import { PHX, DAY, phoenixAt, isoPhx, fmtDate, fmtTime, sleep, relayAt, phoenixCustomer as customer, outbound } from './phoenix.mjs';

const running = [];
after(async () => { for (const s of running.reverse()) await s.stop(); });

const LAWN = { template_id: 'tpl-lawn', job_type: 'lawn', name: 'Lawn reminder', text: 'Hi {{customer.first_name}}, {{company.name}} will see you {{job.date}} at {{job.window_start}}.' };
/** A relay (scheduling clock at schedNow) with its sandbox, a bundle, a business name and the "lawn" template. */
const setup = (/** @type {number} */ schedNow, reuse = {}) => relayAt(running, schedNow, { ...reuse, templates: [LAWN] });

/** job.saved; returns the result. */
async function saveJob(admin, body) {
  const [r] = await postEvents(admin, [{ id: uuid(), type: 'job.saved', body: { job_type: 'lawn', technician: 'Sam Tech', days_before: 1, ...body } }]);
  return r;
}


test('job.saved and template.saved are checked: clear 4xx reasons', async () => {
  const { admin } = await setup(phoenixAt(12, 0));
  const res = await postEvents(admin, [
    { id: uuid(), type: 'template.saved', body: { template_id: 't1', job_type: 'lawn', text: 'Hi {{customer.nickname}}' } },
    { id: uuid(), type: 'template.saved', body: { template_id: 't1', job_type: 'lawn', text: 'Hi {{customer.first_name' } },
    { id: uuid(), type: 'template.saved', body: { job_type: 'lawn', text: 'x' } },
    { id: uuid(), type: 'job.saved', body: { job_id: 'j1', customer_id: 'c1', phone: '+15125550181', job_type: 'lawn', technician: 'Sam', start: '2030-03-10T09:00' } },
    { id: uuid(), type: 'job.saved', body: { job_id: 'j1', customer_id: 'c1', phone: '5125550181', job_type: 'lawn', technician: 'Sam', start: '2030-03-10T09:00:00Z' } },
    { id: uuid(), type: 'job.saved', body: { job_id: 'j1', customer_id: 'c1', phone: '+15125550181', job_type: 'lawn', technician: 'Sam', start: '2030-03-10T09:00:00Z', tz: 'Mars/Base' } },
    { id: uuid(), type: 'job.saved', body: { job_id: 'j1', customer_id: 'c1', phone: '+15125550181', job_type: 'lawn', technician: 'Sam', start: '2030-03-10T09:00:00Z', days_before: 45 } },
    { id: uuid(), type: 'job.saved', body: { job_id: 'j1', customer_id: 'c1', phone: '+15125550181', job_type: 'lawn', technician: 'Sam', start: '2030-03-10T09:00:00Z', recurrence: { freq: 'hourly' } } },
    { id: uuid(), type: 'job.saved', body: { job_id: 'j1', customer_id: 'c1', phone: '+15125550181', job_type: 'lawn', technician: 'Sam', start: '2030-03-10T09:00:00Z', window_end: '2030-03-10T08:00:00Z' } },
    { id: uuid(), type: 'reminder.skipped', body: { job_id: 'j1', occurrence: '2030-03-10', reason: 'forged' } },
  ]);
  assert.deepEqual(res.map((x) => x.error?.name), ['FT_E_TPL_UNKNOWN_FIELD', 'FT_E_TPL_UNCLOSED', 'FT_E_JSON_SHAPE', 'FT_E_SCHED_DATE',
    'FT_E_LOG_PHONE', 'FT_E_SCHED_TZ_UNKNOWN', 'FT_E_JSON_SHAPE', 'FT_E_SCHED_RECURRENCE', 'FT_E_SCHED_DATE', 'FT_E_EVENT_FORBIDDEN']);
  for (const r of res) {
    assert.ok(r.error.status >= 400 && r.error.status < 500, JSON.stringify(r));
    assert.ok(r.error.message.length > 10, JSON.stringify(r));
  }
  const [badTpl] = await postEvents(admin, [{ id: uuid(), type: 'template.saved', body: { template_id: 't2', job_type: 'pest', text: 'Hi', days_before: 2.5 } }]);
  assert.equal(badTpl.error?.name, 'FT_E_JSON_SHAPE', JSON.stringify(badTpl));
  const ok = await saveJob(admin, { job_id: 'j2', customer_id: 'c1', phone: '+15125550181', start: Date.parse('2030-03-10T16:00:00Z'), days_before: undefined });
  assert.ok(ok.seq > 0, JSON.stringify(ok));
  const ev = (await allEvents(admin)).find((e) => e.seq === ok.seq);
  assert.equal(ev.body.days_before, undefined, 'no days_before is written: the template or the default decides when planning');
});

test('days_before: the job\'s own, else its job type\'s template\'s (editing the template moves pending reminders), else 1', async () => {
  const { admin, clock } = await setup(phoenixAt(12, 0));
  const cid = await customer(admin, '+15125550191');
  const start = clock() + 10 * DAY;
  const base = { customer_id: cid, phone: '+15125550191', start: isoPhx(start) };
  const dueOf = async (jobId) => {
    const list = (await admin.json('/api/reminders')).body;
    const item = list.reminders.find((r) => r.job_id === jobId);
    assert.ok(item, JSON.stringify(list));
    return Math.round((Math.floor(start / 1000) * 1000 - Date.parse(item.send_at_utc)) / DAY);
  };
  assert.ok((await saveJob(admin, { ...base, job_id: 'j-tpl', days_before: undefined })).seq > 0);
  assert.ok((await saveJob(admin, { ...base, job_id: 'j-own', days_before: 1 })).seq > 0);
  assert.ok((await saveJob(admin, { ...base, job_id: 'j-other', job_type: 'pest', days_before: undefined })).seq > 0);
  assert.equal(await dueOf('j-tpl'), 1, 'the lawn template has no days_before: the default, 1');
  const save = (days) => postEvents(admin, [{ id: uuid(), type: 'template.saved', body: { template_id: 'tpl-lawn', job_type: 'lawn',
    text: 'Hi {{customer.first_name}}, see you {{job.date}}.', days_before: days } }]);
  assert.ok((await save(3))[0].seq > 0);
  assert.equal(await dueOf('j-tpl'), 3, 'the template says 3 days');
  assert.equal(await dueOf('j-own'), 1, 'a job\'s own days_before wins');
  assert.ok((await save(2))[0].seq > 0);
  assert.equal(await dueOf('j-tpl'), 2, 'editing the template moves the pending reminder');
  const list = (await admin.json('/api/reminders')).body;
  assert.ok(!list.reminders.some((r) => r.job_id === 'j-other' && r.state === 'pending'), 'no template for pest: nothing pending');
});

test('a reminder goes out once, at its time, with the rendered text; a re-saved job does not send twice', async () => {
  const { sb, admin, clock, offset } = await setup(phoenixAt(12, 0));
  const phone = '+15125550182';
  const cid = await customer(admin, phone);
  const start = clock() + DAY + 6000;
  const job = { job_id: 'job-once', customer_id: cid, phone, start: isoPhx(start) + '' };
  // ms precision is lost in the ISO form; the due time is the second it names.
  const due = Math.floor(start / 1000) * 1000 - DAY;
  assert.ok((await saveJob(admin, job)).seq > 0);
  const expected = `Hi Pat, Acme Lawn will see you ${fmtDate(start)} at ${fmtTime(start)}. Reply STOP to unsubscribe.`;
  const list = (await admin.json('/api/reminders')).body;
  const item = list.reminders.find((r) => r.job_id === 'job-once');
  assert.ok(item, JSON.stringify(list));
  assert.equal(item.text, expected);
  assert.equal(item.segments, 1);
  assert.equal(item.state, 'pending');
  assert.equal(item.customer_id, cid);
  assert.equal(Date.parse(item.send_at_utc), due);
  // Not before its time.
  await sleep(Math.max(0, due - clock() - 1500));
  assert.equal((await outbound(sb, phone)).length, 0, 'nothing sent before the reminder is due');
  const sent = await waitFor(async () => (await allEvents(admin)).find((e) => e.type === 'message.sent'), 15000, 'message.sent');
  const send = (await allEvents(admin)).find((e) => e.type === 'message.send');
  assert.equal(send.body.kind, 'reminder');
  assert.equal(send.body.job_id, 'job-once');
  assert.equal(send.actor, 'system');
  assert.ok(send.at + offset >= due, `sent at ${send.at + offset}, due ${due}`);
  const out = await outbound(sb, phone);
  assert.equal(out.length, 1);
  assert.equal(out[0].body, expected);
  assert.equal(out[0].sid, sent.body.sid);
  // Saved again, unchanged: the (job, occurrence) key was taken with the send.
  assert.ok((await saveJob(admin, job)).seq > 0);
  await sleep(2000);
  assert.equal((await outbound(sb, phone)).length, 1, 'a re-saved job does not send twice');
  const again = (await admin.json('/api/reminders')).body.reminders.find((r) => r.job_id === 'job-once');
  assert.equal(again?.state, 'sent');
});

test('a restart before and after the due time still sends exactly once', async () => {
  const first = await setup(phoenixAt(12, 0));
  const dataDir = first.relay.dataDir; // kept by stop(true), reused by the next relays
  const phone = '+15125550183';
  const cid = await customer(first.admin, phone);
  const start = first.clock() + DAY + 5000;
  const due = Math.floor(start / 1000) * 1000 - DAY;
  assert.ok((await saveJob(first.admin, { job_id: 'job-restart', customer_id: cid, phone, start: isoPhx(start) })).seq > 0);
  running.splice(running.indexOf(first.relay), 1);
  await first.relay.stop(true); // before the due time
  assert.ok(first.clock() < due, 'stopped before the reminder was due');
  const second = await setup(first.clock(), { dataDir, port: first.port, sb: first.sb });
  await waitFor(async () => (await allEvents(second.admin)).some((e) => e.type === 'message.sent'), 15000, 'message.sent after restart');
  assert.equal((await outbound(first.sb, phone)).length, 1);
  running.splice(running.indexOf(second.relay), 1);
  await second.relay.stop(true); // after the due time
  const third = await setup(second.clock(), { dataDir, port: first.port, sb: first.sb });
  await sleep(2500);
  assert.equal((await outbound(first.sb, phone)).length, 1, 'still exactly once');
  assert.equal((await allEvents(third.admin)).filter((e) => e.type === 'message.send').length, 1);
  running.splice(running.indexOf(third.relay), 1);
  await third.relay.stop(true);
  rmSync(dataDir, { recursive: true, force: true });
});

test('opted-out customer, missing template field: skipped with the reason; canceled job: nothing', async () => {
  const { sb, admin, clock } = await setup(phoenixAt(12, 0));
  const out = '+15125550184', miss = '+15125550185', canc = '+15125550186';
  const c1 = await customer(admin, out);
  const c2 = await customer(admin, miss);
  const c3 = await customer(admin, canc);
  await postEvents(admin, [{ id: uuid(), type: 'consent.opted_out', body: { customer_id: c1, phone: out, method: 'staff' } }]);
  await postEvents(admin, [{ id: uuid(), type: 'template.saved', body: { template_id: 'tpl-pest', job_type: 'pest',
    text: 'Hi {{customer.first_name}}, your pest visit is {{job.date}} between {{job.window_start}} and {{job.window_end}}. Reply STOP to opt out.' } }]);
  const start = clock() + DAY + 4000;
  assert.ok((await saveJob(admin, { job_id: 'job-out', customer_id: c1, phone: out, start: isoPhx(start) })).seq > 0);
  assert.ok((await saveJob(admin, { job_id: 'job-miss', customer_id: c2, phone: miss, start: isoPhx(start), job_type: 'pest' })).seq > 0);
  assert.ok((await saveJob(admin, { job_id: 'job-canc', customer_id: c3, phone: canc, start: isoPhx(start) })).seq > 0);
  const before = (await admin.json('/api/reminders')).body;
  assert.equal(before.excluded.find((e) => e.job_id === 'job-out')?.reason, 'not_opted_in', JSON.stringify(before));
  assert.equal(before.excluded.find((e) => e.job_id === 'job-miss')?.reason, 'missing_field', JSON.stringify(before));
  assert.ok((await saveJob(admin, { job_id: 'job-canc', customer_id: c3, phone: canc, start: isoPhx(start), canceled: true })).seq > 0);
  const skipped = await waitFor(async () => {
    const s = (await allEvents(admin)).filter((e) => e.type === 'reminder.skipped');
    return s.length >= 2 ? s : null;
  }, 15000, 'two reminder.skipped');
  await sleep(1500);
  const byJob = Object.fromEntries(skipped.map((e) => [e.body.job_id, e.body]));
  assert.equal(byJob['job-out'].reason, 'opted_out');
  assert.match(byJob['job-out'].message, /opt/i);
  assert.equal(byJob['job-out'].occurrence, new Date(start + PHX).toISOString().slice(0, 10));
  assert.equal(byJob['job-miss'].reason, 'missing_field');
  assert.deepEqual(byJob['job-miss'].missing, ['job.window_end']);
  assert.ok(!byJob['job-canc'], 'a canceled job is not skipped: it has no reminder');
  const evs = await allEvents(admin);
  assert.equal(evs.filter((e) => e.type === 'reminder.skipped').length, 2, 'each skipped once');
  assert.equal(evs.filter((e) => e.type === 'message.send').length, 0);
  for (const p of [out, miss, canc]) assert.equal((await outbound(sb, p)).length, 0, p);
  const list = (await admin.json('/api/reminders')).body;
  assert.equal(list.excluded.find((e) => e.job_id === 'job-canc')?.reason, 'canceled');
});

test('a reminder planned outside the send window is moved into it, not skipped', async () => {
  // Scheduling clock: 07:59:45 in Phoenix. The job starts tomorrow at 07:59:58, so its reminder is
  // planned for 07:59:58 today, before the window opens: it is moved to 08:00:00 and sent then.
  const { sb, admin, clock, offset } = await setup(phoenixAt(7, 59, 45));
  const phone = '+15125550187';
  const cid = await customer(admin, phone);
  const now = clock();
  const opening = Math.floor((now + PHX) / DAY) * DAY + 8 * 3600 * 1000 - PHX;
  const start = opening - 2000 + DAY;
  assert.ok((await saveJob(admin, { job_id: 'job-moved', customer_id: cid, phone, start: isoPhx(start) })).seq > 0);
  const item = (await admin.json('/api/reminders')).body.reminders.find((r) => r.job_id === 'job-moved');
  assert.ok(item);
  assert.equal(item.adjusted, 'moved_later');
  assert.equal(Date.parse(item.send_at_utc), opening);
  assert.match(item.send_at, /T08:00:00-07:00$/);
  await waitFor(async () => (await allEvents(admin)).some((e) => e.type === 'message.sent'), 25000, 'the moved reminder');
  const send = (await allEvents(admin)).find((e) => e.type === 'message.send');
  assert.ok(send.at + offset >= opening, 'not before the window opened');
  assert.equal((await allEvents(admin)).filter((e) => e.type === 'reminder.skipped').length, 0);
  assert.equal((await outbound(sb, phone)).length, 1);
});

test('recurring jobs list each date', async () => {
  const { admin, clock } = await setup(phoenixAt(12, 0));
  const phone = '+15125550188';
  const cid = await customer(admin, phone);
  const start = clock() + 3 * DAY;
  assert.ok((await saveJob(admin, { job_id: 'job-weekly', customer_id: cid, phone, start: isoPhx(start), recurrence: { freq: 'weekly', count: 3 } })).seq > 0);
  const from = new Date(clock() + PHX).toISOString().slice(0, 10);
  const to = new Date(clock() + PHX + 40 * DAY).toISOString().slice(0, 10);
  const list = (await admin.json(`/api/reminders?from=${from}&to=${to}`)).body;
  const dates = list.reminders.filter((r) => r.job_id === 'job-weekly').map((r) => r.date);
  assert.equal(dates.length, 3, JSON.stringify(list));
  assert.equal((await admin.json('/api/reminders?from=2025-13-01&to=2025-01-01')).status, 400);
});
