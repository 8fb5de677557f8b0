import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AssetGrid } from '../../../../components/asset-grid.tsx';
import { DocumentTable } from '../../../../components/document-table.tsx';
import { OutageBanner } from '../../../../components/outage-banner.tsx';
import { getAccount } from '../../../../lib/dal.ts';
import { label } from '../../../../lib/format.ts';
import type { DocumentRow } from '../../../../lib/types.ts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Account' };

/** Sales think in these groups; anything else is "other documents". */
const GROUPS: { title: string; test: RegExp }[] = [
  { title: 'Proposals', test: /proposal|quote/i },
  { title: 'Contracts', test: /agreement|contract|order form|release|licen[cs]e|price list/i },
  { title: 'Notes', test: /notes?\b|minutes|account plan/i },
];

function group(docs: DocumentRow[]) {
  const used = new Set<string>();
  const groups = GROUPS.map((g) => {
    const items = docs.filter((d) => !used.has(d.id) && g.test.test(d.name));
    for (const d of items) used.add(d.id);
    return { title: g.title, items };
  });
  return [...groups, { title: 'Other documents', items: docs.filter((d) => !used.has(d.id)) }];
}

export default async function AccountPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const answer = await getAccount(id);
  if (!answer) notFound();
  const { data: a, outages } = answer;
  const videos = a.assets.filter((x) => x.kind === 'VIDEO' || /testimonial|demo/i.test(x.title));
  const otherMedia = a.assets.filter((x) => !videos.includes(x));
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{a.name}</h1>
          <p className="sub">
            {label(a.kind)} · {a.region} · CRM {a.crmId}
            {a.workspace ? ` · workspace ${a.workspace}` : ''}
          </p>
        </div>
      </div>
      <OutageBanner outages={outages} />
      <div className="split">
        <section aria-labelledby="docs-h">
          <h2 id="docs-h">Documents</h2>
          {group(a.documents).map((g) => (
            <section key={g.title} aria-label={g.title}>
              <h3>
                {g.title} <span className="sub">({g.items.length})</span>
              </h3>
              <DocumentTable documents={g.items} caption={g.title} />
            </section>
          ))}
        </section>
        <section aria-labelledby="media-h">
          <h2 id="media-h">Demo videos and testimonials</h2>
          <AssetGrid assets={videos} />
          {otherMedia.length > 0 && (
            <>
              <h3>Other media</h3>
              <AssetGrid assets={otherMedia} />
            </>
          )}
          {a.team.length > 0 && (
            <>
              <h3>Account team</h3>
              <ul>
                {a.team.map((m) => (
                  <li key={`${m.name}-${m.role}`}>
                    {m.name} · {m.role}
                  </li>
                ))}
              </ul>
            </>
          )}
          {a.campaigns.length > 0 && (
            <>
              <h3>Campaigns</h3>
              <ul>
                {a.campaigns.map((c) => (
                  <li key={c.id}>
                    <Link href={`/campaigns/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      </div>
    </>
  );
}
