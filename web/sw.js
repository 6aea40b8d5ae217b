// @ts-check
/// <reference lib="webworker" />
/**
 * fieldtext service worker: keeps the app usable with no network once it has been loaded.
 *
 * - Install: every file in PRECACHE is fetched into one cache (all or nothing: a missing file
 *   fails the install and the previous worker stays in charge).
 * - Fetch: same-origin GETs inside the scope go to the network first, with the response kept in
 *   the cache; when the network fails or is slower than NETWORK_TIMEOUT_MS the cached copy
 *   answers. So online the files are always current, offline the last ones seen are served.
 *   Paths under NETWORK_ONLY (live data of the relay) are never cached.
 * - Activate: caches of older versions are deleted.
 *
 * Adding a page or module: add its files to PRECACHE (under a feature name) so that it works
 * offline even before it was first opened; bump CACHE_VERSION only to drop old entries.
 * tests/e2e/estimator.test.mjs checks that every listed file exists.
 */
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

const CACHE_VERSION = 1;
const CACHE_NAME = `fieldtext-v${CACHE_VERSION}`;

/** Files fetched at install, relative to this file, grouped by feature. */
const PRECACHE = {
  shell: ['./', './index.html', './css/base.css', './js/sw-register.js', './js/dom.js', './js/format.js', './js/store.js'],
  core: ['./js/core.js', './wasm/fieldtext_core.mjs', './wasm/fieldtext_core.wasm'],
  app: [
    './css/app.css', './js/warm.js', './js/app.js', './js/api.js', './js/model.js', './js/storage.js', './js/sync.js',
    './js/views/shell.js', './js/views/login.js', './js/views/messages.js', './js/views/customers.js',
    './js/views/workflow.js', './js/views/reminders.js', './js/views/registration.js', './css/pages.css',
  ],
  estimator: [
    './estimator.html',
    './css/estimator.css',
    './css/cost-line.css',
    './js/estimator.js',
    './js/components/cost-line.js',
    './js/views/message-mirror.js',
    './js/views/segment-list.js',
    './js/views/char-list.js',
    './js/views/bundle-picker.js',
  ],
};

/** Paths (relative to the scope) that must always come from the network. */
const NETWORK_ONLY = ['api/', 'webhooks/'];
const NETWORK_TIMEOUT_MS = 4000;

sw.addEventListener('install', (event) => {
  const urls = Object.values(PRECACHE).flat();
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE_NAME);
    // cache: 'reload' skips the HTTP cache so the precache is never older than the server.
    await cache.addAll(urls.map((u) => new Request(u, { cache: 'reload' })));
    await sw.skipWaiting();
  })());
});

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('fieldtext-') && n !== CACHE_NAME).map((n) => caches.delete(n)));
    await sw.clients.claim();
  })());
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || req.headers.has('range')) return;
  const scope = sw.registration.scope;
  if (!req.url.startsWith(scope)) return; // other origins, or outside the app
  const rel = req.url.slice(scope.length);
  if (NETWORK_ONLY.some((p) => rel.startsWith(p))) return;
  event.respondWith(networkFirst(event, req));
});

/**
 * @param {FetchEvent} event
 * @param {Request} req
 * @returns {Promise<Response>}
 */
async function networkFirst(event, req) {
  const cache = await caches.open(CACHE_NAME);
  const network = fetch(req).then((res) => {
    if (res.ok && res.type === 'basic') {
      const copy = res.clone();
      event.waitUntil(cache.put(req, copy).catch(() => {}));
    }
    return res;
  });
  network.catch(() => {}); // handled below; keeps an ignored late failure from being reported
  /** @type {Promise<'timeout'>} */
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), NETWORK_TIMEOUT_MS));
  try {
    const res = await Promise.race([network, timeout]);
    if (res !== 'timeout') return res;
    const cached = await cache.match(req, { ignoreSearch: true });
    return cached || (await network);
  } catch (err) {
    const cached = await cache.match(req, { ignoreSearch: true });
    if (cached) return cached;
    throw err;
  }
}
