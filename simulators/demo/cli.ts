/**
 * `npm run world -- [--seed N] [--scale N] [--as-of YYYY-MM-DD] [--out DIR] [--summary]`
 *
 * Writes the demo world as NDJSON files (accounts, campaigns, workspaces, documents, assets,
 * users, holds), one record at a time, so `--scale 100` streams in seconds in bounded memory.
 * Without --out it prints a summary of counts.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createWorld } from './world.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function writeAll(path: string, records: Iterable<unknown>): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  for (const r of records) {
    if (!out.write(`${JSON.stringify(r)}\n`)) await once(out, 'drain');
    n++;
  }
  out.end();
  await once(out, 'finish');
  return n;
}

async function main(): Promise<void> {
  const world = createWorld({
    seed: Number(arg('seed') ?? 42),
    scale: Number(arg('scale') ?? 1),
    ...(arg('as-of') ? { asOf: arg('as-of') as string } : {}),
  });
  const dir = arg('out');
  const t0 = Date.now();
  const counts: Record<string, number> = {};
  if (dir) {
    mkdirSync(dir, { recursive: true });
    counts.accounts = await writeAll(join(dir, 'accounts.ndjson'), world.accounts());
    counts.campaigns = await writeAll(join(dir, 'campaigns.ndjson'), world.campaigns());
    counts.workspaces = await writeAll(join(dir, 'workspaces.ndjson'), world.workspaces());
    counts.documents = await writeAll(join(dir, 'documents.ndjson'), world.documents());
    counts.assets = await writeAll(join(dir, 'assets.ndjson'), world.assets());
    counts.users = await writeAll(join(dir, 'users.ndjson'), world.users());
    counts.holds = await writeAll(join(dir, 'holds.ndjson'), world.holds());
  } else {
    counts.accounts = world.counts.accounts;
    counts.campaigns = world.counts.campaigns;
    counts.documents = 0;
    for (const _ of world.documents()) counts.documents++;
    counts.assets = Object.values(world.counts.assets).reduce((a, b) => a + b, 0);
  }
  const rss = Math.round(process.memoryUsage().rss / 1e6);
  console.log(
    JSON.stringify({
      seed: world.seed,
      scale: world.scale,
      asOf: new Date(world.asOf).toISOString().slice(0, 10),
      counts,
      ms: Date.now() - t0,
      rssMB: rss,
      ...(dir ? { out: dir } : {}),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
