// @ts-check
/**
 * Loaded by index.html beside app.js: starts compiling the WASM core as soon as core.js arrives,
 * while the rest of the app's modules are still loading (a cold-load saving; loadCore() returns the
 * same promise to app.js later). An external file because the relay's CSP allows no inline script.
 */
import { loadCore } from './core.js';

loadCore().catch(() => { /* app.js reports it */ });
