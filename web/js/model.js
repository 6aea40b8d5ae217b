// @ts-check
/**
 * The page's view of the log: threads, customers and consent folded from events (relay/API.md
 * event types), plus the outbox shown on top as "waiting"/"sending". The relay's reducer is the
 * authority (it enforces the rules); this fold only decides what to show. When the core's reducer
 * (core/reducer.h) is exported to WASM, `Model.apply` can call it instead.
 */

// The texts and versions of core/include/fieldtext/consent.h (FT_CONSENT_SCRIPT_*,
// FT_CONSENT_DISCLOSURE_*): the relay records the core's text, so the page shows exactly it. A new
// wording there gets a new version; change both together.
export const CONSENT_SCRIPT_VERSION = 'script-v1';
export const DISCLOSURE_VERSION = 'disclosure-v1';

/** @param {string} company */
export function consentScript(company) {
  return `Would you like to receive text message reminders and updates about your appointments with ${company || '[Your Company Name]'}? Message and data rates may apply. You can opt out at any time by replying STOP.`;
}

/** @param {string} [_company] (the core's disclosure names no company) */
export function disclosureText(_company) {
  return 'Confirm before you check the consent box. You read the consent script to the customer word '
    + 'for word, and the customer said yes: they agree to receive recurring automated text messages '
    + 'about their appointments (reminders, technician arrival updates and service notices) at the '
    + 'number shown. They were told that message and data rates may apply, that message frequency '
    + 'varies, that they can reply HELP for help and opt out at any time by replying STOP, and that '
    + 'consent is not a condition of purchase. Example of the workflow: you read the script on the '
    + 'phone or at the door; the customer says yes; you acknowledge this screen and check the '
    + 'consent box; the customer then receives messages such as "A technician from [Your Company] '
    + 'will be arriving tomorrow between the hours of 8 AM and 5 PM. Please call [phone number] if '
    + 'needing to reschedule. Reply STOP to unsubscribe from these messages."';
}

/**
 * @typedef {{kind: 'in'|'out'|'note', id: string, message_id?: string, body: string, at: number, actor: string, status: string, segments?: number, error?: string, pending?: boolean, send_kind?: string}} Item
 * @typedef {{phone: string, items: Item[], last_at: number, last_in_at: number, claimed_by: string | null, resolved: boolean, unread: number, summaryLast?: {kind: string, body: string}}} Thread
 * @typedef {{id: string, name: string, phone: string, type: string, class: string, address?: string, tz?: string, state?: string, updated_at: number}} Customer
 * @typedef {{status: 'none'|'partial'|'opted_in'|'opted_out', steps: Record<string, any>, history: any[], opted_out_at?: number}} Consent
 * @typedef {{template_id: string, job_type: string, name: string, text: string, days_before: number | null, at: number, actor: string, event_id: string}} Template
 */

/**
 * The business's "technician on the way" text until an admin saves one (template.saved kind
 * "on_the_way", relay/API.md "Reminders and templates"). The core appends "Reply STOP to
 * unsubscribe." when a text has no opt-out words.
 */
export const DEFAULT_ON_THE_WAY_TEMPLATE = 'Hi {{customer.first_name|there}}, {{technician.first_name}} from {{company.name}} is on the way and should arrive around {{job.eta}}.';

/**
 * The on-the-way template in force for this browser: its own save not yet accepted by the relay
 * (the outbox), else the log's; null when none was saved (DEFAULT_ON_THE_WAY_TEMPLATE then).
 * @param {Model} model @param {any[]} outbox @returns {Template | null}
 */
export function onTheWayTemplate(model, outbox) {
  for (let i = outbox.length - 1; i >= 0; i--) {
    const o = outbox[i];
    if (o.type === 'template.saved' && o.body && o.body.kind === 'on_the_way') {
      return { template_id: o.body.template_id || '', job_type: '', name: o.body.name || '', text: o.body.text || '', days_before: null, at: o.at, actor: '', event_id: o.id };
    }
  }
  return model.onTheWay;
}

/** How many reminder log entries the page keeps in memory (the list shows the latest). */
const REMINDER_LOG_MAX = 1000;

/** How much of the last message the summary keeps: the list shows 90 characters (with "You: "). */
const SUMMARY_PREVIEW = 120;

/** @param {Model} m @param {any} sum */
function fromSummaryV2(m, sum) {
  const cu = sum.customers;
  for (let i = 0, n = cu.id.length; i < n; i++) {
    const id = cu.id[i];
    const phone = cu.phone[i];
    m.customers.set(id, { id, name: cu.name[i], phone, type: cu.type[i], class: cu.class[i], updated_at: cu.at[i] });
    if (phone) m.byPhone.set(phone, id);
  }
  const co = sum.consent;
  for (let i = 0, n = co.phone.length; i < n; i++) {
    m.consent.set(co.phone[i], { status: co.status[i], steps: {}, history: [], opted_out_at: co.outAt[i] || undefined });
  }
  const th = sum.threads;
  const { phone, last, lastIn, claimed, resolved, unread, kind, body } = th;
  for (let i = 0, n = phone.length; i < n; i++) {
    m.threads.set(phone[i], {
      phone: phone[i], items: [], last_at: last[i], last_in_at: lastIn[i], claimed_by: claimed[i] || null,
      resolved: resolved[i] === 1, unread: unread[i], summaryLast: kind[i] ? { kind: kind[i], body: body[i] } : undefined,
    });
  }
}

/** The first summary format: one array per row. @param {Model} m @param {any} sum */
function fromSummaryV1(m, sum) {
  for (const [id, name, phone, type, cls, at] of sum.customers) {
    m.customers.set(id, { id, name, phone, type, class: cls, updated_at: at });
    if (phone) m.byPhone.set(phone, id);
  }
  for (const [phone, status, outAt] of sum.consent) m.consent.set(phone, { status, steps: {}, history: [], opted_out_at: outAt || undefined });
  for (const [phone, lastAt, lastIn, claimed, resolved, unread, last] of sum.threads) {
    const t = m.thread(phone);
    Object.assign(t, { last_at: lastAt, last_in_at: lastIn, claimed_by: claimed, resolved: !!resolved, unread });
    if (last) t.summaryLast = { kind: last[0], body: last[1] };
  }
}

/**
 * How far along a message's status is, as core/src/reducer.c ranks it: Twilio's status callbacks
 * may arrive out of order, so a status never replaces one further along ("accepted" is the page's
 * own "the relay took it"; the outcomes, unknown statuses included, share the last rank).
 * @param {string | undefined} s
 */
function statusRank(s) {
  switch (s) {
    case undefined: case 'accepted': case 'queued': return 0;
    case 'scheduled': return 1;
    case 'sending': return 2;
    case 'sent': case 'receiving': return 3;
    default: return 4;
  }
}

export class Model {
  constructor() {
    /** @type {Map<string, Customer>} */ this.customers = new Map();
    /** @type {Map<string, string>} */ this.byPhone = new Map();
    /** @type {Map<string, Consent>} */ this.consent = new Map();
    /** @type {Map<string, Thread>} */ this.threads = new Map();
    /** @type {Map<string, Item>} */ this.messages = new Map();
    /** Reminder templates by job type (lower case: the relay matches job types case-insensitively). @type {Map<string, Template>} */
    this.templates = new Map();
    /** The business's on-the-way template (the latest template.saved of kind "on_the_way"), or null. @type {Template | null} */
    this.onTheWay = null;
    /** Jobs (visits) by job_id, the latest job.saved; `deleted` after job.deleted. @type {Map<string, any>} */
    this.jobs = new Map();
    /** What happened to reminders, oldest first: the relay's reminder sends and reminder.* events. @type {any[]} */
    this.reminderLog = [];
    this.version = 0;
    /** True while only the summary is loaded (threads without items, consent without history). */
    this.partial = false;
  }

  /**
   * What the first draw needs, small enough to load before the log (storage.js summary.json):
   * the thread list (newest activity first), customers, consent states. Stored column by column
   * (v2): one array per field parses into a few flat arrays (numbers unboxed) instead of one small
   * array per row, and fromSummary() builds each row with one object literal.
   * @param {number} cursor the last seq folded in
   */
  toSummary(cursor) {
    const list = [...this.threads.values()].sort((a, b) => b.last_at - a.last_at);
    const th = { phone: /** @type {string[]} */ ([]), last: /** @type {number[]} */ ([]), lastIn: /** @type {number[]} */ ([]),
      claimed: /** @type {string[]} */ ([]), resolved: /** @type {number[]} */ ([]), unread: /** @type {number[]} */ ([]),
      kind: /** @type {string[]} */ ([]), body: /** @type {string[]} */ ([]) };
    for (const t of list) {
      const last = t.items[t.items.length - 1] || t.summaryLast || null;
      th.phone.push(t.phone); th.last.push(t.last_at); th.lastIn.push(t.last_in_at); th.claimed.push(t.claimed_by || '');
      th.resolved.push(t.resolved ? 1 : 0); th.unread.push(t.unread);
      th.kind.push(last ? last.kind : ''); th.body.push(last ? String(last.body).slice(0, SUMMARY_PREVIEW) : '');
    }
    const cu = { id: /** @type {string[]} */ ([]), name: /** @type {string[]} */ ([]), phone: /** @type {string[]} */ ([]),
      type: /** @type {string[]} */ ([]), class: /** @type {string[]} */ ([]), at: /** @type {number[]} */ ([]) };
    for (const c of this.customers.values()) {
      cu.id.push(c.id); cu.name.push(c.name); cu.phone.push(c.phone); cu.type.push(c.type); cu.class.push(c.class); cu.at.push(c.updated_at);
    }
    const co = { phone: /** @type {string[]} */ ([]), status: /** @type {string[]} */ ([]), outAt: /** @type {number[]} */ ([]) };
    for (const [p, c] of this.consent) { co.phone.push(p); co.status.push(c.status); co.outAt.push(c.opted_out_at || 0); }
    return { v: 2, cursor, threads: th, customers: cu, consent: co };
  }

  /**
   * @param {any} sum a toSummary() result (v2; v1, rows as arrays, is still read)
   * @returns {Model} a partial model (an empty one when the summary is missing or unreadable)
   */
  static fromSummary(sum) {
    const m = new Model();
    m.partial = true;
    try {
      if (sum && sum.v === 2) fromSummaryV2(m, sum);
      else if (sum && sum.v === 1) fromSummaryV1(m, sum);
      else return m;
    } catch (e) {
      const empty = new Model(); // unreadable: draw nothing yet, the log (loaded next) fills it in
      empty.partial = true;
      return empty;
    }
    m.version = 1;
    return m;
  }

  /** @param {string} phone @returns {Thread} */
  thread(phone) {
    let t = this.threads.get(phone);
    if (!t) {
      t = { phone, items: [], last_at: 0, last_in_at: 0, claimed_by: null, resolved: false, unread: 0, summaryLast: undefined };
      this.threads.set(phone, t);
    }
    return t;
  }

  /** @param {string} phone @returns {Consent} */
  consentOf(phone) {
    let c = this.consent.get(phone);
    if (!c) {
      c = { status: 'none', steps: {}, history: [] };
      this.consent.set(phone, c);
    }
    return c;
  }

  /** @param {any[]} evs */
  applyAll(evs) {
    for (const ev of evs) this.apply(ev);
    this.version++;
  }

  /** @param {any} ev a log event */
  apply(ev) {
    const b = ev.body || {};
    const at = ev.at || 0;
    switch (ev.type) {
      case 'customer.saved': {
        const prev = this.customers.get(b.customer_id);
        if (prev && prev.phone && prev.phone !== b.phone && this.byPhone.get(prev.phone) === b.customer_id) this.byPhone.delete(prev.phone);
        this.customers.set(b.customer_id, { id: b.customer_id, name: b.name || '', phone: b.phone || '', type: b.type || '', class: b.class || '', address: b.address || '', tz: typeof b.tz === 'string' ? b.tz : '', state: typeof b.state === 'string' ? b.state : '', updated_at: at });
        if (b.phone) this.byPhone.set(b.phone, b.customer_id);
        break;
      }
      case 'consent.script_read':
      case 'consent.screen_acknowledged':
      case 'consent.box_checked': {
        const c = this.consentOf(b.phone);
        c.history.push(ev);
        const step = ev.type.slice(8);
        c.steps[step] = ev;
        if (c.steps.script_read && c.steps.screen_acknowledged && c.steps.box_checked) c.status = 'opted_in';
        else if (c.status !== 'opted_in') c.status = 'partial';
        break;
      }
      case 'consent.opted_out':
      case 'consent.optout_confirmed': {
        if (!b.phone) break;
        const c = this.consentOf(b.phone);
        c.history.push(ev);
        c.status = 'opted_out';
        c.steps = {};
        c.opted_out_at = at;
        break;
      }
      case 'consent.opted_in': {
        const c = this.consentOf(b.phone);
        c.history.push(ev);
        c.status = 'opted_in';
        c.steps = { opted_in: ev };
        break;
      }
      case 'consent.optout_request': {
        if (b.phone) this.consentOf(b.phone).history.push(ev);
        break;
      }
      case 'message.send': {
        const t = this.thread(b.phone);
        const mid = b.message_id || ev.id;
        /** @type {Item} */
        const item = { kind: 'out', id: ev.id, message_id: mid, body: b.body || '', at, actor: ev.actor, status: 'accepted', send_kind: typeof b.kind === 'string' ? b.kind : 'manual' };
        const prev = this.messages.get(mid);
        if (prev && prev.status !== 'accepted') item.status = prev.status; // a status seen first
        this.messages.set(mid, item);
        t.items.push(item);
        t.last_at = Math.max(t.last_at, at);
        if (b.kind === 'reminder' && b.job_id) this.pushReminder(ev);
        break;
      }
      case 'message.sent':
      case 'message.failed':
      case 'message.status': {
        const item = this.messages.get(b.message_id);
        if (!item) { this.messages.set(b.message_id, /** @type {any} */ ({ status: b.status || ev.type.slice(8) })); break; }
        if (ev.type === 'message.sent') { if (statusRank(item.status) < statusRank('sent')) item.status = 'sent'; item.segments = b.segments; }
        else if (ev.type === 'message.failed') { item.status = 'failed'; item.error = (b.error && (b.error.message || b.error.code)) || 'failed'; }
        else if (b.status && statusRank(b.status) >= statusRank(item.status)) item.status = b.status; // an overtaken callback is ignored
        break;
      }
      case 'message.received': {
        const t = this.thread(b.phone);
        t.items.push({ kind: 'in', id: ev.id, body: b.body || '', at, actor: 'customer', status: 'received', segments: b.segments });
        t.last_at = Math.max(t.last_at, at);
        t.last_in_at = at;
        t.unread++;
        if (t.resolved) { t.resolved = false; t.claimed_by = null; } // back to All
        break;
      }
      case 'note.added': {
        const t = this.thread(b.phone);
        t.items.push({ kind: 'note', id: ev.id, body: b.text || '', at, actor: ev.actor, status: 'note' });
        t.last_at = Math.max(t.last_at, at);
        break;
      }
      case 'thread.claimed': { const t = this.thread(b.phone); t.claimed_by = b.user_id || ev.actor; t.resolved = false; break; }
      case 'thread.transferred': { const t = this.thread(b.phone); t.claimed_by = b.to_user_id; t.resolved = false; break; }
      case 'thread.resolved': { const t = this.thread(b.phone); t.resolved = true; t.unread = 0; break; }
      case 'template.saved': {
        if (b.kind === 'on_the_way') {
          this.onTheWay = { template_id: b.template_id || '', job_type: '', name: b.name || '', text: b.text || '', days_before: null, at, actor: ev.actor, event_id: ev.id };
          break;
        }
        if (!b.job_type) break;
        const d = Number.isInteger(b.days_before) ? b.days_before : null;
        this.templates.set(String(b.job_type).toLowerCase(), { template_id: b.template_id || '', job_type: b.job_type, name: b.name || '', text: b.text || '', days_before: d, at, actor: ev.actor, event_id: ev.id });
        break;
      }
      case 'job.saved': if (b.job_id) this.jobs.set(b.job_id, { ...b, deleted: false, at }); break;
      case 'job.deleted': { const j = this.jobs.get(b.job_id); if (j) j.deleted = true; break; }
      case 'reminder.skipped':
      case 'reminder.canceled':
      case 'reminder.missed':
      case 'reminder.cancel_too_late':
        this.pushReminder(ev);
        break;
      default: break;
    }
  }

  /** @param {any} ev a reminder send or reminder.* event */
  pushReminder(ev) {
    this.reminderLog.push(ev);
    if (this.reminderLog.length > REMINDER_LOG_MAX * 2) this.reminderLog = this.reminderLog.slice(-REMINDER_LOG_MAX);
  }

  /** @param {string} phone */
  customerByPhone(phone) {
    const id = this.byPhone.get(phone);
    return id ? this.customers.get(id) : undefined;
  }

  /** @param {string} phone */
  displayName(phone) {
    const c = this.customerByPhone(phone);
    return c && c.name ? c.name : formatPhone(phone);
  }
}

/**
 * The threads of a folder, newest activity first.
 * @param {Model} m
 * @param {'all'|'mine'|'resolved'} folder
 * @param {string} me
 * @param {string} [q] search text
 */
export function threadsIn(m, folder, me, q) {
  /** @type {Thread[]} */
  const out = [];
  const needle = (q || '').trim().toLowerCase();
  const digits = needle.replace(/\D/g, '');
  for (const t of m.threads.values()) {
    if (folder === 'resolved' ? !t.resolved : t.resolved) continue;
    if (folder === 'mine' && t.claimed_by !== me) continue;
    if (needle) {
      const name = m.displayName(t.phone).toLowerCase();
      if (!name.includes(needle) && !(digits && t.phone.includes(digits))) continue;
    }
    out.push(t);
  }
  out.sort((a, b) => b.last_at - a.last_at);
  return out;
}

/**
 * How many threads a folder holds (no sort: the folder tabs' counts).
 * @param {Model} m @param {'all'|'mine'|'resolved'} folder @param {string} me
 */
export function countIn(m, folder, me) {
  let n = 0;
  for (const t of m.threads.values()) {
    if (folder === 'resolved' ? !t.resolved : t.resolved) continue;
    if (folder === 'mine' && t.claimed_by !== me) continue;
    n++;
  }
  return n;
}

/** +15125550123 → (512) 555-0123; anything else unchanged. @param {string} p */
export function formatPhone(p) {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(p || '');
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : p || '';
}

/**
 * NANP / E.164 normaliser used until the core exports one: returns E.164 or '' if not a number.
 * @param {string} raw
 */
export function normalizePhoneFallback(raw) {
  const s = String(raw || '').trim();
  const digits = s.replace(/\D/g, '');
  if (s.startsWith('+')) {
    if (digits.startsWith('1')) return digits.length === 11 && /^1[2-9]\d{2}[2-9]\d{6}$/.test(digits) ? '+' + digits : '';
    return digits.length >= 8 && digits.length <= 15 ? '+' + digits : '';
  }
  const d = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  return /^[2-9]\d{2}[2-9]\d{6}$/.test(d) ? '+1' + d : '';
}

/**
 * Checks an opt-in: the three steps, in order, for the same phone, each by a signed-in staff member.
 * @param {Consent} c
 * @returns {{verified: boolean, problems: string[]}}
 */
export function verifyConsent(c) {
  if (c.status === 'opted_out') return { verified: false, problems: ['The customer opted out.'] };
  if (c.steps.opted_in) return { verified: true, problems: [] }; // the customer texted START
  const s = c.steps;
  const problems = [];
  if (!s.script_read) problems.push('The consent script was not recorded as read.');
  if (!s.screen_acknowledged) problems.push('The confirmation screen was not acknowledged.');
  if (!s.box_checked) problems.push('The consent box was not checked.');
  if (s.script_read && s.screen_acknowledged && s.script_read.seq > s.screen_acknowledged.seq) problems.push('The screen was acknowledged before the script was read.');
  if (s.screen_acknowledged && s.box_checked && s.screen_acknowledged.seq > s.box_checked.seq) problems.push('The box was checked before the screen was acknowledged.');
  for (const k of ['script_read', 'screen_acknowledged', 'box_checked']) {
    if (s[k] && (!s[k].actor || s[k].actor === 'customer' || s[k].actor === 'system')) problems.push(`Step ${k} has no staff member.`);
  }
  return { verified: problems.length === 0, problems };
}
