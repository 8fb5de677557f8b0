/**
 * Runs the Next.js portal (portal/) beside the gateway: builds it when the production build is
 * missing or older than its sources, then serves it with `next start` (or `next dev`) in a child
 * process. `npm start` and the e2e tests use it; the portal reads its own environment
 * (portal/lib/env.ts), which is given here: the gateway URL, the data directory and the mode.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PORTAL_DIR = join(ROOT, 'portal');
const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next');
/** Sources the portal bundles from outside portal/ (demo mode), and the lockfile (Next's version). */
const EXTRA_INPUTS = ['gateway/demo-issuer.ts', 'simulators/demo/world.ts', 'simulators/demo/catalog.ts', 'package-lock.json'];
const SKIP = new Set(['.next', 'node_modules', 'next-env.d.ts', 'tsconfig.tsbuildinfo']);

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) if (!SKIP.has(name)) max = Math.max(max, newest(join(path, name)));
  return max;
}

/** Why the production build must be (re)made, or null when it is current. */
export function buildReason(portalDir = PORTAL_DIR): string | null {
  const buildId = join(portalDir, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return 'no production build yet';
  const built = statSync(buildId).mtimeMs;
  const inputs = Math.max(
    newest(portalDir),
    ...EXTRA_INPUTS.map((p) => join(ROOT, p))
      .filter(existsSync)
      .map(newest),
  );
  return inputs > built ? 'sources changed since the last build' : null;
}

function run(args: string[], env: NodeJS.ProcessEnv, quiet: boolean): ChildProcess {
  return spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd: ROOT,
    env,
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
  });
}

/** `next build portal`; rejects with the build's output when it fails. */
export async function buildPortal(opts: { quiet?: boolean } = {}): Promise<void> {
  const child = run(['build', 'portal'], { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, opts.quiet ?? false);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`next build failed (exit ${code})${out ? `:\n${out.slice(-4000)}` : ''}`);
}

export interface PortalOptions {
  host: string;
  port: number;
  gatewayUrl: string;
  dataDir: string;
  demo: boolean;
  /** `next dev` instead of the production server. */
  dev?: boolean;
  /** Collect the output instead of printing it (tests). */
  quiet?: boolean;
  /** Extra environment for the portal (overrides the inherited one). */
  env?: Record<string, string>;
}

export interface RunningPortal {
  url: string;
  /** The portal's output so far (quiet mode). */
  output(): string;
  close(): Promise<void>;
}

/** Start the portal and resolve once it answers HTTP. */
export async function startPortal(opts: PortalOptions): Promise<RunningPortal> {
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
  const url = `http://${shownHost}:${opts.port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? url,
    ...opts.env,
    ATRIUM_GATEWAY_URL: opts.gatewayUrl,
    ATRIUM_DATA_DIR: opts.dataDir,
    ATRIUM_DEMO: String(opts.demo),
    NEXT_TELEMETRY_DISABLED: '1',
  };
  const child = run([opts.dev ? 'dev' : 'start', 'portal', '-H', opts.host, '-p', String(opts.port)], env, opts.quiet ?? false);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));

  const close = async () => {
    if (exited !== undefined) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`the portal exited (code ${exited}) before answering${out ? `:\n${out.slice(-4000)}` : ''}`);
    try {
      const res = await fetch(`${url}/signin`, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`the portal did not answer at ${url} within 60 s${out ? `:\n${out.slice(-4000)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, output: () => out, close };
}
