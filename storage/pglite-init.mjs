// Creates a PGlite database in workerData.dir and closes it, on a thread of its own: PGlite's
// initdb leaves several hundred MiB of WASM memory behind, which ends with this thread (see
// openPglite in db.ts). Plain JavaScript: it needs nothing of the TypeScript sources.
import { workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const db = new PGlite({ dataDir: workerData.dir, postgresqlconf: workerData.conf });
await db.waitReady;
await db.close();
