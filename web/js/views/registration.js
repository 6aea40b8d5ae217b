// @ts-check
/**
 * Registration (A2P 10DLC): the business profile form, checked field by field by the core as it is
 * typed (registration.h through core.js: EIN / Canadian BN, address, URLs, phones, every error at
 * once), submitted to the relay (POST /api/registration), then the registration's progress
 * (GET /api/me, refreshed on each registration.* event) and the public policy page.
 *
 * The EIN / BN lives only in its input: it is read when the core checks the form and when the form
 * is sent, never put in the store, the draft, the event log, IndexedDB, localStorage or the URL,
 * and the input is cleared once the request was made. Other values are kept in memory (`draft`)
 * while the page is open so switching screens loses nothing.
 */
import { h, setText } from '../dom.js';
import { loadCore } from '../core.js';

/** @typedef {import('../app.js').State} State */

/** @type {any} */ let core = null;
/** @type {{region: string, country: string}[]} */ let regions = [];
loadCore().then((c) => {
  core = c;
  try { regions = c.timeZone({ list: true }).regions || []; } catch (e) { regions = []; }
  const ft = /** @type {any} */ (window).fieldtext;
  if (ft) ft.actions.touch();
}, () => {});

// Twilio's lists, as the core checks them (core/src/registration.c).
const BUSINESS_TYPES = ['Sole Proprietorship', 'Partnership', 'Limited Liability Corporation', 'Co-operative', 'Non-profit Corporation', 'Corporation'];
const INDUSTRIES = ['PROFESSIONAL_SERVICES', 'CONSTRUCTION', 'REAL_ESTATE', 'CONSUMER', 'RETAIL', 'AGRICULTURE', 'AUTOMOTIVE', 'BANKING',
  'EDUCATION', 'ELECTRONICS', 'ENERGY', 'ENGINEERING', 'FAST_MOVING_CONSUMER_GOODS', 'FINANCIAL', 'FINTECH', 'FOOD_AND_BEVERAGE', 'GOVERNMENT',
  'HEALTHCARE', 'HOSPITALITY', 'INSURANCE', 'JEWELRY', 'LEGAL', 'MANUFACTURING', 'MEDIA', 'NOT_FOR_PROFIT', 'OIL_AND_GAS', 'ONLINE',
  'RAW_MATERIALS', 'RELIGION', 'TECHNOLOGY', 'TELECOMMUNICATIONS', 'TRANSPORTATION', 'TRAVEL'];
const USE_CASES = [['CUSTOMER_CARE', 'Customer care (appointment reminders, on-the-way texts, replies)'], ['ACCOUNT_NOTIFICATION', 'Account notifications'], ['MIXED', 'Mixed (several kinds of messages)']];

const STEPS = /** @type {[string, string][]} */ ([
  ['profile_saved', 'Profile saved'],
  ['submitted', 'Sent to Twilio'],
  ['brand_approved', 'Brand approved'],
  ['campaign_pending', 'Campaign under review'],
  ['approved', 'Approved'],
]);
const RANK = /** @type {Record<string, number>} */ ({ not_started: -1, profile_saved: 0, submitting: 0.5, submitted: 1, brand_approved: 2, campaign_pending: 3, approved: 4 });
const WORDS = /** @type {Record<string, string>} */ ({
  not_started: 'Not started', profile_saved: 'Business profile saved', submitting: 'Submitting to Twilio…', submitted: 'Submitted: brand under review',
  brand_approved: 'Brand approved: campaign being submitted', campaign_pending: 'Campaign under review', approved: 'Approved: texting is enabled', failed: 'Failed',
});
export const IN_PROGRESS = ['submitting', 'submitted', 'brand_approved', 'campaign_pending'];

/** Field name → its label, in form order (the error summary follows it). */
const LABELS = /** @type {Record<string, string>} */ ({
  country: 'Country', legal_name: 'Legal business name', company_name: 'Name customers know', business_type: 'Business type', industry: 'Industry',
  tax_id: 'EIN', website: 'Website', street: 'Street address', city: 'City', region: 'State', postal_code: 'ZIP code',
  contact_first_name: 'First name', contact_last_name: 'Last name', contact_title: 'Title', contact_email: 'E-mail', contact_phone: 'Phone',
  business_phone: 'Business phone', sms_number: 'SMS number', policy_base_url: 'Public address of this relay', use_case: 'Use case',
  has_embedded_links: 'Links in messages', has_embedded_phone: 'Phone numbers in messages', policy_id: 'Policy page', privacy_url: 'Policy page', terms_url: 'Policy page',
});

/** What was typed (never the EIN / BN), kept while the page is open. @type {Record<string, string> | null} */
let draft = null;
/** Fields the user has been in: their errors show while typing. @type {Set<string>} */
const touched = new Set();
let showAll = false;
/** Fields Twilio's review refused (`failed_fields` of a failed registration): input name → message. @type {Map<string, string>} */
const review = new Map();
let reviewSig = '';
/** The last submission's outcome (no EIN / BN: the relay never echoes it); `pending`: the relay's
 * word on an edit kept as a pending change. @type {{warnings: any[], privacyUrl: string, optinUrl: string, pending?: {changed: string[], message: string} | null} | null} */
let outcome = null;

/** @param {State} s */
function initialDraft(s) {
  const b = s.business || {};
  const origin = /^https:\/\//i.test(b.policy_url || '') ? new URL(b.policy_url).origin : /^https:$/.test(location.protocol) ? location.origin : '';
  return {
    country: b.country === 'CA' ? 'CA' : 'US', legal_name: '', company_name: b.name || '', business_type: '', industry: b.industry || 'PROFESSIONAL_SERVICES',
    website: b.website || '', street: b.address || '', city: b.city || '', region: b.state || '', postal_code: b.zip || '',
    contact_first_name: '', contact_last_name: '', contact_title: '', contact_email: b.email || '', contact_phone: '', business_phone: b.phone || '',
    sms_number: b.sms_number || '', policy_base_url: origin, use_case: 'CUSTOMER_CARE', has_embedded_links: 'false', has_embedded_phone: 'false',
  };
}

/** @param {HTMLFormElement} form @returns {Record<string, string>} every value but the tax id */
function readDraft(form) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const f of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('input[name], select[name]'))) {
    if (f.name === 'tax_id') continue;
    out[f.name] = f.type === 'checkbox' ? String(f.checked) : f.value;
  }
  return out;
}

/**
 * The form as the core and the relay read it. The tax id goes in only when withTaxId (the check
 * and the one submit request).
 * @param {State} s @param {HTMLFormElement} form @param {boolean} forRelay
 */
function formObject(s, form, forRelay) {
  const d = readDraft(form);
  const tax = /** @type {HTMLInputElement} */ (form.querySelector('input[name="tax_id"]')).value.trim();
  /** @type {Record<string, any>} */
  const o = {};
  for (const [k, v] of Object.entries(d)) {
    if (k === 'has_embedded_links' || k === 'has_embedded_phone') o[k] = v === 'true';
    else if (v.trim() !== '') o[k] = v.trim();
  }
  if (d.country === 'CA') o.bn = tax; else o.ein = tax;
  const b = s.business || {};
  if (!forRelay) {
    // What the relay fills in itself (relay/registration.c), so the check does not ask for it.
    if (!o.policy_id) o.policy_id = b.policy_id || '00000000-0000-4000-8000-000000000000';
    if (!o.sms_number && b.sms_number) o.sms_number = b.sms_number;
    if (!o.policy_base_url && /^https:\/\//i.test(b.policy_url || '')) o.policy_base_url = new URL(b.policy_url).origin;
    o.mode = 'check';
  }
  return o;
}

/** Core field name → the input that holds it. @param {string} f */
const inputOf = (f) => (f === 'ein' || f === 'bn' ? 'tax_id' : f === 'policy_id' || f === 'privacy_url' || f === 'terms_url' ? 'policy_base_url' : f);

/**
 * The core's sentence, except where it names fields this form does not show (privacy_url,
 * terms_url, policy_id: the relay's policy page stands for them).
 * @param {string} input @param {{field: string, name: string, message: string}} e
 */
function friendly(input, e) {
  if (input === 'policy_base_url' && e.name === 'FT_E_REG_REQUIRED') return 'Give the public https address of this relay: carriers read your policy page there.';
  if (input === 'policy_base_url' && e.field !== 'policy_base_url') return 'The policy page address could not be made from this address: check it.';
  return e.message;
}

/**
 * Checks the form with the core. @param {State} s @param {HTMLFormElement} form
 * @returns {Map<string, string>} input name → message
 */
function check(s, form) {
  /** @type {Map<string, string>} */
  const errs = new Map();
  if (!core) return errs;
  const r = core.registration(formObject(s, form, false));
  for (const e of r.errors || []) {
    const k = inputOf(e.field);
    if (!errs.has(k)) errs.set(k, friendly(k, e));
  }
  if (r.ok === false && !(r.errors || []).length && r.error) errs.set('country', r.error.message);
  return errs;
}

/**
 * Shows the errors beside their fields: those of touched fields, or all of them after a submit.
 * @param {HTMLFormElement} form @param {Map<string, string>} errs
 */
function showErrors(form, errs) {
  for (const slot of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('[data-error-for]'))) {
    const name = slot.dataset.errorFor || '';
    const msg = errs.get(name) || review.get(name);
    const shown = !!msg && (showAll || touched.has(name) || (!errs.has(name) && review.has(name)));
    setText(slot, shown ? /** @type {string} */ (msg) : '');
    slot.hidden = !shown;
    const input = form.querySelector(`[name="${name}"]`);
    if (input) {
      if (shown) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }
  const summary = /** @type {HTMLElement} */ (form.querySelector('[data-field="reg-summary"]'));
  if (showAll && errs.size) {
    summary.hidden = false;
    summary.replaceChildren(
      h('strong', {}, `${errs.size === 1 ? '1 field needs' : `${errs.size} fields need`} attention:`), ' ',
      ...[...errs.keys()].flatMap((k, i) => [i ? ', ' : '', h('a', { href: `#reg-${k}`, 'data-action': 'focus-field', 'data-name': k }, labelFor(form, k))]));
  } else {
    summary.hidden = true;
    summary.replaceChildren();
  }
}

/** @param {HTMLFormElement} form @param {string} k */
function labelFor(form, k) {
  if (k === 'tax_id') return /** @type {HTMLSelectElement} */ (form.querySelector('[name="country"]')).value === 'CA' ? 'Business Number' : 'EIN';
  if (k === 'region') return /** @type {HTMLSelectElement} */ (form.querySelector('[name="country"]')).value === 'CA' ? 'Province' : 'State';
  if (k === 'postal_code') return /** @type {HTMLSelectElement} */ (form.querySelector('[name="country"]')).value === 'CA' ? 'Postal code' : 'ZIP code';
  return LABELS[k] || k;
}

/** @param {State} s @param {HTMLElement} el */
export function render(s, el) {
  if (el.hidden) return;
  if (!el.firstElementChild) {
    el.append(h('div', { class: 'page reg-page' },
      h('section', { class: 'panel reg-status-panel', 'aria-labelledby': 'reg-title' },
        h('h2', { id: 'reg-title' }, 'Texting registration (A2P 10DLC)'),
        h('p', { class: 'muted intro' }, 'US carriers block business texts until your brand and campaign are registered. Fill in the business profile once; fieldtext submits it to Twilio and follows the review.'),
        h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite', 'data-field': 'reg-live' }),
        h('div', { 'data-part': 'status', tabindex: '-1' })),
      h('section', { class: 'panel reg-form-panel', 'aria-labelledby': 'reg-form-title' },
        h('h2', { id: 'reg-form-title' }, 'Business profile'),
        h('div', { 'data-part': 'form' }))));
  }
  const reg = s.registration || { status: 'not_started' };
  const statusBox = /** @type {HTMLElement} */ (el.querySelector('[data-part="status"]'));
  const sig = JSON.stringify([reg, s.business && s.business.policy_id, outcome, s.regBusy]);
  if (statusBox.dataset.sig !== sig) {
    statusBox.dataset.sig = sig;
    statusBox.replaceChildren(...statusView(s, reg));
    setText(el.querySelector('[data-field="reg-live"]'), `Registration status: ${WORDS[String(reg.status)] || reg.status}${reg.reason ? `. ${reg.reason}` : ''}`);
  }
  const formBox = /** @type {HTMLElement} */ (el.querySelector('[data-part="form"]'));
  const admin = !!(s.me && s.me.role === 'admin');
  const fsig = JSON.stringify([admin, regions.length, !!core]);
  if (formBox.dataset.sig !== fsig) {
    formBox.dataset.sig = fsig;
    if (!admin) {
      formBox.replaceChildren(h('p', { class: 'muted' }, 'Only an admin can fill in and submit the registration.'));
    } else {
      if (!draft) draft = initialDraft(s);
      formBox.replaceChildren(formView(draft));
      const form = /** @type {HTMLFormElement} */ (formBox.querySelector('form'));
      showErrors(form, check(s, form));
    }
  }
  const form = /** @type {HTMLFormElement | null} */ (formBox.querySelector('form[data-form="registration"]'));
  const rsig = JSON.stringify(reg.status === 'failed' ? [reg.updated_at, reg.failed_fields] : []);
  if (rsig !== reviewSig) {
    reviewSig = rsig;
    review.clear();
    if (reg.status === 'failed' && Array.isArray(reg.failed_fields)) {
      for (const f of reg.failed_fields) review.set(inputOf(String(f)), "Twilio's review did not accept this value: check it and submit again.");
    }
    if (form) showErrors(form, check(s, form));
  }
  const btn = /** @type {HTMLButtonElement | null} */ (formBox.querySelector('button[type="submit"]'));
  if (btn) {
    // One brand and campaign per service: while one is under review or approved, saving keeps the
    // edit as a pending change and the registration in force stays (relay/API.md).
    const locked = IN_PROGRESS.includes(reg.status) || reg.status === 'approved';
    btn.disabled = !!s.regBusy;
    setText(btn, s.regBusy ? (locked ? 'Saving…' : 'Submitting…') : locked ? 'Save changes' : reg.status === 'failed' ? 'Submit again' : 'Submit registration');
    setText(formBox.querySelector('[data-field="reg-lock"]'), reg.status === 'approved' ? 'Your brand and campaign are approved. Saving an edit keeps it as a pending change: texting goes on under the registration in force, and nothing is sent to Twilio.'
      : locked ? 'Twilio is reviewing the submission. Saving an edit keeps it as a pending change; if the review fails, submit the form again.' : 'Every field is checked as you type; nothing is sent until you submit.');
  }
}

/** A changed field as the relay names it ("contact_email", "campaign.HelpMessage") in words. @param {string} c */
function labelOfChange(c) {
  if (c.startsWith('campaign.')) return `Campaign: ${c.slice(9).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`;
  if (c.startsWith('contact_') && LABELS[c]) return `Contact ${LABELS[c].toLowerCase()}`;
  return LABELS[c] || c.replace(/_/g, ' ');
}

/** @param {State} s @param {any} reg */
function statusView(s, reg) {
  const st = String(reg.status || 'not_started');
  const rank = RANK[st] ?? -1;
  const failed = st === 'failed';
  const fstep = String(reg.failed_step || '');
  const failedAt = !failed ? -1 : /campaign/.test(fstep) ? 3 : /brand/.test(fstep) ? 2 : 1;
  const next = failed || st === 'approved' ? -1 : STEPS.findIndex(([key]) => rank < RANK[key]);
  const pid = s.business && s.business.policy_id;
  /** @type {Node[]} */
  const out = [
    h('p', { class: `reg-status ${failed ? 'bad' : st === 'approved' ? 'ok' : 'info'}`, 'data-testid': 'reg-status', 'data-status': st },
      h('strong', {}, 'Status: '), WORDS[st] || st,
      failed && reg.reason ? h('span', { class: 'block', 'data-testid': 'reg-reason' }, `Why: ${reg.reason}`) : '',
      !failed && reg.reason ? h('span', { class: 'block hint' }, reg.reason) : '',
      failed ? h('span', { class: 'block' }, 'Check the profile below and submit it again.') : ''),
    h('ol', { class: 'reg-steps', 'aria-label': 'Registration steps' }, ...STEPS.map(([key, label], i) => {
      const done = failed ? i < failedAt : rank >= RANK[key];
      const cls = done ? 'done' : i === failedAt ? 'failed' : i === next ? 'current' : '';
      return h('li', { class: cls, 'aria-current': i === next || i === failedAt ? 'step' : undefined }, label, done ? h('span', { class: 'sr-only' }, ' (done)') : i === failedAt ? h('span', { class: 'sr-only' }, ' (failed)') : '');
    })),
  ];
  if (reg.brand_status || reg.campaign_status) {
    out.push(h('p', { class: 'hint' }, [reg.brand_status ? `Brand: ${reg.brand_status}` : '', reg.campaign_status ? `Campaign: ${reg.campaign_status}` : ''].filter(Boolean).join(' · ')));
  }
  if (reg.updated_at) out.push(h('p', { class: 'hint' }, `Last change: ${new Date(reg.updated_at).toLocaleString()}`));
  if (pid && st !== 'not_started') {
    out.push(h('p', { class: 'policy-links' },
      h('a', { href: `/policies?id=${encodeURIComponent(pid)}`, target: '_blank', rel: 'noopener', 'data-testid': 'policy-link' }, 'Your public policy page (privacy policy and terms) ↗'),
      ' · ',
      h('a', { href: '/policies?id=appoptin', target: '_blank', rel: 'noopener' }, 'Opt-in workflow page ↗')));
    if (outcome && outcome.privacyUrl) out.push(h('p', { class: 'hint' }, `Registered with Twilio as ${outcome.privacyUrl} (it must be reachable from the internet at that address).`));
  }
  const pending = reg.pending_change && Array.isArray(reg.pending_change.changed) && reg.pending_change.changed.length ? reg.pending_change : null;
  if (pending) {
    const msg = outcome && outcome.pending ? outcome.pending.message : '';
    out.push(h('div', { class: 'reg-pending', 'data-testid': 'reg-pending' },
      h('p', {}, h('strong', {}, 'Pending change: '), `saved ${pending.saved_at ? new Date(pending.saved_at).toLocaleString() : ''}, not sent to Twilio. `,
        msg || (st === 'approved' ? 'The registration in force stays; ask Twilio support to update the brand and campaign.' : 'If the review fails, submit the form again.')),
      h('ul', { class: 'hint', 'aria-label': 'Changed fields' }, ...pending.changed.map((/** @type {string} */ c) => h('li', {}, labelOfChange(c))))));
  }
  if (outcome && outcome.warnings.length) {
    out.push(h('ul', { class: 'warnings' }, ...outcome.warnings.map((w) => h('li', { class: 'warn' }, typeof w === 'string' ? w : w.message || JSON.stringify(w)))));
  }
  return out;
}

/**
 * @param {string} name @param {string} label @param {Node} control @param {string} [hint]
 * @param {{wide?: boolean}} [opt]
 */
function field(name, label, control, hint, opt = {}) {
  const c = /** @type {HTMLElement} */ (control);
  c.id = `reg-${name}`;
  c.setAttribute('aria-describedby', `${hint ? `reg-${name}-hint ` : ''}reg-${name}-err`);
  return h('div', { class: `field${opt.wide ? ' wide' : ''}` },
    h('label', { for: `reg-${name}`, 'data-label-for': name }, label),
    control,
    hint ? h('span', { class: 'hint', id: `reg-${name}-hint` }, hint) : '',
    h('span', { class: 'field-error', id: `reg-${name}-err`, 'data-error-for': name, 'aria-live': 'polite', hidden: true }));
}

/** @param {string} name @param {string} value @param {Record<string, any>} [attrs] */
const input = (name, value, attrs = {}) => {
  const el = /** @type {HTMLInputElement} */ (h('input', { name, autocomplete: 'off', ...attrs }));
  el.value = value || '';
  return el;
};
/** @param {string} name @param {string} value @param {[string, string][]} opts @param {string} [empty] */
const select = (name, value, opts, empty) => h('select', { name },
  ...(empty !== undefined ? [h('option', { value: '' }, empty)] : []),
  ...opts.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));

/** @param {string} country @param {string} value */
function regionOptions(country, value) {
  const list = regions.filter((r) => r.country === country).map((r) => r.region);
  if (value && !list.includes(value)) list.push(value);
  return /** @type {[string, string][]} */ (list.map((r) => [r, r]));
}

/** @param {Record<string, string>} d */
function formView(d) {
  const ca = d.country === 'CA';
  return h('form', { class: 'reg-form', 'data-form': 'registration', method: 'post', action: '/api/registration', novalidate: true, autocomplete: 'off' },
    h('div', { class: 'form-error', 'data-field': 'reg-summary', role: 'alert', tabindex: '-1', hidden: true }),
    h('fieldset', {},
      h('legend', {}, 'Business'),
      field('country', 'Country', select('country', d.country, [['US', 'United States'], ['CA', 'Canada']])),
      field('legal_name', 'Legal business name', input('legal_name', d.legal_name, { autocomplete: 'organization', maxlength: 255 }), 'Exactly as on your tax records.'),
      field('company_name', 'Name customers know (optional)', input('company_name', d.company_name, { maxlength: 255 }), 'Shown in texts and on the policy page.'),
      field('business_type', 'Business type', select('business_type', d.business_type, BUSINESS_TYPES.map((t) => [t, t]), 'Choose…')),
      field('industry', 'Industry', select('industry', d.industry, INDUSTRIES.map((t) => [t, t.replace(/_/g, ' ').toLowerCase().replace(/^./, (c) => c.toUpperCase())]))),
      field('tax_id', ca ? 'Business Number (BN)' : 'EIN (Employer Identification Number)',
        input('tax_id', '', { inputmode: ca ? 'text' : 'numeric', spellcheck: 'false', placeholder: ca ? '123456789 or 123456789RT0001' : 'NN-NNNNNNN', 'data-secret': '1' }),
        'Sent to Twilio once with this submission. fieldtext never stores it; type it again if you submit again.'),
      field('website', 'Website', input('website', d.website, { type: 'url', inputmode: 'url', placeholder: 'https://www.example.com' }), '', { wide: true })),
    h('fieldset', {},
      h('legend', {}, 'Address'),
      field('street', 'Street address', input('street', d.street, { autocomplete: 'street-address', maxlength: 255 }), '', { wide: true }),
      field('city', 'City', input('city', d.city, { autocomplete: 'address-level2', maxlength: 100 })),
      field('region', ca ? 'Province' : 'State', select('region', d.region, regionOptions(d.country, d.region), 'Choose…')),
      field('postal_code', ca ? 'Postal code' : 'ZIP code', input('postal_code', d.postal_code, { autocomplete: 'postal-code', maxlength: 10, placeholder: ca ? 'A1A 1A1' : '12345' }))),
    h('fieldset', {},
      h('legend', {}, 'Contact person (authorized representative)'),
      field('contact_first_name', 'First name', input('contact_first_name', d.contact_first_name, { autocomplete: 'given-name', maxlength: 100 })),
      field('contact_last_name', 'Last name', input('contact_last_name', d.contact_last_name, { autocomplete: 'family-name', maxlength: 100 })),
      field('contact_title', 'Title', input('contact_title', d.contact_title, { autocomplete: 'organization-title', maxlength: 100, placeholder: 'Owner' })),
      field('contact_email', 'E-mail', input('contact_email', d.contact_email, { type: 'email', autocomplete: 'email', inputmode: 'email' })),
      field('contact_phone', 'Phone', input('contact_phone', d.contact_phone, { type: 'tel', autocomplete: 'tel', inputmode: 'tel' })),
      field('business_phone', 'Business phone (optional)', input('business_phone', d.business_phone, { type: 'tel', inputmode: 'tel' }), 'The number customers call; default: the contact\'s.')),
    h('fieldset', {},
      h('legend', {}, 'Texting'),
      field('sms_number', 'SMS number', input('sms_number', d.sms_number, { type: 'tel', inputmode: 'tel' }), 'Your Twilio number that sends the texts.'),
      field('policy_base_url', 'Public address of this relay', input('policy_base_url', d.policy_base_url, { type: 'url', inputmode: 'url', placeholder: 'https://texts.example.com' }),
        'https; your policy page is published there for the carriers to check.'),
      field('use_case', 'Use case', select('use_case', d.use_case, /** @type {[string, string][]} */ (USE_CASES)), '', { wide: true }),
      h('div', { class: 'field wide checks' },
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'has_embedded_links', checked: d.has_embedded_links === 'true' }), ' Our texts contain links'),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'has_embedded_phone', checked: d.has_embedded_phone === 'true' }), ' Our texts contain phone numbers'),
        h('span', { class: 'field-error', 'data-error-for': 'has_embedded_links', 'aria-live': 'polite', hidden: true }))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'reg-submit' }, 'Submit registration'),
      h('span', { class: 'hint', 'data-field': 'reg-lock' }, 'Every field is checked as you type; nothing is sent until you submit.')));
}

/** @param {HTMLElement} el @param {any} actions */
export function bind(el, actions) {
  const state = () => /** @type {State} */ (/** @type {any} */ (window).fieldtext.store.getState());
  const formEl = () => /** @type {HTMLFormElement | null} */ (el.querySelector('form[data-form="registration"]'));

  /** @param {Event} ev */
  function onEdit(ev) {
    const t = /** @type {HTMLInputElement} */ (ev.target);
    const form = formEl();
    if (!form || !form.contains(t) || !t.name) return;
    touched.add(t.name);
    review.delete(t.name);
    draft = readDraft(form);
    if (t.name === 'country' && ev.type === 'change') {
      // Labels, the tax id and the region list follow the country.
      const parent = /** @type {HTMLElement} */ (form.parentElement);
      const keepAll = showAll;
      parent.replaceChildren(formView(draft));
      showAll = keepAll;
      /** @type {HTMLElement | null} */ (parent.querySelector('[name="country"]'))?.focus();
    }
    const f = formEl();
    if (f) showErrors(f, check(state(), f));
  }
  el.addEventListener('input', onEdit);
  el.addEventListener('change', onEdit);
  el.addEventListener('focusout', (ev) => {
    const t = /** @type {HTMLInputElement} */ (ev.target);
    const form = formEl();
    if (!form || !t.name || !form.contains(t)) return;
    if (t.value) touched.add(t.name);
    showErrors(form, check(state(), form));
  });
  el.addEventListener('click', (ev) => {
    const a = /** @type {HTMLElement} */ (ev.target).closest('[data-action="focus-field"]');
    if (!a) return;
    ev.preventDefault();
    /** @type {HTMLElement | null} */ (el.querySelector(`[name="${CSS.escape(/** @type {HTMLElement} */ (a).dataset.name || '')}"]`))?.focus();
  });
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const form = /** @type {HTMLFormElement} */ (ev.target);
    if (form.dataset.form !== 'registration') return;
    const s = state();
    if (s.regBusy) return;
    showAll = true;
    const errs = check(s, form);
    showErrors(form, errs);
    if (errs.size) {
      /** @type {HTMLElement | null} */ (form.querySelector('[data-field="reg-summary"]'))?.focus();
      return;
    }
    const taxInput = /** @type {HTMLInputElement} */ (form.querySelector('input[name="tax_id"]'));
    const body = formObject(s, form, true);
    // The one request that carries the EIN / BN; the input is emptied at once.
    taxInput.value = '';
    const r = await actions.submitRegistration(body);
    const now = formEl();
    if (!now) return;
    if (r.ok) {
      outcome = { warnings: r.warnings || [], privacyUrl: (r.campaign && r.campaign.PrivacyPolicyUrl) || '', optinUrl: '', pending: r.pending_change || null };
      showAll = false;
      touched.clear();
      showErrors(now, new Map());
      actions.touch();
      // Show (and let screen readers read) the status that now follows the review.
      queueMicrotask(() => queueMicrotask(() => {
        const box = /** @type {HTMLElement | null} */ (el.querySelector('[data-part="status"]'));
        if (box) { box.focus({ preventScroll: true }); box.scrollIntoView({ block: 'start' }); }
      }));
    } else if (r.errors && r.errors.length) {
      /** @type {Map<string, string>} */
      const server = new Map();
      for (const e of r.errors) if (!server.has(inputOf(e.field))) server.set(inputOf(e.field), friendly(inputOf(e.field), e));
      showErrors(now, server);
      /** @type {HTMLElement | null} */ (now.querySelector('[data-field="reg-summary"]'))?.focus();
    } else {
      const sum = /** @type {HTMLElement} */ (now.querySelector('[data-field="reg-summary"]'));
      sum.hidden = false;
      sum.replaceChildren(h('strong', {}, 'Not submitted: '), r.message || 'the relay refused the registration.', ' Type the EIN again and resubmit.');
      sum.focus();
    }
  });
}
