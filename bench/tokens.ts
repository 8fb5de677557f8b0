/**
 * Bearer tokens for the demo users the scenarios read as, signed by the demo issuer whose key
 * lives in the data directory Atrium's process is given (what `npm run token` does, without a
 * process per token).
 */
import { demoIssuer } from '../gateway/demo-issuer.ts';
import { benchWorld } from './world.ts';

/** `authorization` header by email; throws for an email that is not a demo user. */
export async function mintTokens(dataDir: string, emails: readonly string[]): Promise<Record<string, string>> {
  const issuer = await demoIssuer(dataDir);
  const users = benchWorld(1).demoUsers();
  const out: Record<string, string> = {};
  for (const email of new Set(emails)) {
    const user = users.find((u) => u.email === email);
    if (!user) throw new Error(`no demo user ${email}`);
    out[email] = `Bearer ${await issuer.sign(user)}`;
  }
  return out;
}
