import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AccountCards } from '../../components/account-cards.tsx';
import { CampaignCards } from '../../components/campaign-cards.tsx';
import { ExpiringList } from '../../components/expiring-list.tsx';
import { HitList } from '../../components/hit-list.tsx';
import { OutageBanner } from '../../components/outage-banner.tsx';
import { LoadingState } from '../../components/states.tsx';
import { getHome, getViewer } from '../../lib/dal.ts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Home' };

const INTERNAL = ['sales', 'marketing', 'compliance', 'admin'];

export default async function HomePage() {
  const [viewer, { data, outages }] = await Promise.all([getViewer(), getHome()]);
  const internal = viewer.roles.some((r) => INTERNAL.includes(r));
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Welcome, {viewer.name}</h1>
          <p className="sub">
            {viewer.roles.join(', ')}
            {viewer.org ? ` · ${viewer.org}` : ''} · {viewer.regions.join(', ')}
          </p>
        </div>
      </div>
      <OutageBanner outages={outages} />
      <section aria-labelledby="campaigns-h">
        <h2 id="campaigns-h">
          Your campaigns <span className="sub">({data.campaigns.total})</span>
        </h2>
        <CampaignCards campaigns={data.campaigns.items} />
      </section>
      {internal && (
        <section aria-labelledby="accounts-h">
          <h2 id="accounts-h">
            Your accounts <span className="sub">({data.accounts.total})</span>
          </h2>
          <AccountCards accounts={data.accounts.items} />
        </section>
      )}
      <div className="grid-2">
        <section aria-labelledby="new-h">
          <h2 id="new-h">What is new</h2>
          <HitList hits={data.latest} />
        </section>
        <section aria-labelledby="expiring-h">
          <h2 id="expiring-h">Expiring soon</h2>
          <Suspense fallback={<LoadingState what="expiring rights" />}>
            <ExpiringList />
          </Suspense>
        </section>
      </div>
    </>
  );
}
