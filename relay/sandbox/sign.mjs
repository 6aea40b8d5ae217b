// @ts-check
/**
 * X-Twilio-Signature, as Twilio computes it (RULES.md; vectors in ../shared/twilio-signature-vectors.json):
 * base64(HMAC-SHA1(auth token, URL + name1 + value1 + name2 + value2 ...)) where the URL is exactly the
 * one configured (scheme, host, port if written, path, query), names are sorted by byte, and the values
 * of a repeated name are sorted by byte and deduplicated. A JSON body is signed as a URL carrying
 * ?bodySHA256=<hex sha256 of the body> and no parameters.
 */
import crypto from 'node:crypto';

/** @typedef {Record<string, string | string[]> | [string, string][]} Params */

/** Compares two strings by their UTF-8 bytes. */
function byteOrder(/** @type {string} */ a, /** @type {string} */ b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The string that is signed.
 * @param {string} url
 * @param {Params} params an object (array values = repeated keys) or ordered pairs
 */
export function signedString(url, params) {
  /** @type {Map<string, Set<string>>} */
  const byName = new Map();
  const add = (/** @type {string} */ k, /** @type {string} */ v) => {
    if (!byName.has(k)) byName.set(k, new Set());
    /** @type {Set<string>} */ (byName.get(k)).add(String(v));
  };
  if (Array.isArray(params)) for (const [k, v] of params) add(k, v);
  else for (const [k, v] of Object.entries(params || {})) for (const x of Array.isArray(v) ? v : [v]) add(k, x);
  let s = url;
  for (const name of [...byName.keys()].sort(byteOrder)) {
    for (const v of [.../** @type {Set<string>} */ (byName.get(name))].sort(byteOrder)) s += name + v;
  }
  return s;
}

/**
 * The X-Twilio-Signature value for a form-encoded webhook.
 * @param {string} authToken @param {string} url @param {Params} params
 */
export function signature(authToken, url, params) {
  return crypto.createHmac('sha1', authToken).update(Buffer.from(signedString(url, params), 'utf8')).digest('base64');
}

/** Hex SHA-256 of a body, as Twilio puts it in ?bodySHA256= for JSON webhooks. */
export function bodySha256(/** @type {string} */ body) {
  return crypto.createHash('sha256').update(Buffer.from(body, 'utf8')).digest('hex');
}

/**
 * For a JSON webhook: the URL to post to (with bodySHA256 appended) and its signature.
 * @param {string} authToken @param {string} url @param {string} body
 */
export function signJsonBody(authToken, url, body) {
  const u = new URL(url);
  u.searchParams.set('bodySHA256', bodySha256(body));
  const signedUrl = u.toString();
  return { url: signedUrl, signature: signature(authToken, signedUrl, []) };
}
