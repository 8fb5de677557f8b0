/**
 * The simulator framework: a small router over node:http with the control surface every
 * simulator shares (DESIGN.md): `GET /__sim/stats`, `POST /__sim/reset`, `POST /__sim/faults`,
 * plus `GET /__sim/requests` (the raw request log, so tests can assert exactly which upstream
 * path a client asked for) and `GET /__sim/faults`. A simulator adds its own control routes
 * with `control()` (what the demo world changes over time: approvals, holds, asset edits).
 *
 * Faults apply per route key (`"GET /api/v2/nodes/:id"`), per path prefix (`"/api/v2"`), or to
 * everything (`"*"`): added latency, an error status at a rate (with Retry-After), down (the
 * connection is reset), slow body (bytes trickle), truncated body, malformed body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface SimRequest {
  method: Method;
  /** The path exactly as received, still percent-encoded. */
  rawPath: string;
  /** Decoded route parameters. */
  params: Record<string, string>;
  /** Query parameters; repeated keys give arrays (`?ids=1&ids=2`). Flags without value are `''`. */
  query: Record<string, string | string[]>;
  headers: IncomingMessage['headers'];
  /** Form fields (urlencoded or multipart text parts; repeated keys give arrays) or parsed JSON. */
  body: unknown;
  /** The raw body bytes. */
  rawBody: Buffer;
  contentType: string;
}

export interface SimResponse {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a Buffer or string as is. */
  body?: unknown;
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

interface Route {
  method: Method;
  pattern: string;
  key: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
}

export interface Fault {
  /** Route key (`GET /api/v2/nodes/:id`), a path prefix (`/api/v2`), or `*`. Default `*`. */
  route?: string;
  latencyMs?: number;
  /** HTTP status to answer with instead of the real response. */
  errorStatus?: number;
  /** Probability (0..1) of answering with errorStatus; default 1. */
  errorRate?: number;
  /** Seconds, sent as Retry-After with the error status. */
  retryAfter?: number;
  /** Reset the connection without answering. */
  down?: boolean;
  /** Send the body in small pieces over this many ms. */
  slowBodyMs?: number;
  /** Send only the first half of the body. */
  truncate?: boolean;
  /** Send a body that is not valid JSON. */
  malformed?: boolean;
  /** Apply to this many matching requests only, then lift. */
  times?: number;
}

export interface SimOptions {
  /** System name, for logs and the stats payload. */
  name: string;
  /** The vendor's error body for an injected status (e.g. `{error, errorDetail}` for Content Server). */
  errorBody?: (status: number) => unknown;
  /** Latency added to every vendor request (the benchmarks' upstream floor). Default 0. */
  baseLatencyMs?: number;
  /** Called by `POST /__sim/reset` after stats, log and faults are cleared. */
  onReset?: () => void;
  /**
   * Route `/x/` as `/x` when no route matches the path as sent (Content Server accepts both;
   * iconik's routes end in `/` themselves). Default false: the path must match exactly.
   */
  trailingSlash?: boolean;
  /**
   * Answers requests no route matches, with the request parsed as for a route (`params` empty).
   * Default: 404 with `errorBody(404)`.
   */
  fallback?: Handler;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  rawPath: string;
  route: string | null;
  status: number;
}

export interface Simulator {
  readonly name: string;
  route(method: Method, pattern: string, handler: Handler): void;
  /**
   * A control route of this simulator under `/__sim/` (what the demo world changes over time:
   * approvals, holds, asset edits). JSON in, JSON out; not logged, counted or faulted.
   */
  control(method: Method, pattern: string, handler: Handler): void;
  readonly server: Server;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Base URL once listening. */
  readonly url: string;
  /**
   * Requests served, in total and by route, and `busyMs`: the summed wall time from each
   * request's arrival to its answer's last byte (latency and faults included): what the
   * upstream itself took, so a benchmark can tell it apart from its client's own time.
   */
  stats(): { name: string; total: number; byRoute: Record<string, number>; busyMs: number };
  requests(): RequestLogEntry[];
  setFaults(faults: Fault[]): void;
  reset(): void;
  setBaseLatency(ms: number): void;
}

const MAX_LOG = 5000;
const MAX_BODY = 8 * 1024 * 1024;

function compile(pattern: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = pattern
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        const rest = seg.endsWith('*') ? seg.slice(1, -1) : seg.slice(1);
        names.push(rest);
        return seg.endsWith('*') ? '(.+)' : '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { regex: new RegExp(`^${source}$`), names };
}

function parseQuery(search: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Minimal multipart/form-data parser for text fields (file parts are kept as latin1 strings). */
function parseMultipart(buf: Buffer, contentType: string): Record<string, string | string[]> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  const out: Record<string, string | string[]> = {};
  if (!boundary) return out;
  const parts = buf.toString('latin1').split(`--${boundary}`);
  for (const part of parts) {
    const idx = part.indexOf('\r\n\r\n');
    if (idx < 0) continue;
    const head = part.slice(0, idx);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (!name) continue;
    let value = part.slice(idx + 4);
    if (value.endsWith('\r\n')) value = value.slice(0, -2);
    const text = Buffer.from(value, 'latin1').toString('utf8');
    const prev = out[name];
    out[name] = prev === undefined ? text : Array.isArray(prev) ? [...prev, text] : [prev, text];
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Create a simulator; add vendor routes with `route()`, then `listen()`. */
export function createSimulator(opts: SimOptions): Simulator {
  const routes: Route[] = [];
  const controls: Route[] = [];
  let byRoute: Record<string, number> = {};
  let total = 0;
  let busyMs = 0;
  let log: RequestLogEntry[] = [];
  let faults: Fault[] = [];
  let baseLatency = opts.baseLatencyMs ?? 0;
  let url = '';

  const errorBody = opts.errorBody ?? ((status: number) => ({ error: `HTTP ${status}` }));

  const matchFault = (key: string | null, path: string): Fault | undefined =>
    faults.find((f) => {
      if (f.times !== undefined && f.times <= 0) return false;
      const r = f.route ?? '*';
      return r === '*' || r === key || (r.startsWith('/') && path.startsWith(r));
    });

  const send = async (res: ServerResponse, status: number, headers: Record<string, string>, payload: Buffer, fault?: Fault) => {
    let body = payload;
    if (fault?.malformed) body = Buffer.from('{"results": [ {"data": <html>Internal error', 'utf8');
    if (fault?.truncate) body = body.subarray(0, Math.floor(body.length / 2));
    // Truncated bodies keep the full Content-Length, as a dropped connection would.
    const length = fault?.truncate ? payload.length : body.length;
    res.writeHead(status, { ...headers, 'content-length': String(length) });
    if (fault?.slowBodyMs && body.length > 0) {
      const pieces = 10;
      const step = Math.ceil(body.length / pieces);
      for (let i = 0; i < body.length; i += step) {
        if (res.destroyed) return;
        res.write(body.subarray(i, i + step));
        await sleep(fault.slowBodyMs / pieces);
      }
      res.end();
      return;
    }
    if (fault?.truncate) {
      res.write(body);
      // End the socket without completing the declared length.
      setImmediate(() => res.socket?.destroy());
      return;
    }
    res.end(body);
  };

  const control = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const json = (status: number, body: unknown) => {
      const b = Buffer.from(JSON.stringify(body));
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(b.length) });
      res.end(b);
    };
    if (req.method === 'GET' && path === '/__sim/stats') return json(200, sim.stats());
    if (req.method === 'GET' && path === '/__sim/requests') return json(200, log);
    if (req.method === 'DELETE' && path === '/__sim/requests') {
      // Clears the log alone: what was written stays (a reset forgets that too).
      log = [];
      return json(200, { ok: true });
    }
    if (req.method === 'GET' && path === '/__sim/faults') return json(200, { faults, baseLatencyMs: baseLatency });
    if (req.method === 'POST' && path === '/__sim/reset') {
      sim.reset();
      return json(200, { ok: true });
    }
    if (req.method === 'POST' && path === '/__sim/faults') {
      let parsed: unknown;
      try {
        parsed = JSON.parse((await readBody(req)).toString('utf8') || '{}');
      } catch {
        return json(400, { error: 'faults body must be JSON' });
      }
      const p = parsed as { faults?: Fault[]; clear?: boolean; baseLatencyMs?: number } & Fault;
      if (typeof p.baseLatencyMs === 'number') baseLatency = Math.max(0, p.baseLatencyMs);
      if (p.clear) faults = [];
      const list = Array.isArray(p.faults) ? p.faults : p.clear || typeof p.baseLatencyMs === 'number' ? [] : [p];
      for (const f of list) {
        if (typeof f !== 'object' || f === null) return json(400, { error: 'each fault must be an object' });
        faults = faults.filter((x) => (x.route ?? '*') !== (f.route ?? '*'));
        faults.push({ ...f });
      }
      return json(200, { faults, baseLatencyMs: baseLatency });
    }
    for (const r of controls) {
      const m = r.method === req.method ? r.regex.exec(path) : null;
      if (!m) continue;
      const raw = await readBody(req).catch(() => Buffer.alloc(0));
      let body: unknown;
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        return json(400, { error: 'control body must be JSON' });
      }
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
      try {
        const out = await r.handler({
          method: r.method,
          rawPath: path,
          params,
          query: {},
          headers: req.headers,
          body,
          rawBody: raw,
          contentType: 'application/json',
        });
        return json(out.status ?? 200, out.body ?? { ok: true });
      } catch (err) {
        console.error(`[sim ${opts.name}] control ${r.key} failed:`, err);
        return json(500, { error: 'control route failed' });
      }
    }
    return json(404, { error: 'unknown control endpoint' });
  };

  const server = createServer(async (req, res) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const search = q < 0 ? '' : rawUrl.slice(q + 1);
    if (rawPath.startsWith('/__sim/')) return control(req, res, rawPath);

    const method = (req.method ?? 'GET').toUpperCase() as Method;
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    const candidates = opts.trailingSlash && rawPath.length > 1 && rawPath.endsWith('/') ? [rawPath, rawPath.slice(0, -1)] : [rawPath];
    for (const path of candidates) {
      for (const r of routes) {
        if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
        match = r.regex.exec(path);
        if (match) {
          route = r;
          break;
        }
      }
      if (route) break;
    }
    const key = route?.key ?? null;
    const began = performance.now();
    res.once('close', () => (busyMs += performance.now() - began));
    total++;
    if (key) byRoute[key] = (byRoute[key] ?? 0) + 1;
    const entry: RequestLogEntry = { at: new Date().toISOString(), method, rawPath: rawUrl, route: key, status: 0 };
    log.push(entry);
    if (log.length > MAX_LOG) log = log.slice(-MAX_LOG);

    const fault = matchFault(key, rawPath);
    if (fault && fault.times !== undefined) fault.times--;
    const latency = baseLatency + (fault?.latencyMs ?? 0);
    if (latency > 0) await sleep(latency);
    if (fault?.down) {
      entry.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault?.errorStatus && Math.random() < (fault.errorRate ?? 1)) {
      entry.status = fault.errorStatus;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      await send(res, fault.errorStatus, headers, Buffer.from(JSON.stringify(errorBody(fault.errorStatus))));
      return;
    }
    const handler = route?.handler ?? opts.fallback;
    if (!handler) {
      entry.status = 404;
      await send(res, 404, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify(errorBody(404))));
      return;
    }
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req);
    } catch {
      entry.status = 413;
      if (!res.headersSent) res.writeHead(413).end();
      return;
    }
    const contentType = String(req.headers['content-type'] ?? '');
    let body: unknown = undefined;
    if (contentType.includes('application/x-www-form-urlencoded')) body = parseQuery(rawBody.toString('utf8'));
    else if (contentType.includes('multipart/form-data')) body = parseMultipart(rawBody, contentType);
    else if (contentType.includes('application/json') && rawBody.length) {
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        body = Symbol.for('invalid-json');
      }
    }
    const params: Record<string, string> = {};
    let badEncoding = false;
    route?.names.forEach((n, i) => {
      try {
        params[n] = decodeURIComponent(match?.[i + 1] ?? '');
      } catch {
        badEncoding = true;
      }
    });
    let out: SimResponse;
    try {
      out = badEncoding
        ? { status: 400, body: errorBody(400) }
        : await handler({ method, rawPath, params, query: parseQuery(search), headers: req.headers, body, rawBody, contentType });
    } catch (err) {
      console.error(`[sim ${opts.name}] handler failed:`, err);
      out = { status: 500, body: errorBody(500) };
    }
    const status = out.status ?? 200;
    entry.status = status;
    const headers = { ...(out.headers ?? {}) };
    let payload: Buffer;
    if (Buffer.isBuffer(out.body)) payload = out.body;
    else if (typeof out.body === 'string') payload = Buffer.from(out.body, 'utf8');
    else if (out.body === undefined) payload = Buffer.alloc(0);
    else {
      payload = Buffer.from(JSON.stringify(out.body), 'utf8');
      headers['content-type'] ??= 'application/json';
    }
    if (method === 'HEAD') payload = Buffer.alloc(0);
    await send(res, status, headers, payload, fault);
  });
  server.keepAliveTimeout = 5000;

  const sim: Simulator = {
    name: opts.name,
    server,
    get url() {
      return url;
    },
    route(method, pattern, handler) {
      const { regex, names } = compile(pattern);
      routes.push({ method, pattern, key: `${method} ${pattern}`, regex, names, handler });
    },
    control(method, pattern, handler) {
      const { regex, names } = compile(pattern);
      controls.push({ method, pattern, key: `${method} ${pattern}`, regex, names, handler });
    },
    async listen(port = 0, host = '127.0.0.1') {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const addr = server.address() as AddressInfo;
      url = `http://${host}:${addr.port}`;
      return url;
    },
    async close() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    stats: () => ({ name: opts.name, total, byRoute: { ...byRoute }, busyMs: Math.round(busyMs * 1000) / 1000 }),
    requests: () => [...log],
    setFaults(list) {
      faults = list.map((f) => ({ ...f }));
    },
    setBaseLatency(ms) {
      baseLatency = Math.max(0, ms);
    },
    reset() {
      byRoute = {};
      total = 0;
      busyMs = 0;
      log = [];
      faults = [];
      opts.onReset?.();
    },
  };
  return sim;
}

/** First value of a query or form field (repeated fields give their first). */
export function first(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length ? String(v[0]) : undefined;
  return v === undefined || v === null ? undefined : String(v);
}

/** All values of a query or form field, as a list. */
export function all(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}
