import type { Metadata } from 'next';
import { AccountCards } from '../../../components/account-cards.tsx';
import { OutageBanner } from '../../../components/outage-banner.tsx';
import { getAccounts } from '../../../lib/dal.ts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Accounts' };

export default async function AccountsPage() {
  const { data, outages } = await getAccounts();
  return (
    <>
      <div className="page-head">
        <h1>Accounts</h1>
        <p className="sub">The accounts whose workspace team you are on.</p>
      </div>
      <OutageBanner outages={outages} />
      <AccountCards accounts={data.items} />
    </>
  );
}
