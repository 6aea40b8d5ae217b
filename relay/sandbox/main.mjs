#!/usr/bin/env node
// @ts-check
/**
 * Starts the Twilio sandbox on 127.0.0.1.
 *   node relay/sandbox/main.mjs [--port N] [--data-dir DIR]
 * Port: --port, else $FIELDTEXT_SANDBOX_PORT, else 0 (a random free port).
 * The first stdout line is `TWILIO_API_BASE=http://127.0.0.1:PORT` (eval-able by a shell, parseable
 * by tests); logs go to stderr. Environment: see README.md beside this file.
 */
import { createSandbox } from './server.mjs';

/** @type {Record<string, string>} */
const args = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--help' || a === '-h') {
    process.stdout.write('usage: node relay/sandbox/main.mjs [--port N] [--data-dir DIR]  (see relay/sandbox/README.md)\n');
    process.exit(0);
  }
  const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
  if (m) args[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
  else args.port = a;
}
const port = Number(args.port ?? process.env.FIELDTEXT_SANDBOX_PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`fieldtext-sandbox: bad port ${args.port}\n`);
  process.exit(2);
}
/** @type {Record<string, any>} */
const options = {};
if (args['data-dir']) options.dataDir = args['data-dir'];

const sandbox = await createSandbox(options);
const url = await sandbox.listen(port);
process.stdout.write(`TWILIO_API_BASE=${url}\n`);
process.stderr.write(`[sandbox] Twilio sandbox at ${url} (account ${sandbox.config.accountSid}, numbers ${sandbox.config.numbers.join(' ')}, `
  + `segments by ${sandbox.counter.source}, data ${sandbox.config.dataDir}, inbound → ${sandbox.inboundUrl() || '(not set)'})\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await sandbox.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
