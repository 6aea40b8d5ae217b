// @ts-check
/**
 * <ft-cost-line>: what one message will cost, for the standalone estimator and the composer.
 *
 *   <ft-cost-line bundle="10000" smart></ft-cost-line>
 *   line.text = textarea.value;   // on every input event
 *
 * Properties: `text` (string), `smart` (boolean), `bundle` (2500 | 10000 | 25000 | 100000),
 * `prices` ({"2500": micros, ...} or undefined), `balance` (segments left, or undefined);
 * `smart` and `bundle` are also attributes. Read-only: `estimate` (the latest full estimate, see
 * core/include/fieldtext/estimate.h), `errorId` (the id of the element that states why a text is
 * refused, for the field's aria-describedby).
 *
 * Each change counts the text at once with the core's fast path (segments()); the full estimate
 * (cost, ranges, characters to replace, suggestion) runs once per animation frame, or on a short
 * timer when an estimate has been slow, so typing never waits for it.
 *
 * Events (bubble):
 *   ft-estimate          detail {text, estimate}: after each full estimate
 *   ft-apply-suggestion  detail {text, replacements, savesSegments}: the user accepted the cheaper
 *                        spelling; the host replaces its text with detail.text.
 *
 * Styles: css/cost-line.css (light DOM; classes start with ft-cost-line). The element renders with
 * render(state, el) below, building its nodes once and then updating their text.
 */
import { loadCore, MAX_CHARACTERS } from '../core.js';
import { h, setText, show } from '../dom.js';
import { formatCount, plural, visibleChar, describeReplacement, microsDisplay } from '../format.js';

/** @typedef {import('../core.js').SegmentCount} SegmentCount */
/**
 * @typedef {{start: number, end: number, units: number}} SegmentRange
 * @typedef {{start: number, end: number, char: string, code_point: string, replacement: string | null,
 *   replacement_source?: string, in_suggestion: boolean}} NonGsm
 * @typedef {{segments: number, encoding: string, saves_segments: number, saves_micros: number,
 *   saves_display: string, replacements: number, text: string}} Suggestion
 * @typedef {{ok?: boolean, error?: {code: number, name: string, message: string}, encoding: string,
 *   segments: number, characters: number, units: number, unit: string, max_characters: number,
 *   capacity: {single: number, multi: number}, cost: {micros: number, display: string, bundle: number,
 *   rate_micros: number}, segment_ranges: SegmentRange[], non_gsm: NonGsm[], suggestion: Suggestion | null}} Estimate
 * @typedef {{status: 'loading' | 'ready' | 'failed', text: string, fast: SegmentCount | null,
 *   estimate: Estimate | null, estimateText: string | null, idBase: string}} CostLineState
 */

const SLOW_ESTIMATE_MS = 8; // above this, estimate on a timer instead of every frame
const SLOW_DELAY_MS = 120;
const FRAME_FALLBACK_MS = 100; // rAF does not run in hidden tabs
const ANNOUNCE_DELAY_MS = 600; // speak the summary once typing pauses

let nextId = 1;

/**
 * Renders the cost line into el (nodes built once, then updated).
 * @param {CostLineState} state
 * @param {HTMLElement} el
 */
export function render(state, el) {
  let root = /** @type {HTMLElement | null} */ (el.querySelector(':scope > .ft-cost-line'));
  if (!root) {
    root = build(state.idBase);
    el.append(root);
  }
  const q = (/** @type {string} */ name) => /** @type {HTMLElement} */ (root?.querySelector(`[data-field="${name}"]`));

  if (state.status !== 'ready' || !state.fast) {
    setText(q('encoding'), '…');
    setText(q('characters'), '…');
    setText(q('segments'), '…');
    setText(q('cost'), '…');
    setText(q('note'), state.status === 'failed' ? 'The cost calculator could not load. Reload the page to try again.' : 'Loading the cost calculator…');
    show(q('note'), true);
    root.dataset.state = state.status;
    return;
  }

  const fast = state.fast;
  // The estimate is at most one frame behind the text; until it catches up only the fast path's
  // counts are updated.
  const est = state.estimate;
  const current = !!est && state.estimateText === state.text;
  const over = fast.characters > MAX_CHARACTERS;
  const empty = fast.characters === 0;
  const ucs2 = fast.encoding === 'UCS-2';

  root.dataset.state = over ? 'over' : empty ? 'empty' : 'ok';
  root.dataset.encoding = ucs2 ? 'ucs2' : 'gsm7';

  setText(q('encoding'), fast.encoding);
  setText(q('encoding-sub'), ucs2 ? 'Unicode: 70 per segment' : '160 per segment');
  setText(q('characters'), `${formatCount(fast.characters)}`);
  setText(q('characters-sub'), over ? `${formatCount(fast.characters - MAX_CHARACTERS)} over the limit` : `of ${formatCount(MAX_CHARACTERS)}`);
  setText(q('segments'), empty ? '—' : formatCount(fast.segments));
  setText(q('segments-sub'), current && est && !empty && !over ? roomLeft(est) : '');
  if (empty) {
    setText(q('cost'), '—');
    setText(q('cost-sub'), current && est ? `${microsDisplay(est.cost.rate_micros)} per segment` : '');
  } else if (current && est) {
    setText(q('cost'), est.cost.display);
    setText(q('cost-sub'), `${microsDisplay(est.cost.rate_micros)} per segment`);
  }
  const meter = /** @type {HTMLElement} */ (root.querySelector('.ft-cost-line__meter-fill'));
  meter.style.inlineSize = `${Math.min(100, (fast.characters / MAX_CHARACTERS) * 100)}%`;

  // Refusals: too long is computed from the fast path; others (balance) come with the estimate.
  const error = q('error');
  let errorText = '';
  if (over) {
    errorText = `Too long to send: ${formatCount(fast.characters)} characters. Twilio refuses messages over ${formatCount(MAX_CHARACTERS)} characters — remove ${plural(fast.characters - MAX_CHARACTERS, 'character')}.`;
  } else if (current && est && est.ok === false && est.error && est.error.name !== 'FT_E_MSG_EMPTY') {
    errorText = `Cannot send: ${est.error.message}.`;
  }
  setText(error, errorText);
  show(error, errorText !== '');

  setText(q('note'), empty ? 'Type a message to see what it costs.' : '');
  show(q('note'), empty);

  // The cheaper-spelling offer.
  const sug = current && est && !over ? est.suggestion : null;
  const offer = q('offer');
  show(offer, !!sug);
  if (sug && est) {
    const pairs = replacementPairs(est.non_gsm);
    setText(q('offer-text'),
      `Cheaper spelling: replace ${plural(sug.replacements, 'character')} to send as ${sug.encoding} — ` +
      `${plural(sug.segments, 'segment')} instead of ${formatCount(est.segments)}, saving ${sug.saves_display} per message.`);
    setText(q('offer-pairs'), pairs);
    show(q('offer-pairs'), pairs !== '');
    setText(q('apply'), sug.replacements === 1 ? 'Apply the replacement' : `Apply all ${formatCount(sug.replacements)} replacements`);
  }
}

/**
 * Builds the cost line's nodes.
 * @param {string} idBase
 */
function build(idBase) {
  /** @param {string} label @param {string} name */
  const stat = (label, name) =>
    h('div', { class: `ft-cost-line__stat ft-cost-line__stat--${name}` },
      h('dt', {}, label),
      h('dd', {},
        h('span', { class: 'ft-cost-line__value', 'data-field': name }),
        h('span', { class: 'ft-cost-line__sub', 'data-field': `${name}-sub` })));
  return h('div', { class: 'ft-cost-line', 'data-state': 'loading' },
    h('dl', { class: 'ft-cost-line__stats' },
      stat('Encoding', 'encoding'), stat('Characters', 'characters'), stat('Segments', 'segments'), stat('Cost', 'cost')),
    h('div', { class: 'ft-cost-line__meter', 'aria-hidden': 'true' }, h('div', { class: 'ft-cost-line__meter-fill' })),
    h('p', { class: 'ft-cost-line__note', 'data-field': 'note' }),
    h('p', { class: 'ft-cost-line__error', id: `${idBase}-error`, 'data-field': 'error', hidden: true }),
    h('div', { class: 'ft-cost-line__offer', 'data-field': 'offer', hidden: true },
      h('p', { class: 'ft-cost-line__offer-text', id: `${idBase}-offer`, 'data-field': 'offer-text' }),
      h('p', { class: 'ft-cost-line__offer-pairs', 'data-field': 'offer-pairs' }),
      h('button', { type: 'button', class: 'button button--primary', 'data-action': 'apply-suggestion', 'data-field': 'apply',
        'aria-describedby': `${idBase}-offer` })),
    h('p', { class: 'visually-hidden', 'aria-live': 'polite', 'data-field': 'summary' }));
}

/** "’ → '   … → ..." for the replacements in the suggestion (at most 4 distinct). @param {NonGsm[]} list */
function replacementPairs(list) {
  /** @type {Map<string, string>} */
  const seen = new Map();
  for (const c of list) if (c.in_suggestion && c.replacement !== null && !seen.has(c.char)) seen.set(c.char, c.replacement);
  const shown = [...seen].slice(0, 4).map(([ch, rep]) => {
    const v = visibleChar(ch);
    const r = describeReplacement(rep);
    return `${v.invisible ? `(${v.text})` : ch} → ${rep === '' || /^ +$/.test(rep) ? `(${r})` : r}`;
  });
  if (seen.size > 4) shown.push(`and ${formatCount(seen.size - 4)} more`);
  return shown.join('   ');
}

/** "42 left in segment 2": room before the message needs one more segment. @param {Estimate} est */
function roomLeft(est) {
  const ranges = est.segment_ranges;
  if (!ranges.length) return '';
  const last = ranges[ranges.length - 1];
  const cap = est.segments === 1 ? est.capacity.single : est.capacity.multi;
  const left = Math.max(0, cap - last.units);
  const unit = est.encoding === 'UCS-2' ? 'unit' : 'character';
  return `${plural(left, unit)} left in segment ${formatCount(est.segments)}`;
}

/** The summary read by screen readers (not the character count: it changes on every key). */
function summarize(/** @type {CostLineState} */ state) {
  const f = state.fast;
  const est = state.estimate;
  if (state.status !== 'ready' || !f) return '';
  if (f.characters === 0) return 'Empty message.';
  if (f.characters > MAX_CHARACTERS) return `Too long: ${formatCount(f.characters)} of ${formatCount(MAX_CHARACTERS)} characters.`;
  let s = `${plural(f.segments, 'segment')}, ${f.encoding}`;
  if (est && state.estimateText === state.text) {
    s += `, ${est.cost.display}.`;
    if (est.suggestion) s += ` Replacing ${plural(est.suggestion.replacements, 'character')} saves ${est.suggestion.saves_display}.`;
    if (est.ok === false && est.error && est.error.name !== 'FT_E_MSG_EMPTY') s += ` Cannot send: ${est.error.message}.`;
  } else {
    s += '.';
  }
  return s;
}

export class FtCostLine extends HTMLElement {
  static observedAttributes = ['smart', 'bundle'];

  constructor() {
    super();
    /** @type {CostLineState} */
    this.state = { status: 'loading', text: '', fast: null, estimate: null, estimateText: null, idBase: `ft-cost-line-${nextId++}` };
    /** @type {Awaited<ReturnType<typeof loadCore>> | null} */
    this.core = null;
    this._text = '';
    /** @type {Record<string, number> | undefined} */
    this._prices = undefined;
    /** @type {number | undefined} */
    this._balance = undefined;
    this._raf = 0;
    this._timer = 0;
    this._slow = false;
    this._announceTimer = 0;
    this._announced = '';
    this._estimateKey = '';
    this._onClick = this._onClick.bind(this);
  }

  connectedCallback() {
    if (this.id) this.state = { ...this.state, idBase: this.id };
    this.addEventListener('click', this._onClick);
    render(this.state, this);
    if (!this.core) {
      loadCore().then((core) => {
        this.core = core;
        this.state = { ...this.state, status: 'ready' };
        this._update();
      }, (err) => {
        console.error('fieldtext: core failed to load', err);
        this.state = { ...this.state, status: 'failed' };
        render(this.state, this);
      });
    }
  }

  disconnectedCallback() {
    this.removeEventListener('click', this._onClick);
    cancelAnimationFrame(this._raf);
    clearTimeout(this._timer);
    clearTimeout(this._announceTimer);
    this._raf = this._timer = 0;
  }

  attributeChangedCallback() {
    this._update();
  }

  get text() { return this._text; }
  set text(v) {
    const t = String(v ?? '');
    if (t === this._text) return;
    this._text = t;
    this._update();
  }

  get smart() { return this.hasAttribute('smart'); }
  set smart(v) { this.toggleAttribute('smart', !!v); }

  get bundle() { return Number(this.getAttribute('bundle')) || 2500; }
  set bundle(v) { this.setAttribute('bundle', String(v)); }

  get prices() { return this._prices; }
  set prices(v) { this._prices = v || undefined; this._update(); }

  get balance() { return this._balance; }
  set balance(v) { this._balance = v === null || v === undefined ? undefined : Number(v); this._update(); }

  /** The fast-path counts of the current text (null until the core has loaded). */
  get counts() { return this.state.fast; }

  /** The latest full estimate (may be one frame behind the text; see estimateNow()). */
  get estimate() { return this.state.estimate; }

  /** Whether the full estimate is still behind the text or options (at most until the next frame). */
  get pending() { return !this.core || this._estimateKey !== this._key(); }

  /** The id of the element that explains a refusal (empty while there is none). */
  get errorId() { return `${this.state.idBase}-error`; }

  /** Runs the full estimate now (e.g. before sending) and returns it. */
  estimateNow() {
    this._cancelScheduled();
    this._runEstimate();
    return this.state.estimate;
  }

  /** Identifies the inputs of an estimate. */
  _key() {
    return `${JSON.stringify(this._options())}\u0000${this._text}`;
  }

  _options() {
    /** @type {{smart: boolean, bundle: number, prices?: Record<string, number>, balance?: number}} */
    const o = { smart: this.smart, bundle: this.bundle };
    if (this._prices) o.prices = this._prices;
    if (this._balance !== undefined) o.balance = this._balance;
    return o;
  }

  /** Fast path now, full estimate on the next frame. */
  _update() {
    if (!this.core) return;
    const fast = this.core.segments(this._text, { smart: this.smart });
    this.state = { ...this.state, text: this._text, fast };
    render(this.state, this);
    this._schedule();
  }

  _schedule() {
    if (this._raf || this._timer) return;
    const run = () => { this._cancelScheduled(); this._runEstimate(); };
    if (this._slow) {
      this._timer = window.setTimeout(run, SLOW_DELAY_MS);
    } else {
      this._raf = requestAnimationFrame(run);
      this._timer = window.setTimeout(run, FRAME_FALLBACK_MS);
    }
  }

  _cancelScheduled() {
    cancelAnimationFrame(this._raf);
    clearTimeout(this._timer);
    this._raf = this._timer = 0;
  }

  _runEstimate() {
    if (!this.core) return;
    const text = this._text;
    const key = this._key();
    const t0 = performance.now();
    /** @type {Estimate} */
    let est;
    try {
      est = this.core.estimate(text, this._options());
    } catch (err) {
      console.error('fieldtext: estimate failed', err);
      return;
    }
    this._slow = performance.now() - t0 > SLOW_ESTIMATE_MS;
    if (!est.segment_ranges) return; // option errors carry no counts (cannot happen with the picker's bundles)
    this._estimateKey = key;
    this.state = { ...this.state, estimate: est, estimateText: text };
    render(this.state, this);
    this._scheduleAnnounce();
    this.dispatchEvent(new CustomEvent('ft-estimate', { bubbles: true, detail: { text, estimate: est } }));
  }

  _scheduleAnnounce() {
    clearTimeout(this._announceTimer);
    this._announceTimer = window.setTimeout(() => {
      const s = summarize(this.state);
      if (s === this._announced) return;
      this._announced = s;
      setText(this.querySelector('[data-field="summary"]'), s);
    }, ANNOUNCE_DELAY_MS);
  }

  /** @param {MouseEvent} e */
  _onClick(e) {
    const btn = /** @type {Element} */ (e.target).closest('[data-action="apply-suggestion"]');
    if (!btn || !this.contains(btn)) return;
    const est = this.estimateNow();
    if (!est || !est.suggestion) return;
    this.dispatchEvent(new CustomEvent('ft-apply-suggestion', {
      bubbles: true,
      detail: { text: est.suggestion.text, replacements: est.suggestion.replacements, savesSegments: est.suggestion.saves_segments },
    }));
  }
}

if (!customElements.get('ft-cost-line')) customElements.define('ft-cost-line', FtCostLine);
