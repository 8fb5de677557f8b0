import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AssetGrid } from '../../../../components/asset-grid.tsx';
import { DocumentTable } from '../../../../components/document-table.tsx';
import { OutageBanner } from '../../../../components/outage-banner.tsx';
import { Pager } from '../../../../components/pager.tsx';
import { StatusBadge } from '../../../../components/status-badge.tsx';
import { getCampaign } from '../../../../lib/dal.ts';
import { formatDate } from '../../../../lib/format.ts';
import { systemName } from '../../../../lib/graphql.ts';
import { one, type SearchParamsRecord } from '../../../../lib/params.ts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Campaign' };

export default async function CampaignPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParamsRecord>;
}) {
  const { id } = await params;
  const sp = await searchParams;
  const after = one(sp.after);
  const answer = await getCampaign(id, after);
  if (!answer) notFound();
  const { data: c, outages } = answer;
  const briefs = c.documents.items.filter((d) => /brief/i.test(d.name));
  const others = c.documents.items.filter((d) => !/brief/i.test(d.name));
  const pagerParams = new URLSearchParams(after ? { after } : {});
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{c.name}</h1>
          <p className="sub">
            {c.code} · {c.productLine}
            {c.project ? ` · ${c.project}` : ''} · {c.regions.join(', ')} · {formatDate(c.startDate)} – {formatDate(c.endDate)}
          </p>
        </div>
        <StatusBadge value={c.status} />
      </div>
      <OutageBanner outages={outages} />
      <section aria-labelledby="brief-h">
        <h2 id="brief-h">Brief</h2>
        <DocumentTable documents={briefs} caption="Briefs" />
      </section>
      <section aria-labelledby="docs-h">
        <h2 id="docs-h">
          Documents <span className="sub">({others.length})</span>
        </h2>
        <DocumentTable documents={others} caption="Documents" />
      </section>
      <section aria-labelledby="assets-h">
        <h2 id="assets-h">
          Assets <span className="sub">({c.assets.total})</span>
        </h2>
        {c.missingSources.length > 0 && (
          <p className="banner warn" role="status">
            Not shown: assets from {c.missingSources.map(systemName).join(', ')}, which did not answer.
          </p>
        )}
        <AssetGrid assets={c.assets.items} />
        <Pager
          path={`/campaigns/${encodeURIComponent(c.id)}`}
          params={pagerParams}
          nextCursor={c.assets.nextCursor}
          total={c.assets.total}
          shown={c.assets.items.length}
        />
      </section>
    </>
  );
}
