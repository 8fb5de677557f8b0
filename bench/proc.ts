/**
 * Child processes of a run: each system and the simulators run in their own Node process, so
 * a system's resident memory is its own. A child announces itself with one stdout line
 * `READY {json}`; the peak RSS is read from Linux's `VmHWM` and reset between scenarios
 * through `/proc/<pid>/clear_refs`, falling back to sampling `VmRSS` where that is refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root (children run from there so `--import tsx` resolves). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A running child process that announced itself. */
export interface Child<T> {
  pid: number;
  /** What the child printed after `READY`. */
  info: T;
  /** Peak RSS in bytes since start or the last `resetPeak()`. */
  peakRss(): number;
  resetPeak(): void;
  stop(): Promise<void>;
}

/** `VmHWM`/`VmRSS` of a process in bytes, 0 when it is gone. */
export function memoryOf(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Start `node --import tsx <file>` with `env`; resolve once it prints READY (or reject). */
export function startChild<T>(
  label: string,
  file: string,
  env: Record<string, string>,
  opts: { timeoutMs?: number; cwd?: string } = {},
): Promise<Child<T>> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not start within ${opts.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    let buf = '';
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      const line = buf.split('\n').find((l) => l.startsWith('READY '));
      if (!line) return;
      clearTimeout(timer);
      const info = JSON.parse(line.slice(6)) as T;
      const pid = child.pid as number;
      // Sampling covers kernels that refuse clear_refs; VmHWM is exact where they allow it.
      let sampled = 0;
      let hwmResettable = true;
      const sampler = setInterval(() => {
        sampled = Math.max(sampled, memoryOf(pid, 'VmRSS'));
      }, 100);
      sampler.unref();
      resolve({
        pid,
        info,
        peakRss: () => Math.max(sampled, hwmResettable ? memoryOf(pid, 'VmHWM') : 0),
        resetPeak: () => {
          sampled = memoryOf(pid, 'VmRSS');
          try {
            writeFileSync(`/proc/${pid}/clear_refs`, '5');
          } catch {
            hwmResettable = false;
          }
        },
        stop: () =>
          new Promise<void>((done) => {
            clearInterval(sampler);
            if (child.exitCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code}) before it was ready\n${stderr}`));
    });
  });
}
