// The compliance core through both hosts: the WASM wrappers of web/js/core.js and the native CLI
// (fieldtext phone / keyword / consent) give the same answers on the shared keyword vectors and on
// a consent chain built in one and verified in the other.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadCore } from '../../web/js/core.js';
import { readJsonl, runCli } from './helpers.mjs';

const core = await loadCore();
const profile = { company_name: 'Acme Pest Control', phone: '(555) 234-5678' };

test('phone: WASM and CLI agree, errors in the core shape', () => {
  for (const typed of ['(555) 234-5678', '+1 416 234 5678', '555-234-5678 x4', '1-800-FLOWERS', '']) {
    const wasm = core.phone(typed);
    const cli = JSON.parse(runCli(['phone', typed]).stdout);
    assert.deepEqual(wasm, cli, typed);
  }
  assert.equal(core.phone('(555) 234-5678').e164, '+15552345678');
  const bad = core.phone('555-234-5678 ext. 9');
  assert.equal(bad.valid, false);
  assert.equal(bad.error.name, 'FT_E_PHONE_EXTENSION');
});

test('keyword: every labelled body classifies the same in WASM and natively', () => {
  const rows = readJsonl('tests/vectors/keywords.jsonl');
  assert.ok(rows.length >= 200);
  for (const { text } of rows.slice(0, 120)) {
    const wasm = core.keyword(text, profile);
    const cli = JSON.parse(runCli(['keyword', text, JSON.stringify(profile)]).stdout);
    assert.deepEqual(wasm, cli, text);
  }
  const help = core.keyword('HELP', profile);
  assert.match(help.reply, /Acme Pest Control.*\(555\) 234-5678.*STOP.*Msg & data rates may apply/);
});

test('consent: a chain built in WASM verifies natively, and a tampered one names the record', () => {
  const base = { customer_id: 'c_1', phone: '(416) 234-5678' };
  const records = [];
  const steps = [
    { type: 'consent.script_read', at: 1718000000000, staff_id: 'u1', staff_name: 'Dana', method: 'verbal', company_name: 'Acme' },
    { type: 'consent.screen_acknowledged', at: 1718000001000, staff_id: 'u1', staff_name: 'Dana' },
    { type: 'consent.box_checked', at: 1718000002000, staff_id: 'u1', staff_name: 'Dana' },
    { type: 'consent.opted_out', at: 1718000003000, method: 'keyword', keyword: 'STOP' },
  ];
  for (const step of steps) {
    const r = core.consentStep({ ...base, records, step });
    assert.equal(r.ok, true, JSON.stringify(r));
    records.push(r.record);
  }
  const refused = core.consentStep({ ...base, records, step: { type: 'consent.box_checked', at: 1718000004000, staff_id: 'u1', staff_name: 'Dana' } });
  assert.equal(refused.ok, false);
  assert.equal(refused.error.name, 'FT_E_CONSENT_ORDER');
  const native = JSON.parse(runCli(['consent', 'verify'], JSON.stringify({ records })).stdout);
  assert.equal(native.valid, true);
  assert.equal(native.state.status, 'opted_out');
  const tampered = structuredClone(records);
  tampered[1].body.staff_name = 'Mallory';
  const v = core.consentVerify({ records: tampered });
  assert.equal(v.valid, false);
  assert.equal(v.first_broken, 1);
  const csv = runCli(['consent', 'export-csv'], JSON.stringify({ records: tampered })).stdout;
  assert.match(csv, /BROKEN at record 1/);
  const send = core.consentCanSend({ ...base, records, kind: 'manual', now: 1718035200000, utc_offset_min: -240 });
  assert.equal(send.allowed, false);
  assert.equal(send.error.name, 'FT_E_CONSENT_OPTED_OUT');
});
