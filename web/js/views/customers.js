// @ts-check
/**
 * Customers: list and search, add and edit (name, SMS number normalised as typed, type, class),
 * the opt-in flow (dialogs in shell.js), the consent history with its verification, and its
 * export (CSV / JSON). There is no delete.
 */
import { h } from '../dom.js';
import { formatPhone, verifyConsent } from '../model.js';

/** @typedef {import('../app.js').State} State */

const TYPES = ['Residential', 'Commercial'];
const CLASSES = ['Regular', 'Recurring service', 'One-time', 'VIP', 'Prospect'];

/** @param {State} s @param {string} id */
function staffName(s, id) {
  if (!id) return '';
  if (id === 'customer') return 'Customer (by text)';
  if (id === 'system' || id === 'twilio') return id;
  const u = s.users.find((x) => x.id === id) || (s.me && s.me.id === id ? s.me : null);
  return u ? `${u.name || u.username}` : id;
}

/** @param {State} s @param {string} phone */
function consentRows(s, phone) {
  const c = s.model.consent.get(phone);
  return c ? c.history : [];
}

const STEP_LABEL = /** @type {Record<string, string>} */ ({
  'consent.script_read': 'Consent script read',
  'consent.screen_acknowledged': 'Confirmation screen acknowledged',
  'consent.box_checked': 'Consent box checked',
  'consent.opted_out': 'Opted out',
  'consent.opted_in': 'Opted back in',
  'consent.optout_request': 'Asked to stop (words)',
  'consent.optout_confirmed': 'Opt-out confirmed',
});

/** @param {State} s @param {any[]} evs @param {(phone: string) => string} nameOf */
function exportRecords(s, evs, nameOf) {
  return evs.map((e) => ({
    seq: e.seq, event_id: e.id, at: new Date(e.at).toISOString(), step: e.type, customer: nameOf(e.body.phone),
    customer_id: e.body.customer_id || '', phone: e.body.phone, staff_id: e.actor, staff: staffName(s, e.actor),
    method: e.body.method || e.body.keyword || '', script_version: e.body.script_version || e.body.disclosure_version || '',
    text: e.body.script_text || e.body.disclosure_text || e.body.phrase || '',
  }));
}

/** @param {any[]} rows */
function toCsv(rows) {
  if (!rows.length) return '';
  const cols = Object.keys(rows[0]);
  const esc = (/** @type {any} */ v) => {
    let t = v === undefined || v === null ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(t)) t = "'" + t; // no formulas when opened in a spreadsheet
    return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => esc(r[c])).join(','))].join('\r\n') + '\r\n';
}

/** @param {State} s @param {HTMLElement} el */
export function render(s, el) {
  if (el.hidden) return;
  const sig = JSON.stringify([s.modelVersion, s.customerQuery, s.customerId, s.users.length, s.storage.writable, s.outbox.length]);
  if (el.dataset.sig === sig) return;
  el.dataset.sig = sig;
  const focusedField = /** @type {HTMLElement | null} */ (document.activeElement && el.contains(document.activeElement) ? document.activeElement : null);
  const focusKey = focusedField ? focusedField.dataset.field || '' : '';

  const needle = s.customerQuery.trim().toLowerCase();
  const digits = needle.replace(/\D/g, '');
  const all = [...s.model.customers.values()].sort((a, b) => a.name.localeCompare(b.name));
  const list = all.filter((c) => !needle || c.name.toLowerCase().includes(needle) || (digits && c.phone.includes(digits)));
  const sel = s.customerId && s.customerId !== 'new' ? s.model.customers.get(s.customerId) : null;

  const left = h('aside', { class: 'cust-list', 'aria-label': 'Customers' },
    h('div', { class: 'cust-tools' },
      h('input', { type: 'search', 'data-field': 'customer-search', placeholder: 'Search customers', 'aria-label': 'Search customers', value: s.customerQuery }),
      h('button', { type: 'button', class: 'primary', 'data-action': 'new-customer', disabled: !s.storage.writable }, 'Add customer')),
    h('ul', {}, ...list.slice(0, 500).map((c) => {
      const cs = s.model.consent.get(c.phone);
      const st = cs ? cs.status : 'none';
      return h('li', {}, h('button', { type: 'button', class: `cust${sel && sel.id === c.id ? ' selected' : ''}`, 'data-action': 'select-customer', 'data-id': c.id },
        h('span', { class: 'name' }, c.name || '(no name)'),
        h('span', { class: 'muted' }, formatPhone(c.phone)),
        h('span', { class: `consent-dot ${st}`, title: st }, st === 'opted_in' ? 'Texting allowed' : st === 'opted_out' ? 'Opted out' : 'No consent')));
    }), list.length ? '' : h('li', { class: 'empty muted' }, all.length ? 'No customer matches.' : 'No customers yet. Add one.')),
    h('div', { class: 'export-all' },
      h('span', { class: 'muted' }, 'All consent records: '),
      h('button', { type: 'button', class: 'link', 'data-action': 'export', 'data-format': 'csv', 'data-scope': 'all' }, 'CSV'),
      ' · ',
      h('button', { type: 'button', class: 'link', 'data-action': 'export', 'data-format': 'json', 'data-scope': 'all' }, 'JSON')));

  /** @type {Node} */
  let right;
  if (!s.customerId) {
    right = h('section', { class: 'cust-detail' }, h('p', { class: 'muted' }, 'Choose a customer, or add one.'));
  } else {
    const c = sel || { id: '', name: '', phone: '', type: 'Residential', class: 'Regular' };
    const cs = sel ? s.model.consent.get(sel.phone) : null;
    const st = cs ? cs.status : 'none';
    const ver = cs ? verifyConsent(cs) : null;
    const hist = sel ? consentRows(s, sel.phone) : [];
    right = h('section', { class: 'cust-detail', 'aria-labelledby': 'cust-title' },
      h('h2', { id: 'cust-title' }, sel ? c.name || formatPhone(c.phone) : 'New customer'),
      h('form', { class: 'cust-form', 'data-form': 'customer', 'data-id': c.id },
        h('label', {}, 'Name', h('input', { name: 'name', 'data-field': 'name', value: c.name, required: true, autocomplete: 'off' })),
        h('label', {}, 'SMS number',
          h('input', { name: 'phone', 'data-field': 'phone', value: c.phone ? formatPhone(c.phone) : '', required: true, inputmode: 'tel', autocomplete: 'off', 'aria-describedby': 'phone-hint' }),
          h('span', { id: 'phone-hint', class: 'hint', 'data-field': 'phone-hint', 'aria-live': 'polite' }, c.phone ? `Saved as ${c.phone}` : 'US or Canadian mobile number')),
        h('label', {}, 'Type', h('select', { name: 'type' }, ...TYPES.map((t) => h('option', { value: t, selected: c.type === t }, t)))),
        h('label', {}, 'Class', h('select', { name: 'class' }, ...[...new Set([...CLASSES, c.class].filter(Boolean))].map((t) => h('option', { value: t, selected: c.class === t }, t)))),
        h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'primary', disabled: !s.storage.writable }, sel ? 'Save changes' : 'Add customer'),
          sel ? h('button', { type: 'button', class: 'secondary', 'data-action': 'text', 'data-phone': sel.phone }, 'Open conversation') : '')),
      sel ? h('section', { class: 'consent', 'aria-labelledby': 'consent-title' },
        h('h3', { id: 'consent-title' }, 'Texting consent'),
        h('p', { class: `consent-state ${st}`, 'data-testid': 'consent-state' },
          st === 'opted_in' ? 'Texting allowed.' : st === 'opted_out' ? 'Opted out: the customer replied STOP. Texting is blocked until they text START.' : st === 'partial' ? 'The opt-in was started but not finished.' : 'No consent yet: texting is blocked.'),
        st !== 'opted_in' && st !== 'opted_out' ? h('button', { type: 'button', class: 'primary', 'data-action': 'start-optin', 'data-id': sel.id, disabled: !s.storage.writable }, 'Start the opt-in') : '',
        s.model.partial ? h('p', { class: 'muted' }, 'Loading the consent history…') : '',
        ver && !s.model.partial && st !== 'opted_out' ? h('p', { class: `verify ${ver.verified ? 'ok' : 'bad'}`, 'data-testid': 'consent-verification' },
          ver.verified ? '✓ Verified: script read, confirmation screen acknowledged and consent box checked, in that order, each by a signed-in staff member.' : `Not verified: ${ver.problems.join(' ')}`) : '',
        hist.length ? h('table', { class: 'history', 'data-testid': 'consent-history' },
          h('caption', {}, 'Consent history (kept permanently)'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'Step'), h('th', { scope: 'col' }, 'By'), h('th', { scope: 'col' }, 'Details'))),
          h('tbody', {}, ...hist.map((e) => h('tr', {},
            h('td', {}, new Date(e.at).toLocaleString()),
            h('td', {}, STEP_LABEL[e.type] || e.type),
            h('td', {}, staffName(s, e.actor)),
            h('td', {}, e.body.method || e.body.keyword || e.body.phrase || (e.body.script_version ? `script ${e.body.script_version}` : e.body.disclosure_version ? `disclosure ${e.body.disclosure_version}` : '')))))) : s.model.partial ? '' : h('p', { class: 'muted' }, 'No consent steps recorded.'),
        hist.length ? h('p', { class: 'exports' }, 'Export, verified by the relay (its audit chain): ',
          h('a', { href: `/api/customers/consent?phone=${encodeURIComponent(sel.phone)}&format=csv`, download: `consent-${sel.phone.replace(/\D/g, '')}.csv` }, 'CSV'), ' · ',
          h('a', { href: `/api/customers/consent?phone=${encodeURIComponent(sel.phone)}&format=json`, download: `consent-${sel.phone.replace(/\D/g, '')}.json` }, 'JSON'),
          h('br', {}), 'Offline copy from this computer: ',
          h('button', { type: 'button', class: 'link', 'data-action': 'export', 'data-format': 'csv', 'data-scope': sel.phone }, 'CSV'), ' · ',
          h('button', { type: 'button', class: 'link', 'data-action': 'export', 'data-format': 'json', 'data-scope': sel.phone }, 'JSON')) : '') : '');
  }
  el.replaceChildren(h('div', { class: 'customers' }, left, right));
  if (focusKey) /** @type {HTMLElement | null} */ (el.querySelector(`[data-field="${focusKey}"]`))?.focus();
}

/** @param {HTMLElement} el @param {any} actions */
export function bind(el, actions) {
  const state = () => /** @type {State} */ ((/** @type {any} */ (window)).fieldtext.store.getState());
  el.addEventListener('click', (ev) => {
    const t = /** @type {HTMLElement} */ (ev.target).closest('[data-action]');
    if (!t || !el.contains(t)) return;
    const a = /** @type {HTMLElement} */ (t).dataset;
    switch (a.action) {
      case 'new-customer': actions.customer('new'); break;
      case 'select-customer': actions.customer(a.id); break;
      case 'start-optin': actions.startOptIn(a.id); break;
      case 'text': actions.open(a.phone); break;
      case 'export': {
        const s = state();
        const nameOf = (/** @type {string} */ p) => { const c = s.model.customerByPhone(p); return c ? c.name : ''; };
        /** @type {any[]} */
        let evs = [];
        if (a.scope === 'all') for (const c of s.model.consent.values()) evs.push(...c.history);
        else evs = consentRows(s, a.scope || '');
        evs.sort((x, y) => x.seq - y.seq);
        const rows = exportRecords(s, evs, nameOf);
        if (a.scope !== 'all') {
          const c = s.model.consent.get(a.scope || '');
          const v = c ? verifyConsent(c) : { verified: false, problems: [] };
          for (const r of rows) r.verified = v.verified;
        }
        const base = `consent-${a.scope === 'all' ? 'all' : (a.scope || '').replace(/\D/g, '')}-${new Date().toISOString().slice(0, 10)}`;
        if (a.format === 'json') actions.download(`${base}.json`, 'application/json', JSON.stringify({ exported_at: new Date().toISOString(), business: s.business && s.business.name, records: rows }, null, 2));
        else actions.download(`${base}.csv`, 'text/csv', toCsv(rows));
        break;
      }
      default: break;
    }
  });
  el.addEventListener('input', (ev) => {
    const t = /** @type {HTMLInputElement} */ (ev.target);
    if (t.dataset.field === 'customer-search') actions.searchCustomers(t.value);
    if (t.dataset.field === 'phone') {
      const r = actions.checkPhone(t.value);
      const hint = el.querySelector('[data-field="phone-hint"]');
      if (hint) {
        hint.textContent = !t.value.trim() ? 'US or Canadian mobile number'
          : r.e164 ? `✓ ${formatPhone(r.e164)} (saved as ${r.e164})${r.warning ? '. Note: ' + r.warning : ''}` : `Not a valid number yet: ${r.error}`;
      }
      t.setAttribute('aria-invalid', String(!!t.value.trim() && !r.e164));
    }
  });
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const form = /** @type {HTMLFormElement} */ (ev.target);
    if (form.dataset.form !== 'customer') return;
    const d = new FormData(form);
    const checked = actions.checkPhone(String(d.get('phone') || ''));
    const phone = checked.e164;
    const hint = form.querySelector('[data-field="phone-hint"]');
    if (!phone) {
      if (hint) hint.textContent = `Enter a valid SMS number, e.g. (512) 555-0123 (${checked.error}).`;
      /** @type {HTMLElement | null} */ (form.querySelector('[name="phone"]'))?.focus();
      return;
    }
    await actions.saveCustomer({
      customer_id: form.dataset.id || undefined,
      name: String(d.get('name') || '').trim(), phone, type: String(d.get('type') || ''), class: String(d.get('class') || ''),
    });
  });
}
