/**
 * The demo CRM: the business objects' system (the demo world's `SFDC` accounts and campaigns).
 * It receives the status calls Atrium makes back when a document filed for a business object
 * is approved, signed, archived or rejected (`POST /api/status`, see wire.ts), serves what it
 * was told (`GET /api/objects/:type/:id`), and pushes its business events to Atrium as signed
 * Standard Webhooks on request (`POST /__sim/send`), so tests and the demo can make it "push".
 *
 * Beside the framework's control surface (stats, requests, reset, faults) it serves:
 * - `POST /__sim/send` `{ url?, type, data, id?, timestamp?, secret?, body?, signature? }` → the
 *   target's answer `{ id, timestamp, status, body }` (502 `{ id, timestamp, error }` when it
 *   could not be reached);
 * - `GET /__sim/statuses[?type=&id=]` → `{ statuses: RecordedStatus[] }`, the accepted status calls;
 * - `GET /__sim/sent` → `{ sent: SentWebhook[] }`, the webhooks sent.
 * `POST /__sim/reset` clears all three along with the framework's state.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { DemoWorld } from '../demo/world.ts';
import { createSimulator, type SimRequest, type SimResponse, type Simulator } from '../framework/server.ts';
import { isWebhookSecret, signatureOf } from './signing.ts';
import {
  CRM_STATUSES,
  OBJECT_PATH,
  STATUS_PATH,
  type CrmError,
  type CrmObject,
  type CrmStatus,
  type RecordedStatus,
  type StatusCall,
} from './wire.ts';

/** The bearer token the demo CRM accepts on its API (a fixed demo credential, like the other simulators'). */
export const DEMO_CRM_TOKEN = 'crm-demo-api-token-4f2d';
/** The business-object system the demo CRM owns. */
export const CRM_SYSTEM = 'SFDC';

export interface CrmSimOptions {
  /** Tokens accepted on `/api/...`. Default: the demo token. */
  tokens?: string[];
  /** The secret `/__sim/send` signs with when the request names none (the one Atrium verifies with). */
  hookSecret?: string;
  /** Where `/__sim/send` posts when the request names no `url` (Atrium's `/hooks/crm`). */
  hookUrl?: string;
  /** Latency added to every vendor request. */
  baseLatencyMs?: number;
  /** The clock in ms, for default webhook timestamps (injectable for tests). */
  now?: () => number;
}

/** A webhook `/__sim/send` sent, as `GET /__sim/sent` lists it (never its secret or signature). */
export interface SentWebhook {
  at: string;
  id: string;
  timestamp: number;
  url: string;
  type: string | null;
  /** The target's status; absent when it could not be reached. */
  status?: number;
  error?: string;
}

export interface CrmSimulator extends Simulator {
  /** Accepted status calls, oldest first. */
  statuses(): RecordedStatus[];
  /** Webhooks sent, oldest first. */
  sent(): SentWebhook[];
}

const MAX_CONTROL_BODY = 1024 * 1024;
const MAX_ANSWER_BODY = 64 * 1024;
const SEND_TIMEOUT_MS = 15_000;
const PRINTABLE = /^[^\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]+$/u;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/** Create the CRM simulator over the demo world; it does not listen until `listen()`. */
export function createCrmSimulator(world: DemoWorld, opts: CrmSimOptions = {}): CrmSimulator {
  const tokens = (opts.tokens ?? [DEMO_CRM_TOKEN]).map(digest);
  const now = opts.now ?? Date.now;
  let statuses: RecordedStatus[] = [];
  let sent: SentWebhook[] = [];
  /** Business objects the CRM created after the world was generated (pushed with `account.created`, `campaign.created`). */
  let pushed = new Map<string, string>();
  /** Idempotency-Key → the request's body digest and its receipt. */
  let replays = new Map<string, { body: string; record: RecordedStatus }>();

  const sim = createSimulator({
    name: 'crm',
    baseLatencyMs: opts.baseLatencyMs ?? 0,
    errorBody: (status) => ({ error: `HTTP ${status}` }) satisfies CrmError,
    onReset: () => {
      statuses = [];
      sent = [];
      pushed = new Map();
      replays = new Map();
    },
  });

  /** The name of a business object the CRM holds, or null. */
  const objectName = (bo: { system: string; type: string; id: string }): string | null => {
    if (bo.system !== CRM_SYSTEM) return null;
    const own = pushed.get(`${bo.type}/${bo.id}`);
    if (own !== undefined) return own;
    if (bo.type === 'Account') return world.accountById(bo.id)?.name ?? null;
    if (bo.type === 'Campaign') return campaignName(world, bo.id);
    return null;
  };

  const authorized = (req: SimRequest): boolean => {
    const m = /^Bearer +(\S+) *$/i.exec(String(req.headers.authorization ?? ''));
    if (!m?.[1]) return false;
    const given = digest(m[1]);
    return tokens.some((t) => timingSafeEqual(t, given));
  };
  const unauthorized: SimResponse = {
    status: 401,
    headers: { 'www-authenticate': 'Bearer' },
    body: { error: 'unauthorized' } satisfies CrmError,
  };

  sim.route('POST', STATUS_PATH, (req) => {
    if (!authorized(req)) return unauthorized;
    if (!req.contentType.includes('application/json') || typeof req.body !== 'object' || req.body === null)
      return { status: 400, body: { error: 'the body must be a JSON object' } satisfies CrmError };
    const checked = statusCall(req.body);
    if ('problems' in checked)
      return { status: 422, body: { error: 'invalid status call', problems: checked.problems } satisfies CrmError };
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)))
      return { status: 400, body: { error: 'Idempotency-Key must be 1-128 printable characters' } satisfies CrmError };
    const bodyDigest = createHash('sha256').update(JSON.stringify(checked.call)).digest('base64');
    const earlier = key ? replays.get(key) : undefined;
    if (earlier) {
      if (earlier.body !== bodyDigest)
        return { status: 409, body: { error: 'Idempotency-Key was used with another request' } satisfies CrmError };
      return { status: 200, headers: { 'idempotent-replayed': 'true' }, body: receipt(earlier.record) };
    }
    if (objectName(checked.call.businessObject) === null)
      return { status: 404, body: { error: 'unknown business object' } satisfies CrmError };
    const record: RecordedStatus = {
      id: `STS-${String(statuses.length + 1).padStart(6, '0')}`,
      receivedAt: new Date(now()).toISOString(),
      ...checked.call,
      ...(key ? { idempotencyKey: key } : {}),
    };
    statuses.push(record);
    if (key) replays.set(key, { body: bodyDigest, record });
    return { status: 201, body: receipt(record) };
  });

  sim.route('GET', OBJECT_PATH, (req) => {
    if (!authorized(req)) return unauthorized;
    const bo = { system: CRM_SYSTEM, type: req.params.type ?? '', id: req.params.id ?? '' };
    const name = objectName(bo);
    if (name === null) return { status: 404, body: { error: 'unknown business object' } satisfies CrmError };
    const latest = new Map<string, CrmObject['documents'][number]>();
    for (const s of statuses)
      if (s.businessObject.system === bo.system && s.businessObject.type === bo.type && s.businessObject.id === bo.id)
        latest.set(s.document.id, { document: s.document, status: s.status, at: s.receivedAt });
    return { body: { businessObject: bo, name, documents: [...latest.values()] } satisfies CrmObject };
  });

  const send = async (input: unknown): Promise<{ status: number; body: unknown }> => {
    const req = sendRequest(input, opts, now);
    if ('error' in req) return { status: 400, body: req };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'webhook-id': req.id,
      'webhook-timestamp': String(req.timestamp),
      ...req.headers,
    };
    const signature = req.signature === undefined ? signatureOf(req.secret, req.id, req.timestamp, req.body) : req.signature;
    if (signature !== null) headers['webhook-signature'] = signature;
    if (req.created) pushed.set(`${req.created.type}/${req.created.id}`, req.created.name);
    const entry: SentWebhook = { at: new Date(now()).toISOString(), id: req.id, timestamp: req.timestamp, url: req.url, type: req.type };
    sent.push(entry);
    try {
      // Redirects are not followed: Standard Webhooks counts a 3xx as a failed delivery.
      const res = await fetch(req.url, {
        method: 'POST',
        headers,
        body: req.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      entry.status = res.status;
      const text = Buffer.from(await res.arrayBuffer())
        .subarray(0, MAX_ANSWER_BODY)
        .toString('utf8');
      return { status: 200, body: { id: req.id, timestamp: req.timestamp, status: res.status, body: jsonOrText(text) } };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      entry.error = err.cause?.code ?? err.name;
      return { status: 502, body: { id: req.id, timestamp: req.timestamp, error: `delivery failed: ${entry.error}` } };
    }
  };

  const controls: Record<string, (req: IncomingMessage, url: URL) => Promise<{ status: number; body: unknown }>> = {
    'POST /__sim/send': async (req) => {
      const raw = await readJson(req);
      return raw.ok ? send(raw.value) : { status: 400, body: { error: raw.error } };
    },
    'GET /__sim/statuses': async (_req, url) => {
      const type = url.searchParams.get('type');
      const id = url.searchParams.get('id');
      const list = statuses.filter((s) => (!type || s.businessObject.type === type) && (!id || s.businessObject.id === id));
      return { status: 200, body: { statuses: list } };
    },
    'GET /__sim/sent': async () => ({ status: 200, body: { sent } }),
  };

  // The framework answers every /__sim/ path itself (and 404s those it does not know), so the
  // CRM's own control routes are served in front of its request listener; everything else,
  // vendor routes and the shared control surface alike, goes through the framework unchanged.
  const framework = sim.server.listeners('request')[0] as RequestListener;
  sim.server.removeAllListeners('request');
  sim.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://crm.invalid');
    const control = controls[`${req.method} ${url.pathname}`];
    if (!control) return framework(req, res);
    control(req, url).then(
      (out) => answer(res, out.status, out.body),
      (e: unknown) => {
        console.error('[sim crm] control route failed:', (e as Error)?.message);
        answer(res, 500, { error: 'control route failed' });
      },
    );
  });

  return Object.assign(sim, {
    statuses: () => statuses.map((s) => ({ ...s })),
    sent: () => sent.map((s) => ({ ...s })),
  });
}

interface SendRequest {
  url: string;
  id: string;
  timestamp: number;
  secret: string;
  body: Buffer;
  type: string | null;
  signature?: string | null;
  headers: Record<string, string>;
  /** A record the event announces the CRM created, which it then knows for status calls. */
  created?: { type: string; id: string; name: string };
}

/** Check a `/__sim/send` request; the message names what is wrong and never repeats a secret. */
function sendRequest(input: unknown, opts: CrmSimOptions, now: () => number): SendRequest | { error: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { error: 'the body must be a JSON object' };
  const p = input as Record<string, unknown>;
  const url = p.url ?? opts.hookUrl;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url) || !URL.canParse(url))
    return { error: 'url must be an http(s) URL (no default target is configured)' };
  if (p.body !== undefined && typeof p.body !== 'string') return { error: 'body, when given, must be a string (sent as is)' };
  if (p.body === undefined && typeof p.type !== 'string') return { error: 'type must be a string (or give body)' };
  const id = p.id ?? `msg_${randomBytes(18).toString('base64url')}`;
  if (typeof id !== 'string' || id === '') return { error: 'id must be a non-empty string' };
  const timestamp = p.timestamp ?? Math.floor(now() / 1000);
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0)
    return { error: 'timestamp must be whole non-negative Unix seconds' };
  const secret = p.secret ?? opts.hookSecret;
  if (!isWebhookSecret(secret))
    return { error: 'secret must be whsec_ followed by base64 of at least 24 bytes (no default is configured)' };
  if (p.signature !== undefined && p.signature !== null && typeof p.signature !== 'string')
    return { error: 'signature, when given, must be a string (sent instead) or null (none sent)' };
  const headers = p.headers ?? {};
  if (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string'))
    return { error: 'headers, when given, must be an object of strings' };
  const type = typeof p.type === 'string' ? p.type : null;
  const body = Buffer.from(p.body !== undefined ? (p.body as string) : JSON.stringify({ type, data: p.data ?? {} }), 'utf8');
  const data = (typeof p.data === 'object' && p.data !== null ? p.data : {}) as Record<string, unknown>;
  const createdType = type === 'account.created' ? 'Account' : type === 'campaign.created' ? 'Campaign' : null;
  const created =
    createdType && typeof data.id === 'string'
      ? { type: createdType, id: data.id, name: typeof data.name === 'string' ? data.name : data.id }
      : undefined;
  return {
    url,
    id,
    timestamp,
    secret,
    body,
    type,
    headers: headers as Record<string, string>,
    ...(p.signature !== undefined ? { signature: p.signature as string | null } : {}),
    ...(created ? { created } : {}),
  };
}

/** Validate a status call's body; `problems` name fields, never values. */
function statusCall(body: object): { call: StatusCall } | { problems: string[] } {
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  const text = (v: unknown, path: string, max: number): string => {
    if (typeof v !== 'string' || v === '' || v.length > max || !PRINTABLE.test(v)) {
      problems.push(`${path} must be a printable string of 1-${max} characters`);
      return '';
    }
    return v;
  };
  const bo = (b.businessObject ?? {}) as Record<string, unknown>;
  const doc = (b.document ?? {}) as Record<string, unknown>;
  if (typeof b.businessObject !== 'object' || b.businessObject === null) problems.push('businessObject must be an object');
  if (typeof b.document !== 'object' || b.document === null) problems.push('document must be an object');
  const businessObject = {
    system: text(bo.system, 'businessObject.system', 64),
    type: text(bo.type, 'businessObject.type', 64),
    id: text(bo.id, 'businessObject.id', 64),
  };
  if (!CRM_STATUSES.includes(b.status as CrmStatus)) problems.push(`status must be one of ${CRM_STATUSES.join(', ')}`);
  const document: StatusCall['document'] = { id: text(doc.id, 'document.id', 512), name: text(doc.name, 'document.name', 255), version: 0 };
  if (typeof doc.version !== 'number' || !Number.isSafeInteger(doc.version) || doc.version < 1)
    problems.push('document.version must be a positive integer');
  else document.version = doc.version;
  if (doc.url !== undefined) {
    if (typeof doc.url !== 'string' || doc.url.length > 2048 || !/^https?:\/\//.test(doc.url) || !URL.canParse(doc.url))
      problems.push('document.url must be an http(s) URL');
    else document.url = doc.url;
  }
  return problems.length ? { problems } : { call: { businessObject, status: b.status as CrmStatus, document } };
}

/** A campaign's name by its CRM id (`701` + 8 hex + its index), or null. */
function campaignName(world: DemoWorld, id: string): string | null {
  const m = /^701[0-9A-F]{8}(\d{4,})$/.exec(id);
  const index = m ? Number(m[1]) : -1;
  if (index < 0 || index >= world.counts.campaigns) return null;
  const c = world.campaign(index);
  return c.businessObject.id === id ? c.name : null;
}

function receipt(r: RecordedStatus): { id: string; receivedAt: string } {
  return { id: r.id, receivedAt: r.receivedAt };
}

/** Constant-length digests, so comparing tokens leaks neither content nor length. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CONTROL_BODY) return { ok: false, error: 'the body is too large' };
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') };
  } catch {
    return { ok: false, error: 'the body must be JSON' };
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const b = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(b.length) });
  res.end(b);
}
