// The page's own fold of the log (web/js/model.js): a message's status only moves forward, as in
// the core's reducer (core/src/reducer.c status_rank). Twilio does not promise the order of status
// callbacks, so a late "sent" or "sending" must not undo "delivered" / "undelivered".
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Model } from '../../web/js/model.js';

const PHONE = '+15125550123';
let seq = 0;
const ev = (type, body) => ({ id: `e${++seq}`, seq, at: seq, actor: 'u', type, body });
const send = (mid) => ev('message.send', { phone: PHONE, body: 'Hi', message_id: mid, kind: 'reminder' });
const sent = (mid) => ev('message.sent', { message_id: mid, sid: 'SM1', segments: 1 });
const status = (mid, s) => ev('message.status', { message_id: mid, sid: 'SM1', status: s });

test('model_late_status_callback_does_not_move_a_message_back', () => {
  const cases = [
    [[send('m1'), sent('m1'), status('m1', 'delivered'), status('m1', 'sent'), status('m1', 'queued')], 'delivered'],
    [[send('m1'), sent('m1'), status('m1', 'undelivered'), status('m1', 'sending')], 'undelivered'],
    [[send('m1'), status('m1', 'delivered'), sent('m1')], 'delivered'],
    [[send('m1'), status('m1', 'queued'), sent('m1')], 'sent'],
    [[send('m1'), sent('m1'), status('m1', 'sent'), status('m1', 'delivered'), status('m1', 'read')], 'read'],
  ];
  for (const [events, want] of cases) {
    const m = new Model();
    m.applyAll(events);
    const item = m.messages.get('m1');
    assert.equal(item && item.status, want, JSON.stringify(events.map((e) => e.body.status || e.type)));
    assert.equal(item.kind, 'out');
  }
});
