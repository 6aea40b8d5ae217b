// @ts-check
/**
 * The message center: conversations on the left ("All Texts", "My Texts", "Resolved"), the open
 * conversation on the right (latest message at the top, each with its delivery status), the
 * composer at the bottom with the cost line above the send button (Enter sends, Shift+Enter is a
 * new line), internal notes, claim / resolve / transfer, and in sandbox mode a panel to play the
 * customer. Threads cannot be deleted: there is no delete here. "On the way" opens a small form
 * that renders the business's on-the-way template (core template.h, through core.js) for the
 * customer, the visit of the day and the arrival time, prices it, and sends it as message.send
 * kind "on_the_way" (relay/API.md: send window, consent, opt-out, balance).
 * Customer text is always set as text (dom.js h() appends strings as Text nodes).
 */
import { h, setText } from '../dom.js';
import { threadsIn, countIn, formatPhone, onTheWayTemplate, DEFAULT_ON_THE_WAY_TEMPLATE } from '../model.js';
import { loadCore } from '../core.js';
import { zoned } from '../format.js';
import '../components/cost-line.js';

/** @typedef {import('../app.js').State} State */

const LIST_MAX = 200;
/** @type {Map<string, string>} */
const drafts = new Map();
/** @type {'text'|'note'} */
let mode = 'text';

/** @type {any} */ let core = null;
loadCore().then((c) => {
  core = c;
  const ft = /** @type {any} */ (window).fieldtext;
  if (ft) ft.actions.touch();
}, () => {});

/**
 * The on-the-way form: open for one conversation; sentId: the message.send it queued (its outcome
 * is shown until the relay accepts it, then the form closes).
 */
const otw = { phone: '', open: false, sentId: '' };

/** @type {{day: Intl.DateTimeFormat, time: Intl.DateTimeFormat, from: number, to: number} | null} */
let clock = null;

/**
 * "3:05 PM" today, "Mar 4, 3:05 PM" before. The formats are made once (a toLocale*String call
 * builds a new formatter each time: most of the cost of drawing the list).
 * @param {number} t
 */
function when(t) {
  if (!t) return '';
  const now = Date.now();
  if (!clock || now < clock.from || now >= clock.to) {
    const midnight = new Date(now);
    midnight.setHours(0, 0, 0, 0);
    const from = midnight.getTime();
    midnight.setDate(midnight.getDate() + 1);
    clock = {
      time: clock ? clock.time : new Intl.DateTimeFormat([], { hour: 'numeric', minute: '2-digit' }),
      day: clock ? clock.day : new Intl.DateTimeFormat([], { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }),
      from, to: midnight.getTime(),
    };
  }
  return (t >= clock.from && t < clock.to ? clock.time : clock.day).format(t);
}

/** @param {State} s @param {string} id */
function userName(s, id) {
  if (!id) return '';
  if (s.me && s.me.id === id) return 'You';
  const u = s.users.find((x) => x.id === id);
  return u ? u.name || u.username : 'a colleague';
}

/** @param {HTMLElement} el */
function skeleton(el) {
  if (el.firstElementChild) return;
  el.append(
    h('div', { class: 'mc' },
      h('aside', { class: 'threads', 'aria-label': 'Conversations' },
        h('div', { class: 'folders', role: 'tablist', 'aria-label': 'Folders' },
          ...[['all', 'All Texts'], ['mine', 'My Texts'], ['resolved', 'Resolved']].map(([f, label]) =>
            h('button', { type: 'button', role: 'tab', class: 'folder', 'data-action': 'folder', 'data-folder': f, id: `folder-${f}` }, label))),
        h('form', { class: 'newtext', 'data-form': 'newtext' },
          h('input', { type: 'search', 'data-field': 'thread-search', placeholder: 'Search by name or number', 'aria-label': 'Search conversations' })),
        h('ul', { class: 'thread-list', 'data-part': 'list', 'aria-label': 'Conversations' })),
      h('section', { class: 'conv', 'aria-label': 'Conversation', 'data-part': 'conv' },
        h('header', { class: 'conv-head', 'data-part': 'head' }),
        h('ol', { class: 'msgs', 'data-part': 'msgs', 'aria-label': 'Messages, latest first', tabindex: 0 }),
        h('div', { class: 'otw-panel', 'data-part': 'otw', hidden: true }),
        h('div', { class: 'compose', 'data-part': 'compose' })),
      h('aside', { class: 'sandbox-panel', 'data-part': 'sandbox', 'aria-label': 'Sandbox: play the customer', hidden: true })));
}

/** @param {State} s @param {HTMLElement} el */
export function render(s, el) {
  skeleton(el);
  const me = s.me ? s.me.id : '';
  const q = (/** @type {string} */ p) => /** @type {HTMLElement} */ (el.querySelector(`[data-part="${p}"]`));

  // Folders
  for (const b of el.querySelectorAll('.folder')) {
    const f = /** @type {HTMLElement} */ (b).dataset.folder || '';
    b.setAttribute('aria-selected', String(f === s.folder));
    const n = f === 'resolved' ? '' : countIn(s.model, /** @type {any} */ (f), me);
    setText(b, `${f === 'all' ? 'All Texts' : f === 'mine' ? 'My Texts' : 'Resolved'}${n ? ` (${n})` : ''}`);
  }

  renderList(s, q('list'), me);
  renderConv(s, el, me);
  renderSandbox(s, q('sandbox'));
}

/** Bumped on each redraw of the list: rows still being added for an older one stop. */
let listJob = 0;

/** Runs fn when the page is idle (within 100 ms), or on a timer where there is no idle callback. @param {() => void} fn */
function later(fn) {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(fn, { timeout: 100 });
  else setTimeout(fn, 16);
}

/**
 * The conversation list: the rows that fill the screen (and down to where it is scrolled, and to
 * the focused row) are drawn at once; the rest of the LIST_MAX follow in idle time, so a big
 * store's first draw does not wait for rows nobody sees yet.
 * @param {State} s @param {HTMLElement} list @param {string} me
 */
function renderList(s, list, me) {
  const sig = JSON.stringify([s.modelVersion, s.folder, s.threadQuery, s.selected, s.outbox.length, s.users.length]);
  if (list.dataset.sig === sig) return;
  list.dataset.sig = sig;
  const job = ++listJob;
  const threads = threadsIn(s.model, s.folder, me, s.threadQuery);
  const shown = threads.length > LIST_MAX ? threads.slice(0, LIST_MAX) : threads;
  const focused = /** @type {HTMLElement | null} */ (document.activeElement);
  const refocus = focused && list.contains(focused) ? focused.dataset.phone : null;
  // Rows are at least ~48 px high: a screenful with room to spare. A redraw of a list scrolled down
  // draws down to where it was at once, so it keeps its place.
  const screen = typeof innerHeight === 'number' && innerHeight > 0 ? innerHeight : 1000;
  let first = Math.ceil(screen / 48) + 8;
  if (list.childElementCount > first) first = Math.max(first, Math.ceil((list.scrollTop + screen) / 48) + 8);
  if (refocus) first = Math.max(first, shown.findIndex((t) => t.phone === refocus) + 1);
  first = Math.min(first, shown.length);

  /** @param {import('../model.js').Thread} t */
  const row = (t) => {
    const last = t.items[t.items.length - 1] || t.summaryLast;
    const preview = last ? (last.kind === 'note' ? `Note: ${last.body}` : last.kind === 'out' ? `You: ${last.body}` : last.body) : '';
    const claimed = t.claimed_by ? userName(s, t.claimed_by) : '';
    return h('li', {},
      h('button', { type: 'button', class: `thread${t.phone === s.selected ? ' selected' : ''}${t.unread ? ' unread' : ''}`, 'data-action': 'open', 'data-phone': t.phone, 'aria-current': t.phone === s.selected ? 'true' : undefined },
        h('span', { class: 'row1' }, h('span', { class: 'name' }, s.model.displayName(t.phone)), h('span', { class: 'time' }, when(t.last_at))),
        h('span', { class: 'row2' }, h('span', { class: 'preview' }, preview.length > 90 ? preview.slice(0, 90) + '…' : preview),
          t.unread ? h('span', { class: 'badge', 'aria-label': `${t.unread} unread` }, String(t.unread)) : ''),
        claimed ? h('span', { class: 'claimed' }, `Claimed by ${claimed}`) : ''));
  };
  const more = () => (threads.length > LIST_MAX ? [h('li', { class: 'more muted' }, `Showing the ${LIST_MAX} most recent of ${threads.length}. Search to find others.`)] : []);

  /** @type {Node[]} */
  const rows = [];
  for (let i = 0; i < first; i++) rows.push(row(shown[i]));
  if (!shown.length) rows.push(h('li', { class: 'empty' }, s.folder === 'mine' ? 'No conversations claimed by you. Claim one from All Texts.' : s.folder === 'resolved' ? 'No resolved conversations.' : 'No conversations yet. Text a customer from the Customers page.'));
  if (first === shown.length) rows.push(...more());
  list.replaceChildren(...rows);
  if (refocus) /** @type {HTMLElement | null} */ (list.querySelector(`[data-phone="${CSS.escape(refocus)}"]`))?.focus();

  let next = first;
  const rest = () => {
    if (job !== listJob || !list.isConnected) return;
    /** @type {Node[]} */
    const batch = [];
    const end = Math.min(shown.length, next + 50);
    for (; next < end; next++) batch.push(row(shown[next]));
    if (next === shown.length) batch.push(...more());
    list.append(...batch);
    if (next < shown.length) later(rest);
  };
  if (next < shown.length) later(rest);
}

/** @param {State} s @param {string} phone */
function itemsOf(s, phone) {
  const t = s.model.threads.get(phone);
  /** @type {any[]} */
  const items = t ? t.items.slice() : [];
  const held = new Set(items.map((i) => i.id));
  for (const o of s.outbox) {
    if (held.has(o.id) || !o.body || o.body.phone !== phone) continue;
    if (o.type === 'message.send') items.push({ kind: 'out', id: o.id, body: o.body.body, at: o.at, actor: o.user_id, status: 'outbox', pending: true, send_kind: o.body.kind });
    if (o.type === 'note.added') items.push({ kind: 'note', id: o.id, body: o.body.text, at: o.at, actor: o.user_id, status: 'outbox', pending: true });
  }
  for (const r of s.rejected) {
    if (r.type === 'message.send' && r.body && r.body.phone === phone) items.push({ kind: 'out', id: r.id, body: r.body.body, at: r.at, actor: r.user_id, status: 'rejected', error: r.error && r.error.message, send_kind: r.body.kind });
  }
  items.sort((a, b) => b.at - a.at); // latest at the top
  return items;
}

/** @param {State} s @param {any} i */
function statusText(s, i) {
  switch (i.status) {
    case 'outbox': return s.sync.online && !s.sync.lastError ? 'Sending…' : 'Waiting for the connection (saved on this computer)';
    case 'accepted': return 'Sending…';
    case 'queued': case 'accepted_twilio': case 'sending': case 'sent': return 'Sent';
    case 'delivered': return 'Delivered';
    case 'read': return 'Read';
    case 'undelivered': return 'Not delivered';
    case 'failed': return `Failed${i.error ? ': ' + i.error : ''}`;
    case 'rejected': return `Not sent: ${i.error || 'refused'}`;
    case 'received': return 'Received';
    case 'note': return 'Internal note, not sent';
    default: return i.status;
  }
}

/** @param {State} s @param {HTMLElement} el @param {string} me */
function renderConv(s, el, me) {
  const head = /** @type {HTMLElement} */ (el.querySelector('[data-part="head"]'));
  const msgs = /** @type {HTMLElement} */ (el.querySelector('[data-part="msgs"]'));
  const compose = /** @type {HTMLElement} */ (el.querySelector('[data-part="compose"]'));
  const phone = s.selected;
  if (!phone) {
    const ob = /** @type {HTMLElement} */ (el.querySelector('[data-part="otw"]'));
    if (!ob.hidden) { ob.hidden = true; ob.replaceChildren(); ob.dataset.sig = ''; }
    if (head.dataset.sig !== 'none') {
      head.dataset.sig = 'none';
      head.replaceChildren(h('p', { class: 'muted' }, 'Choose a conversation on the left, or text a customer from the Customers page.'));
      msgs.replaceChildren();
      compose.replaceChildren();
      compose.dataset.phone = '';
    }
    return;
  }
  const t = s.model.threads.get(phone);
  const cust = s.model.customerByPhone(phone);
  const consent = s.model.consent.get(phone);
  const cstatus = consent ? consent.status : 'none';
  const writable = s.storage.writable;

  const hsig = JSON.stringify([phone, s.modelVersion, s.users.length, writable, cust && cust.name, cstatus, s.outbox.length]);
  if (head.dataset.sig !== hsig) {
    head.dataset.sig = hsig;
    const claimedBy = t && t.claimed_by;
    const others = s.users.filter((u) => u.id !== me);
    head.replaceChildren(
      h('div', { class: 'who' },
        h('h2', { 'data-testid': 'conv-name' }, s.model.displayName(phone)),
        h('span', { class: 'muted' }, cust && cust.name ? formatPhone(phone) : ''),
        h('span', { class: `consent-badge ${cstatus}`, 'data-testid': 'consent-badge' },
          cstatus === 'opted_in' ? 'Texting allowed' : cstatus === 'opted_out' ? 'Opted out (STOP)' : cstatus === 'partial' ? 'Opt-in not finished' : 'No texting consent'),
        t && t.resolved ? h('span', { class: 'state-badge' }, 'Resolved') : claimedBy ? h('span', { class: 'state-badge', 'data-testid': 'claimed-by' }, `Claimed by ${userName(s, claimedBy)}`) : ''),
      h('div', { class: 'thread-actions' },
        cust ? h('button', { type: 'button', class: 'secondary', 'data-action': 'customer', 'data-id': cust.id }, 'Customer details') : '',
        h('button', { type: 'button', class: 'secondary', 'data-action': 'otw-open', 'data-testid': 'otw-open', disabled: !writable, title: 'Text the customer that the technician is on the way' }, 'On the way'),
        h('button', { type: 'button', class: 'secondary', 'data-action': 'claim', disabled: !writable || claimedBy === me }, claimedBy === me ? 'Claimed by you' : 'Claim'),
        h('button', { type: 'button', class: 'secondary', 'data-action': 'resolve', disabled: !writable || !t || t.resolved }, t && t.resolved ? 'Resolved' : 'Resolve'),
        h('span', { class: 'transfer' },
          h('label', { class: 'sr-only', for: 'transfer-to' }, 'Transfer to'),
          h('select', { id: 'transfer-to', 'data-field': 'transfer-to', disabled: !writable || !others.length },
            h('option', { value: '' }, others.length ? 'Transfer to…' : 'No other staff'),
            ...others.map((u) => h('option', { value: u.id }, u.name || u.username))),
          h('button', { type: 'button', class: 'secondary', 'data-action': 'transfer', disabled: !writable || !others.length }, 'Transfer'))));
  }

  const msig = JSON.stringify([phone, s.modelVersion, s.outbox.map((o) => o.id), s.rejected.length, s.sync.online, !!s.sync.lastError, s.users.length]);
  if (msgs.dataset.sig !== msig) {
    msgs.dataset.sig = msig;
    const items = itemsOf(s, phone);
    msgs.replaceChildren(...(!items.length && s.model.partial ? [h('li', { class: 'empty muted' }, 'Loading the conversation…')] : items.length ? items.map((i) => h('li', { class: `msg ${i.kind}${i.pending ? ' pending' : ''} status-${i.status}`, 'data-id': i.id, 'data-kind': i.kind === 'out' ? i.send_kind || 'manual' : undefined },
      KIND_LABEL[i.send_kind] ? h('span', { class: `kind-tag ${i.send_kind}`, 'data-testid': 'msg-kind' }, KIND_LABEL[i.send_kind]) : '',
      h('div', { class: 'bubble', 'data-testid': 'msg-body' }, i.body),
      h('div', { class: 'meta' },
        h('span', {}, i.kind === 'in' ? s.model.displayName(phone) : i.kind === 'note' ? `Note by ${userName(s, i.actor) || 'staff'}` : userName(s, i.actor) || 'Staff'),
        ' · ', h('time', { datetime: new Date(i.at).toISOString() }, when(i.at)),
        ' · ', h('span', { class: 'status', 'data-testid': 'msg-status' }, statusText(s, i)),
        i.segments ? ` · ${i.segments} segment${i.segments === 1 ? '' : 's'}` : ''))) : [h('li', { class: 'empty muted' }, 'No messages yet.')]));
  }

  renderOtw(s, /** @type {HTMLElement} */ (el.querySelector('[data-part="otw"]')), phone, writable);

  if (compose.dataset.phone !== phone || compose.dataset.writable !== String(writable)) {
    if (compose.dataset.phone) {
      const ta = /** @type {HTMLTextAreaElement | null} */ (compose.querySelector('textarea'));
      if (ta) drafts.set(compose.dataset.phone, ta.value);
    }
    compose.dataset.phone = phone;
    compose.dataset.writable = String(writable);
    buildCompose(compose, s, phone, writable);
  }
  const line = /** @type {any} */ (compose.querySelector('ft-cost-line'));
  if (line && s.balance !== null && line.balance !== s.balance) line.balance = s.balance;
}

/** @param {HTMLElement} compose @param {State} s @param {string} phone @param {boolean} writable */
function buildCompose(compose, s, phone, writable) {
  const draft = drafts.get(phone) || '';
  const line = /** @type {any} */ (h('ft-cost-line', { 'data-testid': 'cost-line' }));
  const ta = /** @type {HTMLTextAreaElement} */ (h('textarea', {
    'data-field': 'compose', rows: 3, maxlength: 1600, 'aria-label': mode === 'note' ? 'Internal note' : `Message to ${s.model.displayName(phone)}`,
    placeholder: !writable ? 'Read-only tab: write from the other fieldtext tab.' : mode === 'note' ? 'Internal note for your team (never sent to the customer)' : 'Type a text. Enter sends, Shift+Enter starts a new line.',
    disabled: !writable,
  }));
  ta.value = draft;
  compose.replaceChildren(
    h('div', { class: 'mode', role: 'radiogroup', 'aria-label': 'Write' },
      h('label', {}, h('input', { type: 'radio', name: 'compose-mode', value: 'text', 'data-field': 'mode', checked: mode === 'text' }), ' Text message'),
      h('label', {}, h('input', { type: 'radio', name: 'compose-mode', value: 'note', 'data-field': 'mode', checked: mode === 'note' }), ' Internal note')),
    ta,
    h('div', { class: 'send-row' },
      h('div', { class: 'cost-slot', hidden: mode === 'note' }, line),
      h('p', { class: 'note-hint muted', hidden: mode !== 'note' }, 'Internal notes stay in this conversation for your team. They are never sent and cost nothing.'),
      h('button', { type: 'button', class: 'primary send', 'data-action': 'send', disabled: !writable }, mode === 'note' ? 'Add note' : 'Send')));
  if (s.balance !== null) line.balance = s.balance;
  line.text = draft;
  ta.setAttribute('aria-describedby', line.errorId || '');
}

// ---- "On the way" --------------------------------------------------------------------------

/** Outgoing kinds worth a tag on the bubble (manual texts have none). */
const KIND_LABEL = /** @type {Record<string, string>} */ ({ on_the_way: 'On the way', reminder: 'Reminder' });

/** "2025-03-10" in the zone. @param {number} t @param {string} tz */
function ymdIn(t, tz) {
  const p = Object.fromEntries(zoned(tz, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(t).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}
/** Days between two YYYY-MM-DD dates. @param {string} a @param {string} b */
const daysBetween = (a, b) => Math.round((Date.parse(`${b}T12:00:00Z`) - Date.parse(`${a}T12:00:00Z`)) / 86400000);

/** @param {string} name */
function splitName(name) {
  const parts = String(name || '').trim().split(/\s+/);
  return { first: parts[0] || '', last: parts.slice(1).join(' ') };
}

/**
 * Whether a visit (job.saved) has an occurrence on the date `today` (YYYY-MM-DD in its zone): its
 * start date, or for a repeating visit a weekly / same-day-monthly date of the series (skipped
 * dates excluded). A series by weekday of the month is not matched here: the form then asks for
 * the technician.
 * @param {any} j @param {string} today @param {string} startYmd
 */
function occursOn(j, today, startYmd) {
  if (Array.isArray(j.skip_dates) && j.skip_dates.includes(today)) return false;
  const r = j.recurrence;
  if (!r || typeof r !== 'object') return startYmd === today;
  if (today < startYmd) return false;
  if (typeof r.until === 'string' && today > r.until.slice(0, 10)) return false;
  const every = Number.isInteger(r.interval) && r.interval > 0 ? r.interval : 1;
  let n = -1;
  if (r.freq === 'weekly') {
    const d = daysBetween(startYmd, today);
    if (d % (7 * every) === 0) n = d / (7 * every);
  } else if (r.freq === 'monthly_date') {
    const months = (Number(today.slice(0, 4)) - Number(startYmd.slice(0, 4))) * 12 + Number(today.slice(5, 7)) - Number(startYmd.slice(5, 7));
    if (today.slice(8) === startYmd.slice(8) && months % every === 0) n = months / every;
  }
  return n >= 0 && !(Number.isInteger(r.count) && n >= r.count);
}

/**
 * The customer's visits today (in each visit's zone), earliest first.
 * @param {State} s @param {string} phone @returns {{job: any, tz: string, clock: string}[]}
 */
function visitsToday(s, phone) {
  const cust = s.model.customerByPhone(phone);
  const now = Date.now();
  /** @type {{job: any, tz: string, clock: string, min: number}[]} */
  const out = [];
  for (const j of s.model.jobs.values()) {
    if (j.deleted || j.canceled || !(j.phone === phone || (cust && j.customer_id === cust.id))) continue;
    const start = typeof j.start === 'number' ? j.start : Date.parse(j.start);
    if (!Number.isFinite(start)) continue;
    const tz = j.tz || (cust && cust.tz) || '';
    if (!occursOn(j, ymdIn(now, tz), ymdIn(start, tz))) continue;
    const hm = zoned(tz, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(start);
    out.push({ job: j, tz, clock: zoned(tz, { hour: 'numeric', minute: '2-digit' }).format(start), min: Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5)) });
  }
  return out.sort((a, b) => a.min - b.min);
}

/** "10:45 AM" from a time input's "10:45". @param {string} hm */
function clockLabel(hm) {
  const m = /^(\d{2}):(\d{2})/.exec(hm || '');
  if (!m) return '';
  const h = Number(m[1]);
  return `${h % 12 === 0 ? 12 : h % 12}:${m[2]} ${h < 12 ? 'AM' : 'PM'}`;
}

/** Now + 30 minutes, rounded up to 5, as "HH:MM" in the zone ('' = this computer's). @param {string} tz */
function defaultEta(tz) {
  const t = Math.ceil((Date.now() + 30 * 60000) / 300000) * 300000;
  return zoned(tz, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);
}

/**
 * The record the template renders against: the customer, the visit of the day (when chosen), the
 * technician and arrival time as entered, the business profile.
 * @param {State} s @param {string} phone @param {any} job @param {string} tech @param {string} eta "10:45 AM"
 */
function otwRecord(s, phone, job, tech, eta) {
  const cust = s.model.customerByPhone(phone);
  const n = splitName(cust ? cust.name : '');
  const biz = s.business || {};
  /** @type {Record<string, string>} */
  const jobRec = { eta };
  if (job) {
    const tz = job.tz || (cust && cust.tz) || '';
    const start = typeof job.start === 'number' ? job.start : Date.parse(job.start);
    const end = job.window_end ? Date.parse(job.window_end) : NaN;
    const clock = (/** @type {number} */ t) => (Number.isFinite(t) ? zoned(tz, { hour: 'numeric', minute: '2-digit' }).format(t) : '');
    jobRec.date = Number.isFinite(start) ? zoned(tz, { weekday: 'long', month: 'long', day: 'numeric' }).format(start) : '';
    jobRec.window_start = clock(start);
    jobRec.window_end = Number.isFinite(end) && end > start ? clock(end) : '';
    jobRec.type = job.job_type || '';
    jobRec.address = job.address || (cust && typeof cust.address === 'string' ? cust.address : '') || '';
    jobRec.gate_code = job.gate_code || '';
  } else if (cust && typeof cust.address === 'string') {
    jobRec.address = cust.address;
  }
  return {
    customer: { first_name: n.first, last_name: n.last, full_name: cust ? cust.name : '' },
    technician: { name: tech, first_name: splitName(tech).first },
    job: jobRec,
    company: { name: biz.name || '', phone: biz.phone || '' },
  };
}

/**
 * The on-the-way form under the conversation: built when opened (or when what it is made from
 * changes, keeping what was typed), its text re-rendered on each change, its outcome followed.
 * @param {State} s @param {HTMLElement} box @param {string} phone @param {boolean} writable
 */
function renderOtw(s, box, phone, writable) {
  if (!otw.open || otw.phone !== phone) {
    if (!box.hidden) { box.hidden = true; box.replaceChildren(); box.dataset.sig = ''; }
    return;
  }
  const visits = visitsToday(s, phone);
  const tpl = onTheWayTemplate(s.model, s.outbox);
  const cust = s.model.customerByPhone(phone);
  const sig = JSON.stringify([phone, writable, tpl ? tpl.event_id : '', visits.map((v) => [v.job.job_id, v.job.technician, v.clock]), !!core, s.business && s.business.name, s.business && s.business.phone, cust && cust.name]);
  if (box.dataset.sig !== sig) {
    /** @type {Record<string, string>} */
    const kept = {};
    for (const f of /** @type {NodeListOf<HTMLInputElement>} */ (box.querySelectorAll('[name]'))) kept[f.name] = f.value;
    box.dataset.sig = sig;
    box.dataset.writable = String(writable);
    box.hidden = false;
    const first = visits[0];
    const tz = first ? first.tz : (cust && cust.tz) || '';
    const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const tech = /** @type {HTMLInputElement} */ (h('input', { name: 'technician', 'data-field': 'otw-tech', maxlength: 200, autocomplete: 'off', value: first ? first.job.technician || '' : '', placeholder: 'e.g. Sam Carter' }));
    const eta = /** @type {HTMLInputElement} */ (h('input', { type: 'time', name: 'eta', 'data-field': 'otw-eta', step: 300, required: true, value: defaultEta(tz) }));
    const line = /** @type {any} */ (h('ft-cost-line', { 'data-testid': 'otw-cost' }));
    box.replaceChildren(h('form', { class: 'otw-form', 'data-form': 'otw', 'aria-labelledby': 'otw-form-title', novalidate: true },
      h('h3', { id: 'otw-form-title' }, `Technician on the way to ${s.model.displayName(phone)}`),
      h('div', { class: 'otw-fields' },
        visits.length ? h('label', {}, 'Visit today',
          h('select', { name: 'job_id', 'data-field': 'otw-job' },
            ...visits.map((v, i) => h('option', { value: v.job.job_id, selected: i === 0 }, `${v.clock} ${v.job.job_type || 'visit'}${v.job.technician ? ` · ${v.job.technician}` : ''}`)),
            h('option', { value: '' }, 'Not for a visit'))) : '',
        h('label', {}, 'Technician', tech),
        h('label', {}, 'Arrival time', eta, tz && tz !== localZone ? h('span', { class: 'hint' }, `Customer's time (${tz.replace(/_/g, ' ')})`) : '')),
      h('p', { class: 'hint' }, visits.length ? 'From today\'s visit; change what differs.' : 'No visit today for this customer: type the technician.'),
      h('p', { class: 'bubble otw-text', 'data-field': 'otw-text', 'data-testid': 'otw-text', 'aria-live': 'polite' }),
      h('ul', { class: 'warnings', 'data-field': 'otw-missing', 'data-testid': 'otw-missing' }),
      h('p', { class: 'field-error', 'data-field': 'otw-error', 'data-testid': 'otw-error', role: 'alert', hidden: true }),
      h('div', { class: 'send-row' },
        h('div', { class: 'cost-slot' }, line),
        h('span', { class: 'muted', role: 'status', 'data-field': 'otw-status', 'data-testid': 'otw-status' }),
        h('button', { type: 'button', class: 'secondary', 'data-action': 'otw-close' }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary', 'data-testid': 'otw-send', disabled: !writable }, 'Send'))));
    for (const [k, v] of Object.entries(kept)) {
      const f = /** @type {HTMLInputElement | null} */ (box.querySelector(`[name="${k}"]`));
      if (f && (f.tagName !== 'SELECT' || [...(/** @type {HTMLSelectElement} */ (/** @type {unknown} */ (f))).options].some((o) => o.value === v))) f.value = v;
    }
    updateOtwText(s, box, phone);
  }
  const line = /** @type {any} */ (box.querySelector('ft-cost-line'));
  if (line && s.balance !== null && line.balance !== s.balance) line.balance = s.balance;
  // The outcome of the send: in the outbox, refused by the relay (its reason), or accepted (closes).
  if (otw.sentId) {
    const err = /** @type {HTMLElement} */ (box.querySelector('[data-field="otw-error"]'));
    const status = box.querySelector('[data-field="otw-status"]');
    const refused = s.rejected.find((r) => r.id === otw.sentId);
    if (refused) {
      const msg = (refused.error && refused.error.message) || 'refused by the relay';
      setText(err, `Not sent: ${msg[0].toUpperCase()}${msg.slice(1)}${/[.!?]$/.test(msg) ? '' : '.'}`);
      err.hidden = false;
      setText(status, '');
      otw.sentId = '';
    } else if (s.outbox.some((o) => o.id === otw.sentId)) {
      setText(status, s.sync.online && !s.sync.lastError ? 'Sending…' : 'Waiting for the connection (saved on this computer)');
    } else if (s.model.messages.has(otw.sentId)) {
      otw.open = false;
      otw.sentId = '';
      box.hidden = true;
      box.replaceChildren();
      box.dataset.sig = '';
    }
  }
}

/**
 * Renders the on-the-way text for what the form holds, with the core; shows it, its cost and what
 * is missing, and says whether it can be sent.
 * @param {State} s @param {HTMLElement} box @param {string} phone
 * @returns {string} the text to send ('' when it cannot be)
 */
function updateOtwText(s, box, phone) {
  const q = (/** @type {string} */ n) => /** @type {HTMLInputElement | null} */ (box.querySelector(`[name="${n}"]`));
  const out = /** @type {HTMLElement} */ (box.querySelector('[data-field="otw-text"]'));
  const missing = /** @type {HTMLElement} */ (box.querySelector('[data-field="otw-missing"]'));
  const line = /** @type {any} */ (box.querySelector('ft-cost-line'));
  const send = /** @type {HTMLButtonElement} */ (box.querySelector('[data-testid="otw-send"]'));
  if (!core) { setText(out, 'Loading…'); send.disabled = true; return ''; }
  const jobSel = q('job_id');
  const job = jobSel && jobSel.value ? s.model.jobs.get(jobSel.value) : null;
  const tech = (q('technician')?.value || '').trim();
  const eta = clockLabel(q('eta')?.value || '');
  const tpl = onTheWayTemplate(s.model, s.outbox);
  const r = core.renderTemplate({ template: tpl && tpl.text.trim() ? tpl.text : DEFAULT_ON_THE_WAY_TEMPLATE, record: otwRecord(s, phone, job, tech, eta) });
  /** @type {Node[]} */
  const items = [];
  let text = '';
  if (r.ok === false && r.error && r.error.name !== 'FT_E_TPL_MISSING_VALUE') {
    setText(out, '—');
    items.push(h('li', { class: 'warn missing' }, `The on-the-way template has an error: ${r.error.message}. An admin fixes it on Templates & reminders.`));
  } else {
    setText(out, r.text || '');
    for (const m of r.missing || []) {
      const fix = m.code === 'job.eta' ? 'Enter the arrival time.' : m.code.startsWith('technician.') ? 'Enter the technician.'
        : m.code.startsWith('company.') ? 'An admin adds it to the business profile on the Registration page.'
          : m.code.startsWith('job.') ? (jobSel ? 'Choose today\'s visit.' : 'The customer has no visit today with it.') : 'The customer record has none.';
      items.push(h('li', { class: 'warn missing', 'data-code': m.code }, h('strong', {}, `Missing: ${m.label}. `), fix));
    }
    if (r.ok !== false) text = r.text || '';
  }
  missing.replaceChildren(...items);
  line.text = r.ok === false && r.error && r.error.name !== 'FT_E_TPL_MISSING_VALUE' ? '' : r.text || '';
  send.disabled = !text || box.dataset.writable === 'false';
  return text;
}

/** @param {State} s @param {HTMLElement} box */
function renderSandbox(s, box) {
  box.hidden = !s.sandbox;
  if (!s.sandbox) return;
  const sig = JSON.stringify([s.selected]);
  if (box.dataset.sig === sig) return;
  box.dataset.sig = sig;
  box.replaceChildren(h('form', { 'data-form': 'sandbox' },
    h('h2', {}, 'Play the customer'),
    h('p', { class: 'muted' }, 'Sandbox only: sends a text to your business number as if this customer wrote it.'),
    h('label', {}, 'From', h('input', { name: 'from', 'data-field': 'sandbox-from', value: s.selected ? formatPhone(s.selected) : '', required: true })),
    h('label', {}, 'Their text', h('textarea', { name: 'body', 'data-field': 'sandbox-body', rows: 3, required: true })),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'secondary', 'data-testid': 'sandbox-send' }, 'Send as the customer'),
      h('button', { type: 'button', class: 'link', 'data-action': 'sandbox-quick', 'data-body': 'STOP' }, 'Reply STOP'),
      h('button', { type: 'button', class: 'link', 'data-action': 'sandbox-quick', 'data-body': 'START' }, 'Reply START'))));
}

/** @param {HTMLElement} el @param {any} actions */
export function bind(el, actions) {
  const state = () => /** @type {State} */ (/** @type {any} */ (window).fieldtext.store.getState());
  const compose = () => /** @type {HTMLElement | null} */ (el.querySelector('[data-part="compose"]'));
  const current = () => (compose() || /** @type {any} */ ({ dataset: {} })).dataset.phone || '';

  async function submit() {
    const c = compose();
    const ta = /** @type {HTMLTextAreaElement | null} */ (c && c.querySelector('textarea'));
    const phone = current();
    if (!ta || !phone) return;
    const text = ta.value;
    const ok = mode === 'note' ? await actions.note(phone, text) : await actions.send(phone, text);
    if (ok) {
      if (ta.value === text) ta.value = '';
      drafts.delete(phone);
      const line = /** @type {any} */ (c && c.querySelector('ft-cost-line'));
      if (line) line.text = ta.value;
      ta.focus();
    }
  }

  el.addEventListener('click', (ev) => {
    const t = /** @type {HTMLElement} */ (ev.target).closest('[data-action]');
    if (!t || !el.contains(t)) return;
    const a = /** @type {HTMLElement} */ (t).dataset;
    const phone = current();
    switch (a.action) {
      case 'folder': actions.folder(a.folder); break;
      case 'open':
        actions.open(a.phone);
        queueMicrotask(() => queueMicrotask(() => /** @type {HTMLElement | null} */ (el.querySelector('[data-field="compose"]'))?.focus()));
        break;
      case 'send': submit(); break;
      case 'claim': actions.claim(phone); break;
      case 'resolve': actions.resolve(phone); break;
      case 'transfer': {
        const sel = /** @type {HTMLSelectElement | null} */ (el.querySelector('[data-field="transfer-to"]'));
        if (sel && sel.value) actions.transfer(phone, sel.value);
        break;
      }
      case 'customer': actions.customer(a.id); break;
      case 'otw-open':
        otw.phone = phone; otw.open = true; otw.sentId = '';
        actions.touch();
        queueMicrotask(() => queueMicrotask(() => /** @type {HTMLElement | null} */ (el.querySelector('[data-form="otw"] [name="technician"]'))?.focus()));
        break;
      case 'otw-close': otw.open = false; otw.sentId = ''; actions.touch(); break;
      case 'sandbox-quick': {
        const from = /** @type {HTMLInputElement | null} */ (el.querySelector('[data-field="sandbox-from"]'));
        const e164 = actions.normalizePhone(from ? from.value : '');
        if (e164) actions.sandboxInbound(e164, a.body);
        break;
      }
      default: break;
    }
  });

  el.addEventListener('keydown', (ev) => {
    const t = /** @type {HTMLElement} */ (ev.target);
    if (t.dataset.field === 'compose' && ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && !ev.altKey && !ev.ctrlKey && !ev.metaKey) {
      ev.preventDefault();
      submit();
      return;
    }
    // Arrow keys move between conversations in the list.
    if ((ev.key === 'ArrowDown' || ev.key === 'ArrowUp') && t.classList.contains('thread')) {
      ev.preventDefault();
      const all = /** @type {HTMLElement[]} */ ([...el.querySelectorAll('.thread-list .thread')]);
      const i = all.indexOf(t);
      const next = all[i + (ev.key === 'ArrowDown' ? 1 : -1)];
      if (next) next.focus();
    }
    // Arrow keys move between folder tabs.
    if ((ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') && t.classList.contains('folder')) {
      const all = /** @type {HTMLElement[]} */ ([...el.querySelectorAll('.folder')]);
      const next = all[(all.indexOf(t) + (ev.key === 'ArrowRight' ? 1 : all.length - 1)) % all.length];
      next.focus();
      next.click();
    }
  });

  el.addEventListener('input', (ev) => {
    const t = /** @type {HTMLInputElement} */ (ev.target);
    const otwBox = /** @type {HTMLElement | null} */ (t.closest('[data-part="otw"]'));
    if (otwBox) {
      updateOtwText(state(), otwBox, current());
    } else if (t.dataset.field === 'compose') {
      const line = /** @type {any} */ (compose()?.querySelector('ft-cost-line'));
      if (line) line.text = t.value;
    } else if (t.dataset.field === 'thread-search') {
      actions.searchThreads(t.value);
    }
  });

  el.addEventListener('change', (ev) => {
    const t = /** @type {HTMLInputElement} */ (ev.target);
    const otwBox = /** @type {HTMLElement | null} */ (t.closest('[data-part="otw"]'));
    if (otwBox) {
      // A visit chosen: its technician (what was typed for another visit is replaced).
      const job = t.dataset.field === 'otw-job' && t.value ? state().model.jobs.get(t.value) : null;
      const tech = /** @type {HTMLInputElement | null} */ (otwBox.querySelector('[name="technician"]'));
      if (job && tech && job.technician) tech.value = job.technician;
      updateOtwText(state(), otwBox, current());
      return;
    }
    if (t.dataset.field === 'mode') {
      mode = t.value === 'note' ? 'note' : 'text';
      const c = compose();
      if (c) {
        const ta = /** @type {HTMLTextAreaElement | null} */ (c.querySelector('textarea'));
        if (ta) drafts.set(c.dataset.phone || '', ta.value);
        c.dataset.phone = ''; // rebuild on the next render
        actions.touch();
      }
    }
  });

  el.addEventListener('ft-apply-suggestion', (ev) => {
    const ta = /** @type {HTMLTextAreaElement | null} */ (compose()?.querySelector('textarea'));
    const line = /** @type {any} */ (compose()?.querySelector('ft-cost-line'));
    if (ta) { ta.value = /** @type {CustomEvent} */ (ev).detail.text; if (line) line.text = ta.value; ta.focus(); }
  });

  el.addEventListener('submit', async (ev) => {
    const form = /** @type {HTMLFormElement} */ (ev.target);
    ev.preventDefault();
    if (form.dataset.form === 'otw') {
      const box = /** @type {HTMLElement} */ (form.closest('[data-part="otw"]'));
      const phone = current();
      const text = updateOtwText(state(), box, phone);
      if (!text || !phone) return;
      const jobSel = /** @type {HTMLSelectElement | null} */ (form.querySelector('[name="job_id"]'));
      const err = /** @type {HTMLElement} */ (form.querySelector('[data-field="otw-error"]'));
      err.hidden = true;
      const id = await actions.sendOnTheWay(phone, text, jobSel ? jobSel.value : '');
      if (id) {
        otw.sentId = id;
        setText(form.querySelector('[data-field="otw-status"]'), 'Sending…');
        actions.touch();
      }
    } else if (form.dataset.form === 'sandbox') {
      const d = new FormData(form);
      const from = actions.normalizePhone(String(d.get('from') || ''));
      const body = String(d.get('body') || '');
      if (!from || !body) return;
      if (await actions.sandboxInbound(from, body)) {
        const ta = /** @type {HTMLTextAreaElement | null} */ (form.querySelector('textarea'));
        if (ta) ta.value = '';
      }
    } else if (form.dataset.form === 'newtext') {
      const input = /** @type {HTMLInputElement | null} */ (form.querySelector('input'));
      const e164 = actions.normalizePhone(input ? input.value : '');
      if (e164) actions.open(e164);
    }
  });
}
