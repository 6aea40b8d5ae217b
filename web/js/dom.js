// @ts-check
/**
 * DOM helpers shared by the views. Text is always added as Text nodes (strings passed as children
 * become Text nodes through Element.append), never parsed as HTML: customer text is safe here.
 */

/**
 * Creates an element. Attributes: `class` sets className; `true` sets an empty attribute;
 * `false`/`undefined` skip it. Do not pass event-handler attributes (on*): use delegation.
 * @param {string} tag
 * @param {Record<string, string | number | boolean | undefined>} [attrs]
 * @param {...(Node | string)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith('on')) throw new Error(`h(): event attribute ${k} refused, use delegation`);
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...children);
  return el;
}

/**
 * Sets an element's text only when it changed (keeps screen readers and layout quiet).
 * @param {Element | null} el
 * @param {string} text
 */
export function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

/**
 * Shows or hides an element through the hidden attribute.
 * @param {HTMLElement | null} el
 * @param {boolean} shown
 */
export function show(el, shown) {
  if (el && el.hidden === shown) el.hidden = !shown;
}
