// @ts-check
/**
 * Templates & reminders: one reminder template per job type (admins edit, staff view) with the
 * core's field codes, a live preview rendered by the core (template.h, through core.js) against a
 * sample visit with its cost line, the core's warnings (missing fields, UCS-2, links, phone
 * numbers, length), the "days before" setting; adding a visit (job.saved); and the reminders
 * list: upcoming ones (GET /api/reminders), those that will not go out and why, and what was sent,
 * skipped or pulled back (the relay's reminder events in the log).
 *
 * Saving goes through the outbox like every other change (template.saved / job.saved events,
 * relay/API.md "Reminders and templates"). Customer text is always set as text (dom.js h()).
 */
import { h, setText } from '../dom.js';
import { loadCore } from '../core.js';
import { formatPhone, DEFAULT_ON_THE_WAY_TEMPLATE, onTheWayTemplate } from '../model.js';
import { plural, zoned } from '../format.js';
import '../components/cost-line.js';

/** @typedef {import('../app.js').State} State */
/** @typedef {{code: string, label: string, max_chars: number, free_text: boolean, example: string}} FieldInfo */

/** @type {any} */ let core = null;
/** @type {FieldInfo[]} */ let fields = [];
/** @type {string[]} */ let zones = [];
loadCore().then((c) => {
  core = c;
  try { fields = c.templateFields().fields || []; } catch (e) { fields = []; }
  try { zones = (c.timeZone({ list: true }).zones || []).map((/** @type {any} */ z) => z.name); } catch (e) { zones = []; }
  // The parts' signatures hold fields.length / zones.length: a redraw picks them up.
  const ft = /** @type {any} */ (window).fieldtext;
  if (ft) ft.actions.touch();
}, () => {});

const MAX_DAYS_BEFORE = 30; // core schedule.h FT_SCHED_MAX_DAYS_BEFORE
const HISTORY_MAX = 60;

/** The editor's own state: what is typed stays here until it is saved. */
const ui = {
  /** The job type shown (lower case), '' for a new one. @type {string | null} */
  selected: null,
  /** Unsaved edits of the selected template. @type {{jobType: string, text: string, days: string} | null} */
  draft: null,
  /** The event id of the last save from this page, to say "Saving…" / "Saved". */
  savingId: '',
  /** Preview against: '' (sample visit) or a job_id. */
  sample: '',
  /** Unsaved text of the on-the-way template (null: none). @type {string | null} */
  otwDraft: null,
  /** The event id of the last on-the-way template save from this page. */
  otwSavingId: '',
};

const REASONS = /** @type {Record<string, string>} */ ({
  opted_out: 'Customer opted out (replied STOP)',
  not_opted_in: 'No texting consent',
  no_sms_number: 'No SMS number',
  balance: 'Balance too low',
  registration: 'Texting registration not approved yet',
  too_long: 'Message too long (over 1,600 characters)',
  no_template: 'No template for this job type',
  template_invalid: 'The template has an error',
  missing_field: 'Information missing',
  no_send_time: 'No time left in the 8 AM–9 PM window before the visit',
  refused: 'Refused by the relay',
  canceled: 'Visit canceled',
  skipped: 'Visit skipped',
  deleted: 'Visit deleted',
  rescheduled: 'Visit moved',
  changed: 'Visit or template changed',
  started: 'Visit already started',
  invalid: 'The visit could not be read',
});

const UPCOMING = /** @type {Record<string, [string, string]>} */ ({
  pending: ['Scheduled', 'ok'],
  queued: ['Sending', 'info'],
  held: ['On hold: balance too low', 'warn'],
  sent: ['Sent', 'ok'],
  failed: ['Failed', 'bad'],
  uncertain: ['May not have been sent', 'warn'],
});

const DELIVERY = /** @type {Record<string, [string, string]>} */ ({
  accepted: ['Accepted', 'info'],
  queued: ['Queued', 'info'],
  sending: ['Sending', 'info'],
  sent: ['Sent', 'ok'],
  delivered: ['Delivered', 'ok'],
  undelivered: ['Not delivered', 'bad'],
  failed: ['Failed', 'bad'],
  canceled: ['Pulled back', 'warn'],
});

const REPEATS = /** @type {[string, string, any][]} */ ([
  ['', 'Does not repeat', null],
  ['weekly', 'Every week', { freq: 'weekly', interval: 1 }],
  ['biweekly', 'Every 2 weeks', { freq: 'weekly', interval: 2 }],
  ['monthly', 'Every month', { freq: 'monthly_date', interval: 1 }],
  ['quarterly', 'Every 3 months', { freq: 'monthly_date', interval: 3 }],
]);

/** @param {string} code */
function labelOf(code) {
  const f = fields.find((x) => x.code === code);
  return f ? f.label : code;
}

/** @param {State} s */
const isAdmin = (s) => !!(s.me && s.me.role === 'admin');

/**
 * The templates by job type (lower case): the log's, with this browser's saves not yet accepted by
 * the relay on top (so a template saved offline stays on screen).
 * @param {State} s @returns {Map<string, import('../model.js').Template>}
 */
function templateMap(s) {
  const m = new Map(s.model.templates);
  for (const o of s.outbox) {
    if (o.type !== 'template.saved' || !o.body || !o.body.job_type) continue;
    const b = o.body;
    m.set(String(b.job_type).toLowerCase(), { template_id: b.template_id || '', job_type: b.job_type, name: b.name || '', text: b.text || '', days_before: Number.isInteger(b.days_before) ? b.days_before : null, at: o.at, actor: '', event_id: o.id });
  }
  return m;
}

/** The templates, sorted by job type. @param {State} s */
function templates(s) {
  return [...templateMap(s).values()].sort((a, b) => a.job_type.localeCompare(b.job_type));
}

/**
 * The job as it will be once this browser's saves reach the relay: the latest job.saved of it still
 * in the outbox, else the log's (so two skips in a row both stay).
 * @param {State} s @param {string} jobId @returns {any}
 */
function currentJob(s, jobId) {
  for (let i = s.outbox.length - 1; i >= 0; i--) {
    const o = s.outbox[i];
    if (o.type === 'job.saved' && o.body && o.body.job_id === jobId) return o.body;
  }
  const j = s.model.jobs.get(jobId);
  if (!j) return null;
  const { deleted, at, ...body } = j; // the model's own fields, not the event's
  void deleted; void at;
  return body;
}

/** @param {State} s @param {string} jobId */
function customerOfJob(s, jobId) {
  const j = s.model.jobs.get(jobId);
  if (!j) return { name: '', phone: '', job: null };
  const c = (j.customer_id && s.model.customers.get(j.customer_id)) || s.model.customerByPhone(j.phone);
  return { name: c && c.name ? c.name : formatPhone(j.phone), phone: j.phone, job: j };
}

// ---- dates ------------------------------------------------------------------------------------

/** "Mon, Mar 9, 9:00 AM CDT" in the zone. @param {string | number} when ISO or ms @param {string} tz */
function dateTime(when, tz) {
  const t = typeof when === 'number' ? when : Date.parse(when);
  if (!Number.isFinite(t)) return '';
  return zoned(tz, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(t);
}
/** @param {string} ymd "2025-03-10" -> "Mon, Mar 10" */
function dayOnly(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
  if (!m) return ymd || '';
  return zoned('UTC', { weekday: 'short', month: 'short', day: 'numeric' }).format(Date.UTC(+m[1], +m[2] - 1, +m[3], 12));
}

// ---- the preview record -----------------------------------------------------------------------

/** @param {string} name */
function splitName(name) {
  const parts = String(name || '').trim().split(/\s+/);
  return { first: parts[0] || '', last: parts.slice(1).join(' ') };
}

/**
 * The record a reminder is rendered against, as the relay builds it (relay/reminders.c): the
 * visit, its customer, the business profile. '' = the sample visit (the core's example values).
 * @param {State} s @param {string} jobType @param {string} jobId
 */
function previewRecord(s, jobType, jobId) {
  const biz = s.business || {};
  const company = { name: biz.name || '', phone: biz.phone || '' };
  const j = jobId ? s.model.jobs.get(jobId) : null;
  if (!j) {
    /** @type {Record<string, string>} */
    const ex = {};
    for (const f of fields) ex[f.code] = f.example;
    return {
      customer: { first_name: ex['customer.first_name'], last_name: ex['customer.last_name'], full_name: ex['customer.full_name'] },
      technician: { name: ex['technician.name'], first_name: ex['technician.first_name'] },
      job: { date: ex['job.date'], window_start: ex['job.window_start'], window_end: ex['job.window_end'], type: jobType || ex['job.type'], address: ex['job.address'], gate_code: ex['job.gate_code'] },
      company,
    };
  }
  const c = (j.customer_id && s.model.customers.get(j.customer_id)) || s.model.customerByPhone(j.phone);
  const n = splitName(c ? c.name : '');
  const tz = j.tz || '';
  const start = Date.parse(j.start);
  const end = j.window_end ? Date.parse(j.window_end) : NaN;
  const clock = (/** @type {number} */ t) => (Number.isFinite(t) ? zoned(tz, { hour: 'numeric', minute: '2-digit' }).format(t) : '');
  return {
    customer: { first_name: n.first, last_name: n.last, full_name: c ? c.name : '' },
    technician: { name: j.technician || '', first_name: splitName(j.technician).first },
    job: {
      date: Number.isFinite(start) ? zoned(tz, { weekday: 'long', month: 'long', day: 'numeric' }).format(start) : '',
      window_start: clock(start), window_end: Number.isFinite(end) && end > start ? clock(end) : '',
      type: j.job_type || '', address: j.address || (c && typeof c.address === 'string' ? c.address : '') || '', gate_code: j.gate_code || '',
    },
    company,
  };
}

// ---- rendering --------------------------------------------------------------------------------

/**
 * Rebuilds one part of the page only when its signature changed, keeping what was typed in its
 * fields (by name) and which <details> were open.
 * @param {HTMLElement} root @param {string} name @param {string} sig @param {() => Node[]} build
 */
function part(root, name, sig, build) {
  const box = /** @type {HTMLElement} */ (root.querySelector(`[data-part="${name}"]`));
  if (box.dataset.sig === sig) return false;
  /** @type {Record<string, string>} */
  const kept = {};
  const focused = document.activeElement && box.contains(document.activeElement) ? /** @type {HTMLElement} */ (document.activeElement) : null;
  const focusName = focused ? focused.getAttribute('name') || focused.dataset.field || '' : '';
  const caret = focused && 'selectionStart' in focused ? [/** @type {HTMLInputElement} */ (focused).selectionStart, /** @type {HTMLInputElement} */ (focused).selectionEnd] : null;
  if (box.dataset.keep) {
    for (const f of /** @type {NodeListOf<HTMLInputElement>} */ (box.querySelectorAll('input[name], select[name], textarea[name]'))) {
      kept[f.name] = f.type === 'checkbox' ? String(f.checked) : f.value;
    }
  }
  const open = [...box.querySelectorAll('details[data-id]')].filter((d) => /** @type {HTMLDetailsElement} */ (d).open).map((d) => /** @type {HTMLElement} */ (d).dataset.id);
  box.dataset.sig = sig;
  box.replaceChildren(...build());
  for (const [k, v] of Object.entries(kept)) {
    const f = /** @type {HTMLInputElement | null} */ (box.querySelector(`[name="${CSS.escape(k)}"]`));
    if (!f) continue;
    if (f.type === 'checkbox') f.checked = v === 'true';
    else if (f.tagName !== 'SELECT' || [...(/** @type {HTMLSelectElement} */ (/** @type {unknown} */ (f))).options].some((o) => o.value === v)) f.value = v;
  }
  for (const id of open) { const d = /** @type {HTMLDetailsElement | null} */ (box.querySelector(`details[data-id="${id}"]`)); if (d) d.open = true; }
  if (focusName) {
    const f = /** @type {HTMLInputElement | null} */ (box.querySelector(`[name="${CSS.escape(focusName)}"], [data-field="${CSS.escape(focusName)}"]`));
    if (f) {
      f.focus();
      try { if (caret && caret[0] !== null) f.setSelectionRange(caret[0], caret[1]); } catch (e) { /* number inputs have no caret */ }
    }
  }
  return true;
}

/** @param {HTMLElement} el */
function skeleton(el) {
  if (el.firstElementChild) return;
  el.append(h('div', { class: 'page rem-page' },
    h('section', { class: 'panel tpl', 'aria-labelledby': 'tpl-title' },
      h('h2', { id: 'tpl-title' }, 'Reminder templates'),
      h('p', { class: 'muted intro' }, 'One template per job type. Field codes such as {{customer.first_name}} are filled in from the visit when the reminder goes out; "Reply STOP to unsubscribe." is added when the text has no opt-out words.'),
      h('div', { 'data-part': 'types' }),
      h('div', { 'data-part': 'editor' }),
      h('div', { class: 'otw-block', 'data-part': 'otw' })),
    h('section', { class: 'panel rem', 'aria-labelledby': 'rem-title' },
      h('div', { class: 'panel-head' },
        h('h2', { id: 'rem-title' }, 'Reminders'),
        h('button', { type: 'button', class: 'secondary', 'data-action': 'refresh-reminders' }, 'Refresh')),
      h('p', { class: 'muted intro' }, 'Only customers who agreed to texts and have an SMS number get reminders. Each goes out the set number of days before the visit, moved into 8 AM–9 PM in the customer\'s time zone.'),
      h('div', { 'data-part': 'visit', 'data-keep': '1' }),
      h('div', { 'data-part': 'lists' }))));
}

/** @param {State} s @param {HTMLElement} el */
export function render(s, el) {
  if (el.hidden) return;
  skeleton(el);
  const list = templates(s);
  if (ui.selected === null) ui.selected = list.length ? list[0].job_type.toLowerCase() : '';
  const admin = isAdmin(s);
  const writable = s.storage.writable;

  part(el, 'types', JSON.stringify([list.map((t) => t.job_type), ui.selected, admin, writable]), () => [
    h('div', { class: 'tpl-types', role: 'group', 'aria-label': 'Job types' },
      ...list.map((t) => h('button', { type: 'button', class: 'chip', 'data-action': 'select-type', 'data-type': t.job_type.toLowerCase(), 'aria-pressed': String(ui.selected === t.job_type.toLowerCase()) }, t.job_type)),
      admin ? h('button', { type: 'button', class: 'chip new', 'data-action': 'new-type', 'aria-pressed': String(ui.selected === ''), disabled: !writable }, '+ New job type') : '',
      list.length ? '' : h('span', { class: 'muted' }, admin ? 'No templates yet: write the first one below.' : 'No templates yet. An admin writes them.')),
  ]);

  const tpl = ui.selected ? templateMap(s).get(ui.selected) : undefined;
  const jobs = jobsOfType(s, tpl ? tpl.job_type : ui.draft ? ui.draft.jobType : '');
  const saving = ui.savingId ? savingState(s, ui.savingId) : '';
  const built = part(el, 'editor', JSON.stringify([ui.selected, tpl ? tpl.event_id : '', admin, writable, fields.length, jobs.map((j) => j.job_id)]), () => editor(s, tpl, admin, writable, jobs));
  const form = /** @type {HTMLFormElement | null} */ (el.querySelector('form[data-form="template"]'));
  if (form) {
    setText(form.querySelector('[data-field="tpl-save-state"]'), saving === 'saving' ? 'Saving…' : saving === 'saved' ? '✓ Saved. New reminders use this text.' : saving === 'refused' ? 'Not saved: see the message at the top.' : '');
    if (built) updatePreview(s, form);
  }

  const otw = onTheWayOf(s);
  const otwSaving = ui.otwSavingId ? otwSavingState(s, ui.otwSavingId) : '';
  const otwBuilt = part(el, 'otw', JSON.stringify([otw ? otw.event_id : '', admin, writable, fields.length]), () => otwEditor(otw, admin, writable));
  const oform = /** @type {HTMLFormElement | null} */ (el.querySelector('form[data-form="otw-template"]'));
  if (oform) {
    const st = /** @type {HTMLElement | null} */ (oform.querySelector('[data-field="otw-save-state"]'));
    if (st && (otwSaving || ui.otwDraft === null)) setText(st, otwSaving === 'saving' ? 'Saving…' : otwSaving === 'saved' ? '✓ Saved. Staff send this text from now on.' : otwSaving === 'refused' ? 'Not saved: see the message at the top.' : otw ? '' : 'Not saved yet: staff send this default text.');
    if (otwBuilt) updateOtwPreview(s, oform);
  }

  const customers = [...s.model.customers.values()].sort((a, b) => a.name.localeCompare(b.name));
  part(el, 'visit', JSON.stringify([customers.map((c) => [c.id, c.name, consentOf(s, c.phone)]), list.map((t) => [t.job_type, t.days_before]), writable, zones.length, s.business && s.business.state]), () => visitForm(s, customers, list, writable));

  const r = s.reminders;
  part(el, 'lists', JSON.stringify([s.modelVersion, r.fetchedAt, r.loading, r.error, fields.length, s.storage.writable]), () => lists(s));
}

/** @param {State} s @param {string} phone */
function consentOf(s, phone) {
  const c = s.model.consent.get(phone);
  return c ? c.status : 'none';
}

/** @param {State} s @param {string} type */
function jobsOfType(s, type) {
  const t = String(type || '').toLowerCase();
  if (!t) return [];
  return [...s.model.jobs.values()].filter((j) => !j.deleted && String(j.job_type).toLowerCase() === t).slice(-20).reverse();
}

/** @param {State} s @param {string} id @returns {'saving'|'saved'|'refused'|''} */
function savingState(s, id) {
  if (s.outbox.some((o) => o.id === id)) return 'saving';
  if (s.rejected.some((o) => o.id === id)) return 'refused';
  for (const t of s.model.templates.values()) if (t.event_id === id) return 'saved';
  return '';
}

/**
 * @param {State} s @param {import('../model.js').Template | undefined} tpl @param {boolean} admin
 * @param {boolean} writable @param {any[]} jobs
 */
function editor(s, tpl, admin, writable, jobs) {
  if (!admin && !tpl) return [];
  const editable = admin && writable;
  const d = ui.draft;
  const jobType = d ? d.jobType : tpl ? tpl.job_type : '';
  const text = d ? d.text : tpl ? tpl.text : '';
  const days = d ? d.days : tpl && tpl.days_before !== null ? String(tpl.days_before) : '1';
  const ta = /** @type {HTMLTextAreaElement} */ (h('textarea', {
    id: 'tpl-text', name: 'text', 'data-field': 'tpl-text', rows: 6, maxlength: 4096, readonly: !editable,
    'aria-describedby': 'tpl-error tpl-help', spellcheck: 'true',
    placeholder: 'Hi {{customer.first_name}}, this is {{company.name}}: your {{job.type}} visit is {{job.date}} between {{job.window_start}} and {{job.window_end}}.',
  }));
  ta.value = text;
  if (ui.sample && !jobs.some((j) => j.job_id === ui.sample)) ui.sample = '';
  return [h('form', { class: 'tpl-form', 'data-form': 'template', 'aria-labelledby': 'tpl-edit-title', novalidate: true },
    h('h3', { id: 'tpl-edit-title' }, tpl ? `Template for "${tpl.job_type}"` : 'New template'),
    admin ? '' : h('p', { class: 'muted', 'data-testid': 'tpl-readonly' }, 'Only admins can change templates.'),
    h('div', { class: 'row' },
      h('label', { class: 'grow' }, 'Job type',
        h('input', { name: 'job_type', 'data-field': 'tpl-job-type', value: jobType, required: true, maxlength: 64, readonly: !editable || !!tpl, autocomplete: 'off', 'aria-describedby': 'tpl-type-hint' }),
        h('span', { class: 'hint', id: 'tpl-type-hint' }, tpl ? 'Visits of this type get this reminder.' : 'As your scheduling program names it, e.g. "Quarterly pest control".')),
      h('label', {}, 'Days before the visit',
        h('input', { type: 'number', name: 'days_before', 'data-field': 'tpl-days', min: 0, max: MAX_DAYS_BEFORE, step: 1, value: days, readonly: !editable, required: true, 'aria-describedby': 'tpl-days-hint', inputmode: 'numeric' }),
        h('span', { class: 'hint', id: 'tpl-days-hint' }, '0–30; 1 = the day before (24 hours).'))),
    editable ? h('div', { class: 'codes', role: 'group', 'aria-label': 'Insert a field code' },
      h('span', { class: 'codes-label', 'aria-hidden': 'true' }, 'Insert:'),
      // The arrival time is given only when staff send an on-the-way notice (the relay refuses it bare here).
      ...fields.filter((f) => f.code !== 'job.eta').map((f) => h('button', { type: 'button', class: 'code', 'data-action': 'insert-code', 'data-code': f.code, title: `{{${f.code}}}: ${f.label}, e.g. ${f.example}` }, f.label))) : '',
    h('label', { for: 'tpl-text', class: 'block' }, 'Message'),
    ta,
    h('p', { id: 'tpl-help', class: 'hint' }, 'Codes: {{group.name}}; a fallback for a missing value: {{customer.first_name|there}}.'),
    h('p', { id: 'tpl-error', class: 'field-error', 'data-field': 'tpl-error', 'data-testid': 'tpl-error', role: 'alert', hidden: true }),
    editable ? h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'tpl-save' }, 'Save template'),
      d ? h('button', { type: 'button', class: 'secondary', 'data-action': 'discard-template' }, 'Discard changes') : '',
      h('span', { class: 'muted', role: 'status', 'data-field': 'tpl-save-state', 'data-testid': 'tpl-save-state' })) : h('span', { role: 'status', 'data-field': 'tpl-save-state' })),
  h('section', { class: 'tpl-preview', 'aria-labelledby': 'tpl-prev-title' },
    h('div', { class: 'panel-head' },
      h('h3', { id: 'tpl-prev-title' }, 'Preview'),
      h('label', { class: 'inline' }, 'With ',
        h('select', { name: 'sample', 'data-field': 'tpl-sample' },
          h('option', { value: '', selected: ui.sample === '' }, 'a sample visit'),
          ...jobs.map((j) => {
            const c = customerOfJob(s, j.job_id);
            return h('option', { value: j.job_id, selected: ui.sample === j.job_id }, `${c.name} — ${dateTime(j.start, j.tz || '')}`);
          })))),
    h('p', { class: 'bubble preview', 'data-field': 'tpl-preview', 'data-testid': 'tpl-preview' }),
    h('ft-cost-line', { 'data-testid': 'tpl-cost', id: 'tpl-cost' }),
    h('p', { class: 'hint', 'data-field': 'tpl-worst', 'data-testid': 'tpl-worst' }),
    h('ul', { class: 'warnings', 'data-field': 'tpl-warnings', 'data-testid': 'tpl-warnings', 'aria-live': 'polite' }))];
}

/**
 * Both template editors' preview: renders the text being edited with the core against record and
 * shows the text, its cost, the longest case, the missing fields (missingNote says what a missing
 * one means for this template), the warnings and any items of more(r) after them, or the error.
 * @param {{ta: HTMLTextAreaElement, preview: HTMLElement, line: any, warnList: HTMLElement, err: HTMLElement, worst: HTMLElement}} p
 * @param {() => object} record @param {(m: any) => string} missingNote @param {(r: any) => Node[]} [more]
 */
function showRendered(p, record, missingNote, more) {
  const { ta, preview, line, warnList, err, worst } = p;
  if (!core) { setText(preview, 'Loading…'); return; }
  const text = ta.value;
  if (!text.trim()) {
    setText(preview, 'Type the message to see it as a customer will.');
    preview.classList.add('empty');
    line.text = '';
    setText(worst, '');
    setWarnings(warnList, []);
    err.hidden = true;
    ta.removeAttribute('aria-invalid');
    return;
  }
  preview.classList.remove('empty');
  const r = core.renderTemplate({ template: text, record: record() });
  const parseError = r.ok === false && r.error && r.error.name !== 'FT_E_TPL_MISSING_VALUE' ? r.error : null;
  if (parseError) {
    err.textContent = `Check the message: ${parseError.message}.`;
    err.hidden = false;
    ta.setAttribute('aria-invalid', 'true');
    setText(preview, '—');
    line.text = '';
    setText(worst, '');
    setWarnings(warnList, []);
    return;
  }
  err.hidden = true;
  ta.removeAttribute('aria-invalid');
  setText(preview, r.text || '');
  line.text = r.text || '';
  const w = r.worst_case;
  const wu = r.worst_case_unicode;
  setText(worst, w ? `Longest possible (every field at its longest): ${plural(w.segments, 'segment')}, ${w.display}${wu && wu.segments > w.segments ? `; ${plural(wu.segments, 'segment')}, ${wu.display} if a name has accented or non-Latin letters` : ''}.` : '');
  /** @type {Node[]} */
  const items = [];
  for (const m of r.missing || []) {
    items.push(h('li', { class: 'warn missing', 'data-code': m.code }, h('strong', {}, `Missing: ${m.label}. `), missingNote(m)));
  }
  for (const x of r.warnings || []) {
    const label = x.type === 'template_ucs2' || x.type === 'field_forces_ucs2' ? 'Costs more: ' : x.type === 'embedded_link' ? 'Link: ' : x.type === 'embedded_phone' ? 'Phone number: ' : x.type === 'over_1600' ? 'Too long: ' : 'Note: ';
    items.push(h('li', { class: `warn ${x.type}`, 'data-type': x.type }, h('strong', {}, label), sentence(x.message)));
  }
  if (more) items.push(...more(r));
  setWarnings(warnList, items);
}

/** The editor's parts for showRendered (prefix: "tpl" or "otw"). @param {HTMLFormElement} form @param {string} name @param {string} prefix */
function editorParts(form, name, prefix) {
  const box = /** @type {HTMLElement} */ (form.parentElement);
  return {
    ta: /** @type {HTMLTextAreaElement} */ (form.querySelector(`textarea[name="${name}"]`)),
    preview: /** @type {HTMLElement} */ (box.querySelector(`[data-field="${prefix}-preview"]`)),
    line: /** @type {any} */ (box.querySelector('ft-cost-line')),
    warnList: /** @type {HTMLElement} */ (box.querySelector(`[data-field="${prefix}-warnings"]`)),
    err: /** @type {HTMLElement} */ (form.querySelector(`[data-field="${prefix}-error"]`)),
    worst: /** @type {HTMLElement} */ (box.querySelector(`[data-field="${prefix}-worst"]`)),
  };
}

/**
 * Renders the template being edited with the core and shows the text, cost, warnings and error.
 * @param {State} s @param {HTMLFormElement} form
 */
function updatePreview(s, form) {
  const typeIn = /** @type {HTMLInputElement} */ (form.querySelector('input[name="job_type"]'));
  showRendered(editorParts(form, 'text', 'tpl'), () => previewRecord(s, typeIn.value.trim(), ui.sample), (m) =>
    m.code.startsWith('company.') ? `The business profile has no ${m.label.toLowerCase()}: an admin sets it on the Registration page. Until then these reminders are not sent.`
      : ui.sample ? 'This visit has no value for it: its reminder would not be sent. Add the value, or give the code a fallback like {{' + m.code + '|…}}.'
        : `A visit without it gets no reminder. Give the code a fallback like {{${m.code}|…}} if it can be empty.`);
}

// ---- the on-the-way template ------------------------------------------------------------------

/** @param {State} s */
const onTheWayOf = (s) => onTheWayTemplate(s.model, s.outbox);

/** @param {State} s @param {string} id @returns {'saving'|'saved'|'refused'|''} */
function otwSavingState(s, id) {
  if (s.outbox.some((o) => o.id === id)) return 'saving';
  if (s.rejected.some((o) => o.id === id)) return 'refused';
  return s.model.onTheWay && s.model.onTheWay.event_id === id ? 'saved' : '';
}

/**
 * The on-the-way editor: text, field codes, the core's preview against a sample visit with an
 * arrival time, the cost line and warnings.
 * @param {import('../model.js').Template | null} tpl @param {boolean} admin @param {boolean} writable
 */
function otwEditor(tpl, admin, writable) {
  const editable = admin && writable;
  const ta = /** @type {HTMLTextAreaElement} */ (h('textarea', {
    id: 'otw-text', name: 'otw_text', 'data-field': 'otw-text', rows: 4, maxlength: 4096, readonly: !editable,
    'aria-describedby': 'otw-error otw-help', spellcheck: 'true', placeholder: DEFAULT_ON_THE_WAY_TEMPLATE,
  }));
  ta.value = ui.otwDraft !== null ? ui.otwDraft : tpl ? tpl.text : DEFAULT_ON_THE_WAY_TEMPLATE;
  return [
    h('h2', { id: 'otw-title' }, 'On-the-way notice'),
    h('p', { class: 'muted intro' }, 'Staff send it from a conversation ("On the way") when the technician heads to the customer. {{job.eta}} is the arrival time they enter; the visit of the day fills the job codes. Sent only 8 AM–9 PM in the customer\'s time zone, to customers who agreed to texts.'),
    h('form', { class: 'tpl-form', 'data-form': 'otw-template', 'aria-labelledby': 'otw-title', novalidate: true },
      admin ? '' : h('p', { class: 'muted' }, 'Only admins can change templates.'),
      editable ? h('div', { class: 'codes', role: 'group', 'aria-label': 'Insert a field code' },
        h('span', { class: 'codes-label', 'aria-hidden': 'true' }, 'Insert:'),
        ...fields.map((f) => h('button', { type: 'button', class: 'code', 'data-action': 'insert-code', 'data-code': f.code, title: `{{${f.code}}}: ${f.label}, e.g. ${f.example}` }, f.label))) : '',
      h('label', { for: 'otw-text', class: 'block' }, 'Message'),
      ta,
      h('p', { id: 'otw-help', class: 'hint' }, 'Codes: {{group.name}}; a fallback for a missing value: {{customer.first_name|there}}.'),
      h('p', { id: 'otw-error', class: 'field-error', 'data-field': 'otw-error', 'data-testid': 'otw-error', role: 'alert', hidden: true }),
      editable ? h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', 'data-testid': 'otw-save' }, 'Save on-the-way text'),
        h('span', { class: 'muted', role: 'status', 'data-field': 'otw-save-state', 'data-testid': 'otw-save-state' })) : h('span', { role: 'status', 'data-field': 'otw-save-state' })),
    h('section', { class: 'tpl-preview', 'aria-labelledby': 'otw-prev-title' },
      h('h3', { id: 'otw-prev-title' }, 'Preview (a sample visit, arriving 10:45 AM)'),
      h('p', { class: 'bubble preview', 'data-field': 'otw-preview', 'data-testid': 'otw-preview' }),
      h('ft-cost-line', { 'data-testid': 'otw-cost', id: 'otw-cost' }),
      h('p', { class: 'hint', 'data-field': 'otw-worst' }),
      h('ul', { class: 'warnings', 'data-field': 'otw-warnings', 'data-testid': 'otw-warnings', 'aria-live': 'polite' })),
  ];
}

/**
 * Renders the on-the-way text being edited with the core against the sample visit.
 * @param {State} s @param {HTMLFormElement} form
 */
function updateOtwPreview(s, form) {
  showRendered(editorParts(form, 'otw_text', 'otw'), () => {
    const rec = previewRecord(s, '', '');
    rec.job = { ...rec.job, eta: '10:45 AM' };
    return rec;
  }, (m) => m.code.startsWith('company.') ? `The business profile has no ${m.label.toLowerCase()}: an admin sets it on the Registration page.` : `Give the code a fallback like {{${m.code}|…}} if it can be empty.`,
  (r) => {
    // Job codes other than the arrival time are filled only when the customer has a visit that day.
    const jobCodes = (r.fields || []).filter((/** @type {any} */ f) => f.code.startsWith('job.') && f.code !== 'job.eta').map((/** @type {any} */ f) => f.label);
    return jobCodes.length ? [h('li', { class: 'warn', 'data-type': 'needs_visit' }, h('strong', {}, 'Needs a visit: '), `${[...new Set(jobCodes)].join(', ')} come${jobCodes.length === 1 ? 's' : ''} from the customer's visit that day; without one the notice cannot be sent unless the code has a fallback.`)] : [];
  });
}

/** Replaces the warnings only when they changed (the list is a live region). @param {HTMLElement} list @param {Node[]} items */
function setWarnings(list, items) {
  const sig = items.map((i) => `${/** @type {HTMLElement} */ (i).dataset.type || /** @type {HTMLElement} */ (i).dataset.code}:${i.textContent}`).join('\n');
  if (list.dataset.sig === sig) return;
  list.dataset.sig = sig;
  list.replaceChildren(...items);
}

/** @param {string} m */
function sentence(m) {
  const t = String(m || '');
  return t ? t[0].toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.') : '';
}

/**
 * @param {State} s @param {any[]} customers @param {import('../model.js').Template[]} list @param {boolean} writable
 */
function visitForm(s, customers, list, writable) {
  const defZone = zoneFor(s, null);
  return [h('details', { class: 'visit', 'data-id': 'visit' },
    h('summary', {}, 'Add a visit'),
    h('p', { class: 'hint' }, 'Visits normally come from your scheduling program; add one here to schedule its reminder.'),
    h('form', { class: 'visit-form', 'data-form': 'job', novalidate: true },
      h('label', {}, 'Customer',
        h('select', { name: 'customer_id', required: true, 'data-field': 'job-customer' },
          h('option', { value: '' }, 'Choose…'),
          ...customers.map((c) => {
            const st = consentOf(s, c.phone);
            return h('option', { value: c.id }, `${c.name || formatPhone(c.phone)}${st === 'opted_in' ? '' : st === 'opted_out' ? ' (opted out: no reminders)' : ' (no texting consent yet)'}`);
          }))),
      h('label', {}, 'Job type',
        h('input', { name: 'job_type', list: 'job-types', required: true, maxlength: 64, autocomplete: 'off', 'data-field': 'job-type' }),
        h('datalist', { id: 'job-types' }, ...list.map((t) => h('option', { value: t.job_type })))),
      h('label', {}, 'Date', h('input', { type: 'date', name: 'date', required: true, 'data-field': 'job-date' })),
      h('div', { class: 'row' },
        h('label', {}, 'Arrives from', h('input', { type: 'time', name: 'time', required: true, value: '09:00', 'data-field': 'job-time' })),
        h('label', {}, 'to', h('input', { type: 'time', name: 'end', value: '11:00', 'data-field': 'job-end' }))),
      h('label', {}, 'Time zone',
        h('select', { name: 'tz', 'data-field': 'job-tz' }, ...(zones.length ? zones : [defZone]).map((z) => h('option', { value: z, selected: z === defZone }, z.replace(/_/g, ' '))))),
      h('label', {}, 'Technician', h('input', { name: 'technician', required: true, maxlength: 200, autocomplete: 'off', 'data-field': 'job-tech' })),
      h('label', {}, 'Service address (optional)', h('input', { name: 'address', maxlength: 300, autocomplete: 'off' })),
      h('label', {}, 'Gate code (optional)', h('input', { name: 'gate_code', maxlength: 300, autocomplete: 'off' })),
      h('label', {}, 'Repeats', h('select', { name: 'repeat' }, ...REPEATS.map(([v, label]) => h('option', { value: v }, label)))),
      h('label', {}, 'Reminder days before',
        h('input', { type: 'number', name: 'days_before', min: 0, max: MAX_DAYS_BEFORE, step: 1, placeholder: "job type's", inputmode: 'numeric', 'aria-describedby': 'job-days-hint' }),
        h('span', { class: 'hint', id: 'job-days-hint' }, 'Empty: the job type\'s setting.')),
      h('p', { class: 'field-error wide', 'data-field': 'job-error', role: 'alert', hidden: true }),
      h('div', { class: 'actions wide' }, h('button', { type: 'submit', class: 'primary', disabled: !writable, 'data-testid': 'job-save' }, 'Save visit'))))];
}

/** The zone a customer's visit is in: theirs, else the business's state's, else New York. @param {State} s @param {any} c */
function zoneFor(s, c) {
  if (c && c.tz && zones.includes(c.tz)) return c.tz;
  const st = (c && c.state) || (s.business && s.business.state) || '';
  if (core && st) {
    try { const r = core.timeZone({ state: st, utc: new Date().toISOString().slice(0, 19) + 'Z' }); if (r.ok && r.zone) return r.zone; } catch (e) { /* unknown state */ }
  }
  return 'America/New_York';
}

/** @param {State} s */
function lists(s) {
  const r = s.reminders;
  const data = r.data;
  /** @type {Node[]} */
  const out = [];
  if (r.error) out.push(h('p', { class: 'form-error', role: 'alert' }, `The reminders list could not be loaded: ${r.error}`));
  if (!data) {
    out.push(h('p', { class: 'muted' }, r.loading ? 'Loading reminders…' : 'No reminders loaded yet.'));
    return out;
  }
  const deliveryOf = (/** @type {string} */ mid) => { const m = mid ? s.model.messages.get(mid) : null; return m ? m.status : ''; };
  const upcoming = (data.reminders || []).filter((x) => x.state === 'pending' || x.state === 'queued' || x.state === 'held');
  const alreadySent = (data.reminders || []).filter((x) => !(x.state === 'pending' || x.state === 'queued' || x.state === 'held'));
  // Not sent, for visits still ahead: the log's reason is the precise one.
  /** @type {Map<string, any>} */
  const logged = new Map();
  for (const ev of s.model.reminderLog) if (ev.type !== 'message.send') logged.set(`${ev.body.job_id}|${ev.body.occurrence}`, ev);
  // A skipped visit stays listed even when its reminder had gone already: "Undo skip" is there.
  const excluded = (data.excluded || []).filter((x) => x.reason !== 'started' && x.reason !== 'outside_range' && (x.reason === 'skipped' || !(x.state === 'sent')));

  out.push(h('h3', { id: 'rem-up' }, `Upcoming (${upcoming.length})`));
  if (!upcoming.length) out.push(h('p', { class: 'muted' }, 'No reminders scheduled in the next 30 days.'));
  else {
    out.push(h('table', { class: 'rem-table', 'aria-labelledby': 'rem-up', 'data-testid': 'rem-upcoming' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Goes out'), h('th', { scope: 'col' }, 'Customer'), h('th', { scope: 'col' }, 'Visit'), h('th', { scope: 'col' }, 'Status'))),
      h('tbody', {}, ...upcoming.map((x) => {
        const [word, kind] = UPCOMING[x.state] || [x.state, 'info'];
        const moved = x.adjusted === 'moved_later' ? 'Moved later, into the send window.' : x.adjusted === 'moved_earlier' ? 'Moved earlier, into the send window.' : x.adjusted === 'late' ? 'Goes out as soon as possible.' : '';
        return h('tr', { 'data-job': x.job_id, 'data-date': x.date, 'data-state': x.state },
          h('td', {}, dateTime(x.send_at_utc || x.send_at, x.time_zone), moved ? h('span', { class: 'hint block' }, moved) : ''),
          h('td', {}, h('span', { class: 'name' }, x.customer_name || formatPhone(x.sms_number)), h('span', { class: 'hint block' }, formatPhone(x.sms_number)),
            x.text ? h('span', { class: 'rem-text', title: x.text }, x.text) : ''),
          h('td', {}, `${x.job_type || ''}`, h('span', { class: 'hint block' }, `${dateTime(x.job_start_utc || x.job_start, x.time_zone)}${x.technician ? ` · ${x.technician}` : ''}${x.recurring ? ' · repeats' : ''}`)),
          h('td', {}, h('span', { class: `status-chip ${kind}`, 'data-testid': 'rem-status' }, word),
            x.segments ? h('span', { class: 'hint block' }, `${plural(x.segments, 'segment')}${x.encoding === 'UCS-2' ? ' (Unicode)' : ''}`) : '',
            x.message ? h('span', { class: 'hint block' }, sentence(x.message)) : '',
            s.model.jobs.has(x.job_id) && s.storage.writable && x.recurring
              ? h('button', { type: 'button', class: 'link block', 'data-action': 'skip-visit', 'data-job': x.job_id, 'data-date': x.date, 'data-testid': 'skip-visit' }, 'Skip this visit')
              : '',
            s.model.jobs.has(x.job_id) && s.storage.writable
              ? h('button', { type: 'button', class: 'link block', 'data-action': 'cancel-visit', 'data-job': x.job_id, 'data-testid': 'cancel-visit' },
                x.recurring ? 'Cancel every visit of this series' : 'Cancel visit')
              : ''));
      }))));
  }

  out.push(h('h3', { id: 'rem-ex' }, `Will not be sent (${excluded.length})`));
  if (!excluded.length) out.push(h('p', { class: 'muted' }, 'Every upcoming visit of a texting customer has its reminder.'));
  else {
    out.push(h('ul', { class: 'rem-excluded', 'aria-labelledby': 'rem-ex', 'data-testid': 'rem-excluded' }, ...excluded.map((x) => {
      const c = customerOfJob(s, x.job_id);
      // A skipped visit: the relay's reason is the current one (the log may hold an older one).
      const skipped = x.reason === 'skipped';
      const ev = skipped ? undefined : logged.get(`${x.job_id}|${x.date}`);
      const reason = (ev && ev.body.reason) || x.reason;
      const missing = (ev && ev.body.missing) || x.missing;
      const detail = reason === 'missing_field' && Array.isArray(missing) && missing.length
        ? `No ${missing.map((m) => labelOf(String(m).replace(/^\{\{|\}\}$/g, ''))).join(', ')} for this visit.`
        : sentence((ev && ev.body.message) || x.message);
      return h('li', { 'data-job': x.job_id, 'data-date': x.date || '', 'data-reason': reason },
        h('span', { class: 'status-chip bad', 'data-testid': 'rem-reason' }, REASONS[reason] || reason),
        ' ', h('span', { class: 'name' }, c.name || 'A visit'),
        c.job ? ` · ${c.job.job_type}` : '', x.date ? ` · ${dayOnly(x.date)}` : '',
        detail ? h('span', { class: 'hint block' }, detail) : '',
        skipped && x.date && s.model.jobs.has(x.job_id) && s.storage.writable
          ? h('button', { type: 'button', class: 'link block', 'data-action': 'unskip-visit', 'data-job': x.job_id, 'data-date': x.date, 'data-testid': 'unskip-visit' }, 'Undo skip')
          : '');
    })));
  }

  // What happened, newest first: sends (with their delivery status), skips, pull-backs.
  const hist = s.model.reminderLog.slice(-HISTORY_MAX).reverse();
  const sentIds = new Set(hist.filter((e) => e.type === 'message.send').map((e) => e.body.message_id || e.id));
  const extra = alreadySent.filter((x) => !x.message_id || !sentIds.has(x.message_id));
  out.push(h('h3', { id: 'rem-past' }, 'Sent and past'));
  if (!hist.length && !extra.length) out.push(h('p', { class: 'muted' }, 'No reminder has gone out yet.'));
  else {
    out.push(h('table', { class: 'rem-table', 'aria-labelledby': 'rem-past', 'data-testid': 'rem-past' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'Customer'), h('th', { scope: 'col' }, 'Visit'), h('th', { scope: 'col' }, 'Outcome'))),
      h('tbody', {},
        ...extra.map((x) => {
          const st = deliveryOf(x.message_id) || x.state;
          const [word, kind] = DELIVERY[st] || UPCOMING[x.state] || [st, 'info'];
          return h('tr', { 'data-job': x.job_id, 'data-date': x.date, 'data-state': st },
            h('td', {}, dateTime(x.send_at_utc || x.send_at, x.time_zone)),
            h('td', {}, h('span', { class: 'name' }, x.customer_name || formatPhone(x.sms_number)), x.text ? h('span', { class: 'rem-text', title: x.text }, x.text) : ''),
            h('td', {}, x.job_type || '', h('span', { class: 'hint block' }, dayOnly(x.date))),
            h('td', {}, h('span', { class: `status-chip ${kind}`, 'data-testid': 'rem-status' }, word)));
        }),
        ...hist.map((ev) => {
          const b = ev.body || {};
          const c = customerOfJob(s, b.job_id);
          const name = c.name || (b.phone ? s.model.displayName(b.phone) : '');
          let word = ''; let kind = 'info'; let detail = '';
          if (ev.type === 'message.send') {
            const m = s.model.messages.get(b.message_id || ev.id);
            const st = m ? m.status : 'accepted';
            [word, kind] = DELIVERY[st] || [st, 'info'];
            if (m && m.error) detail = sentence(m.error);
          } else if (ev.type === 'reminder.skipped') {
            word = b.retry ? 'On hold: balance too low' : `Not sent: ${REASONS[b.reason] || b.reason}`;
            kind = b.retry ? 'warn' : 'bad';
            detail = b.reason === 'missing_field' && Array.isArray(b.missing) && b.missing.length
              ? `No ${b.missing.map((/** @type {string} */ m) => labelOf(String(m).replace(/^\{\{|\}\}$/g, ''))).join(', ')} for this visit.` : sentence(b.message);
          } else if (ev.type === 'reminder.missed') {
            word = 'Missed: balance too low'; kind = 'bad'; detail = sentence(b.message);
          } else if (ev.type === 'reminder.canceled') {
            word = `Pulled back: ${REASONS[b.reason] || b.reason}`; kind = 'warn'; detail = sentence(b.message);
          } else {
            word = `Already sent: ${REASONS[b.reason] || b.reason}`; kind = 'warn'; detail = sentence(b.message);
          }
          return h('tr', { 'data-job': b.job_id, 'data-date': b.occurrence, 'data-type': ev.type },
            h('td', {}, dateTime(ev.at, '')),
            h('td', {}, h('span', { class: 'name' }, name), ev.type === 'message.send' && b.body ? h('span', { class: 'rem-text', title: b.body }, b.body) : ''),
            h('td', {}, c.job ? c.job.job_type : '', h('span', { class: 'hint block' }, dayOnly(b.occurrence))),
            h('td', {}, h('span', { class: `status-chip ${kind}`, 'data-testid': 'rem-status' }, word), detail ? h('span', { class: 'hint block' }, detail) : ''));
        }))));
  }
  out.push(h('p', { class: 'hint' }, `Updated ${r.fetchedAt ? new Date(r.fetchedAt).toLocaleTimeString() : ''}${r.loading ? ' · refreshing…' : ''}`));
  return out;
}

// ---- events -----------------------------------------------------------------------------------

/** @param {HTMLElement} el @param {any} actions */
export function bind(el, actions) {
  const state = () => /** @type {State} */ (/** @type {any} */ (window).fieldtext.store.getState());
  const rerender = () => { const sig = el.querySelector('[data-part="editor"]'); if (sig) /** @type {HTMLElement} */ (sig).dataset.sig = ''; const t = el.querySelector('[data-part="types"]'); if (t) /** @type {HTMLElement} */ (t).dataset.sig = ''; actions.touch(); };

  el.addEventListener('click', (ev) => {
    const t = /** @type {HTMLElement} */ (ev.target).closest('[data-action]');
    if (!t || !el.contains(t)) return;
    const a = /** @type {HTMLElement} */ (t).dataset;
    switch (a.action) {
      case 'select-type':
        if (ui.draft && !confirmDiscard()) return;
        ui.selected = a.type || ''; ui.draft = null; ui.sample = ''; ui.savingId = '';
        rerender();
        break;
      case 'new-type':
        if (ui.draft && !confirmDiscard()) return;
        ui.selected = ''; ui.draft = { jobType: '', text: '', days: '1' }; ui.sample = ''; ui.savingId = '';
        rerender();
        queueMicrotask(() => queueMicrotask(() => /** @type {HTMLElement | null} */ (el.querySelector('input[name="job_type"]'))?.focus()));
        break;
      case 'discard-template':
        ui.draft = null;
        if (ui.selected === '') { const first = templates(state())[0]; ui.selected = first ? first.job_type.toLowerCase() : ''; }
        rerender();
        break;
      case 'insert-code': {
        // Into the message of the editor the button belongs to (reminder or on-the-way).
        const ta = /** @type {HTMLTextAreaElement | null} */ ((t.closest('form') || el).querySelector('textarea'));
        if (!ta || ta.readOnly) return;
        const code = `{{${a.code}}}`;
        ta.focus();
        ta.setRangeText(code, ta.selectionStart, ta.selectionEnd, 'end');
        ta.dispatchEvent(new Event('input', { bubbles: true }));
        break;
      }
      case 'refresh-reminders': actions.loadReminders(); break;
      case 'cancel-visit': {
        // The visit is saved again with canceled: its reminders not yet sent are pulled back by the
        // relay (a reminder already on its way is recorded as too late to cancel).
        const job = state().model.jobs.get(a.job || '');
        if (!job) return;
        const c = customerOfJob(state(), job.job_id);
        const who = c.name ? ` for ${c.name}` : '';
        if (!window.confirm(job.recurrence ? `Cancel every ${job.job_type} visit${who}: the whole repeating series, not only this date? None of their reminders will be sent. (To call off one date only, use "Skip this visit".)`
          : `Cancel the ${job.job_type} visit${who}? Its reminder will not be sent.`)) return;
        const { deleted, at, ...body } = job; // the model's own fields, not the event's
        void deleted; void at;
        actions.saveJob({ ...body, canceled: true }, 'Visit canceled: its reminders will not be sent.').then(() => actions.loadReminders());
        break;
      }
      case 'skip-visit':
      case 'unskip-visit': {
        // One visit of a repeating job: its date goes into (or out of) the job's skip_dates and the
        // job is saved again. The relay pulls back a reminder of it still waiting to go (one already
        // handed to Twilio is recorded as too late), and gives it back its reminder on undo.
        const s = state();
        const job = currentJob(s, a.job || '');
        const date = a.date || '';
        if (!job || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
        const c = customerOfJob(s, job.job_id);
        const who = c.name ? ` for ${c.name}` : '';
        const had = Array.isArray(job.skip_dates) ? job.skip_dates.filter((/** @type {unknown} */ d) => typeof d === 'string') : [];
        const skip = a.action === 'skip-visit';
        if (skip && !window.confirm(`Skip the ${job.job_type} visit${who} on ${dayOnly(date)}? Its reminder will not be sent; the other visits of the series keep theirs.`)) return;
        const dates = skip ? [...new Set([...had, date])].sort() : had.filter((/** @type {string} */ d) => d !== date);
        /** @type {any} */
        const body = { ...job };
        delete body.skip_dates;
        if (dates.length) body.skip_dates = dates;
        actions.saveJob(body, skip ? `Visit on ${dayOnly(date)} skipped: its reminder will not be sent.` : `Skip undone: the visit on ${dayOnly(date)} gets its reminder again.`)
          .then(() => actions.loadReminders());
        break;
      }
      default: break;
    }
  });

  el.addEventListener('input', (ev) => {
    const t = /** @type {HTMLInputElement} */ (ev.target);
    const oform = /** @type {HTMLFormElement | null} */ (t.closest('form[data-form="otw-template"]'));
    if (oform && t.name === 'otw_text') {
      ui.otwDraft = t.value;
      ui.otwSavingId = '';
      setText(oform.querySelector('[data-field="otw-save-state"]'), 'Not saved yet');
      updateOtwPreview(state(), oform);
      return;
    }
    const form = /** @type {HTMLFormElement | null} */ (t.closest('form[data-form="template"]'));
    if (form) {
      const d = new FormData(form);
      ui.draft = { jobType: String(d.get('job_type') || ''), text: String(d.get('text') || ''), days: String(d.get('days_before') || '') };
      ui.savingId = '';
      setText(form.querySelector('[data-field="tpl-save-state"]'), 'Not saved yet');
      updatePreview(state(), form);
      const head = /** @type {HTMLElement | null} */ (el.querySelector('[data-part="editor"]'));
      if (head && !form.querySelector('[data-action="discard-template"]')) {
        form.querySelector('button[type="submit"]')?.after(h('button', { type: 'button', class: 'secondary', 'data-action': 'discard-template' }, 'Discard changes'));
      }
    }
  });

  el.addEventListener('change', (ev) => {
    const t = /** @type {HTMLSelectElement} */ (ev.target);
    if (t.dataset.field === 'tpl-sample') {
      ui.sample = t.value;
      const form = /** @type {HTMLFormElement | null} */ (el.querySelector('form[data-form="template"]'));
      if (form) updatePreview(state(), form);
    }
    if (t.dataset.field === 'job-customer') {
      const s = state();
      const c = s.model.customers.get(t.value);
      const tz = /** @type {HTMLSelectElement | null} */ (el.querySelector('select[name="tz"]'));
      if (tz && c) tz.value = zoneFor(s, c);
    }
  });

  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const form = /** @type {HTMLFormElement} */ (ev.target);
    if (form.dataset.form === 'template') await saveTemplate(form);
    if (form.dataset.form === 'otw-template') await saveOnTheWay(form);
    if (form.dataset.form === 'job') await saveJob(form);
  });

  function confirmDiscard() {
    return window.confirm('Discard the changes to this template?');
  }

  /** @param {HTMLFormElement} form */
  async function saveTemplate(form) {
    const s = state();
    const d = new FormData(form);
    const jobType = String(d.get('job_type') || '').trim();
    const text = String(d.get('text') || '');
    const daysRaw = String(d.get('days_before') || '').trim();
    const days = Number(daysRaw);
    const err = /** @type {HTMLElement} */ (form.querySelector('[data-field="tpl-error"]'));
    /** @type {string[]} */
    const problems = [];
    const typeIn = /** @type {HTMLInputElement} */ (form.querySelector('input[name="job_type"]'));
    const daysIn = /** @type {HTMLInputElement} */ (form.querySelector('input[name="days_before"]'));
    typeIn.removeAttribute('aria-invalid');
    daysIn.removeAttribute('aria-invalid');
    if (!jobType) { problems.push('Give the job type.'); typeIn.setAttribute('aria-invalid', 'true'); }
    else if (new TextEncoder().encode(jobType).length > 64) { problems.push('The job type is too long (64 bytes at most).'); typeIn.setAttribute('aria-invalid', 'true'); }
    const existing = templateMap(s).get(jobType.toLowerCase());
    if (jobType && ui.selected === '' && existing) { problems.push(`"${existing.job_type}" has a template already: choose it above to change it.`); typeIn.setAttribute('aria-invalid', 'true'); }
    if (daysRaw === '' || !Number.isInteger(days) || days < 0 || days > MAX_DAYS_BEFORE) { problems.push('Days before must be a whole number from 0 to 30.'); daysIn.setAttribute('aria-invalid', 'true'); }
    if (!text.trim()) problems.push('Write the message.');
    else if (core) {
      const r = core.renderTemplate({ template: text });
      if (r.ok === false && r.error && r.error.name !== 'FT_E_TPL_MISSING_VALUE') problems.push(`Check the message: ${r.error.message}.`);
      else if (/\{\{\s*job\.eta\s*\}\}/i.test(text)) problems.push('{{job.eta}} (the arrival time) is known only in on-the-way notices: take it out, or give it a fallback like {{job.eta|in the morning}}.');
    }
    if (problems.length) {
      err.textContent = problems.join(' ');
      err.hidden = false;
      (/** @type {HTMLElement | null} */ (form.querySelector('[aria-invalid="true"]')) || /** @type {HTMLElement} */ (form.querySelector('textarea')))?.focus();
      return;
    }
    err.hidden = true;
    const id = await actions.saveTemplate({ template_id: existing ? existing.template_id : '', job_type: jobType, text, days_before: days });
    if (id) {
      ui.savingId = id;
      ui.selected = jobType.toLowerCase();
      ui.draft = null;
      rerender();
    }
  }

  /** @param {HTMLFormElement} form */
  async function saveOnTheWay(form) {
    const s = state();
    const ta = /** @type {HTMLTextAreaElement} */ (form.querySelector('textarea[name="otw_text"]'));
    const err = /** @type {HTMLElement} */ (form.querySelector('[data-field="otw-error"]'));
    const text = ta.value;
    let problem = '';
    if (!text.trim()) problem = 'Write the message.';
    else if (core) {
      const r = core.renderTemplate({ template: text });
      if (r.ok === false && r.error && r.error.name !== 'FT_E_TPL_MISSING_VALUE') problem = `Check the message: ${r.error.message}.`;
    }
    if (problem) {
      err.textContent = problem;
      err.hidden = false;
      ta.setAttribute('aria-invalid', 'true');
      ta.focus();
      return;
    }
    err.hidden = true;
    const cur = onTheWayOf(s);
    const id = await actions.saveOnTheWayTemplate(text, cur ? cur.template_id : '');
    if (id) {
      ui.otwSavingId = id;
      ui.otwDraft = null;
      const box = /** @type {HTMLElement | null} */ (el.querySelector('[data-part="otw"]'));
      if (box) box.dataset.sig = '';
      actions.touch();
    }
  }

  /** @param {HTMLFormElement} form */
  async function saveJob(form) {
    const s = state();
    const d = new FormData(form);
    const err = /** @type {HTMLElement} */ (form.querySelector('[data-field="job-error"]'));
    const c = s.model.customers.get(String(d.get('customer_id') || ''));
    const jobType = String(d.get('job_type') || '').trim();
    const date = String(d.get('date') || '');
    const time = String(d.get('time') || '');
    const end = String(d.get('end') || '');
    const tz = String(d.get('tz') || '');
    const tech = String(d.get('technician') || '').trim();
    /** @type {[string, string][]} */
    const problems = [];
    if (!c) problems.push(['customer_id', 'Choose the customer.']);
    if (!jobType) problems.push(['job_type', 'Give the job type.']);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) problems.push(['date', 'Give the date.']);
    if (!/^\d{2}:\d{2}$/.test(time)) problems.push(['time', 'Give the arrival time.']);
    if (end && end <= time) problems.push(['end', 'The arrival window must end after it starts.']);
    if (!tech) problems.push(['technician', 'Give the technician.']);
    const daysRaw = String(d.get('days_before') || '').trim();
    const tpl = templateMap(s).get(jobType.toLowerCase());
    let days = daysRaw === '' ? (tpl && tpl.days_before !== null ? tpl.days_before : null) : Number(daysRaw);
    if (days !== null && (!Number.isInteger(days) || days < 0 || days > MAX_DAYS_BEFORE)) problems.push(['days_before', 'Days before must be a whole number from 0 to 30.']);
    for (const f of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('[name]'))) f.removeAttribute('aria-invalid');
    /** @type {string} */ let start = '';
    /** @type {string} */ let windowEnd = '';
    if (!problems.length && core) {
      const a = core.timeZone({ zone: tz, local: `${date}T${time}`, choice: 'later' });
      if (!a.ok) problems.push(['time', `That time does not exist in ${tz}: ${a.error ? a.error.message : ''}`]);
      else start = a.local;
      if (end) {
        const b = core.timeZone({ zone: tz, local: `${date}T${end}`, choice: 'later' });
        if (b.ok) windowEnd = b.local;
      }
    }
    if (problems.length || !c) {
      err.textContent = problems.map((p) => p[1]).join(' ');
      err.hidden = false;
      for (const [name] of problems) form.querySelector(`[name="${name}"]`)?.setAttribute('aria-invalid', 'true');
      /** @type {HTMLElement | null} */ (form.querySelector('[aria-invalid="true"]'))?.focus();
      return;
    }
    err.hidden = true;
    const repeat = REPEATS.find((x) => x[0] === String(d.get('repeat') || ''));
    /** @type {any} */
    const job = { job_id: crypto.randomUUID(), customer_id: c.id, phone: c.phone, start, tz, job_type: jobType, technician: tech };
    if (windowEnd) job.window_end = windowEnd;
    if (days !== null) job.days_before = days;
    if (repeat && repeat[2]) job.recurrence = repeat[2];
    const address = String(d.get('address') || '').trim();
    const gate = String(d.get('gate_code') || '').trim();
    if (address) job.address = address;
    if (gate) job.gate_code = gate;
    if (await actions.saveJob(job)) {
      for (const n of ['technician', 'address', 'gate_code', 'days_before']) { const f = /** @type {HTMLInputElement | null} */ (form.querySelector(`[name="${n}"]`)); if (f) f.value = ''; }
      if (!tpl) err.textContent = '';
    }
  }
}
