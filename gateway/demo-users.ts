/**
 * Demo mode's readers: the demo world's users as principals, by email, for explainAccess, and
 * an admin principal for tools and tests that need a reader without a token. Real deployments
 * have neither (their readers come from AUTH_ISSUERS' tokens).
 */
import type { Principal } from '../access/principal.ts';
import type { DemoWorld } from '../simulators/demo/world.ts';

/** Readers by email for explainAccess: in demo mode, the demo users. */
export function demoDirectory(world: DemoWorld): (email: string) => Principal | null {
  const users = new Map(
    world.demoUsers().map((u) => [
      u.email,
      {
        id: u.email,
        email: u.email,
        name: u.name,
        roles: u.roles,
        regions: u.regions,
        ...(u.org ? { org: u.org } : {}),
      } satisfies Principal,
    ]),
  );
  return (email) => users.get(email.toLowerCase()) ?? null;
}

/** An admin reader, for tools and tests that need one without a token. */
export const DEMO_PRINCIPAL: Principal = {
  id: 'demo-admin',
  email: 'admin@atrium.example',
  name: 'Ada Admin',
  roles: ['admin'],
  regions: ['EMEA', 'NA', 'APAC', 'LATAM'],
};
