// @ts-check
/**
 * The staff app (index.html): sign-in and first-run setup, the message center, customers and
 * consent, templates and reminders, the A2P registration, with the replica and outbox kept offline-first in IDBFS (storage.js) and synced with the
 * relay (sync.js). One store (store.js) holds the page state; each view exports render(state, el)
 * and bind(el, actions) (event delegation on its root).
 */
import { loadCore } from './core.js';
import { createStore } from './store.js';
import { openStorage, ReadOnlyError } from './storage.js';
import { Sync } from './sync.js';
import { api, setCsrf, ApiError, NetworkError } from './api.js';
import { Model, normalizePhoneFallback, formatPhone, CONSENT_SCRIPT_VERSION, DISCLOSURE_VERSION, consentScript, disclosureText } from './model.js';
import * as shellView from './views/shell.js';
import * as loginView from './views/login.js';
import * as messagesView from './views/messages.js';
import * as customersView from './views/customers.js';
import * as remindersView from './views/reminders.js';
import * as registrationView from './views/registration.js';

/**
 * @typedef {{id: string, username: string, name: string, role: string}} User
 * @typedef {{kind: string, [k: string]: any}} Dialog
 * @typedef {{
 *   phase: 'loading'|'login'|'setup'|'app'|'failed', failure: string,
 *   me: User | null, business: any, sandbox: boolean, balance: number | null, registration: any,
 *   users: User[], view: 'messages'|'customers'|'reminders'|'registration', folder: 'all'|'mine'|'resolved', selected: string | null,
 *   threadQuery: string, customerQuery: string, customerId: string | null,
 *   model: Model, modelVersion: number, outbox: any[], rejected: any[],
 *   storage: import('./storage.js').StorageStatus, sync: import('./sync.js').SyncStatus,
 *   toasts: {id: number, text: string, kind: string}[], dialog: Dialog | null, unseen: number,
 *   loginError: string, notifyPermission: string, sandboxLog: any[],
 *   reminders: {loading: boolean, error: string, data: any, fetchedAt: number}, regBusy: boolean
 * }} State
 */

/** @type {State} */
const initial = {
  phase: 'loading', failure: '', me: null, business: {}, sandbox: false, balance: null, registration: null,
  users: [], view: 'messages', folder: 'all', selected: null, threadQuery: '', customerQuery: '', customerId: null,
  model: new Model(), modelVersion: 0, outbox: [], rejected: [],
  storage: { writable: false, saving: false, error: null, lastSaved: 0 },
  sync: { online: true, connected: false, pushing: false, lastError: '', retryIn: 0 },
  toasts: [], dialog: null, unseen: 0, loginError: '',
  notifyPermission: typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  sandboxLog: [],
  reminders: { loading: false, error: '', data: null, fetchedAt: 0 }, regBusy: false,
};

/** @param {State} s @param {any} a @returns {State} */
function reducer(s, a) {
  switch (a.type) {
    case 'set': return { ...s, ...a.patch };
    case 'toast': return { ...s, toasts: [...s.toasts.slice(-3), { id: a.id, text: a.text, kind: a.kind || 'info' }] };
    case 'untoast': return { ...s, toasts: s.toasts.filter((t) => t.id !== a.id) };
    default: return s;
  }
}

export const store = createStore(initial, reducer);
/** @param {Partial<State>} patch */
const set = (patch) => store.dispatch({ type: 'set', patch });

/** @type {any} */ let core = null;
/** @type {import('./storage.js').Storage | null} */ let storage = null;
/** @type {Sync | null} */ let sync = null;
/** Resolves once the log is loaded and folded (sync starts then). @type {Promise<void>} */
let logReady = new Promise(() => {});
let toastSeq = 0;
const baseTitle = document.title || 'fieldtext';

/** @param {string} text @param {string} [kind] */
function toast(text, kind) {
  const id = ++toastSeq;
  store.dispatch({ type: 'toast', id, text, kind });
  setTimeout(() => store.dispatch({ type: 'untoast', id }), kind === 'error' ? 12000 : 6000);
}

/**
 * A number as typed → E.164, with the core's reason when it is not one (core.phone(), phone.h),
 * or the NANP fallback when the core has no phone export.
 * @param {string} raw @returns {{e164: string, error: string, warning: string}}
 */
export function checkPhone(raw) {
  if (core && typeof core.phone === 'function') {
    try {
      const r = core.phone(String(raw || ''));
      if (r && r.valid && r.e164) return { e164: r.e164, error: '', warning: (r.warnings && r.warnings[0]) || '' };
      return { e164: '', error: (r && r.error && r.error.message) || 'not a valid number', warning: '' };
    } catch (e) {
      return { e164: '', error: 'not a valid number', warning: '' };
    }
  }
  const e164 = normalizePhoneFallback(raw);
  return { e164, error: e164 ? '' : 'not a valid US or Canadian number', warning: '' };
}

/** @param {string} raw @returns {string} E.164 or '' */
export function normalizePhone(raw) {
  return checkPhone(raw).e164;
}

// ---- actions (called by the views through event delegation) -------------------------------

const actions = {
  /** @param {string} username @param {string} password */
  async login(username, password) {
    set({ loginError: '' });
    try {
      const r = await api.login(username, password);
      setCsrf(r.csrf);
      await enterApp();
    } catch (e) {
      set({ loginError: e instanceof ApiError ? (e.status === 429 ? 'Too many attempts. Wait a minute and try again.' : 'That username and password do not match.') : /** @type {any} */ (e).message });
    }
  },
  /** @param {{token: string, username: string, name: string, password: string}} b */
  async setup(b) {
    set({ loginError: '' });
    try {
      await api.setup(b);
      history.replaceState(null, '', '/');
      await actions.login(b.username, b.password);
    } catch (e) {
      set({ loginError: /** @type {any} */ (e).message });
    }
  },
  async logout() {
    try { await api.logout(); } catch (e) { /* offline: the cookie stays until the relay is back */ }
    if (sync) sync.stop();
    if (storage && storage.writable) {
      try { storage.write('session.json', 'null'); await storage.save(); } catch (e) { /* shown by the storage banner */ }
    }
    location.href = '/';
  },
  /** @param {State['view']} view */
  go(view) {
    if (view === 'registration' && !(store.getState().me && store.getState().me.role === 'admin')) view = 'messages';
    set({ view });
    if (view === 'reminders') actions.loadReminders();
    if (view === 'registration') refreshMe();
  },
  /** @param {State['folder']} folder */
  folder(folder) { set({ folder }); },
  /** @param {string} phone */
  open(phone) {
    const t = store.getState().model.threads.get(phone);
    if (t) t.unread = 0;
    set({ selected: phone, view: 'messages', unseen: 0 });
    updateTitle();
  },
  /** @param {string} q */
  searchThreads(q) { set({ threadQuery: q }); },
  /** @param {string} q */
  searchCustomers(q) { set({ customerQuery: q }); },
  /** @param {string | null} id */
  customer(id) { set({ customerId: id, view: 'customers' }); },
  normalizePhone,
  checkPhone,
  closeDialog() { set({ dialog: null }); },
  /** Re-renders (a view changed something only it holds, e.g. the composer's mode). */
  touch() { set({}); },

  /**
   * Sends a text (or refuses it with a prompt): consent is checked here first so staff see why,
   * the relay checks again. The event is in IndexedDB before it goes on the network.
   * @param {string} phone @param {string} body
   * @returns {Promise<boolean>} whether it was queued (the composer clears on true)
   */
  async send(phone, body) {
    const s = store.getState();
    const c = s.model.consent.get(phone);
    const cust = s.model.customerByPhone(phone);
    const who = s.model.displayName(phone);
    if (c && c.status === 'opted_out') {
      set({ dialog: { kind: 'opted-out', phone, who, at: c.opted_out_at } });
      return false;
    }
    if (!c || c.status !== 'opted_in') {
      set({ dialog: { kind: 'no-consent', phone, who, customerId: cust ? cust.id : null } });
      return false;
    }
    if (!body.trim()) return false;
    const est = core.estimate(body, s.balance === null ? {} : { balance: s.balance });
    if (est.ok === false) { toast(est.error ? est.error.message : 'This text cannot be sent.', 'error'); return false; }
    const id = crypto.randomUUID();
    return queue({ id, type: 'message.send', body: { message_id: id, phone, body, kind: 'manual' } });
  },
  /**
   * A "technician on the way" notice (message.send kind "on_the_way"): the same checks and prompts
   * as send(); the relay adds the send window (8 AM-9 PM in the customer's zone).
   * @param {string} phone @param {string} body the rendered text @param {string} [jobId] the visit it is for
   * @returns {Promise<string>} the event id ('' when not queued)
   */
  async sendOnTheWay(phone, body, jobId) {
    const s = store.getState();
    const c = s.model.consent.get(phone);
    const cust = s.model.customerByPhone(phone);
    const who = s.model.displayName(phone);
    if (c && c.status === 'opted_out') { set({ dialog: { kind: 'opted-out', phone, who, at: c.opted_out_at } }); return ''; }
    if (!c || c.status !== 'opted_in') { set({ dialog: { kind: 'no-consent', phone, who, customerId: cust ? cust.id : null } }); return ''; }
    if (!body.trim()) return '';
    const est = core.estimate(body, s.balance === null ? {} : { balance: s.balance });
    if (est.ok === false) { toast(est.error ? est.error.message : 'This text cannot be sent.', 'error'); return ''; }
    const id = crypto.randomUUID();
    /** @type {any} */
    const b = { message_id: id, phone, body, kind: 'on_the_way' };
    if (jobId) b.job_id = jobId;
    return (await queue({ id, type: 'message.send', body: b })) ? id : '';
  },
  /** @param {string} phone @param {string} text */
  note(phone, text) {
    if (!text.trim()) return Promise.resolve(false);
    return queue({ type: 'note.added', body: { phone, text } });
  },
  /** @param {string} phone */
  claim(phone) { const me = store.getState().me; return queue({ type: 'thread.claimed', body: { phone, user_id: me ? me.id : '' } }); },
  /** @param {string} phone */
  resolve(phone) { return queue({ type: 'thread.resolved', body: { phone } }); },
  /** @param {string} phone @param {string} to */
  transfer(phone, to) { return to ? queue({ type: 'thread.transferred', body: { phone, to_user_id: to } }) : Promise.resolve(false); },

  /** @param {{customer_id?: string, name: string, phone: string, type: string, class: string, address?: string}} c */
  async saveCustomer(c) {
    const id = c.customer_id || crypto.randomUUID();
    const ok = await queue({ type: 'customer.saved', body: { ...c, customer_id: id } });
    if (ok) set({ customerId: id });
    return ok;
  },
  /** Opt-in flow: step 1 of 3. @param {string} customerId */
  startOptIn(customerId) { set({ dialog: { kind: 'optin', step: 1, customerId, method: 'phone call' } }); },
  /** @param {string} customerId @param {string} method */
  async optinScriptRead(customerId, method) {
    const s = store.getState();
    const c = s.model.customers.get(customerId);
    if (!c) return;
    const company = (s.business && s.business.name) || '';
    if (await queue({ type: 'consent.script_read', body: { customer_id: c.id, phone: c.phone, method, script_text: consentScript(company), script_version: CONSENT_SCRIPT_VERSION } })) {
      set({ dialog: { kind: 'optin', step: 2, customerId, method } });
    }
  },
  /** @param {string} customerId */
  async optinAcknowledged(customerId) {
    const s = store.getState();
    const c = s.model.customers.get(customerId);
    if (!c) return;
    const company = (s.business && s.business.name) || '';
    if (await queue({ type: 'consent.screen_acknowledged', body: { customer_id: c.id, phone: c.phone, disclosure_text: disclosureText(company), disclosure_version: DISCLOSURE_VERSION } })) {
      set({ dialog: { kind: 'optin', step: 3, customerId } });
    }
  },
  /** @param {string} customerId */
  async optinBoxChecked(customerId) {
    const c = store.getState().model.customers.get(customerId);
    if (!c) return;
    if (await queue({ type: 'consent.box_checked', body: { customer_id: c.id, phone: c.phone } })) {
      set({ dialog: null });
      toast(`${c.name || formatPhone(c.phone)} can now receive texts.`, 'ok');
    }
  },
  /** @param {string} id */
  dismissRejected(id) { if (storage) storage.dismissRejected(id); refresh(); },
  /** Sandbox: the pretend customer writes. @param {string} from @param {string} body */
  async sandboxInbound(from, body) {
    try {
      await api.sandboxInbound(from, body);
      return true;
    } catch (e) {
      toast(`The sandbox did not take the text: ${/** @type {any} */ (e).message}`, 'error');
      return false;
    }
  },
  async askNotify() {
    if (typeof Notification === 'undefined') return;
    const p = await Notification.requestPermission();
    set({ notifyPermission: p });
  },
  retryNow() { if (sync) { sync.backoff = 0; sync.kick(); } },

  /** The reminders of visits from two weeks ago to 30 days ahead (GET /api/reminders). */
  async loadReminders() {
    const day = (/** @type {number} */ d) => { const t = new Date(Date.now() + d * 86400000); return `${t.getFullYear()}-${String(t.getMonth() + 1).padStart(2, '0')}-${String(t.getDate()).padStart(2, '0')}`; };
    set({ reminders: { ...store.getState().reminders, loading: true } });
    try {
      const data = await api.reminders(day(-14), day(31));
      set({ reminders: { loading: false, error: '', data, fetchedAt: Date.now() } });
    } catch (e) {
      set({ reminders: { ...store.getState().reminders, loading: false, error: /** @type {any} */ (e).message || String(e), fetchedAt: Date.now() } });
    }
  },
  /**
   * A job type's reminder template (template.saved; relay/API.md "Reminders and templates").
   * `days_before` rides along: visits added on this page use it.
   * @param {{template_id?: string, job_type: string, text: string, days_before: number}} t
   * @returns {Promise<string>} the event id ('' when not queued)
   */
  async saveTemplate(t) {
    const id = crypto.randomUUID();
    const body = { template_id: t.template_id || crypto.randomUUID(), job_type: t.job_type, name: t.job_type, text: t.text, days_before: t.days_before };
    return (await queue({ id, type: 'template.saved', body })) ? id : '';
  },
  /**
   * The business's on-the-way template (template.saved kind "on_the_way": no job type; the relay
   * keeps it out of the reminders). @param {string} text @param {string} [templateId]
   * @returns {Promise<string>} the event id ('' when not queued)
   */
  async saveOnTheWayTemplate(text, templateId) {
    const id = crypto.randomUUID();
    const body = { template_id: templateId || crypto.randomUUID(), kind: 'on_the_way', name: 'On the way', text };
    return (await queue({ id, type: 'template.saved', body })) ? id : '';
  },
  /** A visit (job.saved). @param {any} job @param {string} [note] the toast once queued */
  async saveJob(job, note) {
    const ok = await queue({ type: 'job.saved', body: job });
    if (ok) toast(note || 'Visit saved. Its reminder shows in the list once the relay has it.', 'ok');
    return ok;
  },
  /**
   * Submits the A2P form (the only request that carries the EIN / BN; nothing of it is kept),
   * then saves the business profile from it (name, phone, address: used by reminders and the
   * consent script). Not when the registration in force keeps the edit as a pending change: texting
   * goes on with the registered profile, so the name in every text stays the registered brand's.
   * @param {Record<string, any>} form
   * @returns {Promise<{ok: boolean, warnings?: any[], campaign?: any, pending_change?: any, errors?: any[], message?: string}>}
   */
  async submitRegistration(form) {
    set({ regBusy: true });
    try {
      const r = await api.register(form);
      const pending = 'pending_change' in r; // the registration in force stays: so does the profile
      const biz = {
        name: form.company_name || form.legal_name || '', phone: form.business_phone || form.contact_phone || '', email: form.contact_email || '',
        address: form.street || '', city: form.city || '', state: form.region || '', zip: form.postal_code || '', country: form.country || '',
        website: form.website || '', industry: form.industry || '',
      };
      if (!pending) {
        try {
          const b = await api.saveBusiness(biz);
          if (b && b.business) set({ business: b.business });
        } catch (e) { toast(`The business profile was not updated: ${/** @type {any} */ (e).message}`, 'error'); }
      }
      if (r.registration) set({ registration: r.registration });
      refreshMe();
      toast(r.pending_change ? 'Saved as a pending change: the registration in force stays.' : r.pending_change === null && r.message ? r.message : 'Registration submitted.', 'ok');
      return { ok: true, warnings: r.warnings || [], campaign: r.campaign, pending_change: r.pending_change || null };
    } catch (e) {
      const err = /** @type {any} */ (e);
      return { ok: false, errors: err.errors, message: err.message };
    } finally {
      set({ regBusy: false });
    }
  },
  /** @param {string} name @param {string} type @param {string} text */
  download(name, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  },
};
export { actions };

/**
 * Writes one of our events to the outbox (durable in IndexedDB), shows it, then pushes.
 * @param {{id?: string, type: string, body: any}} ev
 * @returns {Promise<boolean>}
 */
async function queue(ev) {
  const s = store.getState();
  if (!storage || !s.me) return false;
  if (!storage.writable) {
    toast('This tab is read-only: fieldtext is open in another tab. Use that tab, or close it.', 'error');
    return false;
  }
  try {
    await storage.enqueue(ev, s.me.id);
  } catch (e) {
    if (e instanceof ReadOnlyError) { toast(e.message, 'error'); return false; }
    // IndexedDB refused (quota/full disk): shown by the storage banner. The event is still in the
    // outbox in memory and is sent now: the relay dedupes by id, and holding it back would lose
    // it for sure when this tab closes.
    toast('Not saved on this computer (storage refused). Sending now; keep this tab open until it is sent.', 'error');
  }
  refresh();
  if (sync) sync.kick();
  return true;
}

/** Re-reads the outbox/rejected lists into the state. */
function refresh() {
  if (!storage) return;
  set({ outbox: storage.outbox.slice(), rejected: storage.rejected.slice(), modelVersion: store.getState().model.version });
}

function updateTitle() {
  const n = store.getState().unseen;
  document.title = n ? `(${n}) ${baseTitle}` : baseTitle;
}

/** @param {any[]} added events new to the replica, live */
function onLiveEvents(added) {
  const s = store.getState();
  s.model.applyAll(added);
  let unseen = s.unseen;
  let balanceTouched = false;
  let regTouched = false;
  let remindersTouched = false;
  for (const ev of added) {
    if (ev.type === 'message.received') {
      const viewing = s.selected === ev.body.phone && document.visibilityState === 'visible' && s.view === 'messages';
      const who = s.model.displayName(ev.body.phone);
      if (viewing) {
        const t = s.model.threads.get(ev.body.phone);
        if (t) t.unread = 0;
      } else {
        unseen++;
        notify(`New text from ${who}`, ev.body.body || '', ev.body.phone);
      }
    }
    if (ev.type === 'message.sent' || ev.type === 'message.received' || ev.type.startsWith('balance.') || ev.type === 'bundle.purchased') balanceTouched = true;
    if (ev.type.startsWith('registration.')) regTouched = true;
    if (ev.type.startsWith('reminder.') || ev.type === 'job.saved' || ev.type === 'job.deleted' || ev.type === 'template.saved' || ev.type.startsWith('consent.') ||
        (ev.type.startsWith('message.') && ev.body && (ev.body.kind === 'reminder' || isReminderMessage(s.model, ev.body.message_id)))) remindersTouched = true;
  }
  set({ unseen, modelVersion: s.model.version, outbox: storage ? storage.outbox.slice() : [] });
  updateTitle();
  writeSummarySoon();
  if (balanceTouched || regTouched) refreshMe();
  if (remindersTouched && store.getState().view === 'reminders') loadRemindersSoon();
}

/** @param {Model} m @param {string} id */
function isReminderMessage(m, id) {
  return !!id && m.reminderLog.some((e) => e.type === 'message.send' && (e.body.message_id || e.id) === id);
}

let remindersTimer = /** @type {any} */ (null);
function loadRemindersSoon() {
  clearTimeout(remindersTimer);
  remindersTimer = setTimeout(() => actions.loadReminders(), 400);
}

// While a registration is under review and its page is open, its status is asked for every few
// seconds (besides the registration.* events, which may come while the stream is reconnecting);
// the reminders list is refreshed each minute while shown (reminders fall due without an event).
setInterval(() => {
  const s = store.getState();
  if (s.phase !== 'app' || document.visibilityState !== 'visible') return;
  if (s.view === 'registration' && s.registration && registrationView.IN_PROGRESS.includes(s.registration.status)) refreshMe();
}, 2000);
setInterval(() => {
  const s = store.getState();
  if (s.phase === 'app' && s.view === 'reminders' && document.visibilityState === 'visible') actions.loadReminders();
}, 60000);

/** @param {string} title @param {string} body @param {string} phone */
function notify(title, body, phone) {
  if (typeof Notification !== 'undefined' && Notification.permission === 'granted' && document.visibilityState === 'hidden') {
    try {
      const n = new Notification(title, { body, tag: phone }); // body is shown as plain text
      n.onclick = () => { window.focus(); actions.open(phone); };
      return;
    } catch (e) { /* fall through to the toast */ }
  }
  toast(`${title}: ${body.length > 80 ? body.slice(0, 80) + '…' : body}`, 'inbound');
}

let meTimer = /** @type {any} */ (null);
function refreshMe() {
  clearTimeout(meTimer);
  meTimer = setTimeout(async () => {
    try { applyMe(await api.me()); } catch (e) { /* offline */ }
  }, 300);
}

/** @param {any} me */
function applyMe(me) {
  setCsrf(me.csrf);
  set({ me: me.user, business: me.business || {}, sandbox: !!me.sandbox, balance: me.balance ? me.balance.segments : null, registration: me.registration || null });
  if (storage && storage.writable) {
    try {
      storage.write('session.json', JSON.stringify({ user: me.user, business: me.business, sandbox: !!me.sandbox, balance: me.balance, registration: me.registration }));
      storage.save().catch(() => {});
    } catch (e) { /* read-only */ }
  }
}

/** After sign-in (or a reload with a session, or offline with a cached session). */
async function enterApp() {
  let me = null;
  let offline = false;
  try {
    me = await api.me();
  } catch (e) {
    if (e instanceof NetworkError && storage) {
      const cached = storage.readJson('session.json', null);
      if (cached && cached.user) { me = { ...cached, csrf: '' }; offline = true; }
    }
    if (!me) throw e;
  }
  applyMe(me);
  if (offline) set({ sync: { ...store.getState().sync, online: false, lastError: 'The relay cannot be reached' } });
  set({ phase: 'app' });
  logReady.then(startSync, () => {});
  try { set({ users: (await api.users()).users || [] }); } catch (e) { /* offline */ }
}

/** Folds the whole log into a new model (after loadLog, or after taking over from another tab). */
function foldLog() {
  if (!storage) return;
  const m = new Model();
  m.applyAll(storage.events);
  const prev = store.getState().model;
  // "Unread" is what arrived live and was not opened yet (kept across starts by the summary), not
  // every reply since the thread was last resolved.
  for (const [phone, t] of m.threads) { const p = prev.threads.get(phone); t.unread = p ? p.unread : 0; }
  // Versions only grow across model swaps: views redraw when modelVersion changes.
  m.version = Math.max(m.version, prev.version) + 1;
  set({ model: m, modelVersion: m.version, outbox: storage.outbox.slice(), rejected: storage.rejected.slice() });
}

let summaryTimer = /** @type {any} */ (null);
/** Writes summary.json (what the next start draws before the log is parsed). */
function writeSummary() {
  clearTimeout(summaryTimer);
  summaryTimer = null;
  const m = store.getState().model;
  if (!storage || !storage.writable || !storage.logLoaded || m.partial) return;
  try {
    storage.write('summary.json', JSON.stringify(m.toSummary(storage.cursor)));
    storage.save().catch(() => {});
  } catch (e) { /* reported by storage */ }
}
function writeSummarySoon() {
  if (!summaryTimer) summaryTimer = setTimeout(writeSummary, 5000);
}

function startSync() {
  if (!storage || sync) return;
  sync = new Sync(storage, {
    userId: () => { const me = store.getState().me; return me ? me.id : ''; },
    onEvents: onLiveEvents,
    onStatus: (st) => {
      const prev = store.getState().sync;
      set({ sync: st });
      if (st.connected && !prev.connected && store.getState().users.length === 0) api.users().then((r) => set({ users: r.users || [] }), () => {});
      if (st.connected && !prev.connected) refreshMe();
    },
    onRejected: (o, err) => {
      const what = o.type === 'message.send' ? 'Your text was not sent' : 'A change was refused';
      toast(`${what}: ${err && err.message ? err.message : 'refused by the relay'}`, 'error');
      refresh();
    },
    onAuthLost: () => {
      if (sync) { sync.stop(); sync = null; }
      set({ phase: 'login', loginError: 'Your session ended. Sign in again.' });
    },
  });
  sync.start();
}

// ---- rendering ------------------------------------------------------------------------------

const root = /** @type {HTMLElement} */ (document.getElementById('app'));
const els = {
  shell: /** @type {HTMLElement} */ (document.getElementById('shell')),
  login: /** @type {HTMLElement} */ (document.getElementById('login')),
  messages: /** @type {HTMLElement} */ (document.getElementById('messages')),
  customers: /** @type {HTMLElement} */ (document.getElementById('customers')),
  reminders: /** @type {HTMLElement} */ (document.getElementById('reminders')),
  registration: /** @type {HTMLElement} */ (document.getElementById('registration')),
};
shellView.bind(els.shell, actions);
loginView.bind(els.login, actions);
messagesView.bind(els.messages, actions);
customersView.bind(els.customers, actions);
remindersView.bind(els.reminders, actions);
registrationView.bind(els.registration, actions);

let scheduled = false;
let markedInteractive = false;
function paint() {
  scheduled = false;
  const s = store.getState();
  root.dataset.phase = s.phase;
  shellView.render(s, els.shell);
  els.login.hidden = !(s.phase === 'login' || s.phase === 'setup' || s.phase === 'loading' || s.phase === 'failed');
  if (!els.login.hidden) loginView.render(s, els.login);
  els.messages.hidden = !(s.phase === 'app' && s.view === 'messages');
  els.customers.hidden = !(s.phase === 'app' && s.view === 'customers');
  if (!els.messages.hidden) messagesView.render(s, els.messages);
  if (!els.customers.hidden || s.dialog) customersView.render(s, els.customers);
  els.reminders.hidden = !(s.phase === 'app' && s.view === 'reminders');
  els.registration.hidden = !(s.phase === 'app' && s.view === 'registration');
  if (!els.reminders.hidden) remindersView.render(s, els.reminders);
  if (!els.registration.hidden) registrationView.render(s, els.registration);
  if (!markedInteractive && (s.phase === 'app' || s.phase === 'login' || s.phase === 'setup')) {
    markedInteractive = true;
    performance.mark('ft-interactive', { detail: s.phase }); // scripts/bench-web reads it
  }
}
store.subscribe(() => {
  // Render synchronously (typing must not wait a frame for the composer's state), coalescing
  // bursts of dispatches from one task.
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(paint);
});
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && store.getState().unseen) {
    const s = store.getState();
    if (s.view === 'messages') { set({ unseen: 0 }); updateTitle(); }
  }
});

// ---- start ----------------------------------------------------------------------------------

async function main() {
  paint();
  const t0 = performance.now();
  performance.mark('ft-start');
  try {
    core = await loadCore();
    performance.mark('ft-core');
    storage = await openStorage(core, {
      onStatus: (st) => set({ storage: st }),
      deferLog: true,
      onWritable: () => {
        foldLog();
        toast('This tab now saves and sends (the other tab closed).', 'ok');
        if (sync) sync.kick();
      },
    });
    // The summary goes into storage before storage's own pagehide/hidden save runs.
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') writeSummary(); });
    window.addEventListener('pagehide', writeSummary);
    storage.installLifecycle();
    performance.mark('ft-storage');
    // Draw from the summary first; the log loads and folds right after.
    const m = Model.fromSummary(storage.readJson('summary.json', null));
    performance.mark('ft-model');
    set({ model: m, modelVersion: m.version, storage: storage.status(), outbox: storage.outbox.slice(), rejected: storage.rejected.slice() });
    const st = storage;
    logReady = st.loadLog().then(() => {
      foldLog();
      performance.mark('ft-folded'); // scripts/bench-web
      writeSummary();
    });
    logReady.catch((e) => set({ phase: 'failed', failure: `fieldtext could not read its saved conversations: ${e && e.message ? e.message : e}` }));
  } catch (e) {
    set({ phase: 'failed', failure: `This browser could not open fieldtext's local storage: ${/** @type {any} */ (e).message || e}` });
    return;
  }
  /** @type {any} */ (window).__ftReady = performance.now() - t0;

  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (url.pathname.replace(/\/+$/, '') === '/setup' && token) {
    set({ phase: 'setup' });
    return;
  }
  // Offline-first: draw at once for whoever was signed in on this computer; /api/me confirms (or
  // sends back to the sign-in form) a moment later.
  const cached = storage.readJson('session.json', null);
  if (cached && cached.user) {
    set({ me: cached.user, business: cached.business || {}, sandbox: !!cached.sandbox, balance: cached.balance ? cached.balance.segments : null, registration: cached.registration || null, phase: 'app' });
  }
  try {
    await enterApp();
  } catch (e) {
    set({ phase: 'login', loginError: e instanceof NetworkError ? 'The relay cannot be reached. Check the connection and try again.' : '' });
  }
}

/** For tests and the bench: the live objects. */
/** @type {any} */ (window).fieldtext = { store, actions, get storage() { return storage; }, get sync() { return sync; }, get core() { return core; } };

main();
