/**
 * `npm run --silent audit:verify`: checks the audit hash chain of the configured store
 * (DATABASE_URL, or the PGlite directory in ATRIUM_DATA_DIR) from the first event to the last.
 * Prints `OK <n> events in <m> records` and exits 0, or names the first break (record id,
 * sequence number, what failed, expected against actual) and exits 1. Exits 2 when the store cannot be read.
 *
 * On PGlite, stop the gateway first: PGlite is one process's database (the store's lock file
 * says which process holds it).
 */
import { existsSync } from 'node:fs';
import { verifyChain } from '../audit/chain.ts';
import { AuditStore } from '../audit/store.ts';
import { ConfigError, loadConfig } from '../gateway/config.ts';

/** Verify and report; returns the exit code. */
export async function main(
  env: Record<string, string | undefined> = process.env,
  out: (line: string) => void = console.log,
): Promise<number> {
  let store: AuditStore | undefined;
  try {
    const { audit } = loadConfig(env);
    if (!audit.databaseUrl && !existsSync(audit.dir)) {
      out(`OK 0 events (no audit store at ${audit.dir} yet)`);
      return 0;
    }
    store = new AuditStore({
      ...(audit.databaseUrl ? { databaseUrl: audit.databaseUrl } : { dir: audit.dir }),
      schema: audit.schema,
      migrate: false,
    });
    if (!(await store.exists())) {
      const db = await store.open();
      const legacy = (await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`"${audit.schema}".audit_events`])).rows[0]
        ?.t;
      if (legacy) {
        out(
          `ERROR the audit store in ${store.location} predates this version's tables: start the gateway once to migrate it (its events are carried over with their hashes), then verify`,
        );
        return 2;
      }
      out(`OK 0 events (no audit table in ${store.location} yet)`);
      return 0;
    }
    const r = await verifyChain(store.records(1000));
    if (r.ok) {
      out(`OK ${r.events} events in ${r.count} records (${store.location})`);
      return 0;
    }
    const b = r.break;
    out(
      `BROKEN at record ${b.recordId} (seq ${b.seq}): ${b.field} expected ${b.expected}, actual ${b.actual}. ${r.events} events in ${r.count} records before it verify (${store.location})`,
    );
    return 1;
  } catch (e) {
    out(`ERROR ${e instanceof ConfigError ? e.message : (e as Error).message}`);
    return 2;
  } finally {
    await store?.close().catch(() => undefined);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
