// @ts-check
/**
 * The frame around every screen: top bar (business, navigation, balance, user), the banners
 * (sandbox, read-only tab, offline, storage refused, registration), toasts and dialogs.
 * Parts are rebuilt only when what they show changed, so focus stays where the user put it.
 */
import { h } from '../dom.js';
import { formatCount } from '../format.js';
import { formatPhone, consentScript, disclosureText } from '../model.js';
import { workflowSvg } from './workflow.js';

/** @typedef {import('../app.js').State} State */

/**
 * @param {HTMLElement} el
 * @param {string} part
 * @param {string} sig
 * @param {() => Node[]} build
 */
function part(el, part, sig, build) {
  let box = /** @type {HTMLElement | null} */ (el.querySelector(`:scope > [data-part="${part}"]`));
  if (!box) {
    box = h('div', { 'data-part': part });
    el.append(box);
  }
  if (box.dataset.sig === sig) return box;
  box.dataset.sig = sig;
  box.replaceChildren(...build());
  return box;
}

/** @param {State} s @param {HTMLElement} el */
export function render(s, el) {
  const me = s.me;
  const inApp = s.phase === 'app';
  part(el, 'top', JSON.stringify([inApp, s.view, me && me.name, me && me.role, s.business && s.business.name, s.balance, s.sandbox, s.notifyPermission, s.unseen]), () => {
    if (!inApp) return [h('header', { class: 'topbar' }, h('span', { class: 'brand' }, 'fieldtext'), h('a', { class: 'toplink', href: '/estimator.html' }, 'Cost estimator'))];
    const tab = (/** @type {string} */ view, /** @type {string} */ label, /** @type {string} */ key) =>
      h('button', { type: 'button', class: 'navtab', 'data-action': 'go', 'data-view': view, 'aria-current': s.view === view ? 'page' : undefined, accesskey: key }, label);
    return [h('header', { class: 'topbar' },
      h('span', { class: 'brand' }, 'fieldtext'),
      h('span', { class: 'business' }, (s.business && s.business.name) || ''),
      h('nav', { class: 'nav', 'aria-label': 'Main' },
        tab('messages', s.unseen ? `Messages (${s.unseen} new)` : 'Messages', 'm'),
        tab('customers', 'Customers', 'c'),
        tab('reminders', 'Reminders', 'r'),
        me && me.role === 'admin' ? tab('registration', 'Registration', 'g') : '',
        h('a', { class: 'navtab', href: '/estimator.html', target: '_blank', rel: 'noopener' }, 'Cost estimator ↗')),
      h('span', { class: 'spacer' }),
      s.notifyPermission === 'default' ? h('button', { type: 'button', class: 'link', 'data-action': 'notify', title: 'Show a desktop notification when a customer texts' }, 'Notify me') : '',
      h('span', { class: 'balance', 'data-testid': 'balance', title: 'Prepaid texting balance' },
        s.balance === null ? 'Balance: —' : `${formatCount(s.balance)} segments left`),
      h('span', { class: 'user' }, me ? me.name || me.username : ''),
      h('button', { type: 'button', class: 'link', 'data-action': 'logout' }, 'Sign out'))];
  });

  const st = s.storage;
  const sy = s.sync;
  part(el, 'banners', JSON.stringify([inApp, s.sandbox, st.writable, st.error, sy.online, sy.connected, sy.lastError, s.registration && s.registration.status, s.rejected.length, s.outbox.length]), () => {
    /** @type {Node[]} */
    const out = [];
    if (!inApp) return out;
    if (s.sandbox) {
      out.push(h('div', { class: 'banner sandbox', role: 'status', 'data-testid': 'sandbox-banner' },
        h('strong', {}, 'Sandbox mode. '), 'Texts go to a pretend Twilio on this computer; no real phone receives them. Use "Play the customer" in a conversation to reply.'));
    }
    if (!st.writable) {
      out.push(h('div', { class: 'banner readonly', role: 'status', 'data-testid': 'readonly-banner' },
        h('strong', {}, 'Read-only. '), 'fieldtext is open in another tab of this browser, and only one tab saves and sends. Use that tab, or close it and this one takes over.'));
    }
    if (st.error) {
      out.push(h('div', { class: 'banner error', role: 'alert', 'data-testid': 'storage-error' },
        h('strong', {}, st.error.quota ? 'This computer refused to save (storage full or quota refused). ' : 'Saving on this computer failed. '),
        `Texts you send now are not safe if this tab closes before they go out. Free some disk space or allow storage for this site. (${st.error.name}: ${st.error.message})`));
    }
    if (!sy.online || (sy.lastError && !sy.connected)) {
      const waiting = s.outbox.length;
      out.push(h('div', { class: 'banner offline', role: 'status', 'data-testid': 'offline-banner' },
        h('strong', {}, 'Offline. '),
        waiting ? `${waiting} change${waiting === 1 ? '' : 's'} saved on this computer will be sent when the relay is reachable again. ` : 'Changes are saved on this computer and sent when the relay is reachable again. ',
        h('button', { type: 'button', class: 'link', 'data-action': 'retry' }, 'Try now')));
    }
    const reg = s.registration && s.registration.status;
    if (reg && reg !== 'approved') {
      const words = /** @type {Record<string, string>} */ ({
        not_started: 'not started', profile_saved: 'business profile saved, not submitted yet', submitting: 'being submitted',
        submitted: 'submitted, brand under review', brand_approved: 'brand approved', campaign_pending: 'campaign under review', failed: 'failed',
      });
      out.push(h('div', { class: 'banner info', role: 'status', 'data-testid': 'registration-banner' }, h('strong', {}, 'Texting registration (A2P 10DLC): '),
        `${words[reg] || reg}${s.registration.reason ? ` (${s.registration.reason})` : ''}. Carriers block business texts until the brand and campaign are approved${s.registration.required === false ? '; this relay sends anyway (testing)' : ''}.`));
    }
    for (const r of s.rejected) {
      out.push(h('div', { class: 'banner error', role: 'alert', 'data-testid': 'rejected' },
        h('strong', {}, r.type === 'message.send' ? `Not sent to ${formatPhone(r.body.phone)}: ` : 'Refused: '),
        (r.error && r.error.message) || 'refused by the relay', ' ',
        r.type === 'message.send' ? h('q', {}, r.body.body) : '', ' ',
        h('button', { type: 'button', class: 'link', 'data-action': 'dismiss-rejected', 'data-id': r.id }, 'Dismiss')));
    }
    return out;
  });

  part(el, 'toasts', JSON.stringify(s.toasts.map((t) => t.id)), () => [h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' },
    ...s.toasts.map((t) => h('div', { class: `toast ${t.kind}`, 'data-testid': 'toast' }, t.text)))]);

  renderDialog(s, el);
}

/** @param {State} s @param {HTMLElement} el */
function renderDialog(s, el) {
  const d = s.dialog;
  const sig = JSON.stringify(d);
  let dlg = /** @type {HTMLDialogElement | null} */ (el.querySelector(':scope > dialog'));
  if (!d) {
    if (dlg && dlg.open) dlg.close();
    if (dlg) dlg.dataset.sig = '';
    return;
  }
  if (!dlg) {
    dlg = /** @type {HTMLDialogElement} */ (h('dialog', { class: 'dialog', 'aria-labelledby': 'dlg-title' }));
    dlg.addEventListener('close', () => { if (dlg && dlg.dataset.sig) el.dispatchEvent(new CustomEvent('ft-dialog-closed', { bubbles: true })); });
    el.append(dlg);
  }
  if (dlg.dataset.sig === sig && dlg.open) return;
  dlg.dataset.sig = sig;
  dlg.replaceChildren(...dialogBody(s, d));
  if (!dlg.open) dlg.showModal();
  const first = /** @type {HTMLElement | null} */ (dlg.querySelector('[autofocus]') || dlg.querySelector('button, input, select, textarea'));
  if (first) first.focus();
}

/** @param {State} s @param {import('../app.js').Dialog} d @returns {Node[]} */
function dialogBody(s, d) {
  const company = (s.business && s.business.name) || 'your company';
  const close = (/** @type {string} */ label) => h('button', { type: 'button', class: 'secondary', 'data-action': 'close-dialog' }, label);
  if (d.kind === 'opted-out') {
    return [h('h2', { id: 'dlg-title' }, `${d.who} has opted out`),
      h('p', { 'data-testid': 'optout-prompt' }, `${d.who} (${formatPhone(d.phone)}) replied STOP${d.at ? ' on ' + new Date(d.at).toLocaleString() : ''}. Texting them is blocked and nothing was sent. They can text START to opt back in; until then, call them instead.`),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', 'data-action': 'close-dialog', autofocus: true }, 'OK'))];
  }
  if (d.kind === 'no-consent') {
    return [h('h2', { id: 'dlg-title' }, `No texting consent for ${d.who}`),
      h('p', { 'data-testid': 'noconsent-prompt' }, 'Texting is enabled only after the consent script is read, the confirmation screen is acknowledged and the consent box is checked. Nothing was sent.'),
      h('div', { class: 'actions' },
        d.customerId ? h('button', { type: 'button', class: 'primary', 'data-action': 'start-optin', 'data-id': d.customerId, autofocus: true }, 'Start the opt-in') : '',
        close('Cancel'))];
  }
  if (d.kind === 'optin') {
    const c = s.model.customers.get(d.customerId);
    const who = c ? c.name || formatPhone(c.phone) : '';
    const steps = h('ol', { class: 'steps', 'aria-label': 'Opt-in steps' },
      ...['Read the consent script', 'Confirmation screen', 'Consent box'].map((t, i) =>
        h('li', { class: i + 1 === d.step ? 'current' : i + 1 < d.step ? 'done' : '', 'aria-current': i + 1 === d.step ? 'step' : undefined }, t)));
    if (d.step === 1) {
      return [h('h2', { id: 'dlg-title' }, `Text-message opt-in for ${who}`), steps,
        h('p', {}, 'Read this to the customer, word for word:'),
        h('blockquote', { class: 'script', 'data-testid': 'consent-script' }, consentScript(company)),
        h('label', {}, 'How was it read? ',
          h('select', { name: 'method', 'data-field': 'method' },
            ...['phone call', 'in person', 'on site by technician'].map((m) => h('option', { value: m, selected: m === d.method }, m)))),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'primary', 'data-action': 'optin-read', 'data-id': d.customerId, autofocus: true }, 'I read the script and the customer said yes'),
          close('Cancel'))];
    }
    if (d.step === 2) {
      return [h('h2', { id: 'dlg-title' }, 'Opt-in confirmation'), steps,
        h('p', { class: 'disclosure', 'data-testid': 'disclosure' }, disclosureText(company)),
        h('figure', { class: 'workflow' }, workflowSvg(company), h('figcaption', {}, 'How a customer is opted in, texted, and opts out.')),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'primary', 'data-action': 'optin-ack', 'data-id': d.customerId, autofocus: true }, 'I have read and acknowledge this'),
          close('Cancel'))];
    }
    return [h('h2', { id: 'dlg-title' }, 'Consent'), steps,
      h('label', { class: 'consentbox' },
        h('input', { type: 'checkbox', 'data-field': 'consent-box', 'data-testid': 'consent-box', autofocus: true }),
        ` ${who} agreed to receive text messages from ${company} at ${c ? formatPhone(c.phone) : ''}.`),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-action': 'optin-box', 'data-id': d.customerId, disabled: true }, 'Enable texting'),
        close('Cancel'))];
  }
  return [h('p', {}, ''), close('Close')];
}

/** @param {HTMLElement} el @param {any} actions */
export function bind(el, actions) {
  el.addEventListener('click', (ev) => {
    const t = /** @type {HTMLElement} */ (ev.target).closest('[data-action]');
    if (!t || !el.contains(t)) return;
    const a = /** @type {HTMLElement} */ (t).dataset;
    switch (a.action) {
      case 'go': actions.go(a.view); break;
      case 'logout': actions.logout(); break;
      case 'notify': actions.askNotify(); break;
      case 'retry': actions.retryNow(); break;
      case 'dismiss-rejected': actions.dismissRejected(a.id); break;
      case 'close-dialog': actions.closeDialog(); break;
      case 'start-optin': actions.startOptIn(a.id); break;
      case 'optin-read': {
        const sel = /** @type {HTMLSelectElement | null} */ (el.querySelector('[data-field="method"]'));
        /** @type {HTMLButtonElement} */ (t).disabled = true;
        actions.optinScriptRead(a.id, sel ? sel.value : 'phone call');
        break;
      }
      case 'optin-ack': /** @type {HTMLButtonElement} */ (t).disabled = true; actions.optinAcknowledged(a.id); break;
      case 'optin-box': {
        const box = /** @type {HTMLInputElement | null} */ (el.querySelector('[data-field="consent-box"]'));
        if (box && box.checked) { /** @type {HTMLButtonElement} */ (t).disabled = true; actions.optinBoxChecked(a.id); }
        break;
      }
      default: break;
    }
  });
  el.addEventListener('change', (ev) => {
    const t = /** @type {HTMLInputElement} */ (ev.target);
    if (t.dataset.field === 'consent-box') {
      const btn = /** @type {HTMLButtonElement | null} */ (el.querySelector('[data-action="optin-box"]'));
      if (btn) btn.disabled = !t.checked;
    }
  });
  el.addEventListener('ft-dialog-closed', () => actions.closeDialog());
}
