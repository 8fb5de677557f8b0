/**
 * Demo mode's credentials, on stdout (DESIGN.md, contracts):
 * - `npm run --silent token -- <email>` prints a bearer token for a demo user;
 * - `npm run --silent token -- --list` prints the demo users as a JSON array of
 *   `{ email, name, roles, org, regions }` (org `null` for non-partners);
 * - `npm run --silent token -- --client <name>` prints a bearer token for a demo integration
 *   client (`crm`, `exstream`, `hooks-admin`) carrying that client's scopes;
 * - `npm run --silent token -- --hook-secret <source>` prints the secret (`whsec_…`) that signs
 *   inbound webhooks from that source (`crm`): `HOOK_SECRETS`' when configured, else the one
 *   generated in ATRIUM_DATA_DIR.
 * Demo mode only. Stdout carries the answer and nothing else, so `$(npm run --silent token -- anna@…)`
 * works; every message goes to stderr.
 */
import { ConfigError, loadConfig } from '../gateway/config.ts';
import { DEMO_CLIENTS, DEMO_HOOK_SOURCES, demoIssuer, hookSecret } from '../gateway/demo-issuer.ts';
import { createWorld, type DemoUser } from '../simulators/demo/world.ts';

const USAGE = 'usage: npm run --silent token -- <email> | --list | --client <name> | --hook-secret <source>';

/** A demo user as the `--list` contract shows them: exactly these keys, in this order. */
function listEntry(u: DemoUser): { email: string; name: string; roles: string[]; org: string | null; regions: string[] } {
  return { email: u.email, name: u.name, roles: u.roles, org: u.org ?? null, regions: u.regions };
}

class UsageError extends Error {}

async function main(args: string[]): Promise<string> {
  const config = loadConfig();
  if (!config.demo)
    throw new UsageError(
      'token: demo tokens and secrets exist in demo mode only (ATRIUM_DEMO=false here); get a token from your identity provider',
    );
  const [arg, ...rest] = args;
  if (arg === '--client' || arg === '--hook-secret') {
    const [name, ...extra] = rest;
    if (!name || extra.length > 0) throw new UsageError(USAGE);
    return arg === '--client' ? clientToken(config.dataDir, name) : sourceSecret(config, name);
  }
  if (!arg || rest.length > 0 || (arg.startsWith('--') && arg !== '--list')) throw new UsageError(USAGE);
  // Only demo users sign in; staff who fill workspace teams have no roles and get no token.
  const users = createWorld(config.world).demoUsers();
  if (arg === '--list') return JSON.stringify(users.map(listEntry), null, 2);
  const user = users.find((u) => u.email === arg.toLowerCase());
  if (!user) throw new UsageError(`token: no demo user "${arg}"; \`npm run --silent token -- --list\` shows them`);
  return (await demoIssuer(config.dataDir)).sign(user);
}

async function clientToken(dataDir: string, name: string): Promise<string> {
  if (!DEMO_CLIENTS.some((c) => c.name === name))
    throw new UsageError(`token: no demo client "${name}"; the demo clients are ${DEMO_CLIENTS.map((c) => c.name).join(', ')}`);
  return (await demoIssuer(dataDir)).signClient(name);
}

async function sourceSecret(config: ReturnType<typeof loadConfig>, source: string): Promise<string> {
  const secret = await hookSecret(source, { configured: config.hooks.secrets, dataDir: config.dataDir, demo: config.demo });
  if (secret) return secret;
  const known = [...new Set([...DEMO_HOOK_SOURCES, ...Object.keys(config.hooks.secrets)])].join(', ');
  throw new UsageError(`token: no webhook source "${source}"; the sources are ${known}`);
}

main(process.argv.slice(2)).then(
  (out) => process.stdout.write(`${out}\n`),
  (e: unknown) => {
    console.error(e instanceof UsageError || e instanceof ConfigError ? e.message : e);
    process.exitCode = 1;
  },
);
