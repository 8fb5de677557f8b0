import Link from 'next/link';
import { label } from '../lib/format.ts';
import type { AssetCard } from '../lib/types.ts';
import { RightsBadge } from './rights-badge.tsx';
import { Thumbnail } from './thumbnail.tsx';

/** Asset tiles: thumbnail, rights and expiry, and the way to download. */
export function AssetGrid({ assets }: { assets: AssetCard[] }) {
  if (assets.length === 0) return <p className="sub">No assets here that you may use.</p>;
  return (
    <ul className="assets" data-testid="asset-grid">
      {assets.map((a) => {
        const href = `/assets/${encodeURIComponent(a.id)}`;
        return (
          <li key={a.id} className="asset">
            <div className="thumb">
              <Thumbnail asset={a} />
            </div>
            <div className="body">
              <h3>
                <Link href={href}>{a.title}</Link>
              </h3>
              <p className="sub">{label(a.kind)}</p>
              <RightsBadge rights={a.rights} />
              <div className="actions">
                {/* Licence terms are accepted on the asset page, so downloads start there. */}
                <Link className="button secondary" href={`${href}#download`} aria-label={`Download ${a.title}`}>
                  Download
                </Link>
              </div>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
