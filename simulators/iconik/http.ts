/**
 * HTTP helpers of the iconik simulator: the error body, page-style paging with its
 * envelope, and the shared context route modules receive.
 */
import { all, first, type Handler, type Method, type SimRequest, type SimResponse, type Simulator } from '../framework/server.ts';
import type { DemoWorld } from '../demo/world.ts';
import type { Mapping } from '../../sources/mapping.ts';
import type { IconikDocs, Signer } from './docs.ts';
import type { ErrorBody, ListEnvelope } from '../../sources/iconik/wire.ts';

/** What route modules get from the simulator core. */
export interface IconikSimContext {
  basePath: string;
  world: DemoWorld;
  mapping: Mapping;
  docs: IconikDocs;
  maxPerPage: number;
  /** Absolute base URL of the listening simulator plus the base path. */
  apiUrl(): string;
  /** Signed URL of a rendition download, valid for the configured time. */
  sign: Signer;
  /** Wraps a handler with App-ID / Auth-Token checking and the optional rate limit. */
  authed(handler: Handler): Handler;
  /** Serve a vendor route: `path` is relative to the base path and ends in `/` (see mountRoute). */
  route(method: Method, path: string, handler: Handler): void;
}

/**
 * How a path without its trailing slash is answered. Every path in iconik's spec ends in `/`,
 * yet an iconik SDK (pythonik) calls `collections/{id}/contents` and `.../content/info`
 * without it, so real iconik answers those; whether by serving or by redirecting is NOT FOUND.
 * `optional` serves both spellings, `redirect` answers 308 to the slashed path (as routers with
 * strict slashes do), `required` answers 404 like an unknown route.
 */
export type TrailingSlash = 'optional' | 'redirect' | 'required';

/** 308 to the same path with its trailing slash, query kept (no credentials needed, as at a router). */
const redirectToSlash: Handler = (req) => {
  const query = new URLSearchParams(Object.entries(req.query).flatMap(([k, v]) => all(v).map((x): [string, string] => [k, x])));
  const search = query.toString() ? `?${query.toString()}` : '';
  return { status: 308, headers: { location: `${req.rawPath}/${search}` } };
};

/**
 * Register `method path` under the base path, and its spelling without the trailing slash as
 * `mode` says. The two spellings are separate route keys in `/__sim/stats` and faults; a fault
 * by path prefix covers both.
 */
export function mountRoute(sim: Simulator, basePath: string, mode: TrailingSlash, method: Method, path: string, handler: Handler): void {
  sim.route(method, `${basePath}${path}`, handler);
  if (mode === 'required' || !path.endsWith('/')) return;
  sim.route(method, `${basePath}${path.slice(0, -1)}`, mode === 'optional' ? handler : redirectToSlash);
}

/** `{"errors": [message]}` with a status. */
export function errorResponse(status: number, message: string): SimResponse {
  const body: ErrorBody = { errors: [message] };
  return { status, body };
}

/** `{"errors": {field: [...]}}`, iconik's per-field validation form. */
export function fieldErrors(errors: Record<string, string[]>, status = 400): SimResponse {
  const body: ErrorBody = { errors };
  return { status, body };
}

/** The default error message of an injected fault status (messages from the spec's responses). */
export function faultBody(status: number): ErrorBody {
  const messages: Record<number, string> = {
    400: 'Bad request',
    401: 'Token is invalid',
    403: 'Permission denied',
    404: 'Not found',
    429: 'Too many requests',
    500: 'Internal server error',
    502: 'Bad gateway',
    503: 'Service unavailable',
    504: 'Gateway timeout',
  };
  return { errors: [messages[status] ?? `HTTP ${status}`] };
}

export interface PageParams {
  page: number;
  perPage: number;
}

/** Parse `page` (1-based) and `per_page` (1..max), or answer the field errors. */
export function pageParams(req: SimRequest, maxPerPage: number, defaultPerPage = 10): PageParams | SimResponse {
  const rawPage = first(req.query.page);
  const rawPer = first(req.query.per_page);
  const page = rawPage === undefined ? 1 : Number(rawPage);
  const perPage = rawPer === undefined ? defaultPerPage : Number(rawPer);
  const errors: Record<string, string[]> = {};
  if (!Number.isInteger(page) || page < 1) errors.page = ['Must be greater than or equal to 1.'];
  // The real maximum per_page is NOT FOUND in any public source; the simulator's is an option.
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > maxPerPage) errors.per_page = [`Must be between 1 and ${maxPerPage}.`];
  return Object.keys(errors).length ? fieldErrors(errors) : { page, perPage };
}

export const isResponse = (v: PageParams | SimResponse): v is SimResponse => !('perPage' in v);

/**
 * One page of `items` in the list envelope, or 404 "Requested page does not exist" past the
 * last page (page 1 of an empty list is an empty page).
 */
export function pageOf<T, U>(
  items: readonly T[],
  p: PageParams,
  render: (item: T) => U,
  urlFor: (page: number) => string,
): { status: 200; body: ListEnvelope<U> } | SimResponse {
  const total = items.length;
  const pages = Math.ceil(total / p.perPage);
  if (p.page > Math.max(1, pages)) return errorResponse(404, 'Requested page does not exist');
  const start = (p.page - 1) * p.perPage;
  const body: ListEnvelope<U> = {
    objects: items.slice(start, start + p.perPage).map(render),
    page: p.page,
    pages,
    per_page: p.perPage,
    total,
    first_url: urlFor(1),
    last_url: urlFor(Math.max(1, pages)),
    next_url: p.page < pages ? urlFor(p.page + 1) : null,
    prev_url: p.page > 1 ? urlFor(p.page - 1) : null,
    scroll_id: null,
  };
  return { status: 200, body };
}

/** A page URL: the route's absolute URL with page and per_page. */
export function pageUrl(ctx: IconikSimContext, path: string, perPage: number): (page: number) => string {
  return (page) => `${ctx.apiUrl()}${path}?page=${page}&per_page=${perPage}`;
}
