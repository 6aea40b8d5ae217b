// @ts-check
/**
 * The segments in words: one item per segment with the characters it carries and how full it is.
 * The same colours as the bands drawn behind the message.
 */
import { h } from '../dom.js';
import { formatCount } from '../format.js';

/**
 * @typedef {import('../components/cost-line.js').Estimate} Estimate
 * @typedef {{text: string, estimate: Estimate | null, estimateText: string | null}} SegmentListState
 */

/** @type {WeakMap<HTMLElement, Estimate | null>} */
const drawn = new WeakMap();

/**
 * @param {SegmentListState} state
 * @param {HTMLElement} el an <ol>
 */
export function render(state, el) {
  const est = state.estimate;
  if (!est || state.estimateText !== state.text || drawn.get(el) === est) return;
  drawn.set(el, est);
  if (est.characters === 0) {
    el.replaceChildren();
    return;
  }
  const cap = est.segments === 1 ? est.capacity.single : est.capacity.multi;
  const unit = est.encoding === 'UCS-2' ? 'units' : 'septets';
  el.replaceChildren(...est.segment_ranges.map((r, i) =>
    h('li', { class: `segment-chip segment-chip--${i % 2 ? 'even' : 'odd'}` },
      h('span', { class: 'segment-chip__n' }, `Segment ${i + 1}`),
      h('span', { class: 'segment-chip__range' },
        r.end > r.start ? `characters ${formatCount(r.start + 1)}–${formatCount(r.end)}` : 'empty'),
      h('span', { class: 'segment-chip__fill' }, `${formatCount(r.units)} of ${formatCount(cap)} ${unit}`))));
}
