/**
 * The layering rule (eslint.config.js) refuses every import that runs up or across, and lets
 * the ones that run down through: each case lints one line as if it were a file of that layer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The no-restricted-imports messages for `code` linted as `file`. */
async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath: `${root}${file}` });
  const fatal = result?.messages.find((m) => m.fatal);
  if (!result || fatal) throw new Error(`${file} did not lint: ${fatal?.message ?? 'no result'}`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const refused: [file: string, code: string][] = [
  ['access/policy/scratch.ts', "import { x } from '../../resolvers/context.ts';"],
  ['access/scratch.ts', "import { x } from '../gateway/log.ts';"],
  ['access/scratch.ts', "import { x } from '../audit/index.ts';"],
  ['access/scratch.ts', "import { x } from '../flows/outbox.ts';"],
  ['access/scratch.ts', "import { x } from 'node:http';"],
  ['audit/scratch.ts', "import { x } from '../gateway/plugins/metrics.ts';"],
  ['audit/scratch.ts', "import { x } from '../resolvers/context.ts';"],
  ['audit/scratch.ts', "import { x } from 'graphql';"],
  ['resolvers/scratch.ts', "import { x } from '../gateway/context.ts';"],
  ['resolvers/scratch.ts', "import { x } from 'node:https';"],
  ['flows/scratch.ts', "import { x } from '../resolvers/index.ts';"],
  ['sources/otcs/scratch.ts', "import { x } from '../../simulators/demo/world.ts';"],
  ['sources/scratch.ts', "import { x } from '../access/errors.ts';"],
  ['sources/http/scratch.ts', "import { x } from 'graphql';"],
  ['sources/http/scratch.ts', "import { x } from '@apollo/server';"],
  ['simulators/otcs/scratch.ts', "import { x } from '../../gateway/config.ts';"],
  ['simulators/scratch.ts', "import { x } from '../access/policy.ts';"],
  ['gateway/scratch.ts', "import { x } from '../simulators/otcs/simulator.ts';"],
  ['schema/scratch.ts', "import { x } from '../resolvers/index.ts';"],
  ['storage/scratch.ts', "import { x } from '../audit/store.ts';"],
  ['storage/scratch.ts', "import { x } from '../flows/store.ts';"],
  ['sources/scratch.ts', "import { x } from '../storage/db.ts';"],
  ['portal/lib/scratch.ts', "import { x } from '../../access/policy.ts';"],
  ['portal/lib/scratch.ts', "import { x } from '../../gateway/server.ts';"],
];

const allowed: [file: string, code: string][] = [
  ['gateway/scratch.ts', "import { x } from '../resolvers/context.ts';"],
  ['gateway/scratch.ts', "import { x } from '../simulators/demo/world.ts';"],
  ['resolvers/scratch.ts', "import { x } from '../access/access.ts';"],
  ['resolvers/scratch.ts', "import { x } from '../audit/index.ts';"],
  ['audit/scratch.ts', "import { x } from '../access/ids.ts';"],
  ['flows/scratch.ts', "import { x } from '../audit/index.ts';"],
  ['flows/scratch.ts', "import { x } from '../storage/database.ts';"],
  ['audit/scratch.ts', "import { x } from '../storage/db.ts';"],
  ['access/policy/scratch.ts', "import { x } from '../../sources/model.ts';"],
  ['access/scratch.ts', "import { x } from './policy.ts';"],
  ['sources/otcs/scratch.ts', "import { x } from '../http/errors.ts';"],
  ['simulators/otcs/scratch.ts', "import { x } from '../../sources/otcs/wire.ts';"],
  ['portal/lib/scratch.js', "export { x } from '../../gateway/demo-issuer.ts';"],
];

describe('layering', () => {
  for (const [file, code] of refused) {
    it(`refuses in ${file}: ${code}`, async () => {
      const messages = await restricted(file, code);
      assert.equal(messages.length, 1, `expected one layering error, got ${JSON.stringify(messages)}`);
      assert.match(messages[0] as string, /must not (import from|use this package)/);
    });
  }
  for (const [file, code] of allowed) {
    it(`allows in ${file}: ${code}`, async () => {
      assert.deepEqual(await restricted(file, code), []);
    });
  }
});
