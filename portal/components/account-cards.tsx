import Link from 'next/link';
import { label } from '../lib/format.ts';
import type { AccountSummary } from '../lib/types.ts';

/** Account tiles linking to each account's workspace. */
export function AccountCards({ accounts }: { accounts: AccountSummary[] }) {
  if (accounts.length === 0) return <p className="sub">No accounts are assigned to you.</p>;
  return (
    <ul className="cards" data-testid="account-list">
      {accounts.map((a) => (
        <li key={a.id} className="card" data-crm={a.crmId}>
          <h3>
            <Link href={`/accounts/${encodeURIComponent(a.id)}`}>{a.name}</Link>
          </h3>
          <p className="meta">
            {label(a.kind)} · {a.region} · {a.crmId}
          </p>
        </li>
      ))}
    </ul>
  );
}
