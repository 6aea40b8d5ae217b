// @ts-check
/**
 * The bench peer for scripts/bench-relay: the conventional way to receive Twilio webhooks in Node
 * (Express + twilio.webhook() signature validation + SQLite), so the relay's figures have something
 * to be compared with. Each webhook is committed durably (WAL, synchronous=FULL) before the 200.
 *
 *   node relay/bench-peer/server.mjs [--port N] [--db FILE]
 * First stdout line: BENCH_PEER_URL=http://127.0.0.1:PORT
 * Env: TWILIO_AUTH_TOKEN (required: the key webhooks are signed with), FIELDTEXT_PUBLIC_URL (the
 * origin the sender signs against; default: the request's own Host over http).
 * Routes: POST /twilio/inbound, POST /twilio/status (TwiML <Response/>), GET /stats (row counts).
 * Dedupe as the relay must: inbound by MessageSid, status by (MessageSid, MessageStatus).
 */
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import express from 'express';
import twilio from 'twilio';
import Database from 'better-sqlite3';

/** @type {Record<string,string>} */
const args = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
  if (m) args[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
}
const port = Number(args.port ?? process.env.BENCH_PEER_PORT ?? 0);
const dbFile = args.db || process.env.BENCH_PEER_DB || path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ft-bench-peer-')), 'peer.db');
const token = process.env.TWILIO_AUTH_TOKEN;
if (!token) {
  process.stderr.write('bench-peer: TWILIO_AUTH_TOKEN is required\n');
  process.exit(2);
}

const db = new Database(dbFile);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE IF NOT EXISTS inbound (message_sid TEXT PRIMARY KEY, from_number TEXT NOT NULL,
           to_number TEXT NOT NULL, body TEXT NOT NULL, params TEXT NOT NULL, at INTEGER NOT NULL);
         CREATE TABLE IF NOT EXISTS status (message_sid TEXT NOT NULL, status TEXT NOT NULL, error_code TEXT,
           params TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (message_sid, status));`);
const insertInbound = db.prepare('INSERT OR IGNORE INTO inbound VALUES (?, ?, ?, ?, ?, ?)');
const insertStatus = db.prepare('INSERT OR IGNORE INTO status VALUES (?, ?, ?, ?, ?)');

/** @type {Record<string, any>} */
const hookOptions = { validate: true };
if (process.env.FIELDTEXT_PUBLIC_URL) {
  const u = new URL(process.env.FIELDTEXT_PUBLIC_URL);
  hookOptions.protocol = u.protocol.replace(':', '');
  hookOptions.host = u.host;
}
const verify = twilio.webhook(token, hookOptions);
const app = express();
app.disable('x-powered-by');
app.use(express.urlencoded({ extended: false, limit: '1mb' }));
const twiml = (/** @type {express.Response} */ res) => res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');

app.post('/twilio/inbound', verify, (req, res) => {
  const p = req.body;
  if (!p.MessageSid || !p.From) return res.status(400).type('text/plain').send('MessageSid and From are required');
  insertInbound.run(p.MessageSid, p.From, p.To || '', p.Body || '', JSON.stringify(p), Date.now());
  twiml(res);
});
app.post('/twilio/status', verify, (req, res) => {
  const p = req.body;
  if (!p.MessageSid || !p.MessageStatus) return res.status(400).type('text/plain').send('MessageSid and MessageStatus are required');
  insertStatus.run(p.MessageSid, p.MessageStatus, p.ErrorCode || null, JSON.stringify(p), Date.now());
  twiml(res);
});
app.get('/stats', (_req, res) => {
  const count = (/** @type {string} */ t) => /** @type {{n: number}} */ (db.prepare(`SELECT count(*) AS n FROM ${t}`).get()).n;
  res.json({ inbound: count('inbound'), status: count('status'), db: dbFile });
});

const server = app.listen(port, '127.0.0.1', () => {
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`BENCH_PEER_URL=http://127.0.0.1:${addr.port}\n`);
  process.stderr.write(`[bench-peer] db ${dbFile}, signatures checked against ${process.env.FIELDTEXT_PUBLIC_URL || 'the request Host'}\n`);
});
const stop = () => server.close(() => { db.close(); process.exit(0); });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
