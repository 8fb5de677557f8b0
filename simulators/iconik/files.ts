/**
 * iconik simulator routes for files, proxies, keyframes and formats (lists with `last_id`
 * cursor paging, and single files, proxies and formats), their download URLs, the signed
 * download route that serves real bytes, and webhook registrations (stored only; no
 * deliveries).
 *
 * Download URLs point back at the simulator (`{base}/files/v1/download/{token}/`). Real
 * iconik answers with a storage provider's signed URL; what matters to a client is the same:
 * an absolute, time-limited URL that needs no iconik credentials.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { renditionContent } from '../demo/content.ts';
import type { DemoAsset } from '../demo/world.ts';
import type { RenditionKind } from '../../sources/model.ts';
import { RENDITION_KINDS } from '../../sources/model.ts';
import { first, type SimRequest, type SimResponse } from '../framework/server.ts';
import { errorResponse, fieldErrors, type IconikSimContext } from './http.ts';
import { iconikDate, type ListEnvelope, type WebhookCreate, type WebhookSchema, type WebhookStatus } from '../../sources/iconik/wire.ts';

interface DownloadClaim {
  /** Asset index. */
  i: number;
  k: RenditionKind;
  /** Expiry, ms since the epoch. */
  e: number;
}

/** Signs and checks download tokens with a per-process secret. */
export function createDownloadSigner(ttlMs: number, now: () => number = Date.now) {
  const secret = randomBytes(32);
  const mac = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    token(asset: DemoAsset, kind: RenditionKind): string {
      const payload = Buffer.from(JSON.stringify({ i: asset.index, k: kind, e: now() + ttlMs } satisfies DownloadClaim)).toString(
        'base64url',
      );
      return `${payload}.${mac(payload)}`;
    },
    /** The claim of a genuine, unexpired token; otherwise why not. */
    verify(token: string): DownloadClaim | 'invalid' | 'expired' {
      const [payload, sig] = token.split('.');
      if (!payload || !sig) return 'invalid';
      const expected = Buffer.from(mac(payload));
      const given = Buffer.from(sig);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
      let claim: unknown;
      try {
        claim = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return 'invalid';
      }
      const c = claim as Partial<DownloadClaim>;
      if (typeof c.i !== 'number' || typeof c.e !== 'number' || !RENDITION_KINDS.includes(c.k as RenditionKind)) return 'invalid';
      return c.e < now() ? 'expired' : (c as DownloadClaim);
    },
  };
}

const assetOr404 = (ctx: IconikSimContext, id: string): DemoAsset | SimResponse =>
  ctx.world.assetById('ICONIK', id) ?? errorResponse(404, 'Asset does not exist');
const isAsset = (v: DemoAsset | SimResponse): v is DemoAsset => 'nativeId' in v;

/** A `last_id` cursor page over items with ids (per_page default 10, per the spec). */
function cursorPage<T extends { id: string }>(ctx: IconikSimContext, req: SimRequest, items: T[], path: string): SimResponse {
  const perPage = Number(first(req.query.per_page) ?? 10);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > ctx.maxPerPage)
    return fieldErrors({ per_page: [`Must be between 1 and ${ctx.maxPerPage}.`] });
  const lastId = first(req.query.last_id);
  let start = 0;
  if (lastId !== undefined) {
    const at = items.findIndex((x) => x.id === lastId);
    if (at < 0) return fieldErrors({ last_id: ['Object does not exist.'] });
    start = at + 1;
  }
  const objects = items.slice(start, start + perPage);
  const more = start + perPage < items.length;
  const url = (q: string) => `${ctx.apiUrl()}${path}?per_page=${perPage}${q}`;
  const body: ListEnvelope<T> = {
    objects,
    page: Math.floor(start / perPage) + 1,
    pages: Math.ceil(items.length / perPage),
    per_page: perPage,
    total: items.length,
    first_url: url(''),
    last_url: null,
    next_url: more ? url(`&last_id=${encodeURIComponent(objects[objects.length - 1]?.id ?? '')}`) : null,
    prev_url: null,
    scroll_id: null,
  };
  return { body };
}

/** Whether a list query asked for signed URLs (`generate_signed_url`, default per route). */
const wantsSigned = (req: SimRequest, dflt: boolean) => {
  const v = first(req.query.generate_signed_url);
  return v === undefined ? dflt : v === 'true' || v === '';
};

function fileRoutes(ctx: IconikSimContext): void {
  const list = (kind: 'files' | 'proxies' | 'keyframes', signedByDefault: boolean) =>
    ctx.authed((req) => {
      const a = assetOr404(ctx, req.params.id ?? '');
      if (!isAsset(a)) return a;
      const sign = wantsSigned(req, signedByDefault) ? ctx.sign : undefined;
      const path = `/files/v1/assets/${a.nativeId}/${kind}/`;
      if (kind === 'files') return cursorPage(ctx, req, ctx.docs.files(a, sign), path);
      if (kind === 'proxies') return cursorPage(ctx, req, ctx.docs.proxies(a, sign), path);
      return cursorPage(ctx, req, ctx.docs.keyframes(a, sign), path);
    });
  ctx.route('GET', '/files/v1/assets/:id/files/', list('files', false));
  ctx.route('GET', '/files/v1/assets/:id/proxies/', list('proxies', true));
  ctx.route('GET', '/files/v1/assets/:id/keyframes/', list('keyframes', true));

  // One file or proxy by id. The spec's parameters (`content_disposition` "if you want a
  // download link", `bypass_url_cache` "to get a new url") say the object carries a URL, so
  // both come signed, as the proxy list does by default.
  const one = <T extends { id: string }>(items: (a: DemoAsset) => T[], missing: string) =>
    ctx.authed((req) => {
      const a = assetOr404(ctx, req.params.id ?? '');
      if (!isAsset(a)) return a;
      const item = items(a).find((x) => x.id === req.params.item);
      return item ? { body: item } : errorResponse(404, missing);
    });
  ctx.route(
    'GET',
    '/files/v1/assets/:id/files/:item/',
    one((a) => ctx.docs.files(a, ctx.sign), "File for this asset doesn't exist"),
  );
  ctx.route(
    'GET',
    '/files/v1/assets/:id/proxies/:item/',
    one((a) => ctx.docs.proxies(a, ctx.sign), "Proxy for this asset doesn't exist"),
  );

  ctx.route(
    'GET',
    '/files/v1/assets/:id/formats/',
    ctx.authed((req) => {
      const a = assetOr404(ctx, req.params.id ?? '');
      return isAsset(a) ? cursorPage(ctx, req, ctx.docs.formats(a), `/files/v1/assets/${a.nativeId}/formats/`) : a;
    }),
  );
  // The spec has this path twice, `{format_id}` and `{name}` (e.g. ORIGINAL): either selects.
  ctx.route(
    'GET',
    '/files/v1/assets/:id/formats/:format/',
    ctx.authed((req) => {
      const a = assetOr404(ctx, req.params.id ?? '');
      if (!isAsset(a)) return a;
      const wanted = req.params.format ?? '';
      const format = ctx.docs.formats(a).find((f) => f.id === wanted || f.name === wanted);
      return format ? { body: format } : errorResponse(404, "Format for this asset doesn't exist");
    }),
  );

  const downloadUrl = (kind: 'files' | 'proxies') =>
    ctx.authed((req) => {
      const a = assetOr404(ctx, req.params.id ?? '');
      if (!isAsset(a)) return a;
      const wanted = req.params.item ?? '';
      const r = a.renditions.find((x) => ctx.docs.renditionId(a, x.kind) === wanted && (kind === 'files') === (x.kind === 'ORIGINAL'));
      if (!r) return errorResponse(404, kind === 'files' ? 'File does not exist' : 'Proxy does not exist');
      return { body: { url: ctx.sign(a, r.kind) } };
    });
  ctx.route('GET', '/files/v1/assets/:id/files/:item/download_url/', downloadUrl('files'));
  ctx.route('GET', '/files/v1/assets/:id/proxies/:item/download_url/', downloadUrl('proxies'));
}

function downloadRoute(ctx: IconikSimContext, verify: ReturnType<typeof createDownloadSigner>['verify']): void {
  // Signed URLs carry their own authority: no App-ID / Auth-Token, as with a storage URL.
  ctx.route('GET', '/files/v1/download/:token/', (req) => {
    const claim = verify(req.params.token ?? '');
    if (claim === 'invalid') return errorResponse(403, 'Signature does not match');
    if (claim === 'expired') return errorResponse(403, 'Signed URL has expired');
    if (claim.i < 0 || claim.i >= ctx.world.counts.assets.ICONIK) return errorResponse(404, 'File does not exist');
    const a = ctx.world.asset('ICONIK', claim.i);
    const r = a.renditions.find((x) => x.kind === claim.k);
    if (!r) return errorResponse(404, 'File does not exist');
    const name = claim.k === 'ORIGINAL' ? a.fileName : `${a.fileName.replace(/\.[^.]+$/, '')}-${claim.k.toLowerCase()}.png`;
    return {
      headers: { 'content-type': r.mimeType, 'content-disposition': `inline; filename="${name}"`, 'cache-control': 'private, max-age=60' },
      body: renditionContent(a, r),
    };
  });
}

const WEBHOOK_STATUSES: readonly WebhookStatus[] = ['ENABLED', 'DISABLED', 'FAILING', 'DELETED'];

/** Marshmallow-style field errors of a webhook body, as iconik's API reports them. */
function webhookProblems(body: unknown, partial: boolean): Record<string, string[]> {
  const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const errors: Record<string, string[]> = {};
  const need = (k: string, ok: (v: unknown) => boolean, msg: string) => {
    if (b[k] === undefined) {
      if (!partial) errors[k] = ['Missing data for required field.'];
    } else if (!ok(b[k])) errors[k] = [msg];
  };
  need('url', (v) => typeof v === 'string' && /^https?:\/\/[^\s]+$/.test(v), 'Not a valid URL.');
  need('event_type', (v) => typeof v === 'string' && v !== '', 'Not a valid string.');
  need('status', (v) => WEBHOOK_STATUSES.includes(v as WebhookStatus), `Must be one of: ${WEBHOOK_STATUSES.join(', ')}.`);
  if (
    b.headers !== undefined &&
    (typeof b.headers !== 'object' || b.headers === null || Object.values(b.headers).some((v) => typeof v !== 'string'))
  ) {
    errors.headers = ['Not a valid mapping of strings.'];
  }
  return errors;
}

const WEBHOOK_KEYS = ['url', 'event_type', 'status', 'name', 'description', 'realm', 'operation', 'object_id', 'query', 'headers'] as const;
const pickWebhook = (body: unknown): Partial<WebhookCreate> => {
  const b = body as Record<string, unknown>;
  return Object.fromEntries(WEBHOOK_KEYS.filter((k) => b[k] !== undefined).map((k) => [k, b[k]])) as Partial<WebhookCreate>;
};

function webhookRoutes(ctx: IconikSimContext, store: Map<string, WebhookSchema>): void {
  const b = '/notifications/v1/webhooks/';
  ctx.route(
    'GET',
    b,
    ctx.authed(() => {
      const objects = [...store.values()];
      const body: ListEnvelope<WebhookSchema> = {
        objects,
        page: 1,
        pages: objects.length ? 1 : 0,
        per_page: Math.max(10, objects.length),
        total: objects.length,
        first_url: null,
        last_url: null,
        next_url: null,
        prev_url: null,
        scroll_id: null,
      };
      return { body };
    }),
  );
  ctx.route(
    'POST',
    b,
    ctx.authed((req) => {
      const problems = webhookProblems(req.body, false);
      if (Object.keys(problems).length) return fieldErrors(problems);
      const now = iconikDate(Date.now());
      const hook: WebhookSchema = {
        ...(pickWebhook(req.body) as WebhookCreate),
        id: randomUUID(),
        date_created: now,
        date_modified: now,
        last_payload: null,
        last_error: null,
        first_failed_at: null,
        deleted_at: null,
      };
      store.set(hook.id, hook);
      return { status: 201, body: hook };
    }),
  );
  const one = (fn: (hook: WebhookSchema, req: SimRequest) => SimResponse) =>
    ctx.authed((req) => {
      const hook = store.get(req.params.id ?? '');
      return hook ? fn(hook, req) : errorResponse(404, 'Webhook does not exist');
    });
  ctx.route(
    'GET',
    `${b}:id/`,
    one((hook) => ({ body: hook })),
  );
  ctx.route(
    'PUT',
    `${b}:id/`,
    one((hook, req) => {
      const problems = webhookProblems(req.body, true);
      if (Object.keys(problems).length) return fieldErrors(problems);
      const next: WebhookSchema = { ...hook, ...pickWebhook(req.body), id: hook.id, date_modified: iconikDate(Date.now()) };
      store.set(hook.id, next);
      return { body: next };
    }),
  );
  ctx.route(
    'DELETE',
    `${b}:id/`,
    one((hook) => {
      store.delete(hook.id);
      return { status: 204 };
    }),
  );
}

/** Mount the file, format, download and webhook routes. */
export function mountFileRoutes(
  ctx: IconikSimContext,
  signer: ReturnType<typeof createDownloadSigner>,
  webhooks: Map<string, WebhookSchema>,
): void {
  fileRoutes(ctx);
  downloadRoute(ctx, signer.verify);
  webhookRoutes(ctx, webhooks);
}
