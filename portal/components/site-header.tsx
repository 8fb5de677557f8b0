import Link from 'next/link';
import type { Viewer } from '../lib/types.ts';
import { NavLink } from './nav-link.tsx';
import { SignOutButton } from './sign-out-button.tsx';

const INTERNAL = ['sales', 'marketing', 'compliance', 'admin'];

/** The banner landmark: brand, the sections this reader has, who is signed in. */
export function SiteHeader({ viewer }: { viewer: Viewer | null }) {
  const roles = viewer?.roles ?? [];
  return (
    <header className="site-header">
      <div className="bar">
        <Link className="brand" href="/">
          Atrium
        </Link>
        <nav className="site-nav" aria-label="Main">
          <ul>
            <li>
              <NavLink href="/">Home</NavLink>
            </li>
            <li>
              <NavLink href="/search">Search</NavLink>
            </li>
            {roles.some((r) => INTERNAL.includes(r)) && (
              <li>
                <NavLink href="/accounts">Accounts</NavLink>
              </li>
            )}
            {roles.some((r) => r === 'compliance' || r === 'admin') && (
              <li>
                <NavLink href="/compliance">Compliance</NavLink>
              </li>
            )}
          </ul>
        </nav>
        <div className="user-box">
          {viewer && (
            <span data-testid="signed-in-as">
              {viewer.name} <span className="visually-hidden">({viewer.email})</span>
            </span>
          )}
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
