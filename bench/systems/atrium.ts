/**
 * Child process: Atrium exactly as `gateway/main.ts` starts it (product defaults: cache,
 * batching, deadlines), pointed at the benchmark's simulators through the environment
 * (`OTCS_URL`, `ICONIK_URL`, `NETX_URL`, `OTMM_URL`). Prints `READY {"url": ...}` once it serves
 * and its audit store is open.
 */
import { loadConfig } from '../../gateway/config.ts';
import { createLogger } from '../../gateway/log.ts';
import { startGateway } from '../../gateway/main.ts';

const running = await startGateway(loadConfig(), createLogger('error'), { port: 0 });
// The audit store opens in the background (PGlite creates its database on the first start): a
// one-time cost a serving gateway has long paid, so measurements begin once it is open.
await running.gateway.audit?.store.open().catch(() => undefined);
process.stdout.write(`READY ${JSON.stringify({ url: `${running.url}/graphql` })}\n`);
const stop = () => void running.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
