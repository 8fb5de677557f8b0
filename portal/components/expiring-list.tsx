import Link from 'next/link';
import { getExpiringSoon } from '../lib/dal.ts';
import { daysUntil, formatDate } from '../lib/format.ts';
import { OutageBanner } from './outage-banner.tsx';

/** Assets whose rights end within the next 60 days, soonest first (streams in on its own). */
export async function ExpiringList() {
  const { data, outages } = await getExpiringSoon(60, 6);
  return (
    <>
      <OutageBanner outages={outages} />
      {data.length === 0 ? (
        <p className="sub">No rights end in the next 60 days.</p>
      ) : (
        <ul className="cards" data-testid="expiring">
          {data.map((a) => (
            <li key={a.id} className="card">
              <h3>
                <Link href={`/assets/${encodeURIComponent(a.id)}`}>{a.title}</Link>
              </h3>
              <p className="meta">
                Rights end {formatDate(a.validUntil)} (in {daysUntil(a.validUntil)} days)
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
