// Automatic reminders after they are enqueued (relay/reminders.c), over real HTTP against the Twilio
// sandbox, whose record is the witness of what reached "Twilio":
//   - a reminder still waiting in the outbox (the sandbox answers 429 + Retry-After, so the relay
//     holds it for a retry) is pulled back when its job is canceled, deleted or moved, when its
//     customer opts out, or when its text changes (template edit: the new text goes instead);
//   - one that already went to Twilio is recorded as such (reminder.cancel_too_late), and a moved
//     job gets a reminder for its new time;
//   - a reminder the balance cannot cover is held and sent after a bundle purchase while there is
//     time before the job (at the next window opening when the window is closed), else missed.
//
// The scheduling clock is shifted with FIELDTEXT_CLOCK_OFFSET_MS (see reminders.test.mjs): the
// customers are in America/Phoenix (UTC-7, no DST), so the send window means the same at any hour.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { uuid, postEvents, consentScript, waitFor } from './helpers.mjs';
import { ZONE, DAY, MIN, phoenixAt, isoPhx, localDate, fmtTime, sleep, relayAt, phoenixCustomer as customer, outbound, ofType, balance } from './phoenix.mjs';

const running = [];
after(async () => { for (const s of running.reverse()) await s.stop(); });

const TEMPLATES = [
  { template_id: 'tpl-lawn', job_type: 'lawn', text: 'Hi {{customer.first_name}}, {{company.name}} will see you {{job.date}} at {{job.window_start}}.' },
  { template_id: 'tpl-pest', job_type: 'pest', text: 'Pest visit {{job.date}} at {{job.window_start}}.' },
];
/**
 * A relay (scheduling clock at schedNow) with its own sandbox, a business name and the "lawn" and
 * "pest" templates; a 2,500 bundle unless buy is false.
 * @param {number} schedNow @param {{buy?: boolean, dataDir?: string, port?: number, sb?: any}} [o]
 */
const setup = (schedNow, o = {}) => relayAt(running, schedNow, { ...o, templates: TEMPLATES });

async function saveJob(admin, body, type = 'job.saved') {
  const b = type === 'job.saved' ? { job_type: 'lawn', technician: 'Sam Tech', days_before: 1, ...body } : body;
  const [r] = await postEvents(admin, [{ id: uuid(), type, body: b }]);
  assert.ok(r.seq > 0, JSON.stringify(r));
  return r;
}

/** Message creates the sandbox refused with 429 so far. */
const refusals = async (sb) => (await sb.requests()).filter((r) => r.method === 'POST' && /Messages\.json$/.test(r.path) && r.status === 429).length;

test('a reminder waiting in the outbox is pulled back when its job is canceled or deleted or the customer opts out', async () => {
  const { sb, admin, clock } = await setup(phoenixAt(12, 0));
  const phones = { canceled: '+15125550191', deleted: '+15125550192', opted_out: '+15125550193' };
  const cids = {};
  for (const [k, p] of Object.entries(phones)) cids[k] = await customer(admin, p);
  // Twilio answers each create with 429, Retry-After 4 s: the reminders wait in the outbox.
  await sb.fault({ kind: 'rate', retryAfter: 4, count: 3 });
  const start = clock() + DAY; // due at once
  for (const k of Object.keys(phones)) await saveJob(admin, { job_id: `job-${k}`, customer_id: cids[k], phone: phones[k], start: isoPhx(start) });
  await waitFor(async () => (await refusals(sb)) >= 3, 15000, 'three refused creates');
  const refusedAt = Date.now();
  const sends = await ofType(admin, 'message.send');
  assert.equal(sends.length, 3);
  assert.equal(await balance(admin), 2500 - 3);

  await saveJob(admin, { job_id: 'job-canceled', customer_id: cids.canceled, phone: phones.canceled, start: isoPhx(start), canceled: true });
  await saveJob(admin, { job_id: 'job-deleted' }, 'job.deleted');
  const [o] = await postEvents(admin, [{ id: uuid(), type: 'consent.opted_out', body: { customer_id: cids.opted_out, phone: phones.opted_out, method: 'verbal' } }]);
  assert.ok(o.seq > 0, JSON.stringify(o));

  const canceled = await ofType(admin, 'reminder.canceled');
  assert.deepEqual(canceled.map((e) => e.body.reason).sort(), ['canceled', 'deleted', 'opted_out']);
  for (const e of canceled) {
    const send = sends.find((s) => s.body.job_id === e.body.job_id);
    assert.equal(e.body.message_id, send.body.message_id);
    assert.equal(e.body.occurrence, localDate(start));
    assert.match(e.body.message, /pulled back before it reached Twilio/);
  }
  const statuses = (await ofType(admin, 'message.status')).filter((e) => e.body.status === 'canceled');
  assert.equal(statuses.length, 3, 'each message shows as canceled in its thread');
  assert.equal((await ofType(admin, 'balance.refunded')).length, 3);
  assert.equal(await balance(admin), 2500, 'refunded');
  assert.equal((await ofType(admin, 'reminder.cancel_too_late')).length, 0);

  const list = (await admin.json('/api/reminders')).body;
  for (const k of Object.keys(phones)) {
    const e = list.excluded.find((x) => x.job_id === `job-${k}` && x.date === localDate(start));
    assert.ok(e, `${k}: ${JSON.stringify(list)}`);
    assert.equal(e.reason, k);
    assert.equal(e.pulled_back, true);
  }
  assert.equal(list.reminders.length, 0);
  // Past the retry: the sandbox never received any of them.
  await sleep(Math.max(0, refusedAt + 4500 - Date.now()));
  for (const p of Object.values(phones)) assert.equal((await outbound(sb, p)).length, 0, p);
  assert.equal((await ofType(admin, 'message.sent')).length, 0);
  assert.equal(await refusals(sb), 3, 'no further attempt was made');
  // The canceled job comes back: its reminder goes after all (once, under a new message id).
  await saveJob(admin, { job_id: 'job-canceled', customer_id: cids.canceled, phone: phones.canceled, start: isoPhx(start) });
  await waitFor(async () => (await outbound(sb, phones.canceled)).length === 1, 15000, "the revived job's reminder");
  await sleep(500);
  assert.equal((await outbound(sb, phones.canceled)).length, 1);
  assert.equal((await outbound(sb, phones.deleted)).length, 0);
  const [unknown] = (await admin.post('/api/events', { events: [{ id: uuid(), type: 'job.deleted', body: { job_id: 'no-such-job' } }] })).body.results;
  assert.equal(unknown.error?.name, 'FT_E_NOT_FOUND');
});

test('a job moved while its reminder waits gets one reminder, for its new time; a template edit while waiting sends the new text', async () => {
  const { sb, admin, clock } = await setup(phoenixAt(12, 0));
  const moved = '+15125550194', edited = '+15125550195';
  const c1 = await customer(admin, moved);
  const c2 = await customer(admin, edited);
  await sb.fault({ kind: 'rate', retryAfter: 4, count: 2 });
  const start = clock() + DAY; // due at once
  await saveJob(admin, { job_id: 'job-moved', customer_id: c1, phone: moved, start: isoPhx(start) });
  await saveJob(admin, { job_id: 'job-edited', customer_id: c2, phone: edited, start: isoPhx(start), job_type: 'pest' });
  await waitFor(async () => (await refusals(sb)) >= 2, 15000, 'two refused creates');
  const refusedAt = Date.now();

  // Moved 5 minutes earlier the same day: the waiting reminder names the old time.
  const start2 = start - 5 * MIN;
  assert.equal(localDate(start2), localDate(start));
  await saveJob(admin, { job_id: 'job-moved', customer_id: c1, phone: moved, start: isoPhx(start2) });
  const [pulled] = await ofType(admin, 'reminder.canceled');
  assert.equal(pulled.body.reason, 'rescheduled');
  assert.equal(pulled.body.job_id, 'job-moved');
  // The template edited while the other one waits: it is pulled back and the new text goes.
  await postEvents(admin, [{ id: uuid(), type: 'template.saved', body: { template_id: 'tpl-pest', job_type: 'pest', text: 'NEW: pest visit {{job.date}} at {{job.window_start}}.' } }]);
  const pulled2 = (await ofType(admin, 'reminder.canceled')).find((e) => e.body.job_id === 'job-edited');
  assert.equal(pulled2?.body.reason, 'changed');

  await waitFor(async () => (await ofType(admin, 'message.sent')).length >= 2, 15000, 'the two new reminders');
  await sleep(Math.max(0, refusedAt + 4500 - Date.now())); // past the old ones' retry time
  const m1 = await outbound(sb, moved);
  assert.equal(m1.length, 1, JSON.stringify(m1));
  assert.match(m1[0].body, new RegExp(`at ${fmtTime(start2)}\\.`));
  assert.doesNotMatch(m1[0].body, new RegExp(`at ${fmtTime(start)}\\.`));
  const m2 = await outbound(sb, edited);
  assert.equal(m2.length, 1, JSON.stringify(m2));
  assert.match(m2[0].body, /^NEW: pest visit/);
  const sends = await ofType(admin, 'message.send');
  assert.equal(sends.length, 4);
  assert.deepEqual(sends.filter((s) => s.body.revision === 1).map((s) => s.body.job_id).sort(), ['job-edited', 'job-moved']);
  const list = (await admin.json('/api/reminders')).body;
  assert.equal(list.reminders.find((r) => r.job_id === 'job-moved')?.state, 'sent');
  assert.equal(list.reminders.find((r) => r.job_id === 'job-edited')?.text, m2[0].body);

  // Edits after the reminder went to Twilio send nothing more.
  await postEvents(admin, [{ id: uuid(), type: 'template.saved', body: { template_id: 'tpl-pest', job_type: 'pest', text: 'NEWER: pest {{job.date}}.' } }]);
  await saveJob(admin, { job_id: 'job-moved', customer_id: c1, phone: moved, start: isoPhx(start2), technician: 'Alex Other' });
  await sleep(1500);
  assert.equal((await outbound(sb, moved)).length, 1);
  assert.equal((await outbound(sb, edited)).length, 1);
  assert.equal((await ofType(admin, 'reminder.canceled')).length, 2);
});

test('a canceled or moved job whose reminder already went to Twilio is recorded as such; the moved one is reminded of its new time', async () => {
  const { sb, admin, clock } = await setup(phoenixAt(12, 0));
  const canc = '+15125550196', moved = '+15125550197';
  const c1 = await customer(admin, canc);
  const c2 = await customer(admin, moved);
  const start = clock() + DAY; // due at once
  await saveJob(admin, { job_id: 'job-late-cancel', customer_id: c1, phone: canc, start: isoPhx(start) });
  await saveJob(admin, { job_id: 'job-late-move', customer_id: c2, phone: moved, start: isoPhx(start) });
  const sent = await waitFor(async () => { const s = await ofType(admin, 'message.sent'); return s.length >= 2 ? s : null; }, 15000, 'two reminders sent');

  await saveJob(admin, { job_id: 'job-late-cancel', customer_id: c1, phone: canc, start: isoPhx(start), canceled: true });
  const start2 = start - 5 * MIN;
  await saveJob(admin, { job_id: 'job-late-move', customer_id: c2, phone: moved, start: isoPhx(start2) });
  const late = await ofType(admin, 'reminder.cancel_too_late');
  assert.equal(late.length, 2, JSON.stringify(late));
  const byJob = Object.fromEntries(late.map((e) => [e.body.job_id, e.body]));
  const sendOf = async (job) => (await ofType(admin, 'message.send')).find((s) => s.body.job_id === job);
  const cSend = await sendOf('job-late-cancel');
  assert.equal(byJob['job-late-cancel'].reason, 'canceled');
  assert.equal(byJob['job-late-cancel'].message_id, cSend.body.message_id);
  assert.equal(byJob['job-late-cancel'].sid, sent.find((s) => s.body.message_id === cSend.body.message_id).body.sid);
  assert.match(byJob['job-late-cancel'].message, /not pulled back/);
  assert.equal(byJob['job-late-move'].reason, 'rescheduled');
  assert.equal((await ofType(admin, 'reminder.canceled')).length, 0, 'nothing pretends to be pulled back');
  assert.equal((await ofType(admin, 'balance.refunded')).length, 0);

  await waitFor(async () => (await outbound(sb, moved)).length >= 2, 15000, 'the reminder for the new time');
  const m = await outbound(sb, moved);
  const bodies = m.map((x) => x.body);
  assert.ok(bodies.some((b) => b.includes(`at ${fmtTime(start)}.`)), JSON.stringify(bodies));
  assert.ok(bodies.some((b) => b.includes(`at ${fmtTime(start2)}.`)), JSON.stringify(bodies));
  const list = (await admin.json('/api/reminders')).body;
  const ex = list.excluded.find((e) => e.job_id === 'job-late-cancel' && e.date);
  assert.equal(ex?.reason, 'canceled');
  assert.equal(ex?.pulled_back, false);
  assert.equal(list.reminders.find((r) => r.job_id === 'job-late-move')?.state, 'sent');
  // Saved again unchanged, and canceled again: nothing more is sent or recorded.
  await saveJob(admin, { job_id: 'job-late-move', customer_id: c2, phone: moved, start: isoPhx(start2) });
  await saveJob(admin, { job_id: 'job-late-cancel', customer_id: c1, phone: canc, start: isoPhx(start), canceled: true });
  await sleep(1500);
  assert.equal((await outbound(sb, moved)).length, 2);
  assert.equal((await outbound(sb, canc)).length, 1);
  assert.equal((await ofType(admin, 'reminder.cancel_too_late')).length, 2);
});

test('a reminder the balance cannot cover is held and sent once a bundle is bought', async () => {
  const { sb, admin, clock } = await setup(phoenixAt(12, 0), { buy: false });
  const phone = '+15125550198';
  const cid = await customer(admin, phone);
  const start = clock() + DAY; // due at once
  await saveJob(admin, { job_id: 'job-broke', customer_id: cid, phone, start: isoPhx(start) });
  const [held] = await waitFor(async () => { const s = await ofType(admin, 'reminder.skipped'); return s.length ? s : null; }, 15000, 'reminder.skipped');
  assert.equal(held.body.reason, 'balance');
  assert.equal(held.body.retry, true);
  const item = (await admin.json('/api/reminders')).body.reminders.find((r) => r.job_id === 'job-broke');
  assert.equal(item?.state, 'held');
  assert.equal(item?.held_reason, 'balance');
  await sleep(1000);
  assert.equal((await outbound(sb, phone)).length, 0);
  assert.equal((await ofType(admin, 'message.send')).length, 0);

  assert.equal((await admin.post('/api/ledger/purchase', { segments: 2500 })).status, 200);
  await waitFor(async () => (await ofType(admin, 'message.sent')).length === 1, 15000, 'the held reminder, sent');
  const out = await outbound(sb, phone);
  assert.equal(out.length, 1);
  assert.match(out[0].body, new RegExp(`at ${fmtTime(start)}\\.`));
  assert.equal((await ofType(admin, 'reminder.skipped')).length, 1, 'recorded once');
  assert.equal((await admin.json('/api/reminders')).body.reminders.find((r) => r.job_id === 'job-broke')?.state, 'sent');
  assert.equal(await balance(admin), 2499);
});

test('a reminder skipped for want of consent goes once the customer opts in, or texts START after STOP, while there is time', async () => {
  const { sb, admin, clock } = await setup(phoenixAt(12, 0));
  const never = '+15125550181', stopped = '+15125550182';
  // One customer never consented; the other did, then texted STOP.
  const neverId = uuid();
  const [c] = await postEvents(admin, [{ id: uuid(), type: 'customer.saved', body: { customer_id: neverId, name: 'Nell Never', phone: never, type: 'residential', class: 'lawn', tz: ZONE } }]);
  assert.ok(c.seq > 0);
  const stoppedId = await customer(admin, stopped, 'Stu Stopped');
  assert.equal((await admin.post('/api/sandbox/inbound', { from: stopped, body: 'STOP' })).status, 200);
  const start = clock() + DAY; // due at once
  await saveJob(admin, { job_id: 'job-never', customer_id: neverId, phone: never, start: isoPhx(start) });
  await saveJob(admin, { job_id: 'job-stopped', customer_id: stoppedId, phone: stopped, start: isoPhx(start) });
  const skipped = await waitFor(async () => { const s = await ofType(admin, 'reminder.skipped'); return s.length === 2 ? s : null; }, 15000, 'two reminder.skipped');
  assert.deepEqual(skipped.map((e) => `${e.body.job_id}:${e.body.reason}`).sort(), ['job-never:not_opted_in', 'job-stopped:opted_out']);
  await sleep(500);
  assert.equal((await ofType(admin, 'message.send')).length, 0, 'nothing sent without consent');

  // The office takes the first customer's consent: the skipped reminder goes now, once.
  const consent = await postEvents(admin, [
    { id: uuid(), type: 'consent.script_read', body: { customer_id: neverId, phone: never, method: 'phone', script_text: consentScript('Acme Lawn'), script_version: 'script-v1' } },
    { id: uuid(), type: 'consent.screen_acknowledged', body: { customer_id: neverId, phone: never } },
    { id: uuid(), type: 'consent.box_checked', body: { customer_id: neverId, phone: never } },
  ]);
  for (const r of consent) assert.ok(r.seq > 0, JSON.stringify(r));
  await waitFor(async () => (await outbound(sb, never)).length === 1, 15000, 'the reminder, after consent');
  const send = (await ofType(admin, 'message.send')).find((e) => e.body.job_id === 'job-never');
  assert.equal(send.body.kind, 'reminder');
  assert.equal(send.body.revision, 1, 'a new message id: the skipped one is not reused');
  assert.match((await outbound(sb, never))[0].body, new RegExp(`at ${fmtTime(start)}\\.`));
  // The second texts START: its reminder goes too.
  assert.equal((await admin.post('/api/sandbox/inbound', { from: stopped, body: 'START' })).status, 200);
  await waitFor(async () => (await outbound(sb, stopped)).length === 1, 15000, 'the reminder, after START');
  const list = (await admin.json('/api/reminders')).body.reminders;
  for (const id of ['job-never', 'job-stopped']) assert.equal(list.find((r) => r.job_id === id)?.state, 'sent', id);
  // Exactly once: nothing more is sent or skipped on later runs of the scheduler.
  assert.equal((await admin.post('/api/ledger/purchase', { segments: 2500 })).status, 200); // wakes the scheduler
  await sleep(1000);
  assert.equal((await outbound(sb, never)).length, 1);
  assert.equal((await outbound(sb, stopped)).length, 1);
  assert.equal((await ofType(admin, 'reminder.skipped')).length, 2);
  assert.equal((await ofType(admin, 'message.send')).length, 2);
});

test('a held reminder goes at the next window opening if that is before the job, else it is recorded missed', async () => {
  // 20:59:53 in Phoenix: the window (08:00-21:00) is about to close. Both jobs are tomorrow: their
  // reminders are late and due at once, and held (no bundle yet).
  const t0 = phoenixAt(20, 59, 53);
  const first = await setup(t0, { buy: false });
  const { sb, admin, clock } = first;
  const early = '+15125550178', noon = '+15125550179';
  const c1 = await customer(admin, early);
  const c2 = await customer(admin, noon);
  const tomorrow = t0 + DAY - (20 * 60 + 59) * MIN - 53000; // 00:00 the next day
  const earlyStart = tomorrow + 7 * 60 * MIN, noonStart = tomorrow + 12 * 60 * MIN;
  await saveJob(admin, { job_id: 'job-early', customer_id: c1, phone: early, start: isoPhx(earlyStart) });
  await saveJob(admin, { job_id: 'job-noon', customer_id: c2, phone: noon, start: isoPhx(noonStart) });
  await waitFor(async () => (await ofType(admin, 'reminder.skipped')).length >= 2, 15000, 'two held reminders');
  assert.ok(clock() < t0 + 7000, 'held before the window closed');
  // The window closes; then a bundle is bought.
  await sleep(Math.max(0, t0 + 7500 - clock()));
  assert.equal((await admin.post('/api/ledger/purchase', { segments: 2500 })).status, 200);
  const [missed] = await waitFor(async () => { const s = await ofType(admin, 'reminder.missed'); return s.length ? s : null; }, 15000, 'reminder.missed');
  assert.equal(missed.body.job_id, 'job-early');
  assert.equal(missed.body.reason, 'balance');
  assert.match(missed.body.message, /no bundle was bought/);
  await sleep(1000);
  assert.equal((await ofType(admin, 'message.send')).length, 0, 'nothing sent outside the window');
  const list = (await admin.json('/api/reminders')).body;
  const noonItem = list.reminders.find((r) => r.job_id === 'job-noon');
  assert.equal(noonItem?.state, 'held');
  assert.match(noonItem.send_at, /T08:00:00-07:00$/);
  assert.equal(list.excluded.find((e) => e.job_id === 'job-early')?.reason, 'no_send_time');

  // The next morning, two seconds before the window opens.
  const dataDir = first.relay.dataDir;
  running.splice(running.indexOf(first.relay), 1);
  await first.relay.stop(true);
  const second = await setup(tomorrow + 8 * 60 * MIN - 2000, { dataDir, port: first.port, sb });
  await waitFor(async () => (await outbound(sb, noon)).length === 1, 15000, 'the reminder at the opening');
  const send = (await ofType(second.admin, 'message.send'))[0];
  assert.ok(send.at + (second.clock() - Date.now()) >= tomorrow + 8 * 60 * MIN, 'not before the window opened');
  await sleep(1000);
  assert.equal((await outbound(sb, early)).length, 0);
  assert.equal((await ofType(second.admin, 'reminder.missed')).length, 1);
  running.splice(running.indexOf(second.relay), 1);
  await second.relay.stop(true);
  rmSync(dataDir, { recursive: true, force: true });
});

test('a job canceled while its reminder is being handed to Twilio: recorded as too late, pulled back when Twilio asks for a retry', async () => {
  const { sb, admin, clock } = await setup(phoenixAt(12, 0));
  const phone = '+15125550177';
  const cid = await customer(admin, phone);
  // Twilio takes 1.5 s to answer the create, then refuses it with 429, Retry-After 2 s.
  await sb.fault({ kind: 'rate', retryAfter: 2, count: 1, delayMs: 1500 });
  const start = clock() + DAY; // due at once
  const job = { job_id: 'job-inflight', customer_id: cid, phone, start: isoPhx(start) };
  await saveJob(admin, job);
  const inFlight = async () => (await sb.requests()).some((r) => r.method === 'POST' && /Messages\.json$/.test(r.path) && r.status === 0);
  await waitFor(inFlight, 15000, 'the create in flight');
  await saveJob(admin, { ...job, canceled: true });
  assert.ok(await inFlight(), 'canceled while the create was in flight');
  const [late] = await ofType(admin, 'reminder.cancel_too_late');
  assert.equal(late?.body.reason, 'canceled');
  assert.equal(late?.body.outbox_state, 'sending');
  assert.match(late.body.message, /being handed to Twilio/);
  assert.equal((await ofType(admin, 'reminder.canceled')).length, 0);
  const [pulled] = await waitFor(async () => { const c = await ofType(admin, 'reminder.canceled'); return c.length ? c : null; }, 15000, 'the pull-back at the retry');
  assert.equal(pulled.body.reason, 'canceled');
  assert.equal(pulled.body.message_id, late.body.message_id);
  await sleep(3000); // past the retry time
  assert.equal((await outbound(sb, phone)).length, 0);
  assert.equal(await refusals(sb), 1, 'never tried again');
  const ex = (await admin.json('/api/reminders')).body.excluded.find((e) => e.job_id === 'job-inflight' && e.date);
  assert.equal(ex?.pulled_back, true);
  assert.equal(await balance(admin), 2500);
});
