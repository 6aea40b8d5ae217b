// @ts-check
/** Sign-in, and the first-run setup form (/setup?token=… printed once by the relay). */
import { h } from '../dom.js';

/** @typedef {import('../app.js').State} State */

/** @param {State} s @param {HTMLElement} el */
export function render(s, el) {
  const sig = JSON.stringify([s.phase, s.loginError, s.failure]);
  if (el.dataset.sig === sig) return;
  const first = !el.dataset.sig || !el.dataset.sig.startsWith(JSON.stringify([s.phase]).slice(0, -1));
  el.dataset.sig = sig;
  const err = s.loginError ? h('p', { class: 'form-error', role: 'alert', 'data-testid': 'login-error' }, s.loginError) : '';
  if (s.phase === 'loading') {
    el.replaceChildren(h('div', { class: 'card center' }, h('p', {}, 'Opening fieldtext…')));
    return;
  }
  if (s.phase === 'failed') {
    el.replaceChildren(h('div', { class: 'card center' }, h('h1', {}, 'fieldtext could not start'), h('p', { role: 'alert' }, s.failure)));
    return;
  }
  // Keep what was typed when only the error changes.
  const existing = el.querySelector('form');
  if (existing && !first && existing.dataset.phase === s.phase) {
    const old = existing.querySelector('.form-error');
    if (old) old.remove();
    if (err) existing.querySelector('.actions')?.before(err);
    return;
  }
  if (s.phase === 'setup') {
    el.replaceChildren(h('form', { class: 'card login', 'data-phase': 'setup', 'data-form': 'setup', 'aria-labelledby': 'setup-title' },
      h('h1', { id: 'setup-title' }, 'Set up fieldtext'),
      h('p', {}, 'Create the first administrator account. This link works once.'),
      h('label', {}, 'Your name', h('input', { name: 'name', required: true, autocomplete: 'name', autofocus: true })),
      h('label', {}, 'Username', h('input', { name: 'username', required: true, autocomplete: 'username' })),
      h('label', {}, 'Password (at least 10 characters)', h('input', { name: 'password', type: 'password', required: true, minlength: 10, autocomplete: 'new-password' })),
      h('label', {}, 'Password again', h('input', { name: 'password2', type: 'password', required: true, minlength: 10, autocomplete: 'new-password' })),
      err,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create account and sign in'))));
  } else {
    el.replaceChildren(h('form', { class: 'card login', 'data-phase': 'login', 'data-form': 'login', 'aria-labelledby': 'login-title' },
      h('h1', { id: 'login-title' }, 'Sign in to fieldtext'),
      h('label', {}, 'Username', h('input', { name: 'username', required: true, autocomplete: 'username', autofocus: true })),
      h('label', {}, 'Password', h('input', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' })),
      err,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in')),
      h('p', { class: 'muted' }, h('a', { href: '/estimator.html' }, 'Open the cost estimator'), ' (works without signing in, even offline).')));
  }
  const f = /** @type {HTMLElement | null} */ (el.querySelector('[autofocus]'));
  if (f) f.focus();
}

/** @param {HTMLElement} el @param {any} actions */
export function bind(el, actions) {
  el.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const form = /** @type {HTMLFormElement} */ (ev.target);
    const d = new FormData(form);
    const v = (/** @type {string} */ k) => String(d.get(k) || '');
    if (form.dataset.form === 'setup') {
      if (v('password') !== v('password2')) {
        const p = h('p', { class: 'form-error', role: 'alert' }, 'The two passwords differ.');
        form.querySelector('.form-error')?.remove();
        form.querySelector('.actions')?.before(p);
        return;
      }
      const token = new URL(location.href).searchParams.get('token') || '';
      actions.setup({ token, username: v('username'), name: v('name'), password: v('password') });
    } else {
      actions.login(v('username'), v('password'));
    }
  });
}
