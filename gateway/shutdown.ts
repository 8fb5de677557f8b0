/**
 * A graceful stop of the HTTP side: stop accepting connections, close the idle ones, let the
 * requests in flight finish (each answer then closes its connection), and cut what is left only
 * when a deadline passes. main.ts runs it before stopping Apollo and the audit, so no request
 * that was accepted is answered with an error or reset, and every event it recorded is written.
 */
import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

/**
 * How long idle keep-alive connections stay open once a drain began: a request already sent on
 * one (its bytes arrived with the signal, or the event loop was busy) is read and served rather
 * than reset with the connection.
 */
const IDLE_GRACE_MS = 100;

/** What a drain did. */
export interface DrainReport {
  /** Requests in flight when it began. */
  inFlight: number;
  /** Connections cut at the deadline (0 when everything finished in time). */
  cut: number;
  ms: number;
}

/** Tracks a server's requests in flight, and drains it. Attach it before the server serves. */
export class Drainer {
  private readonly open = new Set<ServerResponse>();
  private draining = false;
  /** Set once the idle grace passed: from then on a connection is closed as soon as it is idle. */
  private closingIdle = false;
  private drained: Promise<DrainReport> | null = null;

  constructor(private readonly server: Server) {
    server.on('request', (_req, res: ServerResponse) => {
      this.open.add(res);
      // An answer given while draining must not leave its connection open for another request.
      if (this.draining) res.setHeader('connection', 'close');
      res.once('close', () => {
        this.open.delete(res);
        // A keep-alive connection whose answer went out before the drain is idle now: close it.
        if (this.closingIdle) setImmediate(() => server.closeIdleConnections());
      });
    });
  }

  /** Requests being served now. */
  get inFlight(): number {
    return this.open.size;
  }

  /**
   * Stop accepting connections at once and close idle ones (after IDLE_GRACE_MS); resolve when
   * every request in flight has been answered and its connection closed, or after `timeoutMs`,
   * when the connections still open are cut. Idempotent: later calls get the same drain.
   */
  drain(timeoutMs: number): Promise<DrainReport> {
    this.drained ??= this.run(timeoutMs);
    return this.drained;
  }

  private async run(timeoutMs: number): Promise<DrainReport> {
    const started = Date.now();
    const inFlight = this.open.size;
    this.draining = true;
    for (const res of this.open) if (!res.headersSent) res.setHeader('connection', 'close');
    // net's close, not http's: http's closes idle connections at once, resetting those whose
    // request arrived but was not read yet.
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(this.server, () => resolve()));
    // Closed from the check phase: timers run before the event loop reads sockets, so a loop that
    // was busy would otherwise close a connection whose request is waiting to be read.
    const grace = setTimeout(
      () =>
        setImmediate(() => {
          this.closingIdle = true;
          this.server.closeIdleConnections();
        }),
      IDLE_GRACE_MS,
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const outcome = await Promise.race([closed.then(() => 'closed' as const), late]);
    clearTimeout(timer);
    clearTimeout(grace);
    let cut = 0;
    if (outcome === 'late') {
      cut = await new Promise<number>((resolve) => this.server.getConnections((e, n) => resolve(e ? 0 : n)));
      this.server.closeAllConnections();
      await closed;
    }
    return { inFlight, cut, ms: Date.now() - started };
  }
}

/**
 * Run `stop` on the first SIGTERM or SIGINT, then exit: 0 when it resolved, 1 when it threw. A
 * second signal while stopping does not cut the stop short (that would lose buffered audit
 * events); `onRepeat` says so. SIGKILL still ends the process at once.
 */
export function stopOnSignals(
  stop: (signal: NodeJS.Signals) => Promise<void>,
  opts: { onRepeat?: (signal: NodeJS.Signals) => void; onError?: (e: unknown) => void } = {},
): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      opts.onRepeat?.(signal);
      return;
    }
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      (e: unknown) => {
        opts.onError?.(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

/** Whether `p` settled within `ms` (a rejection counts as settled; it is not rethrown). */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), Math.max(0, ms));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
