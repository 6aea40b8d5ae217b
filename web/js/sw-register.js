// @ts-check
/**
 * Registers the service worker (web/sw.js) that keeps the app usable offline. Importing this
 * module (or loading it with <script type="module">) registers it once; `registration` resolves to
 * the registration, or null where service workers are unavailable (file://, plain http on a
 * non-local host, old browsers). The list of cached files lives in sw.js.
 */

/** @returns {Promise<ServiceWorkerRegistration | null>} */
async function register() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return null;
  try {
    return await navigator.serviceWorker.register(new URL('../sw.js', import.meta.url));
  } catch (err) {
    console.warn('fieldtext: offline support unavailable:', err);
    return null;
  }
}

export const registration = register();
