import Link from 'next/link';
import { formatDate } from '../lib/format.ts';
import type { CampaignSummary } from '../lib/types.ts';
import { StatusBadge } from './status-badge.tsx';

/** Campaign tiles linking to each campaign. */
export function CampaignCards({ campaigns }: { campaigns: CampaignSummary[] }) {
  if (campaigns.length === 0) return <p className="sub">No campaigns are shared with you.</p>;
  return (
    <ul className="cards" data-testid="campaign-list">
      {campaigns.map((c) => (
        <li key={c.id} className="card" data-code={c.code}>
          <h3>
            <Link href={`/campaigns/${encodeURIComponent(c.id)}`}>{c.name}</Link>
          </h3>
          <p className="meta">
            {c.code} · {c.productLine}
          </p>
          <p className="meta">
            {formatDate(c.startDate)} – {formatDate(c.endDate)} · {c.regions.join(', ')}
          </p>
          <span>
            <StatusBadge value={c.status} />
          </span>
        </li>
      ))}
    </ul>
  );
}
