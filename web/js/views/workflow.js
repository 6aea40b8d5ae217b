// @ts-check
/**
 * The opt-in workflow as an inline SVG (shown on the confirmation screen): consent script → staff
 * acknowledges → consent box → texts (reminders, on-the-way) → STOP ends it. Built with DOM calls;
 * the company name is set as text.
 */
const NS = 'http://www.w3.org/2000/svg';

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {string} [text]
 */
function s(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** @param {string} company @returns {SVGSVGElement} */
export function workflowSvg(company) {
  const svg = /** @type {SVGSVGElement} */ (s('svg', { viewBox: '0 0 760 200', role: 'img', 'aria-labelledby': 'wf-title wf-desc', class: 'workflow-svg' }));
  svg.append(s('title', { id: 'wf-title' }, 'Opt-in workflow'),
    s('desc', { id: 'wf-desc' }, `Staff read the consent script for ${company}; the customer agrees; staff acknowledge this screen and check the consent box; reminders and arrival texts follow, each with "Reply STOP to unsubscribe"; a STOP reply stops all texts.`));
  const defs = s('defs', {});
  const marker = s('marker', { id: 'wf-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#51606f' }));
  defs.append(marker);
  svg.append(defs);
  const boxes = [
    { x: 8, title: '1. Script', lines: ['Staff read the', 'consent script'], fill: '#e8f1fb' },
    { x: 158, title: '2. Customer', lines: ['says yes (phone', 'or in person)'], fill: '#e8f1fb' },
    { x: 308, title: '3. Confirm', lines: ['Staff acknowledge', 'this screen'], fill: '#e8f1fb' },
    { x: 458, title: '4. Consent box', lines: ['checked: texting', 'is enabled'], fill: '#e3f4e8' },
    { x: 608, title: '5. Texts', lines: ['reminders, arrival', 'each: Reply STOP…'], fill: '#e3f4e8' },
  ];
  for (const [i, b] of boxes.entries()) {
    svg.append(s('rect', { x: b.x, y: 30, width: 132, height: 78, rx: 10, fill: b.fill, stroke: '#8aa4bf' }));
    svg.append(s('text', { x: b.x + 66, y: 54, 'text-anchor': 'middle', 'font-weight': 700, 'font-size': 14, fill: '#1d2b3a' }, b.title));
    b.lines.forEach((l, j) => svg.append(s('text', { x: b.x + 66, y: 76 + j * 17, 'text-anchor': 'middle', 'font-size': 12, fill: '#33414f' }, l)));
    if (i < boxes.length - 1) svg.append(s('line', { x1: b.x + 134, y1: 69, x2: b.x + 155, y2: 69, stroke: '#51606f', 'stroke-width': 2, 'marker-end': 'url(#wf-arrow)' }));
  }
  svg.append(s('rect', { x: 458, y: 140, width: 280, height: 46, rx: 10, fill: '#fdecea', stroke: '#d9857a' }));
  svg.append(s('text', { x: 598, y: 160, 'text-anchor': 'middle', 'font-weight': 700, 'font-size': 13, fill: '#7a1f14' }, 'Customer replies STOP'));
  svg.append(s('text', { x: 598, y: 177, 'text-anchor': 'middle', 'font-size': 12, fill: '#7a1f14' }, 'All texts stop; sending is blocked'));
  svg.append(s('path', { d: 'M673,108 L673,138', stroke: '#b4493b', 'stroke-width': 2, fill: 'none', 'marker-end': 'url(#wf-arrow)' }));
  svg.append(s('text', { x: 12, y: 160, 'font-size': 12, fill: '#51606f' }, 'Each step is recorded with your name, the customer,'));
  svg.append(s('text', { x: 12, y: 177, 'font-size': 12, fill: '#51606f' }, 'and the date and time.'));
  return svg;
}
