import Link from 'next/link';
import { formatDate, label } from '../lib/format.ts';
import type { Hit } from '../lib/types.ts';
import { RightsBadge } from './rights-badge.tsx';
import { StatusBadge } from './status-badge.tsx';
import { Thumbnail } from './thumbnail.tsx';

/** Mixed documents and assets, newest or most relevant first. */
export function HitList({ hits }: { hits: Hit[] }) {
  if (hits.length === 0) return <p className="sub">Nothing found.</p>;
  return (
    <ul className="hits" data-testid="hits">
      {hits.map((h) => (
        <li key={h.id} className="hit">
          {h.type === 'asset' ? <Thumbnail asset={h} /> : <span className="icon">Document</span>}
          <div>
            {h.type === 'asset' ? (
              <Link href={`/assets/${encodeURIComponent(h.id)}`}>{h.title}</Link>
            ) : (
              <a href={`/files/documents/${encodeURIComponent(h.id)}`} download>
                {h.name}
              </a>
            )}
            <p className="sub">
              {h.type === 'asset' ? label(h.kind) : `Document · v${h.version}`} · modified {formatDate(h.modifiedAt)}
            </p>
            {h.type === 'asset' ? (
              <RightsBadge rights={h.rights} />
            ) : (
              <span className="badges">
                <StatusBadge value={h.status} />
                <StatusBadge value={h.classification} />
              </span>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
