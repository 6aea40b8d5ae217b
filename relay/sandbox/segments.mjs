// @ts-check
/**
 * Segment counting for num_segments: the project's own core (web/js/core.js → web/wasm), so the
 * sandbox charges what the browser and relay estimate; when web/wasm is not built yet, Twilio's own
 * calculator (npm sms-segments-calculator) stands in.
 */

/** @typedef {{count: (body: string, smart?: boolean) => number, source: string}} Counter */

/** @type {Promise<Counter> | null} */
let counterPromise = null;

/** Loads the counter once. @returns {Promise<Counter>} */
export function loadSegmentCounter() {
  if (!counterPromise) counterPromise = load();
  return counterPromise;
}

async function load() {
  if (!process.env.FIELDTEXT_SANDBOX_NO_CORE) {
    try {
      const { loadCore } = await import('../../web/js/core.js');
      const core = await loadCore();
      return {
        source: 'core',
        count: (/** @type {string} */ body, /** @type {boolean} */ smart) => core.segments(body, { smart: !!smart }).segments,
      };
    } catch { /* web/wasm not built: fall back */ }
  }
  const { createRequire } = await import('node:module');
  const { SegmentedMessage } = createRequire(import.meta.url)('sms-segments-calculator');
  return {
    source: 'sms-segments-calculator',
    count: (/** @type {string} */ body, /** @type {boolean} */ smart) => new SegmentedMessage(body, 'auto', !!smart).segmentsCount,
  };
}
