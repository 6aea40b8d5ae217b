// @ts-check
/**
 * The sandbox's witness record: one JSON-lines file (sandbox.jsonl) in the data dir, appended with a
 * synchronous write before the HTTP reply that reports the change. A kill -9 of the relay (or of the
 * sandbox) cannot lose a message the relay was told about; a torn last line (the sandbox killed
 * mid-write) is skipped on load. FIELDTEXT_SANDBOX_FSYNC=1 adds fdatasync per line (power loss).
 *
 * Line kinds: {"t":"message","m":{...}} (a message as created or updated: the last line of a sid
 * wins), {"t":"optout","number","on"}, {"t":"resource","c":collection path,"r":{...}} (A2P, services),
 * {"t":"resource-delete","c","sid"}, {"t":"rejection","r":{...}}, {"t":"callback","r":{...}}.
 */
import fs from 'node:fs';
import path from 'node:path';

export class Store {
  /** @param {string} dir @param {{fsync?: boolean}} [opts] */
  constructor(dir, opts = {}) {
    this.dir = dir;
    this.file = path.join(dir, 'sandbox.jsonl');
    this.fsync = !!opts.fsync;
    fs.mkdirSync(dir, { recursive: true });
    this.fd = fs.openSync(this.file, 'a');
  }

  /** Reads every complete line. @returns {any[]} */
  load() {
    const text = fs.readFileSync(this.file, 'utf8');
    const out = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try { out.push(JSON.parse(line)); } catch { /* torn line from a crash: skip */ }
    }
    return out;
  }

  /** Appends one record durably (as far as the process is concerned). @param {object} rec */
  append(rec) {
    fs.writeSync(this.fd, JSON.stringify(rec) + '\n');
    if (this.fsync) fs.fdatasyncSync(this.fd);
  }

  /** Empties the file (POST /sandbox/reset). */
  truncate() {
    fs.ftruncateSync(this.fd, 0);
  }

  close() {
    try { fs.closeSync(this.fd); } catch { /* already closed */ }
  }
}
