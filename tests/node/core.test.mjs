// The core as the page and the tools use it: web/js/core.js (WASM) in Node, and the native CLI.
// Shared vectors: tests/vectors/segments.jsonl (also read by the C unit tests).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadCore } from '../../web/js/core.js';
import { SmartEncodingMap, cliPath, readJsonl, runCli } from './helpers.mjs';

const vectors = readJsonl('tests/vectors/segments.jsonl');
const core = await loadCore();

test('loadCore creates the module once and reuses it', async () => {
  assert.equal(await loadCore(), core);
  assert.equal(core.version(), '2.8.0');
});

test('segments() matches every shared vector', () => {
  assert.ok(vectors.length >= 50);
  for (const v of vectors) {
    const got = core.segments(v.text, { smart: v.smart });
    assert.deepEqual({ encoding: got.encoding, segments: got.segments, characters: got.characters },
      { encoding: v.encoding, segments: v.segments, characters: v.characters }, v.name);
  }
});

test('estimate() matches every shared vector and agrees with segments()', () => {
  for (const v of vectors) {
    const e = core.estimate(v.text, { smart: v.smart });
    const s = core.segments(v.text, { smart: v.smart });
    assert.equal(e.encoding, v.encoding, v.name);
    assert.equal(e.segments, v.segments, v.name);
    assert.equal(e.characters, v.characters, v.name);
    assert.equal(e.code_points, s.codePoints, v.name);
    assert.equal(e.smart, v.smart, v.name);
  }
});

test('segments() counts a lone surrogate as the U+FFFD the page would send', () => {
  assert.deepEqual(core.segments('ok \ud83d'), { encoding: 'UCS-2', segments: 1, characters: 4, codePoints: 4 });
});

test('segment ranges cover the text in order, in JS string indices, with their units', () => {
  const texts = ['', 'Hello', 'a'.repeat(152) + '€' + 'a'.repeat(7), '🙂'.repeat(40) + 'x'.repeat(30),
    'Ж'.repeat(66) + '👍' + 'x'.repeat(5), 'line1\r\nline2 ’ok’'.repeat(20)];
  for (const text of texts) {
    for (const smart of [false, true]) {
      const e = core.estimate(text, { smart });
      assert.equal(e.segment_ranges.length, e.segments);
      let at = 0, units = 0;
      for (const r of e.segment_ranges) {
        assert.equal(r.start, at, 'contiguous');
        assert.ok(r.end >= r.start);
        assert.equal(Buffer.byteLength(text.slice(0, r.end)), r.byte_end, 'byte offsets match string indices');
        assert.ok(r.units <= (e.segments > 1 ? e.capacity.multi : e.capacity.single), 'within capacity');
        at = r.end;
        units += r.units;
      }
      assert.equal(at, text.length, 'the last range ends at the end of the text');
      assert.equal(units, e.units);
    }
  }
});

test('an extension character at the boundary moves whole into the next segment', () => {
  const e = core.estimate('a'.repeat(152) + '€' + 'a'.repeat(7), {});
  assert.deepEqual(e.segment_ranges.map((r) => [r.start, r.end, r.units]), [[0, 152, 152], [152, 160, 9]]);
  const u = core.estimate('Ж'.repeat(66) + '👍' + 'x'.repeat(5), {});
  assert.deepEqual(u.segment_ranges.map((r) => [r.start, r.end, r.units]), [[0, 66, 66], [66, 73, 7]]);
});

test('non_gsm lists each UCS-2 culprit at its JS string index, whole clusters included', () => {
  const text = '𝐀 It’s 👍🏽 Ok #️⃣ e\u0301 ç';
  const e = core.estimate(text, {});
  assert.deepEqual(e.non_gsm.map((g) => text.slice(g.start, g.end)), ['𝐀', '’', '👍🏽', '#️⃣', 'e\u0301', 'ç']);
  for (const g of e.non_gsm) {
    assert.equal(g.char, text.slice(g.start, g.end));
    assert.equal(g.code_point, 'U+' + text.codePointAt(g.start).toString(16).toUpperCase().padStart(4, '0'));
  }
  const quote = e.non_gsm[1];
  assert.equal(quote.start, 5); // after a surrogate pair: UTF-16 index, not code point index
  assert.equal(quote.replacement, "'");
  assert.equal(quote.replacement_source, 'twilio-smart-encoding');
  assert.equal(e.non_gsm[2].replacement, null);
  assert.equal(e.non_gsm[4].replacement, 'é'); // the composed form is GSM
  assert.equal(e.non_gsm[4].replacement_source, 'composed-form');
  assert.equal(e.non_gsm[5].replacement, 'c');
  assert.equal(e.non_gsm[5].replacement_source, 'base-letter');
  assert.deepEqual(core.estimate('plain GSM € [x]', {}).non_gsm, []);
});

test('the suggestion replaces the culprits when that saves segments, with the cheaper text', () => {
  const v = vectors.find((x) => x.name === 'reminder_curly');
  const e = core.estimate(v.text, {});
  assert.equal(e.segments, 2);
  assert.ok(e.suggestion);
  assert.equal(e.suggestion.segments, 1);
  assert.equal(e.suggestion.encoding, 'GSM-7');
  assert.equal(e.suggestion.saves_segments, 1);
  assert.equal(e.suggestion.saves_micros, 15000);
  assert.equal(e.suggestion.replacements, 3);
  assert.equal(e.suggestion.text, v.text.replace('’', "'").replace('—', '-').replace('–', '-'));
  assert.equal(core.segments(e.suggestion.text).segments, 1);
  assert.deepEqual(e.non_gsm.map((g) => g.in_suggestion), [true, true, true]);
});

test('the suggestion deletes zero-width characters when the text stays UCS-2', () => {
  const text = 'Ж'.repeat(70) + '\u200b';
  const e = core.estimate(text, {});
  assert.equal(e.segments, 2);
  assert.equal(e.suggestion.segments, 1);
  assert.equal(e.suggestion.encoding, 'UCS-2');
  assert.equal(e.suggestion.text, 'Ж'.repeat(70));
});

test('no suggestion when the replacements would not lower the cost', () => {
  assert.equal(core.estimate('It’s here 🙂', {}).suggestion, null); // the emoji keeps it UCS-2
  assert.equal(core.estimate('It’s here', {}).suggestion, null); // 1 segment either way
  assert.equal(core.estimate('Hello', {}).suggestion, null);
});

test('cost is integer micro-dollars at the bundle rate', () => {
  const three = 'x'.repeat(307); // 3 segments of GSM-7
  assert.deepEqual(core.estimate(three, {}).cost, { micros: 45000, display: '$0.045', bundle: 2500, rate_micros: 15000 });
  assert.deepEqual(core.estimate(three, { bundle: 100000 }).cost,
    { micros: 36000, display: '$0.036', bundle: 100000, rate_micros: 12000 });
  assert.equal(core.estimate('hi', { prices: { 2500: 40000000 } }).cost.micros, 16000);
  assert.equal(core.estimate('hi', { bundle: 10000, smart: true }).cost.rate_micros, 14000);
});

test('an empty text is refused but still counted', () => {
  const e = core.estimate('', {});
  assert.equal(e.ok, false);
  assert.equal(e.error.name, 'FT_E_MSG_EMPTY');
  assert.equal(e.error.code, -100);
  assert.equal(e.segments, 1);
  assert.equal(e.characters, 0);
});

test('more than 1,600 UTF-16 units is refused; exactly 1,600 is accepted', () => {
  assert.equal(core.estimate('a'.repeat(1600), {}).ok, true);
  const long = core.estimate('a'.repeat(1601), {});
  assert.equal(long.ok, false);
  assert.equal(long.error.name, 'FT_E_MSG_TOO_LONG');
  assert.equal(long.segments, 11);
  assert.match(long.error.message, /1601/);
  // emoji count two units each: 799 emoji + 2 letters = 1,600 units
  assert.equal(core.estimate('🙂'.repeat(799) + 'ab', {}).ok, true);
  assert.equal(core.estimate('🙂'.repeat(799) + 'abc', {}).error.name, 'FT_E_MSG_TOO_LONG');
});

test('a balance too low for the message is refused; an exact balance is accepted', () => {
  const text = 'x'.repeat(200); // 2 segments
  const low = core.estimate(text, { balance: 1 });
  assert.equal(low.ok, false);
  assert.equal(low.error.name, 'FT_E_BALANCE');
  assert.equal(low.segments, 2);
  assert.equal(core.estimate(text, { balance: 2 }).ok, true);
  assert.equal(core.estimate(text, { balance: null }).ok, true);
});

test('malformed options are refused with the field named', () => {
  assert.equal(core.estimate('hi', { smart: 'yes' }).error.name, 'FT_E_JSON_SHAPE');
  assert.equal(core.estimate('hi', { bundle: 7 }).error.name, 'FT_E_BUNDLE_UNKNOWN');
  assert.equal(core.estimate('hi', { balance: 1.5 }).error.name, 'FT_E_JSON_SHAPE');
});

// ---- the native CLI -------------------------------------------------------------------------

test(`CLI single mode prints the same estimate as the WASM module (${cliPath})`, () => {
  for (const text of ['Hello', 'It’s “here” 🙂', 'a'.repeat(152) + '€' + 'a'.repeat(7), 'Ω€\ttab']) {
    for (const smart of [false, true]) {
      const r = runCli(['estimate', ...(smart ? ['--smart'] : []), text]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), core.estimate(text, { smart }));
    }
  }
  const b = runCli(['estimate', '--bundle', '25000', 'x'.repeat(161)]);
  assert.equal(JSON.parse(b.stdout).cost.micros, 26000);
});

test('CLI single mode exits non-zero on refused input, still printing the JSON reply', () => {
  for (const [text, name] of [['', 'FT_E_MSG_EMPTY'], ['a'.repeat(1601), 'FT_E_MSG_TOO_LONG']]) {
    const r = runCli(['estimate', text]);
    assert.equal(r.status, 1);
    const o = JSON.parse(r.stdout);
    assert.equal(o.ok, false);
    assert.equal(o.error.name, name);
  }
  const usage = runCli(['estimate']);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /usage/);
  assert.equal(runCli(['no-such-command']).status, 2);
});

test('CLI --jsonl answers every line in order: good lines, malformed JSON and wrong types', () => {
  const lines = [
    '{"text":"Hello"}',
    '{"text":"It’s here","smart":true}',
    'not json',
    '{"text":5}',
    '{"message":"no text field"}',
    '["text","array"]',
    '{"text":"x","smart":"yes"}',
    '',
    '{"text":"x","bundle":3}',
    '{"text":"' + 'a'.repeat(1601) + '"}',
    '{"text":"","balance":5}',
    '{"text":"x".}',
    '{"text":"a\\u0000b"}',
    '{"text":"two segments' + '!'.repeat(150) + '","balance":1}',
    '{"text":"crlf line"}\r',
    '{"text":"last line without a newline"}',
  ];
  const r = runCli(['estimate', '--jsonl'], lines.join('\n'));
  const replies = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(replies.length, lines.length, 'one reply per line, nothing lost');
  const names = replies.map((o) => (o.ok ? 'ok' : o.error.name));
  assert.deepEqual(names, ['ok', 'ok', 'FT_E_JSON', 'FT_E_JSON_SHAPE', 'FT_E_JSON_SHAPE', 'FT_E_JSON',
    'FT_E_JSON_SHAPE', 'FT_E_JSON', 'FT_E_BUNDLE_UNKNOWN', 'FT_E_MSG_TOO_LONG', 'FT_E_MSG_EMPTY', 'FT_E_JSON',
    'ok', 'FT_E_BALANCE', 'ok', 'ok']);
  assert.deepEqual(replies[0], core.estimate('Hello', {}));
  assert.deepEqual(replies[1], core.estimate('It’s here', { smart: true }));
  assert.equal(replies[1].encoding, 'GSM-7');
  // U+0000 is data, not the end of the text
  assert.equal(replies[12].characters, 3);
  assert.deepEqual(replies[12], core.estimate('a\u0000b', {}));
});

test('CLI smart-map is exactly the npm calculator\'s SmartEncodingMap, keyed by hex code point', () => {
  const r = runCli(['smart-map']);
  assert.equal(r.status, 0);
  const ours = JSON.parse(r.stdout);
  const theirs = {};
  for (const [k, v] of Object.entries(SmartEncodingMap)) {
    assert.equal([...k].length, 1, `one code point per key: ${JSON.stringify(k)}`);
    theirs[k.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')] = v;
  }
  assert.ok(Object.keys(theirs).length > 250);
  assert.deepEqual(ours, theirs);
});
