/**
 * `npm run --silent token -- <email>` prints a bearer token for a demo user;
 * `npm run --silent token -- --list` prints the demo users as a JSON array of
 * `{ email, name, roles, org, regions }` (org `null` for non-partners). Demo mode only.
 * Stdout carries the answer and nothing else, so `$(npm run --silent token -- anna@…)` works;
 * every message goes to stderr.
 */
import { ConfigError, loadConfig } from '../gateway/config.ts';
import { demoIssuer } from '../gateway/demo-issuer.ts';
import { createWorld, type DemoUser } from '../simulators/demo/world.ts';

const USAGE = 'usage: npm run --silent token -- <email> | --list';

/** A demo user as the `--list` contract shows them: exactly these keys, in this order. */
function listEntry(u: DemoUser): { email: string; name: string; roles: string[]; org: string | null; regions: string[] } {
  return { email: u.email, name: u.name, roles: u.roles, org: u.org ?? null, regions: u.regions };
}

class UsageError extends Error {}

async function main(args: string[]): Promise<string> {
  const config = loadConfig();
  if (!config.demo)
    throw new UsageError('token: demo tokens exist in demo mode only (ATRIUM_DEMO=false here); get a token from your identity provider');
  const [arg, ...rest] = args;
  if (!arg || rest.length > 0) throw new UsageError(USAGE);
  // Only demo users sign in; staff who fill workspace teams have no roles and get no token.
  const users = createWorld(config.world).demoUsers();
  if (arg === '--list') return JSON.stringify(users.map(listEntry), null, 2);
  const user = users.find((u) => u.email === arg.toLowerCase());
  if (!user) throw new UsageError(`token: no demo user "${arg}"; \`npm run --silent token -- --list\` shows them`);
  return (await demoIssuer(config.dataDir)).sign(user);
}

main(process.argv.slice(2)).then(
  (out) => process.stdout.write(`${out}\n`),
  (e: unknown) => {
    console.error(e instanceof UsageError || e instanceof ConfigError ? e.message : e);
    process.exitCode = 1;
  },
);
