import type { AssetCard } from '../lib/types.ts';
import { label } from '../lib/format.ts';

/** An asset's thumbnail through the portal's own /files proxy (the title beside it names it, so alt is empty). */
export function Thumbnail({ asset, className }: { asset: AssetCard; className?: string }) {
  if (!asset.hasThumbnail) return <span className={className ?? 'icon'}>{label(asset.kind)}</span>;
  return (
    <img
      className={className}
      src={`/files/assets/${encodeURIComponent(asset.id)}/thumbnail`}
      alt=""
      loading="lazy"
      width={180}
      height={101}
    />
  );
}
