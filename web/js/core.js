// @ts-check
/**
 * The only file that touches the WASM module (wasm-glue/, built into web/wasm/). Every other
 * module calls these functions. Works in a browser and in Node (18/20) after the build.
 *
 * Memory: the hot path (`segments`) writes the text into one reusable WASM buffer and reads four
 * numbers back, so typing costs no allocation and no JSON. Rich calls take and return JSON; the
 * reply string is allocated in C and freed here in `finally`.
 */

/** @typedef {'GSM-7'|'UCS-2'} Encoding */
/** @typedef {{encoding: Encoding, segments: number, characters: number, codePoints: number}} SegmentCount */

/** @type {Promise<Core> | null} */
let corePromise = null;

const ENCODINGS = /** @type {const} */ (['GSM-7', 'UCS-2']);
export const FT_SEG_SMART = 1;
export const MAX_CHARACTERS = 1600;

class CoreError extends Error {
  /** @param {{code:number,name:string,message:string}} e */
  constructor(e) {
    super(e.message);
    this.code = e.code;
    this.codeName = e.name;
  }
}
export { CoreError };

class Core {
  /** @param {any} mod the Emscripten module */
  constructor(mod) {
    this.mod = mod;
    this.encoder = new TextEncoder();
    this.decoder = new TextDecoder();
    this.cap = 0;
    this.buf = 0;
    this.out = mod._malloc(16);
    /** @type {Uint8Array | null} */
    this.view = null;
    // The hot export, looked up once. Emscripten's first binding is a trampoline (apply + arguments)
    // that replaces itself with the raw WebAssembly export on its first call: call it once (on the
    // empty text), then keep the raw export.
    mod._ft_wasm_segments(0, 0, 0, this.out);
    this.countFn = mod._ft_wasm_segments;
  }

  /** Ensures the reusable input buffer holds at least n bytes. @param {number} n */
  ensure(n) {
    if (n <= this.cap) return;
    const cap = Math.max(n, 4096, this.cap * 2);
    const p = this.mod._malloc(cap);
    if (!p) throw new CoreError({ code: -1, name: 'FT_E_NOMEM', message: 'out of memory' });
    if (this.buf) this.mod._free(this.buf);
    this.buf = p;
    this.cap = cap;
    this.view = null;
  }

  /**
   * Writes text as UTF-8 into the reusable buffer; returns its byte length.
   * @param {string} text
   */
  put(text) {
    this.ensure(text.length * 3 + 1);
    // One view of the input buffer, made again only when the buffer moved (ensure drops it) or memory
    // grew (the old ArrayBuffer is then detached: the view's length reads 0).
    let v = this.view;
    if (!v || v.length === 0) {
      v = this.view = this.mod.HEAPU8.subarray(this.buf, this.buf + this.cap);
    }
    const { written } = this.encoder.encodeInto(text, v);
    return /** @type {number} */ (written);
  }

  /**
   * Encoding, segments and counts: the fast path.
   * Lone surrogates in a JS string cannot be sent; TextEncoder turns them into U+FFFD, which is
   * what the page would transmit, so they are counted as such.
   * @param {string} text
   * @param {{smart?: boolean}} [opts]
   * @returns {SegmentCount}
   */
  segments(text, opts) {
    const len = this.put(text);
    const st = this.countFn(this.buf, len, opts && opts.smart ? FT_SEG_SMART : 0, this.out);
    const o = this.out >> 2;
    const h = this.mod.HEAPU32;
    if (st !== 0) throw new CoreError({ code: st, name: 'FT_E', message: `text refused (${st})` });
    return { encoding: ENCODINGS[h[o]], segments: h[o + 1], characters: h[o + 2], codePoints: h[o + 3] };
  }

  /**
   * Calls a JSON-returning export with (text bytes, options JSON) and parses the reply.
   * @param {string} fn export name
   * @param {string} text
   * @param {object | undefined} options
   */
  callJson(fn, text, options) {
    const m = this.mod;
    const optJson = options ? JSON.stringify(options) : '';
    const optBytes = this.encoder.encode(optJson);
    const textLen = this.put(text);
    const optPtr = m._malloc(optBytes.length + 1);
    let reply = 0;
    try {
      m.HEAPU8.set(optBytes, optPtr);
      reply = m[fn](this.buf, textLen, optPtr, optBytes.length);
      if (!reply) throw new CoreError({ code: -1, name: 'FT_E_NOMEM', message: 'out of memory' });
      return JSON.parse(m.UTF8ToString(reply));
    } finally {
      m._free(optPtr);
      if (reply) m._ft_free(reply);
    }
  }

  /**
   * The full estimate (see core/include/fieldtext/estimate.h for the reply's fields).
   * @param {string} text
   * @param {{smart?: boolean, bundle?: number, prices?: Record<string, number>, balance?: number}} [options]
   */
  estimate(text, options) {
    return this.callJson('_ft_wasm_estimate', text, options || {});
  }

  /**
   * Emscripten's FS (IDBFS linked): only web/js/storage.js uses it, to keep the replica and the
   * outbox in IndexedDB. @returns {any}
   */
  fs() {
    return this.mod.FS;
  }

  /**
   * Rules calls (wasm-glue/rules.c): the input object is sent as JSON, the reply parsed.
   * See core/include/fieldtext/{template,registration,schedule,gateway}.h for the fields.
   * @param {{template: string, record?: object, smart?: boolean, bundle?: number, opt_out?: boolean,
   *          campaign?: {has_embedded_links?: boolean, has_embedded_phone?: boolean}}} input
   */
  renderTemplate(input) { return this.callJson('_ft_wasm_template_render', JSON.stringify(input), undefined); }
  /** The documented template field codes. */
  templateFields() {
    const p = this.mod._ft_wasm_template_fields();
    if (!p) throw new CoreError({ code: -1, name: 'FT_E_NOMEM', message: 'out of memory' });
    try { return JSON.parse(this.mod.UTF8ToString(p)); } finally { this.mod._ft_free(p); }
  }
  /** Business profile form -> errors or campaign + policy page (never echoes the EIN/BN). @param {object} form */
  registration(form) { return this.callJson('_ft_wasm_registration', JSON.stringify(form), undefined); }
  /** The reminders list. @param {{jobs: object[], from?: string, to?: string, now?: string, days_before?: number, filter?: object, window?: object}} input */
  reminders(input) { return this.callJson('_ft_wasm_reminders', JSON.stringify(input), undefined); }
  /** Time-zone conversion or {list: true}. @param {object} input */
  timeZone(input) { return this.callJson('_ft_wasm_tz', JSON.stringify(input), undefined); }
  /** Carrier gateway table ({}) or the address for {carrier, number, mms}. @param {object} [input] */
  gateway(input) { return this.callJson('_ft_wasm_gateway', JSON.stringify(input || {}), undefined); }

  // Compliance (core/include/fieldtext/phone.h, keyword.h, consent.h): replies carry ok/error.
  /** NANP number as typed -> {valid, e164, country, kind, ...}. @param {string} text */
  phone(text) { return this.callJson('_ft_wasm_phone', text, undefined); }
  /**
   * Inbound body -> {class, keyword, phrase, action, reply}.
   * @param {string} body @param {{company_name?: string, phone?: string, email?: string}} [profile]
   */
  keyword(body, profile) { return this.callJson('_ft_wasm_keyword', body, profile); }
  /** {customer_id, phone, records, step} -> {record, state} or the refusal. @param {object} input */
  consentStep(input) { return this.callJson('_ft_wasm_consent_step', JSON.stringify(input), undefined); }
  /** {customer_id, phone, records, kind, now, utc_offset_min, region} -> {allowed, ...}. @param {object} input */
  consentCanSend(input) { return this.callJson('_ft_wasm_consent_can_send', JSON.stringify(input), undefined); }
  /** {records, expected_head?} -> {valid, first_broken, head, state}. @param {object} input */
  consentVerify(input) { return this.callJson('_ft_wasm_consent_verify', JSON.stringify(input), undefined); }
  /** One customer's history, verified. @param {object} input @param {'json'|'csv'} [format] */
  consentExport(input, format) {
    return this.callJson('_ft_wasm_consent_export', JSON.stringify(input), { format: format || 'json' });
  }

  /** utf8proc's version (it decides grapheme clusters). */
  version() {
    return this.mod.UTF8ToString(this.mod._ft_wasm_version());
  }
}

/**
 * Loads the core once; later calls return the same promise.
 * @returns {Promise<Core>}
 */
export function loadCore() {
  if (!corePromise) corePromise = instantiate();
  return corePromise;
}

async function instantiate() {
  const url = new URL('../wasm/fieldtext_core.mjs', import.meta.url);
  const { default: factory } = await import(url.href);
  /** @type {Record<string, any>} */
  const args = {};
  if (typeof process !== 'undefined' && process.versions && process.versions.node) {
    // Node 18+ has a global fetch that cannot fetch file paths: hand the binary over.
    const fs = await import('node:fs/promises');
    args.wasmBinary = await fs.readFile(new URL('../wasm/fieldtext_core.wasm', import.meta.url));
  }
  return new Core(await factory(args));
}
