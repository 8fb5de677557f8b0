'use client';

import { useState, type FormEvent } from 'react';
import { signIn } from 'next-auth/react';

/** Email and password for the demo users; next-auth sets the session cookie and we move on. */
export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    const res = await signIn('demo', {
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      redirect: false,
      callbackUrl,
    });
    setBusy(false);
    if (res?.ok && !res.error) window.location.assign(res.url ?? callbackUrl);
    else setError('That email and password do not match a demo user.');
  }

  return (
    <form onSubmit={submit} aria-describedby={error ? 'signin-error' : undefined}>
      <label>
        Email
        <input type="email" name="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input type="password" name="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p id="signin-error" className="banner bad" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
