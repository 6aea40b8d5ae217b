// @ts-check
/**
 * Phone-number rules of the sandbox: which To numbers Twilio would refuse (21211), and the magic
 * numbers that drive delivery outcomes in tests.
 *
 * Magic recipients (NXX 555, lines 0150-0159 of the fictional 555-0100..0199 range, any NPA):
 *   555-0150  undelivered, ErrorCode 30003 (unreachable handset)   queued → sent → undelivered
 *   555-0151  undelivered, ErrorCode 30005 (unknown handset)       queued → sent → undelivered
 *   555-0152  failed,      ErrorCode 30006 (landline / carrier)    queued → failed
 *   555-0153  undelivered, ErrorCode 30007 (filtered by carrier)   queued → sent → undelivered
 *   555-0154  failed,      ErrorCode 30008 (unknown error)         queued → failed
 *   555-0155  no delivery receipt: stops at sent                   queued → sent
 *   555-0156  delivered, and every callback is posted twice        (dedupe tests)
 *   any other valid number: queued → sent → delivered
 * Twilio's test-credential magic numbers are honoured at create time:
 *   +15005550001 → 21211, +15005550002 → 21612, +15005550003 → 21408, +15005550004 → 21610,
 *   +15005550009 → 21614.
 */

/** @typedef {{final: 'delivered'|'undelivered'|'failed'|'sent', errorCode?: number, duplicate?: boolean}} Outcome */

/** @type {Record<string, Outcome>} */
const MAGIC_LINES = {
  '0150': { final: 'undelivered', errorCode: 30003 },
  '0151': { final: 'undelivered', errorCode: 30005 },
  '0152': { final: 'failed', errorCode: 30006 },
  '0153': { final: 'undelivered', errorCode: 30007 },
  '0154': { final: 'failed', errorCode: 30008 },
  '0155': { final: 'sent' },
  '0156': { final: 'delivered', duplicate: true },
};

/** Twilio's messages for the delivery error codes above (the Messages resource's error_message). */
export const DELIVERY_ERRORS = {
  30003: 'Unreachable destination handset',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Message filtered',
  30008: 'Unknown error',
  30034: 'Message from an unregistered number',
};

/** @type {Record<string, {code: number, message: string}>} */
export const MAGIC_CREATE_ERRORS = {
  '+15005550001': { code: 21211, message: "The 'To' number +15005550001 is not a valid phone number." },
  '+15005550002': { code: 21612, message: "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone number via SMS." },
  '+15005550003': { code: 21408, message: 'Permission to send an SMS has not been enabled for the region indicated by the \'To\' number: +15005550003.' },
  '+15005550004': { code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  '+15005550009': { code: 21614, message: "'To' number is not a valid mobile number" },
};

/**
 * Whether a number is one Twilio would accept as an SMS destination: E.164; for +1, a valid NANP
 * number (NPA and NXX start with 2-9 and are not N11).
 * @param {string} n
 */
export function isValidTo(n) {
  if (!/^\+[1-9]\d{6,14}$/.test(n)) return false;
  if (n.startsWith('+1')) {
    const m = /^\+1([2-9]\d\d)([2-9]\d\d)(\d{4})$/.exec(n);
    if (!m) return false;
    if (/^[2-9]11$/.test(m[1]) || /^[2-9]11$/.test(m[2])) return false;
  }
  return true;
}

/** The delivery outcome for a recipient. @param {string} to @returns {Outcome} */
export function outcomeFor(to) {
  const m = /^\+1\d{3}555(\d{4})$/.exec(to);
  return (m && MAGIC_LINES[m[1]]) || { final: 'delivered' };
}

/** Canadian area codes (for FromCountry/ToCountry in webhooks). */
const CA_NPA = new Set('204 226 236 249 250 263 289 306 343 354 365 367 368 382 403 416 418 428 431 437 438 450 468 474 506 514 519 548 579 581 584 587 600 604 613 639 647 672 683 705 709 742 753 778 780 782 807 819 825 867 873 879 902 905'.split(' '));

/** ISO country of a number, as Twilio reports it in webhooks. @param {string} n */
export function countryOf(n) {
  if (n.startsWith('+1')) return CA_NPA.has(n.slice(2, 5)) ? 'CA' : 'US';
  return '';
}
