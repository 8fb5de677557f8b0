/**
 * Webhook delivery, as iconik does it (vendor-apis-writes §5): when an asset is created or
 * changed, every ENABLED registration (`POST /notifications/v1/webhooks/`) whose `event_type`,
 * `realm`, `operation` and `object_id` match (an absent one matches all) gets an HTTP POST of
 * `{system_domain_id, event_type, object_id, user_id, realm, operation, data, request_id}` with
 * the registration's static `headers` and no signature (iconik signs nothing).
 *
 * Choices where the reference is silent (NOT FOUND, all options): the realm of an asset edit is
 * `entity` and its `data` the AssetSchema after the change (the reference's proposal); `query`
 * is ignored; a delivery is tried `attempts` times (default 3) `retryDelayMs` apart (default
 * 200 ms); success is any 2xx; after `failuresToFail` failed deliveries in a row (default 3) the
 * registration turns `FAILING` with `first_failed_at` and `last_error`, as iconik's docs say it
 * does ("the status will automatically be set to failed"). `last_payload` keeps the last body.
 * `GET /__sim/deliveries` lists every attempt for tests; `POST /__sim/webhooks` registers a URL
 * without credentials (`{url, headers?, event_type?, realm?, operation?, object_id?}`; event_type
 * defaults to `assets`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { DemoAsset } from '../demo/world.ts';
import type { AssetChange } from '../demo/asset-changes.ts';
import type { Simulator } from '../framework/server.ts';
import { iconikDate, type WebhookPayload, type WebhookSchema } from '../../sources/iconik/wire.ts';

export interface WebhookDeliveryOptions {
  attempts?: number;
  retryDelayMs?: number;
  failuresToFail?: number;
  timeoutMs?: number;
}

export interface DeliveryAttempt {
  hook: string;
  url: string;
  requestId: string;
  objectId: string;
  operation: string;
  attempt: number;
  status: number | null;
  error: string | null;
  at: string;
}

const MAX_LOG = 2000;

/** Wire delivery to a simulator: its registrations, its asset documents, its identity. */
export function mountWebhookDelivery(
  sim: Simulator,
  hooks: Map<string, WebhookSchema>,
  render: (a: DemoAsset) => unknown,
  identity: { systemDomainId: string; userId: string },
  opts: WebhookDeliveryOptions = {},
): { deliver(change: AssetChange): void; clear(): void } {
  const attempts = opts.attempts ?? 3;
  const delay = opts.retryDelayMs ?? 200;
  const failuresToFail = opts.failuresToFail ?? 3;
  const timeoutMs = opts.timeoutMs ?? 5000;
  let log: DeliveryAttempt[] = [];
  const failures = new Map<string, number>();

  const matches = (h: WebhookSchema, operation: string, objectId: string) =>
    h.status === 'ENABLED' &&
    (!h.event_type || h.event_type === 'assets') &&
    (!h.realm || h.realm === 'entity') &&
    (!h.operation || h.operation === operation) &&
    (!h.object_id || h.object_id === objectId);

  async function send(h: WebhookSchema, payload: WebhookPayload): Promise<void> {
    for (let n = 1; n <= attempts; n++) {
      const entry: DeliveryAttempt = {
        hook: h.id,
        url: h.url,
        requestId: payload.request_id,
        objectId: payload.object_id,
        operation: payload.operation,
        attempt: n,
        status: null,
        error: null,
        at: new Date().toISOString(),
      };
      log.push(entry);
      if (log.length > MAX_LOG) log = log.slice(-MAX_LOG);
      try {
        const res = await fetch(h.url, {
          method: 'POST',
          headers: { ...(h.headers ?? {}), 'content-type': 'application/json' },
          body: JSON.stringify(payload),
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        entry.status = res.status;
        if (res.ok) {
          failures.set(h.id, 0);
          h.last_error = null;
          return;
        }
        entry.error = `HTTP ${res.status}`;
      } catch (e) {
        entry.error = e instanceof Error ? e.name : 'error';
      }
      if (n < attempts) await new Promise((r) => setTimeout(r, delay));
    }
    const count = (failures.get(h.id) ?? 0) + 1;
    failures.set(h.id, count);
    h.last_error = log[log.length - 1]?.error ?? 'failed';
    h.first_failed_at ??= iconikDate(Date.now());
    if (count >= failuresToFail) h.status = 'FAILING';
  }

  sim.control('GET', '/__sim/deliveries', () => ({ body: log }));
  sim.control('POST', '/__sim/webhooks', (req) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) return { status: 400, body: { error: 'url must be an http(s) URL' } };
    const now = iconikDate(Date.now());
    const str = (k: string) => (typeof b[k] === 'string' ? { [k]: b[k] as string } : {});
    const hook: WebhookSchema = {
      url: b.url,
      status: 'ENABLED',
      event_type: typeof b.event_type === 'string' ? b.event_type : 'assets',
      ...str('realm'),
      ...str('operation'),
      ...str('object_id'),
      ...(typeof b.headers === 'object' && b.headers !== null ? { headers: b.headers as Record<string, string> } : {}),
      id: randomUUID(),
      date_created: now,
      date_modified: now,
      last_payload: null,
      last_error: null,
      first_failed_at: null,
      deleted_at: null,
    } as WebhookSchema;
    hooks.set(hook.id, hook);
    return { status: 201, body: hook };
  });

  return {
    deliver(change) {
      const objectId = change.asset.nativeId;
      for (const h of hooks.values()) {
        if (!matches(h, change.operation, objectId)) continue;
        const payload: WebhookPayload = {
          system_domain_id: identity.systemDomainId,
          event_type: 'assets',
          object_id: objectId,
          user_id: identity.userId,
          realm: 'entity',
          operation: change.operation,
          data: render(change.asset) as Record<string, unknown>,
          request_id: randomBytes(16).toString('hex'),
        };
        h.last_payload = payload;
        void send(h, payload);
      }
    },
    clear() {
      log = [];
      failures.clear();
    },
  };
}
