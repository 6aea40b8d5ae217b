// Agreement with Twilio's calculator (npm sms-segments-calculator 1.3.0) on every message of
// tests/vectors/corpus.jsonl (scripts/dev/gen-corpus.mjs), with and without Smart Encoding.
// fieldtext differs from it on purpose in two cases only (../shared/SEGMENTS.md):
//  (a) the calculator reports a segment over 1120 bits (it cannot carry the text);
//  (b) grapheme-splitter (Unicode 10) splits the text into other clusters than utf8proc (current
//      Unicode) does.
// Every other disagreement fails the test. Each exception is listed with its reason, and is only
// accepted when our answer is what SEGMENTS.md's rules give with our clusters.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadCore } from '../../web/js/core.js';
import {
  SegmentedMessage, ourClusters, readJsonl, referenceSegments, runCli, smartEncode, splitGraphemes,
} from './helpers.mjs';

const corpus = readJsonl('tests/vectors/corpus.jsonl').map((l) => l.text);
const core = await loadCore();
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const show = (s) => JSON.stringify(s.length > 48 ? s.slice(0, 48) + '…' : s);

test('corpus is large and varied enough to mean something', () => {
  assert.ok(corpus.length >= 4000, `only ${corpus.length} messages`);
  assert.ok(corpus.some((t) => t.length >= 1600));
  assert.ok(corpus.includes(''));
});

test('encoding and segments agree with the calculator except for the documented exceptions', () => {
  const exceptions = [];
  const unexplained = [];
  let compared = 0;
  for (const text of corpus) {
    for (const smart of [false, true]) {
      compared++;
      const calc = new SegmentedMessage(text, 'auto', smart);
      const ours = core.segments(text, { smart });
      assert.equal(ours.characters, text.length, `characters of ${show(text)}`);
      assert.equal(ours.codePoints, [...text].length, `code points of ${show(text)}`);
      if (calc.encodingName === ours.encoding && calc.segmentsCount === ours.segments) continue;

      const encoded = smart ? smartEncode(text) : text;
      const maxBits = Math.max(...calc.segments.map((s) => s.sizeInBits()));
      const theirs = splitGraphemes(encoded);
      const mine = ourClusters(core, encoded);
      const reasons = [];
      if (maxBits > 1120) reasons.push(`(a) the calculator reports a segment of ${maxBits} bits (> 1120)`);
      const k = theirs.findIndex((c, i) => c !== mine[i]);
      if (k >= 0 || theirs.length !== mine.length) {
        const i = k >= 0 ? k : Math.min(theirs.length, mine.length);
        const at = mine.slice(0, i).join('').length; // UTF-16 offset of the first differing cluster
        if ((theirs[i] || '').length > 67) {
          reasons.push(`(a) a cluster of ${theirs[i].length} units cannot fit one segment: fieldtext cuts it at 67 units`);
        } else {
          let off = 0;
          const intl = [...segmenter.segment(encoded)].map((s) => s.segment).find((c) => (off += c.length) > at);
          reasons.push(`(b) clusters differ at unit ${at}: grapheme-splitter (Unicode 10) ` +
            `${show(theirs.slice(i, i + 2).join(' | '))}, utf8proc ${show(mine[i] || '')}, ` +
            `Intl.Segmenter (Unicode ${process.versions.unicode}) ${show(intl || '')}`);
        }
      }
      // An exception only counts as explained if SEGMENTS.md's rules, applied to our clusters,
      // give exactly our answer (so no other difference hides behind the reason).
      const model = referenceSegments(mine);
      const consistent = model.encoding === ours.encoding && model.segments === ours.segments;
      const line = `${show(text)} (${text.length} units, smart=${smart}): calculator ${calc.encodingName}/` +
        `${calc.segmentsCount}, fieldtext ${ours.encoding}/${ours.segments}: ${reasons.join('; ') || 'no known reason'}`;
      if (reasons.length && consistent) exceptions.push(line);
      else unexplained.push(consistent ? line : `${line}; rules with our clusters give ${model.encoding}/${model.segments}`);
    }
  }
  console.log(`agreement: ${compared - exceptions.length - unexplained.length}/${compared} identical, ` +
    `${exceptions.length} documented exceptions, ${unexplained.length} unexplained`);
  for (const e of exceptions) console.log(`exception: ${e}`);
  for (const e of unexplained) console.log(`UNEXPLAINED: ${e}`);
  assert.deepEqual(unexplained, []);
});

test('the rules model agrees with the calculator wherever the clusters agree and no segment is over-full', () => {
  // Checks the model used above against the reference, so it cannot excuse a wrong answer.
  let checked = 0;
  for (const text of corpus.filter((_, i) => i % 7 === 0)) {
    const calc = new SegmentedMessage(text, 'auto', false);
    if (calc.segments.some((s) => s.sizeInBits() > 1120)) continue;
    const model = referenceSegments(splitGraphemes(text));
    assert.deepEqual(model, { encoding: calc.encodingName, segments: calc.segmentsCount }, show(text));
    checked++;
  }
  assert.ok(checked > 500);
});

test('the native CLI (--jsonl) gives the same estimate as the WASM module on the whole corpus', () => {
  const requests = [];
  for (const text of corpus) for (const smart of [false, true]) requests.push({ text, smart });
  const r = runCli(['estimate', '--jsonl'], requests.map((q) => JSON.stringify(q)).join('\n') + '\n');
  const replies = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(replies.length, requests.length, 'one reply per line');
  for (let i = 0; i < requests.length; i++) {
    const wasm = core.estimate(requests[i].text, { smart: requests[i].smart });
    assert.deepEqual(replies[i], wasm, `line ${i + 1}: ${show(requests[i].text)} smart=${requests[i].smart}`);
  }
});
