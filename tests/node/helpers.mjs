// Shared by the Node tests of the core: paths, the corpus, the CLI, and the reference model of
// Twilio's segment rules (../shared/SEGMENTS.md) used to explain the calculator's exceptions.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(resolve(root, 'package.json'));
export const { SegmentedMessage } = require('sms-segments-calculator');
export const SmartEncodingMap = require('sms-segments-calculator/dist/libs/SmartEncodingMap.js').default;
export const { splitGraphemes } = require('sms-segments-calculator/dist/libs/textUtils.js');

/** The native CLI of the build under test ($FT_BUILD_DIR, relative to the repo root, or build/native). */
export const cliPath = resolve(root, process.env.FT_BUILD_DIR || 'build/native', 'fieldtext');

/**
 * Runs the CLI; throws (failing the test) when it is missing or killed.
 * @param {string[]} args @param {string} [input]
 */
export function runCli(args, input) {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} not found: build it (scripts/build) or set FT_BUILD_DIR`);
  const r = spawnSync(cliPath, args, { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.signal) throw new Error(`fieldtext ${args.join(' ')} killed by ${r.signal}: ${r.stderr}`);
  return r;
}

/** @param {string} file path relative to the repo root @returns {any[]} */
export function readJsonl(file) {
  return readFileSync(resolve(root, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** Twilio's Smart Encoding applied code point by code point, as the calculator does. @param {string} text */
export function smartEncode(text) {
  return [...text].map((c) => (SmartEncodingMap[c] === undefined ? c : SmartEncodingMap[c])).join('');
}

/**
 * Our grapheme clusters of a text (no Smart Encoding), read from estimate(): every non-GSM
 * cluster is listed with its range; every other cluster is a single GSM character.
 * @param {any} core @param {string} text @returns {string[]}
 */
export function ourClusters(core, text) {
  const e = core.estimate(text, { smart: false });
  const out = [];
  let i = 0;
  for (const g of e.non_gsm) {
    for (; i < g.start; i++) out.push(text[i]);
    out.push(text.slice(g.start, g.end));
    i = g.end;
  }
  for (; i < text.length; i++) out.push(text[i]);
  return out;
}

const GSM_BASIC = new Set(
  [...'\n\r !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz' +
    '¡£¤¥§¿ÄÅÆÇÉÑÖØÜßàäåæèéìñòöøùüΓΔΘΛΞΠΣΦΨΩ'],
);
const GSM_EXT = new Set([...'\f^{}\\[~]|€']);

/**
 * The rules of SEGMENTS.md applied to a given list of clusters, written independently of the C
 * engine: GSM-7 if every cluster is one GSM character; clusters never split; 160/153 septets or
 * 70/67 UTF-16 units; no segment over 1120 bits.
 * @param {string[]} clusters @returns {{encoding: string, segments: number}}
 */
export function referenceSegments(clusters) {
  const gsm = clusters.every((c) => c.length === 1 && (GSM_BASIC.has(c) || GSM_EXT.has(c)));
  const size = (c) => (gsm ? (GSM_EXT.has(c) ? 2 : 1) : c.length);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const total = clusters.reduce((a, c) => a + size(c), 0);
  if (total <= single) return { encoding: gsm ? 'GSM-7' : 'UCS-2', segments: 1 };
  let segments = 1, used = 0;
  for (const c of clusters) {
    const n = size(c);
    if (used + n > multi && used > 0) segments++, (used = 0);
    used += n;
  }
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', segments };
}
