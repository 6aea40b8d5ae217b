// @ts-check
/**
 * The mirror drawn behind the message field: the same text, in the same font and wrapping, as
 * transparent text whose backgrounds show the segments (alternating bands, a numbered mark where
 * each segment after the first begins), the characters that force UCS-2, and what runs past the
 * 1,600-character limit. Built from Text nodes and spans (never HTML), hidden from screen readers
 * (the segment and character lists say the same in words).
 *
 * The mirror is in the layout flow and sizes the box; the textarea is stretched over it, so the
 * field grows with its text and never scrolls out of step with the mirror.
 */
import { MAX_CHARACTERS } from '../core.js';
import { h } from '../dom.js';

/**
 * @typedef {import('../components/cost-line.js').Estimate} Estimate
 * @typedef {{text: string, estimate: Estimate | null, estimateText: string | null}} MirrorState
 */

/** @type {WeakMap<HTMLElement, {text: string, estimate: Estimate | null}>} */
const drawn = new WeakMap();

/**
 * @param {MirrorState} state
 * @param {HTMLElement} el
 */
export function render(state, el) {
  const { text } = state;
  const est = state.estimate;
  const last = drawn.get(el);
  if (last && last.text === text && last.estimate === est) return;
  drawn.set(el, { text, estimate: est });

  const fresh = !!est && state.estimateText === text;
  const ranges = est ? clampRanges(est.segment_ranges, text.length, fresh) : [{ start: 0, end: text.length }];
  const marks = est ? mergeAdjacent(est.non_gsm.filter((m) => m.end <= text.length && text.slice(m.start, m.end) === m.char)) : [];
  let limit = MAX_CHARACTERS;
  // Never cut a surrogate pair at the limit: both halves would draw as replacement glyphs.
  if (limit < text.length && isLowSurrogate(text.charCodeAt(limit))) limit--;

  const frag = document.createDocumentFragment();
  let m = 0;
  ranges.forEach((r, i) => {
    const seg = h('span', {
      class: `seg seg--${i % 2 ? 'even' : 'odd'}`,
      'data-segment': i + 1,
      'data-start': r.start,
      'data-end': r.end,
    });
    let pos = r.start;
    while (pos < r.end) {
      while (m < marks.length && marks[m].end <= pos) m++;
      const mark = m < marks.length && marks[m].start <= pos ? marks[m] : null;
      let next = r.end;
      if (mark) next = Math.min(next, mark.end);
      else if (m < marks.length) next = Math.min(next, marks[m].start);
      if (pos < limit && limit < next) next = limit;
      const piece = text.slice(pos, next);
      const over = pos >= limit;
      if (mark || over) {
        const cls = [mark ? 'ucs2' : '', over ? 'over' : ''].filter(Boolean).join(' ');
        seg.append(h('span', { class: cls }, piece));
      } else {
        seg.append(piece);
      }
      pos = next;
    }
    if (i > 0) seg.prepend(h('span', { class: 'seg-mark', 'data-label': i + 1 }));
    frag.append(seg);
  });
  // A final empty line (text ending in a newline) still takes its height, as in the textarea.
  frag.append('\u200b');
  el.replaceChildren(frag);
}

/**
 * Ranges for the text: the estimate's own when it is current; otherwise (one frame behind while
 * typing) the old ranges cut to the new length, the last one running to the end.
 * @param {{start: number, end: number}[]} ranges
 * @param {number} len
 * @param {boolean} fresh
 */
function clampRanges(ranges, len, fresh) {
  if (fresh) return ranges.length ? ranges : [{ start: 0, end: len }];
  const out = ranges.filter((r) => r.start < len).map((r) => ({ start: r.start, end: Math.min(r.end, len) }));
  if (!out.length) return [{ start: 0, end: len }];
  out[out.length - 1].end = len;
  return out;
}

/**
 * Runs of touching characters become one mark (an emoji-heavy text would otherwise need a span
 * per character on every keystroke).
 * @param {{start: number, end: number}[]} marks sorted by start
 */
function mergeAdjacent(marks) {
  /** @type {{start: number, end: number}[]} */
  const out = [];
  for (const m of marks) {
    const last = out[out.length - 1];
    if (last && last.end === m.start) last.end = m.end;
    else out.push({ start: m.start, end: m.end });
  }
  return out;
}

/** @param {number} c */
function isLowSurrogate(c) {
  return c >= 0xdc00 && c <= 0xdfff;
}
