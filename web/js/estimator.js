// @ts-check
/**
 * The standalone estimator page (estimator.html): type or paste a message and see, as you type,
 * its encoding, characters, segments and cost; where the segments break; which characters force
 * UCS-2 and what replaces them. Works offline once loaded (sw.js).
 *
 * One store; the views render from it (views/*.js, components/cost-line.js); events are delegated
 * to the <main> element. The cost line runs the core (fast count per keystroke, full estimate
 * per frame) and reports each estimate back through `ft-estimate`.
 */
import { loadCore, MAX_CHARACTERS } from './core.js';
import './components/cost-line.js';
import { createStore } from './store.js';
import { formatCount, plural, microsDisplay } from './format.js';
import * as mirror from './views/message-mirror.js';
import * as segmentList from './views/segment-list.js';
import * as charList from './views/char-list.js';
import * as bundlePicker from './views/bundle-picker.js';
import './sw-register.js';

/**
 * @typedef {import('./components/cost-line.js').Estimate} Estimate
 * @typedef {import('./components/cost-line.js').FtCostLine} FtCostLine
 * @typedef {{text: string, smart: boolean, bundle: number, bundles: number[],
 *   rates: {bundle: number, rateDisplay: string}[] | null, estimate: Estimate | null,
 *   estimateText: string | null}} State
 * @typedef {{type: 'text', text: string} | {type: 'smart', smart: boolean} | {type: 'bundle', bundle: number}
 *   | {type: 'rates', rates: State['rates']} | {type: 'estimate', text: string, estimate: Estimate}} Action
 */

const BUNDLES = [2500, 10000, 25000, 100000];
const SETTINGS_KEY = 'fieldtext.estimator.settings';

/** @param {State} state @param {Action} a @returns {State} */
function reducer(state, a) {
  switch (a.type) {
    case 'text': return a.text === state.text ? state : { ...state, text: a.text };
    case 'smart': return a.smart === state.smart ? state : { ...state, smart: a.smart };
    case 'bundle': return a.bundle === state.bundle || !BUNDLES.includes(a.bundle) ? state : { ...state, bundle: a.bundle };
    case 'rates': return { ...state, rates: a.rates };
    case 'estimate': return { ...state, estimate: a.estimate, estimateText: a.text };
    default: return state;
  }
}

/** Bundle and Smart Encoding are remembered (the message text is not: it may be a customer's). */
function loadSettings() {
  try {
    const s = JSON.parse(localStorage.getItem(SETTINGS_KEY) || '{}');
    return { bundle: BUNDLES.includes(s.bundle) ? s.bundle : BUNDLES[0], smart: s.smart === true };
  } catch {
    return { bundle: BUNDLES[0], smart: false };
  }
}

/** @param {{bundle: number, smart: boolean}} s */
function saveSettings(s) {
  try {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(s));
  } catch {
    // Private mode or storage full: settings just are not remembered.
  }
}

/**
 * Replaces the whole text the way typing would, so Ctrl+Z restores the previous spelling.
 * @param {HTMLTextAreaElement} field
 * @param {string} text
 */
function replaceText(field, text) {
  field.focus();
  field.select();
  let done = false;
  try {
    done = document.execCommand('insertText', false, text);
  } catch {
    done = false;
  }
  if (!done || field.value !== text) {
    field.value = text;
    field.dispatchEvent(new Event('input', { bubbles: true }));
  }
  field.setSelectionRange(text.length, text.length);
}

function main() {
  const root = /** @type {HTMLElement} */ (document.getElementById('estimator'));
  const field = /** @type {HTMLTextAreaElement} */ (document.getElementById('message'));
  const mirrorEl = /** @type {HTMLElement} */ (document.getElementById('mirror'));
  const costLine = /** @type {FtCostLine} */ (document.getElementById('cost-line'));
  const segmentsEl = /** @type {HTMLElement} */ (document.getElementById('segment-list'));
  const charsEl = /** @type {HTMLElement} */ (document.getElementById('char-list'));
  const bundleEl = /** @type {HTMLElement} */ (document.getElementById('bundle-picker'));
  const smartEl = /** @type {HTMLInputElement} */ (document.getElementById('smart'));
  const status = /** @type {HTMLElement} */ (document.getElementById('status'));
  const charsCount = /** @type {HTMLElement} */ (document.getElementById('char-count'));

  const settings = loadSettings();
  const store = createStore(/** @type {State} */ ({
    text: field.value, smart: settings.smart, bundle: settings.bundle, bundles: BUNDLES,
    rates: null, estimate: null, estimateText: null,
  }), reducer);

  /** @param {State} s @param {State | null} prev */
  function renderAll(s, prev) {
    if (!prev || s.text !== prev.text) costLine.text = s.text;
    if (!prev || s.smart !== prev.smart) { costLine.smart = s.smart; smartEl.checked = s.smart; }
    if (!prev || s.bundle !== prev.bundle) costLine.bundle = s.bundle;
    if (field.value !== s.text) field.value = s.text;
    const counts = costLine.counts;
    const over = counts ? counts.characters > MAX_CHARACTERS : false;
    field.setAttribute('aria-invalid', String(over));
    mirror.render(s, mirrorEl);
    segmentList.render(s, segmentsEl);
    charList.render(s, charsEl);
    bundlePicker.render(s, bundleEl);
    const n = s.estimate && s.estimateText === s.text ? s.estimate.non_gsm.length : null;
    if (n !== null) charsCount.textContent = n ? `(${formatCount(n)})` : '';
    if (prev && (s.bundle !== prev.bundle || s.smart !== prev.smart)) saveSettings({ bundle: s.bundle, smart: s.smart });
  }
  store.subscribe(renderAll);

  // Events, delegated.
  root.addEventListener('input', (e) => {
    const t = e.target;
    if (t === field) {
      status.textContent = ''; // "Replaced …" is about the previous text
      store.dispatch({ type: 'text', text: field.value });
    }
    else if (t === smartEl) store.dispatch({ type: 'smart', smart: smartEl.checked });
    else if (t instanceof HTMLInputElement && t.name === 'bundle') store.dispatch({ type: 'bundle', bundle: Number(t.value) });
  });
  root.addEventListener('ft-estimate', (e) => {
    const { text, estimate } = /** @type {CustomEvent} */ (e).detail;
    store.dispatch({ type: 'estimate', text, estimate });
  });
  root.addEventListener('ft-apply-suggestion', (e) => {
    const { text, replacements, savesSegments } = /** @type {CustomEvent} */ (e).detail;
    replaceText(field, text);
    status.textContent = `Replaced ${plural(replacements, 'character')}: ${plural(savesSegments, 'segment')} fewer. Press Ctrl+Z to undo.`;
  });
  root.addEventListener('submit', (e) => e.preventDefault());

  field.setAttribute('aria-describedby', `${field.getAttribute('aria-describedby') || ''} ${costLine.errorId}`.trim());
  renderAll(store.getState(), null);

  // Prices per segment for the picker, from the core's pricing (the cost of a one-segment text).
  loadCore().then((core) => {
    const rates = BUNDLES.map((bundle) => ({ bundle, rateDisplay: microsDisplay(core.estimate('a', { bundle }).cost.rate_micros) }));
    store.dispatch({ type: 'rates', rates });
    document.documentElement.dataset.ready = 'true';
  }, () => {
    status.textContent = 'The cost calculator could not load. Reload the page to try again.';
  });
}

main();
