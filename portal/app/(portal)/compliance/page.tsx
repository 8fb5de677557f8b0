import type { Metadata } from 'next';
import Link from 'next/link';
import { ExpiryChart } from '../../../components/expiry-chart.tsx';
import { OutageBanner } from '../../../components/outage-banner.tsx';
import { getComplianceOverview, getViewer } from '../../../lib/dal.ts';
import { formatDate } from '../../../lib/format.ts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Compliance' };

export default async function CompliancePage() {
  const viewer = await getViewer();
  if (!viewer.roles.some((r) => r === 'compliance' || r === 'admin')) {
    return (
      <>
        <h1>Compliance</h1>
        <p>The compliance dashboard is for compliance and admin readers.</p>
      </>
    );
  }
  const { data, outages } = await getComplianceOverview();
  const total = data.expiringByMonth.reduce((n, m) => n + m.count, 0);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Compliance</h1>
          <p className="sub">Rights, approvals, legal holds and downloads across every source.</p>
        </div>
        <a className="button secondary" href="/files/audit-events.csv" download>
          Export audit events (CSV)
        </a>
      </div>
      <OutageBanner outages={outages} />
      <div className="grid-2">
        <section className="panel" aria-labelledby="exp-h">
          <h2 id="exp-h">
            Rights expiring in the next 90 days <span className="sub">({total})</span>
          </h2>
          <ExpiryChart months={data.expiringByMonth} />
        </section>
        <section className="panel" aria-labelledby="pending-h">
          <h2 id="pending-h">
            Pending approvals <span className="sub">({data.pendingTotal})</span>
          </h2>
          {data.pendingApprovals.length === 0 ? (
            <p className="sub">Nothing is waiting for approval.</p>
          ) : (
            <>
              <ul data-testid="pending">
                {data.pendingApprovals.map((p) => (
                  <li key={p.id}>
                    {p.kind === 'asset' && <Link href={`/assets/${encodeURIComponent(p.id)}`}>{p.name}</Link>}
                    {p.kind === 'document' && (
                      <>
                        <a href={`/files/documents/${encodeURIComponent(p.id)}`} download>
                          {p.name}
                        </a>{' '}
                        <span className="sub">(document)</span>
                      </>
                    )}
                    {p.kind === 'other' && p.name}
                  </li>
                ))}
              </ul>
              {data.pendingTotal > data.pendingApprovals.length && (
                <p className="hint">And {data.pendingTotal - data.pendingApprovals.length} more.</p>
              )}
            </>
          )}
        </section>
        <section className="panel" aria-labelledby="holds-h">
          <h2 id="holds-h">
            Documents on legal hold <span className="sub">({data.holds.length})</span>
          </h2>
          {data.holds.length === 0 ? (
            <p className="sub">No document is on hold.</p>
          ) : (
            <div className="table-wrap">
              <table data-testid="holds">
                <thead>
                  <tr>
                    <th scope="col">Document</th>
                    <th scope="col">Hold</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Since</th>
                  </tr>
                </thead>
                <tbody>
                  {data.holds.map((h) => (
                    <tr key={`${h.documentId}-${h.hold}`}>
                      <td>{h.documentName}</td>
                      <td>{h.hold}</td>
                      <td>{h.reason}</td>
                      <td>{formatDate(h.appliedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section className="panel" aria-labelledby="dl-h">
          <h2 id="dl-h">
            Recent downloads by company <span className="sub">(90 days)</span>
          </h2>
          {data.downloadsByCompany.length === 0 ? (
            <p className="sub">No downloads recorded.</p>
          ) : (
            <table data-testid="downloads">
              <thead>
                <tr>
                  <th scope="col">Company</th>
                  <th scope="col">Downloads</th>
                </tr>
              </thead>
              <tbody>
                {data.downloadsByCompany.map((d) => (
                  <tr key={d.company}>
                    <td>{d.name ? `${d.name} (${d.company})` : d.company === 'internal' ? 'Internal staff' : d.company}</td>
                    <td>{d.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </>
  );
}
