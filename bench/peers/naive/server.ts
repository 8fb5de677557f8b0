/**
 * Child process: the naive peer. A plain Apollo Server 5 over the project's own SDL
 * (schema/*.graphql) with per-field resolvers (resolvers.ts) and the project's connectors,
 * configured from the same environment as Atrium. Prints `READY {"url": ...}`.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { loadTypeDefs } from '../../../schema/index.ts';
import { loadConfig } from '../../../gateway/config.ts';
import { loadMapping } from '../../../sources/mapping.ts';
import { createOtcsClient } from '../../../sources/otcs/client.ts';
import { createIconikClient } from '../../../sources/iconik/client.ts';
import { createNetxClient } from '../../../sources/netx/client.ts';
import { createOtmmClient } from '../../../sources/otmm/client.ts';
import { naiveResolvers, type NaiveContext } from './resolvers.ts';

const config = loadConfig();
const up = config.upstream;
const common = { mapping: loadMapping(config.mappingFile), timeoutMs: up.timeoutMs, retries: up.retries };
const sources: NaiveContext['sources'] = {
  ecm: createOtcsClient({
    ...common,
    baseUrl: up.otcs.url,
    username: up.otcs.username,
    password: up.otcs.password,
    domain: up.otcs.domain,
  }),
  dams: {
    ICONIK: createIconikClient({ ...common, baseUrl: up.iconik.url, appId: up.iconik.appId, authToken: up.iconik.authToken }),
    NETX: createNetxClient({ ...common, baseUrl: up.netx.url, apiToken: up.netx.apiToken }),
    OTMM: createOtmmClient({ ...common, baseUrl: up.otmm.url, username: up.otmm.username, password: up.otmm.password }),
  },
};
const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: naiveResolvers() as never });
const server = new ApolloServer<NaiveContext>({ schema, csrfPrevention: true });
const { url } = await startStandaloneServer(server, {
  listen: { port: 0, host: '127.0.0.1' },
  context: async () => ({ sources }),
});
process.stdout.write(`READY ${JSON.stringify({ url: `${url.replace(/\/$/, '')}/graphql` })}\n`);
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
