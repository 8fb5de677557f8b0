/**
 * Child process: Hive Gateway serving the composed supergraph (`BENCH_SUPERGRAPH`) on a free
 * loopback port, with its response cache on (same 30 s TTL as Atrium's upstream cache; one
 * shared session, as the benchmark has one reader). Prints `READY {"url": ...}`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import InMemoryLRUCache from '@graphql-mesh/cache-inmemory-lru';
import { createGatewayRuntime } from '@graphql-hive/gateway';

const supergraph = process.env.BENCH_SUPERGRAPH;
if (!supergraph) throw new Error('BENCH_SUPERGRAPH is not set');
const gateway = createGatewayRuntime({
  supergraph,
  // BENCH_HIVE_LOG=debug shows every upstream request the gateway makes (for mapping work).
  logging: process.env.BENCH_HIVE_LOG === 'debug' ? 'debug' : 'error',
  graphqlEndpoint: '/graphql',
  landingPage: false,
  cache: new InMemoryLRUCache(),
  responseCaching: { session: () => null, ttl: 30_000 },
});
const server = createServer(gateway);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` })}\n`);
const stop = () => {
  server.closeAllConnections();
  server.close(() => void Promise.resolve(gateway.dispose()).then(() => process.exit(0)));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
