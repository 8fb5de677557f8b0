import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { DownloadPanel } from '../../../../components/download-panel.tsx';
import { OutageBanner } from '../../../../components/outage-banner.tsx';
import { RightsBadge } from '../../../../components/rights-badge.tsx';
import { StatusBadge } from '../../../../components/status-badge.tsx';
import { getAsset } from '../../../../lib/dal.ts';
import { formatDate, label } from '../../../../lib/format.ts';
import { systemName } from '../../../../lib/graphql.ts';
import type { AssetDetail, Rendition } from '../../../../lib/types.ts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Asset' };

const renditionText = (r: Rendition) => `${label(r.kind)}${r.width && r.height ? ` · ${r.width}×${r.height}` : ''} · ${r.mimeType}`;

function Preview({ asset }: { asset: AssetDetail }) {
  const kind = asset.renditions.some((r) => r.kind === 'PREVIEW')
    ? 'preview'
    : asset.renditions.some((r) => r.kind === 'THUMBNAIL')
      ? 'thumbnail'
      : null;
  if (!kind)
    return (
      <div className="preview">
        <span className="sub">No preview for this {label(asset.kind).toLowerCase()}</span>
      </div>
    );
  return (
    <div className="preview">
      <img src={`/files/assets/${encodeURIComponent(asset.id)}/${kind}`} alt={`Preview of ${asset.title}`} />
    </div>
  );
}

function RightsFacts({ asset }: { asset: AssetDetail }) {
  const r = asset.rights;
  if (!r) return <p className="sub">The source records no usage rights for this asset.</p>;
  return (
    <dl className="facts" data-testid="rights">
      <dt>Status</dt>
      <dd>
        <RightsBadge rights={r} />
      </dd>
      <dt>Valid</dt>
      <dd>
        {formatDate(r.validFrom)} – {formatDate(r.validUntil)}
      </dd>
      <dt>Territories</dt>
      <dd>{r.territories.join(', ') || '—'}</dd>
      <dt>Channels</dt>
      <dd>{r.channels.join(', ') || '—'}</dd>
      <dt>Licence</dt>
      <dd>
        {r.licence ? (
          <a href={`/files/documents/${encodeURIComponent(r.licence.id)}`} download>
            {r.licence.name}
          </a>
        ) : asset.terms ? (
          'Held in the ECM; the terms below state what it allows.'
        ) : (
          'None'
        )}
      </dd>
    </dl>
  );
}

export default async function AssetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const answer = await getAsset(id);
  if (!answer) notFound();
  const { data: a, outages } = answer;
  const choices = a.renditions.map((r) => ({ kind: r.kind, text: renditionText(r) }));
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{a.title}</h1>
          <p className="sub">
            {label(a.kind)} · {a.mimeType}
            {a.locale ? ` · ${a.locale}` : ''} · from {systemName(a.system)}
            {a.campaign && (
              <>
                {' '}
                · <Link href={`/campaigns/${encodeURIComponent(a.campaign.id)}`}>{a.campaign.name}</Link>
              </>
            )}
            {a.account && (
              <>
                {' '}
                · <Link href={`/accounts/${encodeURIComponent(a.account.id)}`}>{a.account.name}</Link>
              </>
            )}
          </p>
        </div>
        <StatusBadge value={a.approval} />
      </div>
      <OutageBanner outages={outages} />
      <div className="split">
        <div className="stack">
          <Preview asset={a} />
          {a.variants.length > 0 && (
            <section aria-labelledby="variants-h">
              <h2 id="variants-h">Other languages</h2>
              <ul>
                {a.variants.map((v) => (
                  <li key={v.id}>
                    <Link href={`/assets/${encodeURIComponent(v.id)}`}>{v.title}</Link>
                    {v.locale ? ` (${v.locale})` : ''}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
        <div className="stack">
          <section className="panel" aria-labelledby="rights-h">
            <h2 id="rights-h">Rights</h2>
            <RightsFacts asset={a} />
          </section>
          <section className="panel" aria-labelledby="download-h" id="download">
            <h2 id="download-h">Download</h2>
            <DownloadPanel assetId={a.id} title={a.title} choices={choices} terms={a.terms} accepted={a.termsAccepted} />
          </section>
          <section className="panel" aria-labelledby="about-h">
            <h2 id="about-h">About</h2>
            <dl className="facts">
              <dt>Project</dt>
              <dd>{a.project ?? '—'}</dd>
              <dt>Product line</dt>
              <dd>{a.productLine ?? '—'}</dd>
              <dt>Created</dt>
              <dd>{formatDate(a.createdAt)}</dd>
              <dt>Modified</dt>
              <dd>{formatDate(a.modifiedAt)}</dd>
            </dl>
          </section>
        </div>
      </div>
    </>
  );
}
