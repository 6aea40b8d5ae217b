// @ts-check
/**
 * Request checking against Twilio's own OpenAPI descriptions (../shared/twilio-oai/*.json, copied
 * verbatim from twilio/twilio-oai). Every request the sandbox receives on a Twilio API path goes
 * through `check()`: the path must match a path template of one of the specs, the method must be
 * described there, and every query/form parameter must be one the operation declares, of the
 * declared type (string pattern/length, integer, number, boolean, enum, date-time, uri), with the
 * required ones present.
 *
 * Twilio's form encoding of arrays is the repeated key (`MediaUrl=a&MediaUrl=b`); the specs declare
 * such fields `type: array` without an `encoding` entry (which is why Prism rejects them). Here a
 * parameter may repeat only when it is declared an array; each value is checked against `items`.
 *
 * What the specs do not say (cross-field rules such as From|MessagingServiceSid, Body ≤ 1600) is
 * the sandbox's business logic, not this module's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');
export const SPEC_FILES = ['twilio_api_v2010.json', 'twilio_messaging_v1.json', 'twilio_trusthub_v1.json'];
const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

/** The folder holding the specs: $FIELDTEXT_TWILIO_OAI_DIR, else ../shared/twilio-oai beside the repo. */
export function defaultSpecDir() {
  return process.env.FIELDTEXT_TWILIO_OAI_DIR || path.resolve(REPO_ROOT, '..', 'shared', 'twilio-oai');
}

/**
 * @typedef {{kind: string, param?: string, message: string}} Violation
 * @typedef {{spec: string, template: string, method: string, op: any, pathParams: Record<string,string>,
 *            host: string}} Match
 */

export class Oai {
  /** @param {string} [dir] */
  constructor(dir = defaultSpecDir()) {
    this.dir = dir;
    /** @type {{spec: any, file: string, template: string, item: any, re: RegExp, names: string[], literal: number}[]} */
    this.routes = [];
    /** @type {Map<string, any>} file name → spec */
    this.specs = new Map();
    for (const file of SPEC_FILES) {
      const full = path.join(dir, file);
      const spec = JSON.parse(fs.readFileSync(full, 'utf8'));
      this.specs.set(file, spec);
      for (const [template, item] of Object.entries(spec.paths)) {
        const names = [];
        let literal = 0;
        const src = template.split('/').map((seg) => {
          const parts = seg.split(/(\{[^}]+\})/).filter(Boolean);
          return parts.map((p) => {
            if (p.startsWith('{')) { names.push(p.slice(1, -1)); return '([^/]+?)'; }
            literal += p.length;
            return p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          }).join('');
        }).join('/');
        this.routes.push({ spec, file, template, item, re: new RegExp(`^${src}$`), names, literal });
      }
    }
    // Prefer the most literal template: /v1/Services/Usecases before /v1/Services/{Sid}.
    this.routes.sort((a, b) => b.literal - a.literal || a.names.length - b.names.length);
  }

  /**
   * Finds the operation for a request. Returns {match} or {error: 'path'|'method'}.
   * @param {string} method
   * @param {string} pathname
   * @returns {{match?: Match, error?: 'path'|'method', allowed?: string[]}}
   */
  match(method, pathname) {
    let allowed = null;
    for (const r of this.routes) {
      const m = r.re.exec(pathname);
      if (!m) continue;
      const op = r.item[method.toLowerCase()];
      if (!op) { allowed = allowed || METHODS.filter((x) => r.item[x]).map((x) => x.toUpperCase()); continue; }
      /** @type {Record<string,string>} */
      const pathParams = {};
      r.names.forEach((n, i) => { pathParams[n] = decodeURIComponent(m[i + 1]); });
      const servers = r.item.servers || r.spec.servers || [];
      const host = servers[0] ? new URL(servers[0].url).host : '';
      return { match: { spec: r.file, template: r.template, method: method.toUpperCase(), op, pathParams, host } };
    }
    return allowed ? { error: 'method', allowed } : { error: 'path' };
  }

  /**
   * Checks a matched request's parameters.
   * @param {Match} match
   * @param {[string,string][]} query query pairs in order
   * @param {[string,string][]} form form pairs of an application/x-www-form-urlencoded body ([] for none)
   * @returns {Violation[]}
   */
  check(match, query, form) {
    const spec = this.specFor(match);
    /** @type {Violation[]} */
    const out = [];
    const params = (match.op.parameters || []).map((/** @type {any} */ p) => this.deref(spec, p));
    for (const p of params.filter((/** @type {any} */ p) => p.in === 'path')) {
      const v = match.pathParams[p.name];
      if (v === undefined) { out.push({ kind: 'missing', param: p.name, message: `path parameter ${p.name} is missing` }); continue; }
      checkValue(this, spec, p.name, v, p.schema || {}, out);
    }
    /** @type {Record<string, any>} */
    const querySchema = {};
    const queryRequired = [];
    for (const p of params.filter((/** @type {any} */ p) => p.in === 'query')) {
      querySchema[p.name] = p.schema || {};
      if (p.required) queryRequired.push(p.name);
    }
    checkPairs(this, spec, query, querySchema, queryRequired, 'query', out);

    const body = match.op.requestBody;
    const formSpec = body && body.content && body.content['application/x-www-form-urlencoded'];
    if (body && !formSpec) {
      out.push({ kind: 'content-type', message: `operation takes ${Object.keys(body.content || {}).join(', ')}` });
    } else if (formSpec) {
      const schema = this.deref(spec, formSpec.schema || {});
      checkPairs(this, spec, form, schema.properties || {}, schema.required || [], 'form', out);
    } else if (form.length) {
      out.push({ kind: 'unexpected-body', message: `${match.method} ${match.template} takes no body parameters` });
    }
    return out;
  }

  /** The schema of the operation's success response (resolving $ref and oneOf's first branch). */
  responseSchema(/** @type {Match} */ match) {
    const spec = this.specFor(match);
    const responses = match.op.responses || {};
    const code = Object.keys(responses).find((c) => /^2/.test(c) && responses[c].content);
    if (!code) return null;
    let s = this.deref(spec, responses[code].content['application/json'].schema);
    if (s.oneOf) s = this.deref(spec, s.oneOf[0]);
    return s;
  }

  /** @param {Match} match */
  specFor(match) {
    return this.specs.get(match.spec);
  }

  /** Resolves a local `#/components/...` reference. @param {any} spec @param {any} node */
  deref(spec, node) {
    let n = node;
    for (let i = 0; n && n.$ref && i < 10; i++) {
      n = n.$ref.replace(/^#\//, '').split('/').reduce((/** @type {any} */ o, /** @type {string} */ k) => o && o[k], spec);
    }
    return n || {};
  }
}

/**
 * @param {Oai} oai @param {any} spec @param {[string,string][]} pairs
 * @param {Record<string, any>} props @param {string[]} required @param {string} where @param {Violation[]} out
 */
function checkPairs(oai, spec, pairs, props, required, where, out) {
  /** @type {Map<string, string[]>} */
  const grouped = new Map();
  for (const [k, v] of pairs) {
    if (!grouped.has(k)) grouped.set(k, []);
    /** @type {string[]} */ (grouped.get(k)).push(v);
  }
  for (const [name, values] of grouped) {
    if (!Object.prototype.hasOwnProperty.call(props, name)) {
      out.push({ kind: 'unknown', param: name, message: `unknown ${where} parameter ${name}` });
      continue;
    }
    const schema = oai.deref(spec, props[name]);
    if (schema.type === 'array') {
      const items = oai.deref(spec, schema.items || {});
      for (const v of values) checkValue(oai, spec, name, v, items, out);
    } else if (values.length > 1) {
      out.push({ kind: 'repeated', param: name, message: `${name} is not an array but was sent ${values.length} times` });
    } else {
      checkValue(oai, spec, name, values[0], schema, out);
    }
  }
  for (const name of required) {
    if (!grouped.has(name)) out.push({ kind: 'missing', param: name, message: `required parameter ${name} is missing` });
  }
}

/**
 * Checks one string value against a (scalar) schema.
 * @param {Oai} oai @param {any} spec @param {string} name @param {string} value @param {any} schemaIn @param {Violation[]} out
 */
function checkValue(oai, spec, name, value, schemaIn, out) {
  const s = oai.deref(spec, schemaIn);
  const bad = (/** @type {string} */ why) => out.push({ kind: 'type', param: name, message: `${name}=${JSON.stringify(value.slice(0, 80))}: ${why}` });
  switch (s.type) {
    case 'integer':
      if (!/^-?\d+$/.test(value)) return bad('not an integer');
      if (s.minimum !== undefined && Number(value) < s.minimum) return bad(`below ${s.minimum}`);
      if (s.maximum !== undefined && Number(value) > s.maximum) return bad(`above ${s.maximum}`);
      break;
    case 'number':
      if (value.trim() === '' || !Number.isFinite(Number(value))) return bad('not a number');
      break;
    case 'boolean':
      if (!/^(true|false)$/i.test(value)) return bad('not a boolean (true|false)');
      break;
    default: // string, or no type: checked below
      break;
  }
  if (Array.isArray(s.enum) && !s.enum.includes(value)) return bad(`not one of ${s.enum.join(', ')}`);
  if (s.type === 'string') {
    if (s.minLength !== undefined && value.length < s.minLength) return bad(`shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && value.length > s.maxLength) return bad(`longer than ${s.maxLength}`);
    if (s.pattern && !new RegExp(s.pattern).test(value)) return bad(`does not match ${s.pattern}`);
    const ignoreFormat = s['x-twilio'] && s['x-twilio'].ignoreFormat;
    if (!ignoreFormat && s.format === 'date-time' && Number.isNaN(Date.parse(value))) return bad('not an ISO 8601 date-time');
    if (!ignoreFormat && s.format === 'uri' && value !== '') {
      try { new URL(value); } catch { return bad('not an absolute URI'); }
    }
  }
}

/** Parses a form or query string into ordered pairs ('+' is a space, as in HTML forms). */
export function parsePairs(/** @type {string} */ text) {
  return /** @type {[string,string][]} */ ([...new URLSearchParams(text)]);
}
