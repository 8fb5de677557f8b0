'use client';

import { signOut } from 'next-auth/react';

/** Ends the session (next-auth clears its cookie) and returns to the sign-in page. */
export function SignOutButton() {
  return (
    <button type="button" className="secondary" onClick={() => void signOut({ callbackUrl: '/signin' })}>
      Sign out
    </button>
  );
}
