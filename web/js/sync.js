// @ts-check
/**
 * Keeps the replica and the relay in step:
 * - push: the outbox goes to POST /api/events, oldest first, with the ids it was given when it was
 *   written (a retry after a lost reply is deduplicated by the relay, so nothing is sent twice);
 *   an accepted id leaves the outbox once its event comes back in the log; a refused one moves to
 *   "rejected" with the relay's reason;
 * - pull: GET /api/events?after=cursor until caught up;
 * - live: EventSource /api/stream?after=cursor; a gap in seq triggers a pull;
 * - reconnect with exponential backoff (1 s … 30 s, jittered); `online` retries at once,
 *   `offline` stops trying until the browser says it is back.
 * Read-only tabs pull and listen but never push.
 */
import { api, ApiError, NetworkError } from './api.js';

/**
 * @typedef {import('./storage.js').Storage} Storage
 * @typedef {{online: boolean, connected: boolean, pushing: boolean, lastError: string, retryIn: number}} SyncStatus
 */

const PAGE = 1000;

export class Sync {
  /**
   * @param {Storage} storage
   * @param {{userId: () => string, onEvents?: (evs: any[]) => void, onStatus?: (s: SyncStatus) => void, onRejected?: (o: any, err: any) => void, onAuthLost?: () => void}} opts
   */
  constructor(storage, opts) {
    this.storage = storage;
    this.opts = opts;
    /** @type {EventSource | null} */ this.es = null;
    this.backoff = 0;
    /** ids the relay accepted whose events have not been pulled yet @type {Set<string>} */
    this.accepted = new Set();
    /** @type {any} */ this.timer = null;
    this.stopped = true;
    this.busy = false;
    this.again = false;
    /** @type {SyncStatus} */
    this.state = { online: typeof navigator === 'undefined' ? true : navigator.onLine, connected: false, pushing: false, lastError: '', retryIn: 0 };
    this.onOnline = () => { this.set({ online: true }); this.backoff = 0; this.kick(); };
    this.onOffline = () => { this.set({ online: false, connected: false }); this.closeStream(); };
  }

  /** @param {Partial<SyncStatus>} p */
  set(p) {
    Object.assign(this.state, p);
    if (this.opts.onStatus) this.opts.onStatus({ ...this.state });
  }

  start() {
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.kick();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    clearTimeout(this.timer);
    this.closeStream();
  }

  /** Runs one round now (push, pull, then make sure the stream is open); coalesces calls. */
  kick() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.busy) { this.again = true; return; }
    this.busy = true;
    this.round().finally(() => {
      this.busy = false;
      if (this.again) { this.again = false; this.kick(); }
    });
  }

  async round() {
    try {
      await this.push();
      await this.pull();
      this.backoff = 0;
      this.set({ lastError: '', retryIn: 0 });
      this.openStream();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        this.set({ connected: false, lastError: 'signed out' });
        if (this.opts.onAuthLost) this.opts.onAuthLost();
        return;
      }
      this.closeStream();
      this.retry(e);
    }
  }

  /** @param {any} e */
  retry(e) {
    if (this.stopped) return;
    this.backoff = Math.min(30000, this.backoff ? this.backoff * 2 : 1000);
    const wait = Math.round(this.backoff * (0.75 + Math.random() * 0.5));
    this.set({ connected: false, lastError: (e && e.message) || String(e), retryIn: wait });
    if (!this.state.online) return; // 'online' will kick
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), wait);
  }

  /** Sends the outbox (this user's events), in order, in batches. Network errors propagate. */
  async push() {
    const s = this.storage;
    if (!s.writable) return;
    const me = this.opts.userId();
    for (;;) {
      const batch = s.outbox.filter((o) => o.user_id === me && !this.accepted.has(o.id) && !s.ids.has(o.id)).slice(0, 50);
      if (!batch.length) break;
      this.set({ pushing: true });
      let reply;
      try {
        reply = await api.postEvents(batch.map((o) => ({ id: o.id, type: o.type, body: o.body, at: o.at })));
      } finally {
        this.set({ pushing: false });
      }
      let progressed = false;
      for (const r of reply.results || []) {
        if (r.error) {
          const o = s.outbox.find((x) => x.id === r.id);
          s.reject(r.id, r.error);
          if (o && this.opts.onRejected) this.opts.onRejected(o, r.error);
          progressed = true;
        } else if (typeof r.seq === 'number') {
          // Accepted: mark it so the next batch skips it; it leaves the outbox when pulled.
          this.accepted.add(r.id);
          progressed = true;
        }
      }
      await this.pull();
      if (!progressed) break;
    }
  }

  /**
   * Pulls events after the cursor until caught up: until the relay's last_seq is reached (a page
   * may be shorter than asked for: the relay caps it, FT_RELAY_EVENTS_PAGE), or a page is empty.
   */
  async pull() {
    const s = this.storage;
    let after = s.cursor;
    for (;;) {
      const reply = await api.events(after, PAGE);
      const evs = reply.events || [];
      const added = s.appendEvents(evs);
      if (added.length && this.opts.onEvents) this.opts.onEvents(added);
      const last = evs.length ? evs[evs.length - 1].seq : 0;
      if (typeof last !== 'number' || last <= after) break; // nothing new: caught up
      after = Math.max(last, s.cursor);
      if (typeof reply.last_seq === 'number' ? after >= reply.last_seq : evs.length < PAGE) break;
    }
  }

  openStream() {
    if (this.es || this.stopped || typeof EventSource === 'undefined') return;
    const s = this.storage;
    const es = new EventSource(`/api/stream?after=${s.cursor}`);
    this.es = es;
    es.addEventListener('open', () => { this.set({ connected: true, lastError: '' }); });
    es.addEventListener('ft', (/** @type {MessageEvent} */ m) => {
      let ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      if (ev.seq <= s.cursor) return;
      if (ev.seq !== s.cursor + 1) { this.kick(); return; } // a gap: pull fills it
      const added = s.appendEvents([ev]);
      if (added.length && this.opts.onEvents) this.opts.onEvents(added);
    });
    es.addEventListener('error', () => {
      // EventSource would retry on its own with the old cursor; reconnect ourselves instead.
      this.closeStream();
      this.retry(new NetworkError({ message: 'live updates interrupted' }));
    });
  }

  closeStream() {
    if (this.es) { this.es.close(); this.es = null; }
    if (this.state.connected) this.set({ connected: false });
  }
}
