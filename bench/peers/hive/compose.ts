/**
 * Child process: composes mesh.config.ts into a supergraph SDL file (`BENCH_SUPERGRAPH_OUT`)
 * with the library behind `mesh-compose`, then prints `READY {"supergraph": ...}` and exits.
 */
import { writeFileSync } from 'node:fs';
import { Console } from 'node:console';
import { getComposedSchemaFromConfig } from '@graphql-mesh/compose-cli';
import { DefaultLogger } from '@graphql-mesh/utils';
import { composeConfig } from './mesh.config.ts';

const out = process.env.BENCH_SUPERGRAPH_OUT;
if (!out) throw new Error('BENCH_SUPERGRAPH_OUT is not set');
// The logger mesh-compose itself uses, on stderr so stdout carries only the READY line.
const log = new DefaultLogger('compose', undefined, undefined, new Console(process.stderr));
const sdl = await getComposedSchemaFromConfig({ ...composeConfig, cwd: process.cwd() }, log);
writeFileSync(out, sdl);
process.stdout.write(`READY ${JSON.stringify({ supergraph: out })}\n`);
