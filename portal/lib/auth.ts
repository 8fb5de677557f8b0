/**
 * Sign-in (next-auth): in demo mode a credentials provider for the demo users; otherwise a
 * generic OpenID Connect provider configured by the environment. Sessions are JWTs in an
 * encrypted, httpOnly, SameSite=lax cookie. The session object the browser can read carries
 * name and email only; the identity provider's access token (OIDC) stays inside the
 * encrypted cookie, and demo tokens are minted on the server per request (see token.ts).
 */
import 'server-only';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { portalEnv } from './env.ts';
import { demoUsers, verifyDemoUser } from './demo.ts';

let options: NextAuthOptions | undefined;

/** next-auth's options, built on first use (the environment is read lazily). */
export function authOptions(): NextAuthOptions {
  if (options) return options;
  const env = portalEnv();
  const providers: NextAuthOptions['providers'] = [];
  if (env.demo) {
    providers.push(
      CredentialsProvider({
        id: 'demo',
        name: 'Demo user',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        authorize(credentials) {
          const user = verifyDemoUser(credentials?.email ?? '', credentials?.password ?? '');
          return user ? { id: user.email, email: user.email, name: user.name } : null;
        },
      }),
    );
  }
  if (env.oidc) {
    providers.push({
      id: 'oidc',
      name: env.oidc.name,
      type: 'oauth',
      wellKnown: `${env.oidc.issuer}/.well-known/openid-configuration`,
      clientId: env.oidc.clientId,
      clientSecret: env.oidc.clientSecret,
      authorization: { params: { scope: env.oidc.scope } },
      idToken: true,
      checks: ['pkce', 'state'],
      profile(profile: { sub: string; email?: string; name?: string; preferred_username?: string }) {
        return {
          id: profile.sub,
          email: profile.email ?? profile.preferred_username ?? profile.sub,
          name: profile.name ?? profile.email ?? profile.sub,
        };
      },
    });
  }
  options = {
    secret: env.authSecret,
    providers,
    pages: { signIn: '/signin', error: '/signin' },
    session: { strategy: 'jwt', maxAge: 8 * 3600 },
    callbacks: {
      jwt({ token, account }) {
        // Keep the identity provider's access token for the gateway, inside the encrypted cookie.
        if (account?.provider === 'oidc' && account.access_token) {
          token.accessToken = account.access_token;
          token.accessTokenExpires = account.expires_at ? account.expires_at * 1000 : undefined;
        }
        return token;
      },
      session({ session, token }) {
        // Only what the pages show; never the access token.
        session.user = { email: token.email ?? '', name: token.name ?? token.email ?? '' };
        return session;
      },
    },
  };
  return options;
}

/** What the sign-in page offers: the demo users (demo mode) and the single sign-on provider. */
export function signInChoices(): { demoUsers: { email: string; name: string; roles: string[] }[] | null; sso: string | null } {
  const env = portalEnv();
  return {
    demoUsers: env.demo ? demoUsers().map((u) => ({ email: u.email, name: u.name, roles: u.roles })) : null,
    sso: env.oidc?.name ?? null,
  };
}

/** A same-site path to return to after sign-in (anything else goes home). */
export function safeCallback(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}
