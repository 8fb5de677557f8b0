import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '../../components/sign-in-form.tsx';
import { SsoButton } from '../../components/sso-button.tsx';
import { safeCallback, signInChoices } from '../../lib/auth.ts';
import { signedIn } from '../../lib/dal.ts';
import { one, type SearchParamsRecord } from '../../lib/params.ts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in' };

const MESSAGES: Record<string, string> = {
  SessionExpired: 'Your session ended. Please sign in again.',
  CredentialsSignin: 'That email and password do not match a demo user.',
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const sp = await searchParams;
  const callbackUrl = safeCallback(one(sp.callbackUrl));
  const error = one(sp.error);
  if (!error && (await signedIn())) redirect(callbackUrl);
  const { demoUsers, sso } = signInChoices();
  return (
    <main id="main" className="signin">
      <div className="panel stack">
        <h1>Sign in to Atrium</h1>
        {error && (
          <p className="banner bad" role="alert">
            {MESSAGES[error] ?? 'Sign-in failed. Please try again.'}
          </p>
        )}
        {demoUsers && <SignInForm callbackUrl={callbackUrl} />}
        {sso && <SsoButton name={sso} callbackUrl={callbackUrl} />}
        {demoUsers && (
          <details>
            <summary>
              Demo users (password <code>demo</code>)
            </summary>
            <ul className="hint">
              {demoUsers.map((u) => (
                <li key={u.email}>
                  <code>{u.email}</code> — {u.name}, {u.roles.join(', ')}
                </li>
              ))}
            </ul>
          </details>
        )}
      </div>
    </main>
  );
}
