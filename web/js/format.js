// @ts-check
/** Number and character formatting for the views (display only: money comes formatted from the core). */

const counts = new Intl.NumberFormat('en-US');

/** "1,600" @param {number} n */
export function formatCount(n) {
  return counts.format(n);
}

/**
 * "1 segment" / "2 segments"
 * @param {number} n
 * @param {string} one
 * @param {string} [many]
 */
export function plural(n, one, many) {
  return `${formatCount(n)} ${n === 1 ? one : many || `${one}s`}`;
}

const INVISIBLE = /^[\p{Z}\p{Cc}\p{Cf}\u115F\u1160\u3164\uFFA0]+$/u;

/**
 * A visible stand-in for characters that draw nothing (spaces, zero-width and control characters),
 * so a list of them can be read. Returns the character itself when it is visible.
 * @param {string} ch
 * @returns {{text: string, invisible: boolean}}
 */
export function visibleChar(ch) {
  if (!INVISIBLE.test(ch)) return { text: ch, invisible: false };
  if (ch === '\t') return { text: 'tab', invisible: true };
  if (/^\p{Z}+$/u.test(ch)) return { text: 'space', invisible: true };
  return { text: 'invisible', invisible: true };
}

/**
 * How a replacement reads in a list: quoted text, "removed", or "N spaces".
 * @param {string | null | undefined} rep
 * @returns {string}
 */
export function describeReplacement(rep) {
  if (rep === null || rep === undefined) return '';
  if (rep === '') return 'removed';
  if (/^ +$/.test(rep)) return plural(rep.length, 'space');
  return rep;
}

/**
 * "$0.015" from integer micro-dollars: cents, plus up to four more digits for fractions of a cent
 * (as the core's ft_money_format). Integer arithmetic only.
 * @param {number} micros
 */
export function microsDisplay(micros) {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const dollars = Math.trunc(abs / 1e6);
  let frac = String(abs % 1e6).padStart(6, '0').replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${sign}$${formatCount(dollars)}.${frac}`;
}

/** @type {Map<string, Intl.DateTimeFormat>} */
const zoneFormats = new Map();
/**
 * An en-US date/time format in a time zone ('' or an unknown zone: the computer's), made once per
 * zone and options.
 * @param {string} tz @param {Intl.DateTimeFormatOptions} opts
 */
export function zoned(tz, opts) {
  const key = `${tz}|${JSON.stringify(opts)}`;
  let f = zoneFormats.get(key);
  if (!f) {
    try { f = new Intl.DateTimeFormat('en-US', { ...opts, timeZone: tz || undefined }); } catch (e) { f = new Intl.DateTimeFormat('en-US', opts); }
    zoneFormats.set(key, f);
  }
  return f;
}
