// @ts-check
/**
 * storage.js owns IDBFS (Emscripten's IndexedDB-backed file system, linked into the core's WASM
 * module): the replica of the relay's log (events up to a cursor) and the outbox (this browser's
 * own events not yet accepted by the relay).
 *
 * Two IDBFS mounts (two IndexedDB databases), so the page can draw before the log is parsed:
 *   /ft/meta.json        {v, cursor, count, chunk}
 *   /ft/summary.json     the thread list, customers and consent states as last drawn (app.js)
 *   /ft/session.json     who is signed in, the business, the balance (for an offline start)
 *   /ftlog/NNNNNN.jsonl  the replica, CHUNK events per file, one event per line (each followed by
 *                        a comma), in seq order; loaded by loadLog() after the first draw
 *   /ft/outbox.json      [{id, type, body, at, user_id, queued_at}]  not yet accepted
 *   /ft/rejected.json    [{...event, error}]  refused by the relay (kept so the page can say why)
 *
 * Rules (CONVENTIONS.md, TOOLCHAIN.md):
 * - load (syncfs(true)) before any write;
 * - one syncfs in flight; a save asked for while one runs is queued, and every caller waiting on
 *   the queued one is answered by it (its snapshot includes all their writes);
 * - save after each logical change, and on visibilitychange (hidden) / pagehide;
 * - only one tab writes (Web Locks): the others load, read and say they are read-only;
 * - a refused write (quota, full disk, IndexedDB unavailable) is reported through onStatus, never
 *   swallowed. Emscripten 3.1.6's IDBFS loses such errors (its handlers read `this.error` inside
 *   arrow functions, and an aborted transaction never calls back), so the IndexedDB transactions it
 *   opens are watched here directly.
 * - IDBFS copies a file only when its mtime differs from the stored one; two writes in the same
 *   millisecond would look unchanged, so every write stamps a strictly increasing mtime.
 */

export const CHUNK = 2000;
const LOCK_NAME = 'fieldtext-writer';
const utf8 = new TextDecoder();

/**
 * @typedef {{id: string, seq: number, at: number, actor: string, type: string, body: any, client_at?: number}} LogEvent
 * @typedef {{id: string, type: string, body: any, at: number, user_id: string, queued_at: number}} OutboxEvent
 * @typedef {{writable: boolean, saving: boolean, error: null | {name: string, message: string, quota: boolean}, lastSaved: number}} StorageStatus
 */

export class ReadOnlyError extends Error {
  constructor() {
    super('This tab is read-only: fieldtext is open in another tab, which does the writing.');
    this.name = 'ReadOnlyError';
  }
}

/** @returns {{promise: Promise<void>, resolve: () => void, reject: (e: any) => void}} */
function deferred() {
  /** @type {any} */ let resolve, reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** @param {any} e */
function describe(e) {
  const name = (e && (e.name || (e.errno !== undefined ? 'FS errno ' + e.errno : ''))) || 'Error';
  const message = (e && e.message) || String(e);
  const quota = /quota/i.test(name + ' ' + message) || (e && e.errno === 51);
  return { name, message, quota };
}

export class Storage {
  /**
   * @param {any} FS Emscripten's FS (core.fs())
   * @param {{root?: string, logRoot?: string, lockName?: string, onStatus?: (s: StorageStatus) => void, forceReadOnly?: boolean}} [opts]
   */
  constructor(FS, opts = {}) {
    this.FS = FS;
    this.IDBFS = FS.filesystems.IDBFS;
    this.root = opts.root || '/ft';
    /** The log's own mount (its own IndexedDB database), loaded after the first draw. */
    this.logRoot = opts.logRoot || this.root + 'log';
    this.logMounted = false;
    this.logLoaded = false;
    this.lockName = opts.lockName || LOCK_NAME;
    this.onStatus = opts.onStatus || (() => {});
    this.forceReadOnly = !!opts.forceReadOnly;
    /** @type {LogEvent[]} */ this.events = [];
    /** @type {Set<string>} */ this.ids = new Set();
    /** @type {OutboxEvent[]} */ this.outbox = [];
    /** @type {any[]} */ this.rejected = [];
    this.cursor = 0;
    this.writable = false;
    this.loaded = false;
    this.lastMtime = 0;
    /** @type {Promise<void> | null} */ this.running = null;
    /** @type {ReturnType<typeof deferred> | null} */ this.pending = null;
    /** @type {StorageStatus['error']} */ this.error = null;
    this.lastSaved = 0;
    /** @type {((e: any) => void) | null} */ this.txFail = null;
    /** @type {Set<() => void>} */ this.listeners = new Set();
    /** @type {(() => void) | null} */ this.releaseLock = null;
  }

  /** @returns {StorageStatus} */
  status() {
    return { writable: this.writable, saving: !!this.running, error: this.error, lastSaved: this.lastSaved };
  }

  emit() {
    this.onStatus(this.status());
    for (const fn of this.listeners) fn();
  }

  /**
   * Takes the writer lock if free (else stays read-only and waits for it in the background:
   * `onWritable` is called once this tab becomes the writer), mounts IDBFS and loads it.
   * @param {{onWritable?: () => void}} [opts]
   */
  async open(opts = {}) {
    const FS = this.FS;
    try { FS.mkdir(this.root); } catch (e) { /* exists */ }
    FS.mount(this.IDBFS, {}, this.root);
    this.writable = this.forceReadOnly ? false : await this.acquireLock(opts.onWritable);
    await this.load();
    return this;
  }

  /**
   * @param {(() => void) | undefined} onWritable
   * @returns {Promise<boolean>}
   */
  acquireLock(onWritable) {
    const locks = typeof navigator !== 'undefined' && /** @type {any} */ (navigator).locks;
    if (!locks) return Promise.resolve(true); // no Web Locks: a single-tab browser, write
    return new Promise((resolve) => {
      locks.request(this.lockName, { ifAvailable: true }, (/** @type {any} */ lock) => {
        if (!lock) {
          resolve(false);
          // Wait in line: when the writing tab closes, this one takes over.
          locks.request(this.lockName, () => {
            const hold = deferred();
            this.releaseLock = hold.resolve;
            this.promote().then(() => onWritable && onWritable(), (e) => this.fail(e));
            return hold.promise;
          });
          return undefined;
        }
        const hold = deferred();
        this.releaseLock = hold.resolve;
        resolve(true);
        return hold.promise; // held for the life of the page
      });
    });
  }

  /** Becomes the writer after another tab let go: reload what it wrote, then write. */
  async promote() {
    await this.load();
    this.logLoaded = false;
    await this.loadLog();
    this.writable = true;
    this.emit();
  }

  /**
   * Loads the small files (meta, outbox, rejected, session, summary): syncfs(true) of the main
   * mount. Must finish before any write. The log itself comes with loadLog().
   */
  async load() {
    await this.syncMount(this.root, true);
    if (typeof performance !== 'undefined' && performance.mark) performance.mark('ft-idbfs'); // scripts/bench-web
    this.watchDb(this.root);
    const meta = this.readJson('meta.json', { v: 1, cursor: 0, count: 0 });
    if (!this.logLoaded) this.cursor = meta.cursor || 0;
    this.outbox = this.readJson('outbox.json', []);
    this.rejected = this.readJson('rejected.json', []);
    this.loaded = true;
    this.emit();
  }

  /**
   * Loads the replica (the log's mount: IndexedDB → memory, then parse). Runs in the save queue's
   * slot: a save of the log's mount before it is loaded would delete the stored log.
   * @returns {Promise<void>}
   */
  async loadLog() {
    if (this.logLoaded) return;
    while (this.running) { try { await this.running; } catch (e) { /* reported */ } }
    const job = (async () => {
      const FS = this.FS;
      if (!this.logMounted) {
        try { FS.mkdir(this.logRoot); } catch (e) { /* exists */ }
        FS.mount(this.IDBFS, {}, this.logRoot);
        this.logMounted = true;
      }
      await this.syncMount(this.logRoot, true);
      this.watchDb(this.logRoot);
      /** @type {LogEvent[]} */
      const events = [];
      let names = [];
      try { names = FS.readdir(this.logRoot).filter((/** @type {string} */ n) => n.endsWith('.jsonl')).sort(); } catch (e) { /* none */ }
      for (const n of names) {
        const path = this.logRoot + '/' + n;
        this.lastMtime = Math.max(this.lastMtime, FS.stat(path).mtime.getTime());
        const text = utf8.decode(FS.readFile(path));
        if (!text) continue;
        // Each line is `{event},`: the chunk is a JSON array without its brackets and last comma,
        // so it parses in one JSON.parse without splitting (the cost of opening a big store).
        const body = text.endsWith(',\n') ? text.slice(0, -2) : text.trimEnd().split('\n').join(',');
        const arr = JSON.parse('[' + body + ']');
        for (let i = 0; i < arr.length; i++) events.push(arr[i]);
      }
      this.events = events;
      this.ids = new Set(events.map((e) => e.id));
      // The cursor is the last event held: if a chunk went missing, its events are pulled again.
      this.cursor = events.length ? events[events.length - 1].seq : 0;
      this.outbox = this.outbox.filter((o) => !this.ids.has(o.id));
      this.logLoaded = true;
      if (typeof performance !== 'undefined' && performance.mark) performance.mark('ft-log');
    })();
    this.running = job;
    try {
      await job;
    } finally {
      this.afterRun();
      this.emit();
    }
  }

  /**
   * @param {string} name
   * @param {any} fallback
   */
  readJson(name, fallback) {
    const path = this.root + '/' + name;
    try {
      this.lastMtime = Math.max(this.lastMtime, this.FS.stat(path).mtime.getTime());
      // The bytes through TextDecoder: FS.readFile's utf8 option first scans them in JS for a NUL
      // (a few ms per MB: summary.json is megabytes in a big store).
      return JSON.parse(utf8.decode(this.FS.readFile(path)));
    } catch (e) {
      return fallback;
    }
  }

  /**
   * Writes a file in memory and stamps a strictly newer mtime (see the header).
   * @param {string} rel
   * @param {string} text
   * @param {string} [root] the mount (the main one by default)
   */
  write(rel, text, root = this.root) {
    if (!this.loaded) throw new Error('storage: write before load');
    if (!this.writable) throw new ReadOnlyError();
    if (root === this.logRoot && !this.logLoaded) throw new Error('storage: log write before loadLog');
    const path = root + '/' + rel;
    const dir = path.slice(0, path.lastIndexOf('/'));
    try { this.FS.mkdir(dir); } catch (e) { /* exists */ }
    this.FS.writeFile(path, text);
    const t = Math.max(Date.now(), this.lastMtime + 1);
    this.lastMtime = t;
    this.FS.utime(path, t, t);
  }

  /** Watches the transactions IDBFS opens on a mount's database so aborts (quota) are seen. @param {string} mountpoint */
  watchDb(mountpoint) {
    const db = this.IDBFS.dbs && this.IDBFS.dbs[mountpoint];
    if (!db || db.__ftWatched) return;
    db.__ftWatched = true;
    const orig = db.transaction.bind(db);
    db.transaction = (/** @type {any[]} */ ...args) => {
      const tx = orig(...args);
      const fail = (/** @type {any} */ err) => { if (this.txFail) this.txFail(err); };
      tx.addEventListener('abort', () => fail(tx.error || new DOMException('IndexedDB transaction aborted', 'AbortError')));
      tx.addEventListener('error', (/** @type {any} */ ev) => fail(ev.target && ev.target.error));
      return tx;
    };
  }

  /**
   * One syncfs of one IDBFS mount (IDBFS's own syncfs, not FS.syncfs, which would take every
   * mount, including a log not loaded yet), settled by its callback or by a failed transaction.
   * @param {string} mountpoint
   * @param {boolean} populate
   * @returns {Promise<void>}
   */
  syncMount(mountpoint, populate) {
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (/** @type {any} */ err) => {
        if (settled) return;
        settled = true;
        this.txFail = null;
        if (err) reject(err); else resolve();
      };
      this.txFail = (err) => done(err || new DOMException('IndexedDB write failed', 'UnknownError'));
      try {
        const mount = this.FS.lookupPath(mountpoint).node.mount;
        this.IDBFS.syncfs(mount, populate, done);
      } catch (e) {
        done(e);
      }
    });
  }

  /**
   * Persists memory → IndexedDB. One syncfs in flight; later callers share the queued next one.
   * Resolves once a syncfs that started after this call has completed. Rejects on failure (the
   * failure is also reported through onStatus).
   * @returns {Promise<void>}
   */
  save() {
    if (!this.writable || !this.loaded) return Promise.resolve();
    if (!this.running) {
      this.running = this.runSave();
      return this.running;
    }
    if (!this.pending) this.pending = deferred();
    return this.pending.promise;
  }

  /** @returns {Promise<void>} */
  async runSave() {
    this.emit();
    try {
      await this.syncMount(this.root, false);
      if (this.logLoaded) await this.syncMount(this.logRoot, false);
      this.lastSaved = Date.now();
      if (this.error) { this.error = null; }
    } catch (e) {
      this.fail(e);
      throw e;
    } finally {
      this.afterRun();
      this.emit();
    }
  }

  /** Frees the slot; starts the queued save, if any. */
  afterRun() {
    this.running = null;
    const next = this.pending;
    this.pending = null;
    if (next) {
      this.running = this.runSave();
      this.running.then(next.resolve, next.reject);
    }
  }

  /** @param {any} e */
  fail(e) {
    this.error = describe(e);
    this.emit();
  }

  /** Saves without waiting (page hidden / closing). */
  flush() {
    this.save().catch(() => {});
  }

  /** Saves on visibilitychange (hidden) and pagehide. */
  installLifecycle() {
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') this.flush(); });
    window.addEventListener('pagehide', () => this.flush());
  }

  // ---- the replica ----------------------------------------------------------------------

  /**
   * Appends relay events (ignores those at or below the cursor, or already held). Writes the
   * touched chunks and meta, then saves (not awaited by the caller unless it wants to).
   * @param {LogEvent[]} evs in seq order
   * @returns {LogEvent[]} the events actually added
   */
  appendEvents(evs) {
    /** @type {LogEvent[]} */
    const added = [];
    for (const ev of evs) {
      if (!ev || typeof ev.seq !== 'number' || ev.seq <= this.cursor || this.ids.has(ev.id)) continue;
      this.events.push(ev);
      this.ids.add(ev.id);
      this.cursor = ev.seq;
      added.push(ev);
    }
    if (!added.length) return added;
    if (!this.logLoaded) throw new Error('storage: appendEvents before loadLog');
    // Accepted by the relay: whatever of ours came back is no longer in the outbox.
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((o) => !this.ids.has(o.id));
    if (this.writable) {
      const first = Math.floor((this.events.length - added.length) / CHUNK);
      const last = Math.floor((this.events.length - 1) / CHUNK);
      for (let c = first; c <= last; c++) {
        const slice = this.events.slice(c * CHUNK, (c + 1) * CHUNK);
        this.write(String(c).padStart(6, '0') + '.jsonl', slice.map((e) => JSON.stringify(e) + ',\n').join(''), this.logRoot);
      }
      this.write('meta.json', JSON.stringify({ v: 1, cursor: this.cursor, count: this.events.length, chunk: CHUNK }));
      if (this.outbox.length !== before) this.write('outbox.json', JSON.stringify(this.outbox));
      this.save().catch(() => {});
    }
    this.emit();
    return added;
  }

  // ---- the outbox -----------------------------------------------------------------------

  /**
   * Puts one of our events in the outbox and waits until it is in IndexedDB. Only after this
   * resolves may the event go on the network. If IndexedDB refuses (quota), the error is shown
   * and thrown; the event stays in memory so it can still be sent (the relay dedupes by id).
   * @param {{type: string, body: any, id?: string}} ev
   * @param {string} userId
   * @returns {Promise<OutboxEvent>}
   */
  async enqueue(ev, userId) {
    if (!this.writable) throw new ReadOnlyError();
    /** @type {OutboxEvent} */
    const o = { id: ev.id || crypto.randomUUID(), type: ev.type, body: ev.body, at: Date.now(), user_id: userId, queued_at: Date.now() };
    this.outbox.push(o);
    this.write('outbox.json', JSON.stringify(this.outbox));
    this.emit();
    await this.save();
    return o;
  }

  /**
   * The relay refused an outbox event: move it to rejected (with its reason) and save.
   * @param {string} id
   * @param {any} error
   */
  reject(id, error) {
    const o = this.outbox.find((x) => x.id === id);
    if (!o) return;
    this.outbox = this.outbox.filter((x) => x.id !== id);
    this.rejected.push({ ...o, error, rejected_at: Date.now() });
    if (this.writable) {
      this.write('outbox.json', JSON.stringify(this.outbox));
      this.write('rejected.json', JSON.stringify(this.rejected));
      this.save().catch(() => {});
    }
    this.emit();
  }

  /** @param {string} id */
  dismissRejected(id) {
    this.rejected = this.rejected.filter((x) => x.id !== id);
    if (this.writable) {
      this.write('rejected.json', JSON.stringify(this.rejected));
      this.save().catch(() => {});
    }
    this.emit();
  }

  /** Forgets the replica (sign-out of a different business); the outbox is kept. */
  clearReplica() {
    if (!this.writable) return;
    if (!this.logLoaded) return;
    for (const n of (() => { try { return this.FS.readdir(this.logRoot); } catch (e) { return []; } })()) {
      if (n.endsWith('.jsonl')) this.FS.unlink(this.logRoot + '/' + n);
    }
    this.events = [];
    this.ids = new Set();
    this.cursor = 0;
    this.write('meta.json', JSON.stringify({ v: 1, cursor: 0, count: 0, chunk: CHUNK }));
    this.save().catch(() => {});
    this.emit();
  }
}

/**
 * Opens the storage on the core's FS.
 * @param {{fs: () => any}} core from loadCore()
 * @param {ConstructorParameters<typeof Storage>[1] & {onWritable?: () => void, deferLog?: boolean}} [opts]
 *   deferLog: return once the small files are loaded; the caller runs loadLog() after drawing.
 */
export async function openStorage(core, opts = {}) {
  const s = new Storage(core.fs(), opts);
  await s.open({ onWritable: opts.onWritable });
  if (!opts.deferLog) await s.loadLog();
  return s;
}
