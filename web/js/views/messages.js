// @ts-check
/**
 * The message center: conversations on the left ("All Texts", "My Texts", "Resolved"), the open
 * conversation on the right (latest message at the top, each with its delivery status), the
 * composer at the bottom with the cost line above the send button (Enter sends, Shift+Enter is a
 * new line), internal notes, claim / resolve / transfer, and in sandbox mode a panel to play the
 * customer. Threads cannot be deleted: there is no delete here.
 * Customer text is always set as text (dom.js h() appends strings as Text nodes).
 */
import { h, setText } from '../dom.js';
import { threadsIn, countIn, formatPhone } from '../model.js';
import '../components/cost-line.js';

/** @typedef {import('../app.js').State} State */

const LIST_MAX = 200;
/** @type {Map<string, string>} */
const drafts = new Map();
/** @type {'text'|'note'} */
let mode = 'text';

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
    if (o.type === 'message.send') items.push({ kind: 'out', id: o.id, body: o.body.body, at: o.at, actor: o.user_id, status: 'outbox', pending: true });
    if (o.type === 'note.added') items.push({ kind: 'note', id: o.id, body: o.body.text, at: o.at, actor: o.user_id, status: 'outbox', pending: true });
  }
  for (const r of s.rejected) {
    if (r.type === 'message.send' && r.body && r.body.phone === phone) items.push({ kind: 'out', id: r.id, body: r.body.body, at: r.at, actor: r.user_id, status: 'rejected', error: r.error && r.error.message });
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
    msgs.replaceChildren(...(!items.length && s.model.partial ? [h('li', { class: 'empty muted' }, 'Loading the conversation…')] : items.length ? items.map((i) => h('li', { class: `msg ${i.kind}${i.pending ? ' pending' : ''} status-${i.status}`, 'data-id': i.id },
      h('div', { class: 'bubble', 'data-testid': 'msg-body' }, i.body),
      h('div', { class: 'meta' },
        h('span', {}, i.kind === 'in' ? s.model.displayName(phone) : i.kind === 'note' ? `Note by ${userName(s, i.actor) || 'staff'}` : userName(s, i.actor) || 'Staff'),
        ' · ', h('time', { datetime: new Date(i.at).toISOString() }, when(i.at)),
        ' · ', h('span', { class: 'status', 'data-testid': 'msg-status' }, statusText(s, i)),
        i.segments ? ` · ${i.segments} segment${i.segments === 1 ? '' : 's'}` : ''))) : [h('li', { class: 'empty muted' }, 'No messages yet.')]));
  }

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
    if (t.dataset.field === 'compose') {
      const line = /** @type {any} */ (compose()?.querySelector('ft-cost-line'));
      if (line) line.text = t.value;
    } else if (t.dataset.field === 'thread-search') {
      actions.searchThreads(t.value);
    }
  });

  el.addEventListener('change', (ev) => {
    const t = /** @type {HTMLInputElement} */ (ev.target);
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
    if (form.dataset.form === 'sandbox') {
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
