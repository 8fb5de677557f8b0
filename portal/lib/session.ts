/**
 * The signed-in reader of the current request and the gateway token that stands for them.
 * Demo mode mints a token with the demo issuer; with OIDC the provider's access token is read
 * from the encrypted session cookie. Nothing here is ever sent to the browser.
 */
import 'server-only';
import { cache } from 'react';
import { cookies, headers } from 'next/headers';
import { getToken } from 'next-auth/jwt';
import { portalEnv } from './env.ts';
import { demoToken } from './demo.ts';

export interface Session {
  email: string;
  name: string;
  /** Bearer token for the gateway; server-side only. */
  gatewayToken: string;
}

/** The session of this request, or null (no cookie, bad cookie, expired provider token). Cached per request. */
export const currentSession = cache(async (): Promise<Session | null> => {
  const env = portalEnv();
  const req = { cookies: await cookies(), headers: Object.fromEntries(await headers()) };
  const jwt = await getToken({ req: req as never, secret: env.authSecret });
  const email = typeof jwt?.email === 'string' ? jwt.email : null;
  if (!jwt || !email) return null;
  const name = typeof jwt.name === 'string' ? jwt.name : email;
  if (jwt.accessToken) {
    // No refresh: when the provider's token lapses, the reader signs in again.
    if (jwt.accessTokenExpires && jwt.accessTokenExpires <= Date.now()) return null;
    return { email, name, gatewayToken: jwt.accessToken };
  }
  const token = env.demo ? await demoToken(email) : null;
  return token ? { email, name, gatewayToken: token } : null;
});
