/**
 * The write scenario (issue 14): what Atrium adds to a write, and what an upload costs it in memory.
 *
 * - **create + upload**: one integration client (`crm`, client-credentials token) creates an
 *   account workspace from its template (`createWorkspace`), then files a 1 MB PDF into it
 *   (`uploadDocument`, GraphQL multipart request), one write at a time. Each write's own floor
 *   is what its Content Server requests cost a client that made them directly: the time the
 *   simulator spent answering them (`busyMs` of `/__sim/stats`: the upstream latency plus the
 *   simulator's own work, such as taking 1 MB apart) plus, per request, the wire's cost on this
 *   loopback (measured before the writes); the requests run one after another: look, then act,
 *   then read back. Atrium's overhead is the write's latency minus that floor. Acceptance: the
 *   median overhead of each kind is ≤ 20 ms.
 * - **50 MB upload**: the gateway's resident memory while it streams a 50 MB file through to
 *   Content Server, over its idle RSS just before. Acceptance: ≤ 50 MB (the bytes are never held whole).
 */
import { Readable } from 'node:stream';
import type { Child } from './proc.ts';
import { memoryOf } from './proc.ts';
import { percentile } from './stats.ts';
import { busy, resetAll, snapshot, upstreamDelta } from './upstream.ts';

export interface WriteRow {
  label: string;
  runs: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  /** Content Server requests per write (median). */
  upstream: number | null;
  /** Median floor of one write: the simulators' time answering its requests, plus the wire's per request, in ms. */
  floorP50: number | null;
  /** Median of (latency − the simulators' time for that write), in ms. */
  overheadP50: number | null;
}

export interface WriteReport {
  rows: WriteRow[];
  /** One request's cost on the wire (loopback HTTP), apart from the upstream's time, in ms. */
  transportMs: number;
  upload50: { idleRssBytes: number; peakRssBytes: number; deltaBytes: number; ms: number; ok: boolean; note?: string };
  pass: boolean;
  checks: string[];
}

const MB = 1024 * 1024;
const OVERHEAD_BUDGET_MS = 20;
const RSS_BUDGET_BYTES = 50 * MB;

const CREATE = `mutation($input: WorkspaceInput!, $key: String!) {
  createWorkspace(input: $input, idempotencyKey: $key) { created workspace { id } }
}`;
const UPLOAD = `mutation($input: DocumentInput!, $file: Upload!, $key: String!) {
  uploadDocument(input: $input, file: $file, idempotencyKey: $key) { documentId version }
}`;

type Answer = { ok: boolean; ms: number; note: string };

async function graphql(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<Answer> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { errors?: { message: string }[] };
  return { ok: res.ok && !body.errors, ms: performance.now() - t0, note: body.errors?.[0]?.message ?? `HTTP ${res.status}` };
}

/** A GraphQL multipart request whose file part is `size` bytes, generated as it is sent (never whole in memory). */
async function upload(url: string, token: string, variables: Record<string, unknown>, name: string, size: number): Promise<Answer> {
  const boundary = `----atriumbench${Math.random().toString(16).slice(2)}`;
  const ops = JSON.stringify({ query: UPLOAD, variables: { ...variables, file: null } });
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${ops}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x25);
  async function* parts() {
    yield head;
    yield Buffer.from('%PDF-1.4\n');
    let left = size - 9;
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      yield n === chunk.length ? chunk : chunk.subarray(0, n);
      left -= n;
    }
    yield tail;
  }
  // A small file is sent from one buffer made beforehand, so the client's own streaming is not
  // timed as the gateway's; a large one is generated as it is sent (never whole in memory here).
  const small = size <= 8 * MB;
  let payload: Buffer | ReadableStream<Uint8Array>;
  if (small) {
    const chunks: Buffer[] = [];
    for await (const c of parts()) chunks.push(Buffer.from(c));
    payload = Buffer.concat(chunks);
  } else payload = Readable.toWeb(Readable.from(parts())) as ReadableStream<Uint8Array>;
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: token, 'x-atrium-upload': '1' },
    body: payload,
    ...(small ? {} : { duplex: 'half' }),
  } as RequestInit);
  const body = (await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }))) as { errors?: { message: string }[] };
  return { ok: res.ok && !body.errors, ms: performance.now() - t0, note: body.errors?.[0]?.message ?? `HTTP ${res.status}` };
}

/**
 * What one request costs on the wire, apart from the upstream's own time: the median of 20
 * round trips to a path the simulator does not serve (it answers 404 after its latency), less
 * the time the simulator counted for them. A client calling Content Server directly pays it too,
 * so it is part of each upstream request's floor.
 */
async function transport(root: string): Promise<number> {
  const rtts: number[] = [];
  const before = await busy([root]);
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await (await fetch(`${root}/bench-transport-probe`)).arrayBuffer();
    rtts.push(performance.now() - t0);
  }
  const served = ((await busy([root])) - before) / 20;
  return Math.max(0, (percentile(rtts, 50) ?? served) - served);
}

/** Let the gateway settle (timers, GC) and read its resident memory. */
async function idleRss(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 1500));
  return memoryOf(pid, 'VmRSS');
}

export async function measureWrites(opts: {
  child: Child<{ url: string }>;
  roots: readonly string[];
  token: string;
  latencyMs: number;
  runs: number;
  log: (msg: string) => void;
}): Promise<WriteReport> {
  const { child, roots, token, runs } = opts;
  const url = child.info.url;
  const stamp = Date.now().toString(36);
  const samples: Record<
    'create' | 'upload',
    { ms: number[]; upstream: number[]; floor: number[]; overhead: number[]; errors: number; note: string }
  > = {
    create: { ms: [], upstream: [], floor: [], overhead: [], errors: 0, note: '' },
    upload: { ms: [], upstream: [], floor: [], overhead: [], errors: 0, note: '' },
  };
  await resetAll(roots);
  const transportMs = await transport(roots[0] as string);
  // One write of each kind first (logins, the template and file plan lookups are cached after it).
  for (let i = -1; i < runs; i++) {
    const id = `BENCH-${stamp}-${i < 0 ? 'warm' : i}`;
    const bo = { system: 'SFDC', type: 'Account', id };
    const steps: ['create' | 'upload', () => Promise<Answer>][] = [
      [
        'create',
        () =>
          graphql(url, token, CREATE, {
            input: { businessObject: bo, account: { name: `Bench Account ${id}`, kind: 'CUSTOMER', region: 'EMEA' } },
            key: `create-${id}`,
          }),
      ],
      [
        'upload',
        () =>
          upload(
            url,
            token,
            { input: { businessObject: bo, folder: '02 Contracts', classification: 'INTERNAL' }, key: `upload-${id}` },
            `contract-${id}.pdf`,
            MB,
          ),
      ],
    ];
    for (const [kind, send] of steps) {
      const before = await snapshot(roots);
      const busyBefore = await busy(roots);
      const a = await send();
      const calls = upstreamDelta(before, await snapshot(roots));
      const floor = (await busy(roots)) - busyBefore + calls * transportMs;
      if (i < 0) continue;
      const s = samples[kind];
      if (!a.ok) {
        s.errors++;
        s.note ||= a.note;
        continue;
      }
      s.ms.push(a.ms);
      s.upstream.push(calls);
      s.floor.push(floor);
      s.overhead.push(a.ms - floor);
    }
  }
  const median = (xs: number[]) => percentile(xs, 50);
  const rows: WriteRow[] = (['create', 'upload'] as const).map((k) => {
    const s = samples[k];
    return {
      label: k === 'create' ? 'createWorkspace (account, from the template)' : 'uploadDocument (1 MB, by business object)',
      runs,
      errors: s.errors,
      p50: percentile(s.ms, 50),
      p95: percentile(s.ms, 95),
      upstream: median(s.upstream),
      floorP50: median(s.floor),
      overheadP50: median(s.overhead),
    };
  });

  opts.log('writes: a 50 MB upload, the gateway RSS over idle');
  const id = `BENCH-${stamp}-big`;
  const bo = { system: 'SFDC', type: 'Account', id };
  await graphql(url, token, CREATE, {
    input: { businessObject: bo, account: { name: `Bench Account ${id}`, kind: 'CUSTOMER', region: 'EMEA' } },
    key: `create-${id}`,
  });
  const idle = await idleRss(child.pid);
  child.resetPeak();
  const big = await upload(url, token, { input: { businessObject: bo, folder: '02 Contracts' }, key: `upload-${id}` }, 'big.pdf', 50 * MB);
  const peak = child.peakRss();
  const upload50 = {
    idleRssBytes: idle,
    peakRssBytes: peak,
    deltaBytes: peak - idle,
    ms: Math.round(big.ms),
    ok: big.ok,
    ...(big.ok ? {} : { note: big.note }),
  };
  const checks: string[] = [];
  let pass = true;
  for (const r of rows) {
    const ok = r.errors === 0 && r.overheadP50 !== null && r.overheadP50 <= OVERHEAD_BUDGET_MS;
    pass &&= ok;
    checks.push(
      `${ok ? 'PASS' : 'FAIL'}: ${r.label}: median overhead over the upstream floor ${r.overheadP50?.toFixed(1) ?? 'n/a'} ms (≤ ${OVERHEAD_BUDGET_MS})` +
        (r.errors ? `; ${r.errors} errors: ${samples[r.label.startsWith('create') ? 'create' : 'upload'].note}` : ''),
    );
  }
  const memOk = big.ok && upload50.deltaBytes <= RSS_BUDGET_BYTES;
  pass &&= memOk;
  checks.push(
    `${memOk ? 'PASS' : 'FAIL'}: a 50 MB upload raised the gateway's RSS ${(upload50.deltaBytes / MB).toFixed(1)} MB over idle ` +
      `(${(idle / MB).toFixed(0)} → ${(peak / MB).toFixed(0)} MB; ≤ 50)${big.ok ? '' : `; the upload failed: ${big.note}`}`,
  );
  return { rows, transportMs, upload50, pass, checks };
}

/** The write rows as a small table. */
export function renderWrites(r: WriteReport, latencyMs: number): string {
  const head = [
    'write',
    'runs',
    'errors',
    'p50 ms',
    'p95 ms',
    'upstream/write',
    `floor p50 ms (${latencyMs} ms + work + ${r.transportMs.toFixed(1)} ms wire each)`,
    'overhead p50 ms',
  ];
  const lines = r.rows.map((x) => [
    x.label,
    String(x.runs),
    String(x.errors),
    x.p50?.toFixed(1) ?? 'n/a',
    x.p95?.toFixed(1) ?? 'n/a',
    x.upstream?.toFixed(0) ?? 'n/a',
    x.floorP50?.toFixed(1) ?? 'n/a',
    x.overheadP50?.toFixed(1) ?? 'n/a',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
