// @ts-check
/**
 * The characters that force UCS-2, each with its position and the GSM-7 spelling the core knows
 * for it (Twilio's Smart Encoding map, or the base letter), or none.
 */
import { h, setText } from '../dom.js';
import { formatCount, plural, visibleChar, describeReplacement } from '../format.js';

/**
 * @typedef {import('../components/cost-line.js').Estimate} Estimate
 * @typedef {{text: string, smart: boolean, estimate: Estimate | null, estimateText: string | null}} CharListState
 */

const MAX_ROWS = 100;
const SOURCES = /** @type {Record<string, string>} */ ({
  'twilio-smart-encoding': 'Smart Encoding map',
  'base-letter': 'same letter without the mark',
});

/** @type {WeakMap<HTMLElement, Estimate | null>} */
const drawn = new WeakMap();

/**
 * @param {CharListState} state
 * @param {HTMLElement} el
 */
export function render(state, el) {
  const est = state.estimate;
  if (!est || state.estimateText !== state.text || drawn.get(el) === est) return;
  drawn.set(el, est);
  const list = est.non_gsm;
  const intro = /** @type {HTMLElement} */ (el.querySelector('[data-field="intro"]') || el.appendChild(h('p', { 'data-field': 'intro', class: 'char-list__intro' })));
  el.querySelector('.char-list__scroll')?.remove();
  el.querySelector('[data-field="more"]')?.remove();

  if (!list.length) {
    setText(intro, est.characters === 0 ? 'None yet.'
      : est.encoding === 'GSM-7' ? (state.smart ? 'None: with Smart Encoding every character goes as GSM-7.' : 'None: every character is GSM-7.')
        : 'None listed.');
    el.dataset.count = '0';
    return;
  }
  el.dataset.count = String(list.length);
  const fixable = list.filter((c) => c.replacement !== null).length;
  setText(intro, `${plural(list.length, 'character')} force${list.length === 1 ? 's' : ''} UCS-2 (70 characters per segment instead of 160)` +
    (fixable === list.length ? '; each has a GSM-7 spelling.' : fixable ? `; ${formatCount(fixable)} of them ${fixable === 1 ? 'has' : 'have'} a GSM-7 spelling.` : '; none has a GSM-7 spelling.') +
    (est.suggestion ? '' : fixable ? ' Replacing them would not lower the cost, so nothing is suggested.' : ''));

  const rows = list.slice(0, MAX_ROWS).map((c) => {
    const v = visibleChar(c.char);
    const rep = c.replacement;
    return h('tr', { class: c.in_suggestion ? 'is-suggested' : '' },
      h('td', { class: 'char-list__pos' }, formatCount(c.start + 1)),
      h('td', {}, h('span', { class: `char-chip${v.invisible ? ' char-chip--invisible' : ''}` }, v.text)),
      h('td', { class: 'char-list__cp' }, c.code_point),
      h('td', {},
        rep === null
          ? h('span', { class: 'char-list__none' }, 'none')
          : h('span', {}, h('span', { class: 'char-chip char-chip--rep' }, describeReplacement(rep)),
            h('span', { class: 'char-list__source' }, ` ${SOURCES[c.replacement_source || ''] || ''}`))),
      h('td', {}, c.in_suggestion ? 'Yes' : h('span', { class: 'char-list__none' }, 'No')));
  });
  const table = h('table', { class: 'char-list__table' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Position'), h('th', { scope: 'col' }, 'Character'), h('th', { scope: 'col' }, 'Code point'),
      h('th', { scope: 'col' }, 'Replacement'), h('th', { scope: 'col' }, 'Suggested'))),
    h('tbody', {}, ...rows));
  // Narrow screens scroll the table sideways (current browsers let the keyboard focus a scroller).
  el.append(h('div', { class: 'char-list__scroll' }, table));
  if (list.length > MAX_ROWS) el.append(h('p', { 'data-field': 'more', class: 'char-list__more' }, `…and ${formatCount(list.length - MAX_ROWS)} more.`));
}
