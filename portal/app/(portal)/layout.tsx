import type { ReactNode } from 'react';
import { unstable_rethrow } from 'next/navigation';
import { SiteHeader } from '../../components/site-header.tsx';
import { getViewer } from '../../lib/dal.ts';
import type { Viewer } from '../../lib/types.ts';

// Everything under here depends on the session: rendered per request, never cached publicly.
export const dynamic = 'force-dynamic';

export default async function PortalLayout({ children }: { children: ReactNode }) {
  let viewer: Viewer | null = null;
  try {
    viewer = await getViewer();
  } catch (e) {
    // The sign-in redirect must go through; a gateway hiccup only costs the role-based links.
    unstable_rethrow(e);
  }
  return (
    <>
      <SiteHeader viewer={viewer} />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
