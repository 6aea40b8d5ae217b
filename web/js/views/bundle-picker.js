// @ts-check
/**
 * The bundle picker: a radio group of the prepaid bundles with each one's price per segment.
 * Arrow keys move between bundles (native radios); changes reach the page through delegation
 * (input name="bundle").
 */
import { h, setText } from '../dom.js';
import { formatCount } from '../format.js';

/**
 * @typedef {{bundle: number, rateDisplay: string}} Rate
 * @typedef {{bundle: number, bundles: number[], rates: Rate[] | null}} BundlePickerState
 */

/**
 * @param {BundlePickerState} state
 * @param {HTMLElement} el a <fieldset> with a <legend>
 */
export function render(state, el) {
  for (const size of state.bundles) {
    let input = /** @type {HTMLInputElement | null} */ (el.querySelector(`input[value="${size}"]`));
    if (!input) {
      const id = `bundle-${size}`;
      input = /** @type {HTMLInputElement} */ (h('input', { type: 'radio', name: 'bundle', id, value: size, 'aria-describedby': `${id}-rate` }));
      el.append(h('div', { class: 'bundle-option' },
        input,
        h('label', { for: id },
          h('span', { class: 'bundle-option__size' }, `${formatCount(size)} segments`),
          h('span', { class: 'bundle-option__rate', id: `${id}-rate`, 'data-field': 'rate' }, '…'))));
    }
    const checked = size === state.bundle;
    if (input.checked !== checked) input.checked = checked;
    const rate = state.rates && state.rates.find((r) => r.bundle === size);
    setText(el.querySelector(`#bundle-${size}-rate`), rate ? `${rate.rateDisplay} per segment` : '…');
  }
}
