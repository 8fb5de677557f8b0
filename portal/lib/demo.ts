/**
 * Demo mode: the demo users who may sign in (password `demo`) and gateway tokens for them,
 * minted by the gateway's own demo issuer from the key it keeps in the shared data directory.
 * The demo users do not depend on the world's seed, scale or day, so the default world is
 * asked for them. Real deployments never load this module's answers (see auth.ts).
 */
import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import { createWorld, demoIssuer, type DemoIssuer, type DemoUser } from './demo-bridge.js';
import { portalEnv } from './env.ts';

const DEMO_PASSWORD = 'demo';

let users: DemoUser[] | undefined;
let issuer: Promise<DemoIssuer> | undefined;
const tokens = new Map<string, { token: string; exp: number }>();
/** A cached token is reused while it has this long left (tokens live 8 h). */
const MIN_LIFE_MS = 30 * 60_000;

/** The demo users (who can sign in). */
export function demoUsers(): DemoUser[] {
  users ??= createWorld().demoUsers();
  return users;
}

/** The demo user with this email and password, or null. */
export function verifyDemoUser(email: string, password: string): DemoUser | null {
  const user = demoUsers().find((u) => u.email === email.trim().toLowerCase()) ?? null;
  const want = Buffer.from(DEMO_PASSWORD);
  const got = Buffer.from(password);
  const ok = got.length === want.length && timingSafeEqual(got, want);
  return user && ok ? user : null;
}

/** A gateway bearer token for a demo user, or null when the email is no demo user. */
export async function demoToken(email: string): Promise<string | null> {
  const user = demoUsers().find((u) => u.email === email);
  if (!user) return null;
  const hit = tokens.get(email);
  if (hit && hit.exp - Date.now() > MIN_LIFE_MS) return hit.token;
  // A failed first load (unreadable key file) is retried on the next call, not cached.
  issuer ??= demoIssuer(portalEnv().dataDir).catch((e: unknown) => {
    issuer = undefined;
    throw e;
  });
  const token = await (await issuer).sign(user);
  const { exp } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number };
  tokens.set(email, { token, exp: exp * 1000 });
  return token;
}
