/**
 * `POST /hooks/<source>`: business events pushed by systems that do not call the graph (the
 * demo CRM; a real one by configuration). Standard Webhooks 1.0: the signature is checked with
 * the source's secret, a timestamp more than five minutes off is refused, and a `webhook-id`
 * is carried out once (it is the job's idempotency key: a redelivery is answered again, not
 * done again). The event becomes the same command as the mutations, durably accepted (a
 * pending job) before the answer, and carried out in the background; the audit records the
 * acceptance and, later, the outcome.
 *
 * Answers: 202 accepted (with `duplicate: true` for a redelivery), 401 bad or stale signature,
 * 404 unknown source, 413 too large, 400 not JSON, 422 unknown or invalid event (with the
 * reason), 409 a webhook id reused for another body. Nothing is written before the event is
 * found good.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { iconikWebhookEvents, WebhookPayloadError } from '../flows/feed/iconik-webhook.ts';
import type { ChangeEvent, OutboxPort } from '../flows/outbox/events.ts';
import { ConflictError } from '../access/errors.ts';
import type { Audit } from '../audit/index.ts';
import type { WriteCommands } from '../flows/commands.ts';
import { CRM_EVENT_MAX_BYTES, parseCrmEvent } from '../flows/inbound/crm-events.ts';
import { createVerifier, type Verifier } from '../flows/inbound/standard-webhooks.ts';
import type { JobRunner } from '../flows/jobs.ts';
import type { Logger } from './log.ts';
import { send } from './respond.ts';

export interface HookOptions {
  /** Verifiers by source name (a source without a secret has no route). */
  verifiers: ReadonlyMap<string, Verifier>;
  runner: JobRunner;
  commands: WriteCommands;
  audit?: Audit;
  log: Logger;
}

/** The verifiers of the sources that have a secret. */
export function hookVerifiers(secrets: Readonly<Record<string, string>>, now?: () => number): Map<string, Verifier> {
  return new Map(
    Object.entries(secrets).map(([source, secret]) => [source, createVerifier({ secrets: [secret], ...(now ? { now } : {}) })]),
  );
}

/** Read at most `max` bytes of a request body; null when it is larger. */
function readLimited(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const answer = (res: ServerResponse, status: number, body: Record<string, unknown>) => send(res, status, body);

/** Serve one `/hooks/<source>` request. */
export async function serveHook(
  req: IncomingMessage,
  res: ServerResponse,
  source: string,
  o: HookOptions,
  requestId: string,
): Promise<void> {
  const verifier = o.verifiers.get(source);
  if (!verifier) return answer(res, 404, { error: 'No such webhook source' });
  if ((req.method ?? '').toUpperCase() !== 'POST') return send(res, 405, { error: 'Method not allowed' }, { allow: 'POST' });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > CRM_EVENT_MAX_BYTES) {
    req.resume();
    return answer(res, 413, { error: `The event is larger than ${CRM_EVENT_MAX_BYTES} bytes` });
  }
  const body = await readLimited(req, CRM_EVENT_MAX_BYTES);
  if (!body) return answer(res, 413, { error: `The event is larger than ${CRM_EVENT_MAX_BYTES} bytes` });
  const verdict = verifier.verify(req.headers, body);
  const actor = { principalId: `hook:${source}`, requestId };
  if (verdict.outcome !== 'ok') {
    const reason =
      verdict.outcome === 'stale'
        ? 'the webhook timestamp is more than 5 minutes off'
        : verdict.outcome === 'malformed'
          ? 'the webhook headers are missing or malformed'
          : 'the webhook signature does not verify';
    o.audit?.recordWrite(actor, { operation: `hook:${source}`, outcome: 'forbidden', idempotencyKey: null, error: reason });
    return answer(res, 401, { error: reason });
  }
  const id = verdict.id;
  const parsed = parseCrmEvent(body);
  if (!parsed.ok) {
    o.audit?.recordWrite(actor, { operation: `hook:${source}`, outcome: 'invalid', idempotencyKey: id, error: parsed.rejection.reason });
    return answer(res, parsed.rejection.status, { error: parsed.rejection.reason });
  }
  const { type, command } = parsed.event;
  const operation = `hook:${source}:${type}`;
  if (command.kind === 'acknowledge') {
    o.audit?.recordWrite(actor, { operation, outcome: 'done', idempotencyKey: id });
    return answer(res, 202, { accepted: true, id, note: command.reason });
  }
  try {
    const out = await o.runner.enqueue(o.commands.upsertWorkspace, `hook:${source}`, id, { draft: command.draft });
    o.audit?.recordWrite(actor, { operation, outcome: 'accepted', idempotencyKey: id });
    return answer(res, 202, { accepted: true, id, ...(out.created ? {} : { duplicate: true }) });
  } catch (e) {
    if (e instanceof ConflictError) {
      o.audit?.recordWrite(actor, { operation, outcome: 'conflict', idempotencyKey: id, error: e.message });
      return answer(res, 409, { error: 'This webhook id was already used for another event' });
    }
    o.log.error('webhook not accepted: the flows store failed', { source, id, error: (e as Error).message });
    return send(res, 503, { error: 'The event could not be recorded; send it again' }, { 'retry-after': '5' });
  }
}

/** The iconik receiver's settings: the static header its webhook registration sends, and where events go. */
export interface IconikHookOptions {
  /** Header name (lower case) and value: iconik signs nothing, so this shared value is the only check. */
  header: { name: string; value: string };
  outbox: OutboxPort;
  log: Logger;
}

const ICONIK_MAX_BYTES = 256 * 1024;
const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * `POST /hooks/iconik`: iconik's webhooks (vendor-apis-writes §5), checked by the registration's
 * static header (compared in constant time), turned into the same events the iconik poll gives
 * (the same ids, so a change both pushed and polled is recorded once) and appended to the outbox.
 * 202 once appended; 401 without the header; 413 too large; 400 not JSON; 422 not an iconik
 * payload. The poll stays on as the safety net for deliveries iconik gave up on.
 */
export async function serveIconikHook(req: IncomingMessage, res: ServerResponse, o: IconikHookOptions): Promise<void> {
  if ((req.method ?? '').toUpperCase() !== 'POST') return send(res, 405, { error: 'Method not allowed' }, { allow: 'POST' });
  const given = req.headers[o.header.name];
  if (typeof given !== 'string' || !timingSafeEqual(digest(given), digest(o.header.value))) {
    req.resume();
    return answer(res, 401, { error: 'the webhook header is missing or wrong' });
  }
  const body = await readLimited(req, ICONIK_MAX_BYTES);
  if (!body) return answer(res, 413, { error: `The event is larger than ${ICONIK_MAX_BYTES} bytes` });
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return answer(res, 400, { error: 'The body is not JSON' });
  }
  let events: ChangeEvent[];
  try {
    events = iconikWebhookEvents(payload);
  } catch (e) {
    if (e instanceof WebhookPayloadError) return answer(res, 422, { error: `Not an iconik webhook: ${e.message}` });
    throw e;
  }
  // Its own feed in the outbox: the cursor says when the last push was received.
  await o.outbox.append('iconik-hook', events, new Date().toISOString());
  return answer(res, 202, { accepted: events.length });
}
