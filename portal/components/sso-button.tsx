'use client';

import { signIn } from 'next-auth/react';

/** Starts the OpenID Connect sign-in with the configured provider. */
export function SsoButton({ name, callbackUrl }: { name: string; callbackUrl: string }) {
  return (
    <button type="button" className="secondary" onClick={() => void signIn('oidc', { callbackUrl })}>
      Sign in with {name}
    </button>
  );
}
