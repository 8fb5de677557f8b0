/**
 * Start-up checks reported together: like the configuration (config.ts), a gateway that cannot
 * start names every problem at once, not the first one per attempt.
 */

/** Every problem found while starting. Messages name what is wrong and never hold a secret. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(readonly problems: string[]) {
    super(`the gateway cannot start:\n  - ${problems.join('\n  - ')}`);
  }
}

type Results<T extends Record<string, () => unknown>> = { [K in keyof T]: Awaited<ReturnType<T[K]>> };

/**
 * Run the start-up `steps` side by side. When all succeed, their results by name; otherwise
 * `undo` is given the results of those that did succeed (to release them: a bound port, an
 * open store) and a StartupError carries the message of every step that failed.
 */
export async function startupSteps<T extends Record<string, () => unknown>>(
  steps: T,
  undo: (done: Partial<Results<T>>) => Promise<void> | void = () => undefined,
): Promise<Results<T>> {
  const names = Object.keys(steps) as (keyof T & string)[];
  const settled = await Promise.allSettled(names.map(async (name) => (steps[name] as () => unknown)()));
  const done: Partial<Results<T>> = {};
  const problems: string[] = [];
  settled.forEach((s, i) => {
    const name = names[i] as keyof T & string;
    if (s.status === 'fulfilled') done[name] = s.value as Results<T>[typeof name];
    else problems.push(...problemsOf(s.reason));
  });
  if (problems.length === 0) return done as Results<T>;
  await undo(done);
  throw new StartupError(problems);
}

/** The problems an error stands for: its list when it carries one (ConfigError, MappingError, StartupError), else its message. */
function problemsOf(e: unknown): string[] {
  const listed = (e as { problems?: unknown } | null)?.problems;
  if (Array.isArray(listed) && listed.every((p) => typeof p === 'string')) return listed;
  return [e instanceof Error ? e.message : String(e)];
}
