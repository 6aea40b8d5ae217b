// @ts-check
/**
 * web/js/storage.js (IDBFS replica + outbox) in real Chromium, served by the static server: no
 * relay needed. Each test gets a fresh browser context (its own IndexedDB and Web Locks).
 * The page is a same-origin 404 text page, so the app itself does not take the writer lock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowserSession } from './helpers.mjs';

const session = useBrowserSession();
const BLANK = '__storage_test_blank__';

/** Opens storage in the page and leaves it on window.__s. @param {import('playwright-core').Page} page */
async function openIn(page, opts = {}) {
  return page.evaluate(async (o) => {
    const { loadCore } = await import('/js/core.js');
    const { openStorage } = await import('/js/storage.js');
    const w = /** @type {any} */ (window);
    w.__statuses = [];
    w.__s = await openStorage(await loadCore(), { ...o, onStatus: (/** @type {any} */ st) => w.__statuses.push(st) });
    return { writable: w.__s.writable, events: w.__s.events.length, outbox: w.__s.outbox.length, cursor: w.__s.cursor };
  }, opts);
}

/** Reads a file straight from IndexedDB (what survives the tab). @param {import('playwright-core').Page} page @param {string} file */
function readIdb(page, file) {
  return page.evaluate((f) => new Promise((resolve, reject) => {
    const r = indexedDB.open('/ft');
    r.onsuccess = () => {
      const g = r.result.transaction('FILE_DATA').objectStore('FILE_DATA').get(f);
      g.onsuccess = () => resolve(g.result ? new TextDecoder().decode(g.result.contents) : null);
      g.onerror = () => reject(g.error);
    };
    r.onerror = () => reject(r.error);
  }), file);
}

test('an outbox event is in IndexedDB when enqueue resolves, and reloads with the same id', async () => {
  const { page, context } = await session.open(BLANK);
  await openIn(page);
  const id = await page.evaluate(async () => (await /** @type {any} */ (window).__s.enqueue({ type: 'message.send', body: { phone: '+15125550123', body: 'hi' } }, 'u1')).id);
  const stored = JSON.parse(/** @type {string} */ (await readIdb(page, '/ft/outbox.json')));
  assert.equal(stored.length, 1);
  assert.equal(stored[0].id, id);
  await page.close();
  const again = await context.newPage();
  await again.goto(new URL(BLANK, session.baseUrl).href);
  const st = await openIn(again);
  assert.equal(st.outbox, 1);
  assert.equal(await again.evaluate(() => /** @type {any} */ (window).__s.outbox[0].id), id);
});

test('writing before the load is refused', async () => {
  const { page } = await session.open(BLANK);
  const msg = await page.evaluate(async () => {
    const { loadCore } = await import('/js/core.js');
    const { Storage } = await import('/js/storage.js');
    const s = new Storage((await loadCore()).fs());
    s.writable = true;
    try { s.write('x.json', '{}'); return 'written'; } catch (e) { return /** @type {any} */ (e).message; }
  });
  assert.match(msg, /before load/);
});

test('one syncfs in flight: a burst of saves runs at most two, one after the other, and all resolve', async () => {
  const { page } = await session.open(BLANK);
  await openIn(page);
  const r = await page.evaluate(async () => {
    const s = /** @type {any} */ (window).__s;
    const IDBFS = s.IDBFS;
    const orig = IDBFS.syncfs;
    let inFlight = 0, max = 0, calls = 0;
    IDBFS.syncfs = (/** @type {any} */ mount, /** @type {any} */ populate, /** @type {any} */ cb) => {
      if (mount.mountpoint === s.root) calls++; // one per save (the log's mount follows in the same save)
      inFlight++; max = Math.max(max, inFlight);
      orig.call(IDBFS, mount, populate, (/** @type {any} */ err) => { inFlight--; cb(err); });
    };
    const ps = [];
    for (let i = 0; i < 10; i++) { s.write('burst.json', JSON.stringify({ i })); ps.push(s.save()); }
    await Promise.all(ps);
    IDBFS.syncfs = orig;
    return { max, calls };
  });
  assert.equal(r.max, 1, 'never two syncfs at once');
  assert.ok(r.calls <= 2, `${r.calls} syncfs for a burst of 10`);
  assert.equal(JSON.parse(/** @type {string} */ (await readIdb(page, '/ft/burst.json'))).i, 9, 'the last write is saved');
});

test('two writes in the same millisecond both reach IndexedDB (IDBFS compares mtimes)', async () => {
  const { page } = await session.open(BLANK);
  await openIn(page);
  await page.evaluate(async () => {
    const s = /** @type {any} */ (window).__s;
    const realNow = Date.now;
    const frozen = realNow();
    Date.now = () => frozen; // both writes "in the same millisecond"
    try {
      s.write('same.json', '"first"');
      await s.save();
      s.write('same.json', '"second"');
      await s.save();
    } finally {
      Date.now = realNow;
    }
  });
  assert.equal(await readIdb(page, '/ft/same.json'), '"second"');
});

test('the replica survives a reload, across chunk files, with its cursor', async () => {
  const { page, context } = await session.open(BLANK);
  await openIn(page);
  const n = await page.evaluate(async () => {
    const { CHUNK } = await import('/js/storage.js');
    const s = /** @type {any} */ (window).__s;
    const evs = [];
    for (let i = 1; i <= CHUNK + 5; i++) evs.push({ id: `e${i}`, seq: i, at: i, actor: 'u1', type: 'note.added', body: { phone: '+15125550123', text: `n${i}` } });
    s.appendEvents(evs.slice(0, 10));
    s.appendEvents(evs.slice(5)); // overlapping: duplicates ignored
    await s.save();
    return CHUNK + 5;
  });
  await page.close();
  const again = await context.newPage();
  await again.goto(new URL(BLANK, session.baseUrl).href);
  const st = await openIn(again);
  assert.equal(st.events, n);
  assert.equal(st.cursor, n);
  assert.deepEqual(await again.evaluate(() => /** @type {any} */ (window).__s.events.map((/** @type {any} */ e) => e.seq).every((/** @type {number} */ q, /** @type {number} */ i) => q === i + 1)), true);
});

test('an accepted event leaves the outbox when it comes back in the log', async () => {
  const { page } = await session.open(BLANK);
  await openIn(page);
  const left = await page.evaluate(async () => {
    const s = /** @type {any} */ (window).__s;
    const o = await s.enqueue({ type: 'note.added', body: { phone: '+15125550123', text: 'x' } }, 'u1');
    s.appendEvents([{ id: o.id, seq: 1, at: 1, actor: 'u1', type: o.type, body: o.body }]);
    await s.save();
    return s.outbox.length;
  });
  assert.equal(left, 0);
  assert.deepEqual(JSON.parse(/** @type {string} */ (await readIdb(page, '/ft/outbox.json'))), []);
});

test('a second tab is read-only and refuses writes; it becomes the writer when the first closes', async () => {
  const { page, context } = await session.open(BLANK);
  assert.equal((await openIn(page)).writable, true);
  const second = await context.newPage();
  await second.goto(new URL(BLANK, session.baseUrl).href);
  assert.equal((await openIn(second)).writable, false);
  const err = await second.evaluate(async () => {
    try { await /** @type {any} */ (window).__s.enqueue({ type: 'x', body: {} }, 'u1'); return 'queued'; } catch (e) { return /** @type {any} */ (e).name; }
  });
  assert.equal(err, 'ReadOnlyError');
  await page.evaluate(async () => { await /** @type {any} */ (window).__s.enqueue({ type: 'note.added', body: { text: 'from the first tab' } }, 'u1'); });
  await page.close();
  await second.waitForFunction(() => /** @type {any} */ (window).__s.writable === true);
  // It reloaded what the first tab wrote before taking over.
  assert.equal(await second.evaluate(() => /** @type {any} */ (window).__s.outbox.length), 1);
});

test('pagehide saves what was written', async () => {
  const { page } = await session.open(BLANK);
  await openIn(page);
  await page.evaluate(() => {
    const s = /** @type {any} */ (window).__s;
    s.installLifecycle();
    s.write('late.json', '"written just before closing"');
    window.dispatchEvent(new Event('pagehide'));
  });
  await page.waitForFunction(() => !(/** @type {any} */ (window).__s.running));
  assert.equal(await readIdb(page, '/ft/late.json'), '"written just before closing"');
});

test('a refused quota rejects the save and is reported, not swallowed', async () => {
  // Nothing of the origin may have opened IndexedDB before the override (Chromium keeps the quota
  // of an open storage bucket), so the blank page, not the app.
  const { page: blank, context } = await session.open(BLANK);
  const cdp = await context.newCDPSession(blank);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(session.baseUrl).origin, quotaSize: 1 });
  await blank.goto(new URL(BLANK, session.baseUrl).href);
  await openIn(blank);
  const r = await blank.evaluate(async () => {
    const w = /** @type {any} */ (window);
    let thrown = '';
    const timeout = new Promise((_, rej) => setTimeout(() => rej(new Error('save never settled')), 8000));
    // Chromium applies the override asynchronously: the first small write may still get through.
    let tries = 0;
    while (!thrown && tries < 6) {
      tries++;
      try { await Promise.race([w.__s.enqueue({ type: 'note.added', body: { text: 'x'.repeat(500000) } }, 'u1'), timeout]); } catch (e) { thrown = /** @type {any} */ (e).name || String(e); }
    }
    return { thrown, error: w.__s.status().error, inMemory: w.__s.outbox.length, tries };
  });
  assert.equal(r.thrown, 'QuotaExceededError');
  assert.equal(r.error && r.error.quota, true);
  assert.equal(r.inMemory, r.tries, 'the event is kept in memory so it can still be sent');
});
