// @ts-check
// The standalone estimator (web/estimator.html) in real headless Chromium.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { newPage, useBrowserSession, WEB_ROOT } from './helpers.mjs';

const session = useBrowserSession();

/** @typedef {import('playwright-core').Page} Page */

/** Opens the estimator and waits until the core has loaded and the prices are shown. */
async function openEstimator(contextOptions = {}) {
  const opened = await session.open('estimator.html', contextOptions);
  await ready(opened);
  return opened;
}

/**
 * Waits for the page to say the core is loaded; on a timeout, says what the page reported
 * (a WASM module rebuilt while the page loaded it shows up here as a link error).
 * @param {{page: Page, errors: string[]}} opened
 */
async function ready({ page, errors }) {
  try {
    await page.waitForSelector('html[data-ready="true"]', { state: 'attached', timeout: 15_000 });
  } catch (err) {
    throw new Error(`the estimator did not get ready: ${errors.join(' | ') || 'no page errors'}; status: ${await page.textContent('#status').catch(() => '?')}`, { cause: err });
  }
}

/** Waits until the full estimate matches the text in the field. @param {Page} page */
async function settled(page) {
  await page.waitForFunction(() => {
    const line = /** @type {any} */ (document.getElementById('cost-line'));
    return line && !line.pending;
  });
}

/**
 * The cost line's shown values.
 * @param {Page} page
 */
async function stats(page) {
  await settled(page);
  return page.evaluate(() => {
    /** @param {string} f */
    const v = (f) => document.querySelector(`#cost-line [data-field="${f}"]`)?.textContent ?? '';
    return {
      encoding: v('encoding'), characters: v('characters'), segments: v('segments'), cost: v('cost'),
      costSub: v('cost-sub'), error: v('error'),
      errorShown: !(/** @type {HTMLElement} */ (document.querySelector('#cost-line [data-field="error"]')).hidden),
      offerShown: !(/** @type {HTMLElement} */ (document.querySelector('#cost-line [data-field="offer"]')).hidden),
    };
  });
}

/** The segments drawn behind the field. @param {Page} page */
function mirrorSegments(page) {
  return page.$$eval('#mirror .seg', (els) => els.map((e) => ({
    n: Number(e.getAttribute('data-segment')),
    start: Number(e.getAttribute('data-start')),
    end: Number(e.getAttribute('data-end')),
    text: e.textContent,
    hasMark: !!e.querySelector(':scope > .seg-mark:first-child'),
  })));
}

/** @param {{errors: string[], dialogs: string[]}} opened */
function assertClean(opened) {
  assert.deepEqual(opened.errors, [], 'no page or console errors');
  assert.deepEqual(opened.dialogs, [], 'no dialogs');
}

const LONG_WITH_QUOTE = 'Hi Sam, your technician’s on the way and should arrive in about 20 minutes. Reply STOP to opt out.';

test('typing updates the encoding, characters, segments and cost as you type', async () => {
  const opened = await openEstimator();
  const { page } = opened;
  await page.focus('#message');
  await page.keyboard.type('Hello there');
  let s = await stats(page);
  assert.equal(s.encoding, 'GSM-7');
  assert.equal(s.characters, '11');
  assert.equal(s.segments, '1');
  assert.equal(s.cost, '$0.015');
  assert.equal(s.costSub, '$0.015 per segment');

  await page.keyboard.type(' '.padEnd(150, 'x')); // 161 characters: two segments of 153 + 8
  s = await stats(page);
  assert.equal(s.characters, '161');
  assert.equal(s.segments, '2');
  assert.equal(s.cost, '$0.03');
  const summary = page.locator('#cost-line [aria-live="polite"]');
  await page.waitForFunction(() => /2 segments, GSM-7, \$0\.03\./.test(document.querySelector('#cost-line [aria-live="polite"]')?.textContent || ''));
  assert.match(await summary.textContent() || '', /^2 segments, GSM-7, \$0\.03\.$/);

  await page.keyboard.press('Backspace');
  s = await stats(page);
  assert.equal(s.characters, '160');
  assert.equal(s.segments, '1');
  assertClean(opened);
});

test('a curly quote flips the message to UCS-2 and is highlighted and listed with its replacement', async () => {
  const opened = await openEstimator();
  const { page } = opened;
  await page.focus('#message');
  await page.keyboard.type('Its ready');
  assert.equal((await stats(page)).encoding, 'GSM-7');
  assert.equal(await page.locator('#char-list tbody tr').count(), 0);

  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.type('’');
  assert.equal(await page.inputValue('#message'), 'It’s ready');
  const s = await stats(page);
  assert.equal(s.encoding, 'UCS-2');
  assert.equal(s.segments, '1');

  const marks = await page.$$eval('#mirror .ucs2', (els) => els.map((e) => e.textContent));
  assert.deepEqual(marks, ['’']);
  const rows = await page.$$eval('#char-list tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => (c.textContent || '').trim())));
  assert.equal(rows.length, 1);
  const [pos, ch, cp, rep] = rows[0];
  assert.equal(pos, '3');
  assert.equal(ch, '’');
  assert.equal(cp, 'U+2019');
  assert.match(rep, /^' /, "the replacement is a straight apostrophe");
  // One segment either way: nothing to save, so no offer.
  assert.equal(s.offerShown, false);
  assertClean(opened);
});

test('applying the suggestion restores GSM-7 with fewer segments, and Ctrl+Z brings the text back', async () => {
  const opened = await openEstimator();
  const { page } = opened;
  await page.fill('#message', LONG_WITH_QUOTE);
  let s = await stats(page);
  assert.equal(s.encoding, 'UCS-2');
  assert.equal(s.segments, '2');
  assert.equal(s.offerShown, true);
  const apply = page.getByRole('button', { name: /apply/i });
  assert.match(await page.textContent('#cost-line [data-field="offer-text"]') || '', /1 segment instead of 2, saving \$0\.015/);

  await apply.click();
  assert.equal(await page.inputValue('#message'), LONG_WITH_QUOTE.replace('’', "'"));
  s = await stats(page);
  assert.equal(s.encoding, 'GSM-7');
  assert.equal(s.segments, '1');
  assert.equal(s.cost, '$0.015');
  assert.equal(s.offerShown, false);
  assert.equal(await page.locator('#mirror .ucs2').count(), 0);
  assert.equal(await page.locator('#char-list tbody tr').count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'message', 'focus returns to the message');
  assert.match(await page.textContent('#status') || '', /Replaced 1 character: 1 segment fewer/);

  await page.keyboard.press('Control+z');
  assert.equal(await page.inputValue('#message'), LONG_WITH_QUOTE);
  assert.equal((await stats(page)).segments, '2');
  assertClean(opened);
});

test('segment boundaries are drawn where the core splits a 200-character message', async () => {
  const opened = await openEstimator();
  const { page } = opened;
  const text = Array.from({ length: 200 }, (_, i) => 'abcdefghij klmnopqrst'[i % 21]).join('');
  await page.fill('#message', text);
  assert.equal((await stats(page)).segments, '2');
  let segs = await mirrorSegments(page);
  assert.deepEqual(segs.map(({ n, start, end }) => ({ n, start, end })), [{ n: 1, start: 0, end: 153 }, { n: 2, start: 153, end: 200 }]);
  assert.equal(segs[0].text, text.slice(0, 153));
  assert.equal(segs[1].text, text.slice(153));
  assert.equal(segs[0].hasMark, false);
  assert.equal(segs[1].hasMark, true, 'segment 2 starts with a boundary mark');
  assert.equal(await page.textContent('#segment-list'), 'Segment 1characters 1–153153 of 153 septetsSegment 2characters 154–20047 of 153 septets');

  // The mark is drawn at the 154th character: same place as that character in the mirror.
  const geo = await page.evaluate(() => {
    const seg2 = /** @type {HTMLElement} */ (document.querySelector('#mirror .seg[data-segment="2"]'));
    const mark = /** @type {HTMLElement} */ (seg2.querySelector('.seg-mark'));
    const textNode = /** @type {Text} */ ([...seg2.childNodes].find((n) => n.nodeType === Node.TEXT_NODE));
    const r = document.createRange();
    r.setStart(textNode, 0);
    r.setEnd(textNode, 1);
    const ch = r.getBoundingClientRect();
    const m = mark.getBoundingClientRect();
    const bar = getComputedStyle(mark, '::before');
    const field = /** @type {HTMLTextAreaElement} */ (document.getElementById('message'));
    const mirror = /** @type {HTMLElement} */ (document.getElementById('mirror'));
    return {
      dx: Math.abs(m.left - ch.left), dy: Math.abs(m.top - ch.top) < ch.height, barWidth: bar.width, barContent: bar.content,
      fieldOverflow: field.scrollHeight - field.clientHeight,
      sameBox: JSON.stringify(field.getBoundingClientRect()) === JSON.stringify(mirror.getBoundingClientRect()),
      ariaHidden: mirror.getAttribute('aria-hidden'),
    };
  });
  assert.ok(geo.dx < 1.5, `mark ${geo.dx}px from the character`);
  assert.ok(geo.dy, 'mark on the same line as the character');
  assert.equal(geo.barWidth, '2px');
  assert.ok(geo.sameBox, 'the textarea lies exactly over the mirror');
  assert.ok(geo.fieldOverflow <= 0, 'the textarea wraps like the mirror (no hidden overflow)');
  assert.equal(geo.ariaHidden, 'true');

  // UCS-2: an emoji that does not fit moves whole into the next segment (JS indices, no split pair).
  const ucs = `${'a'.repeat(66)}😀${'b'.repeat(132)}`;
  await page.fill('#message', ucs);
  assert.equal((await stats(page)).encoding, 'UCS-2');
  segs = await mirrorSegments(page);
  assert.deepEqual(segs.map(({ start, end }) => [start, end]), [[0, 66], [66, 133], [133, 200]]);
  assert.equal(segs[1].text, ucs.slice(66, 133));
  assert.ok(segs[1].text?.startsWith('😀'));
  assertClean(opened);
});

test('over 1,600 characters shows a clear error, and going back under clears it', async () => {
  const opened = await openEstimator();
  const { page } = opened;
  await page.fill('#message', 'x'.repeat(1601));
  let s = await stats(page);
  assert.equal(s.characters, '1,601');
  assert.equal(s.errorShown, true);
  assert.match(s.error, /Too long to send: 1,601 characters.*over 1,600.*remove 1 character/);
  assert.equal(await page.getAttribute('#message', 'aria-invalid'), 'true');
  const describedBy = (await page.getAttribute('#message', 'aria-describedby')) || '';
  const errorId = await page.$eval('#cost-line [data-field="error"]', (e) => e.id);
  assert.ok(describedBy.split(' ').includes(errorId), 'the field is described by the error');
  assert.deepEqual(await page.$$eval('#mirror .over', (els) => els.map((e) => e.textContent)), ['x']);
  assert.equal(await page.textContent('#cost-line [data-field="characters-sub"]'), '1 over the limit');
  await page.waitForFunction(() => /Too long: 1,601 of 1,600 characters\./.test(document.querySelector('#cost-line [aria-live="polite"]')?.textContent || ''));

  await page.focus('#message');
  await page.keyboard.press('End');
  await page.keyboard.press('Backspace');
  s = await stats(page);
  assert.equal(s.characters, '1,600');
  assert.equal(s.errorShown, false);
  assert.equal(await page.getAttribute('#message', 'aria-invalid'), 'false');
  assert.equal(await page.locator('#mirror .over').count(), 0);
  assertClean(opened);
});

test('changing the bundle changes the cost and the price per segment', async () => {
  const opened = await openEstimator();
  const { page } = opened;
  const rates = await page.$$eval('#bundle-picker .bundle-option', (els) => els.map((e) => (e.textContent || '').trim()));
  assert.deepEqual(rates, [
    '2,500 segments$0.015 per segment', '10,000 segments$0.014 per segment',
    '25,000 segments$0.013 per segment', '100,000 segments$0.012 per segment',
  ]);
  await page.fill('#message', 'x'.repeat(200));
  assert.equal((await stats(page)).cost, '$0.03');
  await page.getByLabel('100,000 segments').check();
  let s = await stats(page);
  assert.equal(s.cost, '$0.024');
  assert.equal(s.costSub, '$0.012 per segment');
  await page.click('label[for="bundle-10000"]');
  s = await stats(page);
  assert.equal(s.cost, '$0.028');

  // The choice is remembered (the text is not).
  await page.reload();
  await ready(opened);
  assert.equal(await page.isChecked('#bundle-10000'), true);
  assert.equal(await page.inputValue('#message'), '');
  assertClean(opened);
});

test('everything works from the keyboard: skip link, Tab order, Enter and Space, visible focus, no trap', async () => {
  const opened = await openEstimator();
  const { page } = opened;
  /** The focused element, and whether its focus ring shows. */
  const focused = () => page.evaluate(() => {
    const el = /** @type {HTMLElement} */ (document.activeElement);
    const cs = getComputedStyle(el);
    return {
      id: el.id, tag: el.tagName, text: (el.textContent || '').trim(), name: el.getAttribute('name'), value: /** @type {any} */ (el).value,
      ring: el.matches(':focus-visible') && cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
    };
  });

  await page.keyboard.press('Tab');
  let f = await focused();
  assert.equal(f.text, 'Skip to the message');
  assert.ok(f.ring);
  const box = await page.locator('.skip-link').boundingBox();
  assert.ok(box && box.y >= 0, 'the skip link shows when focused');
  await page.keyboard.press('Enter');
  f = await focused();
  assert.equal(f.id, 'message', 'the skip link moves focus to the message');
  assert.ok(f.ring);

  await page.keyboard.type(LONG_WITH_QUOTE);
  assert.equal((await stats(page)).segments, '2');
  await page.keyboard.press('Tab');
  f = await focused();
  assert.equal(f.tag, 'BUTTON');
  assert.match(f.text, /Apply the replacement/);
  assert.ok(f.ring, 'the button shows its focus');
  await page.keyboard.press('Enter');
  let s = await stats(page);
  assert.equal(s.encoding, 'GSM-7');
  assert.equal(s.segments, '1');
  f = await focused();
  assert.equal(f.id, 'message', 'focus goes back to the message once the button is gone');

  await page.keyboard.press('Tab');
  f = await focused();
  assert.equal(f.name, 'bundle');
  assert.equal(f.value, '2500');
  assert.ok(f.ring);
  await page.keyboard.press('ArrowDown');
  f = await focused();
  assert.equal(f.value, '10000');
  assert.equal((await stats(page)).cost, '$0.014');

  await page.keyboard.press('Tab');
  f = await focused();
  assert.equal(f.id, 'smart');
  assert.ok(f.ring);
  await page.keyboard.press('Space');
  assert.equal(await page.isChecked('#smart'), true);
  await page.keyboard.press('Space');
  assert.equal(await page.isChecked('#smart'), false);

  // Back out with Shift+Tab through every control: nothing traps focus.
  await page.keyboard.press('Shift+Tab');
  assert.equal((await focused()).name, 'bundle');
  await page.keyboard.press('Shift+Tab');
  assert.equal((await focused()).id, 'message');
  await page.keyboard.press('Shift+Tab');
  assert.equal((await focused()).text, 'fieldtext');
  assertClean(opened);
});

test('Smart Encoding counts the message as Twilio will send it', async () => {
  const opened = await openEstimator();
  const { page } = opened;
  await page.fill('#message', LONG_WITH_QUOTE);
  assert.equal((await stats(page)).encoding, 'UCS-2');
  await page.getByRole('switch', { name: 'Smart Encoding' }).check();
  const s = await stats(page);
  assert.equal(s.encoding, 'GSM-7');
  assert.equal(s.segments, '1');
  assert.equal(s.offerShown, false);
  assert.match(await page.textContent('#char-list') || '', /with Smart Encoding every character goes as GSM-7/);
  assertClean(opened);
});

test('customer text is shown as text: markup creates no element and runs nothing', async () => {
  const opened = await openEstimator();
  const { page } = opened;
  const evil = '<img src=x onerror=alert(1)>';
  await page.fill('#message', evil);
  await stats(page);
  await page.fill('#message', `${evil} <script>alert(2)</script> ’ ${'z'.repeat(60)}`); // UCS-2, 2 segments: offer shown
  const s = await stats(page);
  assert.equal(s.offerShown, true);
  await page.waitForTimeout(300); // an injected onerror would fire by now
  const found = await page.evaluate(() => ({
    imgs: document.querySelectorAll('img').length,
    scripts: [...document.querySelectorAll('script')].filter((x) => !x.src).length,
    mirror: document.getElementById('mirror')?.textContent || '',
  }));
  assert.equal(found.imgs, 0);
  assert.equal(found.scripts, 0);
  assert.ok(found.mirror.startsWith(`${evil} <script>alert(2)</script>`), 'the mirror holds the markup as text');
  await page.getByRole('button', { name: /apply/i }).click();
  assert.equal(await page.inputValue('#message'), `${evil} <script>alert(2)</script> ' ${'z'.repeat(60)}`);
  assert.equal(await page.locator('img').count(), 0);
  assertClean(opened);
});

test('the service worker precaches every file the estimator loads', async () => {
  const opened = await newPageRecording();
  const { page, requested } = opened;
  const cached = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    const names = await caches.keys();
    const cache = await caches.open(names.find((n) => n.startsWith('fieldtext-')) || '');
    const keys = (await cache.keys()).map((r) => new URL(r.url).pathname);
    return { active: !!reg.active, keys };
  });
  assert.ok(cached.active);
  for (const p of ['/estimator.html', '/js/estimator.js', '/js/core.js', '/wasm/fieldtext_core.mjs', '/wasm/fieldtext_core.wasm', '/css/estimator.css']) {
    assert.ok(requested.has(p), `the page loads ${p}`);
  }
  const missing = [...requested].filter((p) => p !== '/sw.js' && !cached.keys.includes(p));
  assert.deepEqual(missing, [], 'add these files to PRECACHE in web/sw.js so the estimator works offline on a first visit');
  // Every listed file exists (one missing file would fail the whole install).
  for (const p of cached.keys) {
    const file = p === '/' ? 'index.html' : p.slice(1);
    assert.ok(fs.existsSync(path.join(WEB_ROOT, file)), `PRECACHE lists ${p}, which is not in web/`);
  }
  assertClean(opened);
});

/** Opens the estimator recording every same-origin path it requests. */
async function newPageRecording() {
  /** @type {Set<string>} */
  const requested = new Set();
  const opened = await newPage(session.browser);
  opened.page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin === new URL(session.baseUrl).origin) requested.add(u.pathname);
  });
  await opened.page.goto(new URL('estimator.html', session.baseUrl).href);
  await ready(opened);
  return { ...opened, requested };
}

test('offline: once loaded, a reload with no network still estimates (service worker)', async () => {
  // A server of its own, stopped below, so nothing can come from the network.
  const server = await session.extraServer();
  const opened = await session.open(`${server.url}estimator.html`);
  const { page, context } = opened;
  await ready(opened);
  await page.evaluate(() => navigator.serviceWorker.ready);

  await context.setOffline(true);
  await server.stop();
  const res = await page.reload();
  assert.ok(res?.fromServiceWorker(), 'the page came from the service worker');
  await ready(opened);
  await page.fill('#message', LONG_WITH_QUOTE);
  const s = await stats(page);
  assert.equal(s.encoding, 'UCS-2');
  assert.equal(s.segments, '2');
  assert.equal(s.cost, '$0.03');
  assert.equal(s.offerShown, true);

  // A second offline reload (now controlled by the worker from the start) works as well.
  await page.reload();
  await ready(opened);
  await page.fill('#message', 'x'.repeat(161));
  assert.equal((await stats(page)).segments, '2');
  assertClean(opened);
});
